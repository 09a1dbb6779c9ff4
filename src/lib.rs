//! fazt-wasm's services layer: the embedded guest modules and typed Rust wrappers around them.
//!
//! The `fazt-wasm` binary (the admin CLI) is built on the same modules. Each wrapper loads its
//! module through the runtime's cache (a hit after the first call) and runs one call in a
//! fresh store under the module's default limits ([`embedded`]).
//!
//! # Examples
//!
//! ```
//! use fazt_wasm::{media, runtime};
//!
//! let runtime = runtime()?;
//! let sample = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/libimage/sample.jpg"))?;
//! let options = media::ResizeOpts { width: 100, format: Some(media::ImageFormat::Png), ..Default::default() };
//! let thumb = media::resize(&runtime, &sample, &options)?;
//! assert!(thumb.starts_with(b"\x89PNG"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod embedded;
pub mod services;

pub use services::{media, parse, pdf};

/// A runtime with the host functions (`log`; no filesystem) the embedded modules need.
///
/// # Errors
///
/// Only if the runtime's configuration is invalid, which the defaults never are.
pub fn runtime() -> Result<fazt_wasm_runtime::Runtime, fazt_wasm_runtime::Error> {
    fazt_wasm_runtime::Runtime::new(fazt_wasm_hostfns::install(
        fazt_wasm_runtime::RuntimeConfig::default(),
        None,
    ))
}
