//! Host-function bridges (`log`, `read_file`) and the mediated, app-scoped virtual filesystem.
//!
//! The bridges are written against the runtime's registration surface
//! (`fazt_wasm_runtime::Bridge`), under the import names of `fazt_wasm_abi`:
//!
//! - [`Log`]: `fazt.log(level, msg_ptr, msg_len) -> i32`, granted to every module, turns guest
//!   messages into `tracing` events with target `guest` under a per-call budget ([`LogConfig`]).
//! - [`ReadFile`]: `fazt.read_file(path_ptr, path_len, buf_ptr, buf_cap) -> i64`, granted only
//!   by `ModuleConfig::grant("read_file")`, reads the calling app's files through a
//!   [`vfs::Vfs`] under per-call limits ([`ReadFileConfig`]).
//! - [`install`] adds both to a `RuntimeConfig` in one line.
//! - [`vfs`]: the VFS itself, with [`vfs::MemVfs`] and (feature `std`) `vfs::DirVfs`.
//!
//! Budgets count lines, reads and bytes, never time, and live in the call's `CallState`:
//! every call starts with full budgets, and the same guest gets the same answers on every run.
//! (The calls of one `Instance` share its store, so there the budgets span the session.)
//! Everything a guest can get wrong is a negative status for the guest, except pointers
//! outside its memory, which fail the call as an ABI violation (`kind() == "abi"`).
//! `docs/hostfns.md` describes both functions from the guest's side.
//!
//! # Panics and `panic = "abort"`
//!
//! With the `std` feature, every bridge body runs inside `catch_bridge_panic`, so a bug that
//! panics in a bridge (or in a [`vfs::Vfs`] backend) fails that one call with `is_panic()`
//! instead of unwinding through wasmi; the module stays usable. Under `panic = "abort"`, or
//! without `std`, nothing can catch a panic, so the bridges are written not to panic on any
//! guest-controlled path in the first place: guest ranges go through `guest_range`,
//! arithmetic on guest values is checked or saturating, and slices are indexed only with
//! ranges checked against that same memory. The integration tests drive every such path
//! (out-of-bounds pointers, huge lengths, invalid text, floods) and check for errors and
//! statuses, never for caught panics; only the test with a deliberately panicking backend
//! relies on the catch.
//!
//! Without the `std` feature the crate is `no_std` + `alloc`.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use fazt_wasm_hostfns::vfs::MemVfs;
//! use fazt_wasm_runtime::{CallOptions, ModuleConfig, Runtime, RuntimeConfig};
//!
//! let vfs = MemVfs::new().with_file("blog", "title.txt", b"Hello".to_vec())?;
//! let runtime = Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), Some(Arc::new(vfs))))?;
//! let wasm = wat::parse_str(r#"(module
//!     (import "fazt" "log" (func $log (param i32 i32 i32) (result i32)))
//!     (import "fazt" "read_file" (func $read_file (param i32 i32 i32 i32) (result i64)))
//!     (memory (export "memory") 1)
//!     (data (i32.const 0) "title.txt")
//!     (data (i32.const 16) "reading the title")
//!     (func (export "title") (result i64)
//!         (drop (call $log (i32.const 2) (i32.const 16) (i32.const 17)))
//!         (call $read_file (i32.const 0) (i32.const 9) (i32.const 64) (i32.const 64))))"#)?;
//! let module = runtime.load("blog-title", &wasm, ModuleConfig::default().grant("read_file"))?;
//! let instance_options = CallOptions::default().caller("blog");
//! let mut instance = module.instantiate(&instance_options)?;
//! let size = instance.call_raw("title", &[])?[0].i64();
//! assert_eq!(size, Some(5));
//! assert_eq!(&instance.read_bytes(64, 5)?[..], b"Hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

mod log;
mod read_file;
pub mod vfs;

use alloc::sync::Arc;

use fazt_wasm_runtime::{RuntimeConfig, wasmi};

pub use log::{Log, LogConfig};
pub use read_file::{ReadFile, ReadFileConfig};

/// Adds the bridges of this crate, with default limits, to `config`: [`Log`] always, and
/// [`ReadFile`] over `vfs` when there is one (without it, a module importing
/// `fazt.read_file` is refused at load as importing an unregistered function).
///
/// To change limits, add the bridges yourself: `config.bridge(Log::new(LogConfig { .. }))`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use fazt_wasm_hostfns::vfs::MemVfs;
/// use fazt_wasm_runtime::{Runtime, RuntimeConfig};
///
/// let config = fazt_wasm_hostfns::install(RuntimeConfig::default(), Some(Arc::new(MemVfs::new())));
/// assert_eq!(config.bridges.len(), 2);
/// Runtime::new(config)?;
/// # Ok::<(), fazt_wasm_runtime::Error>(())
/// ```
pub fn install(config: RuntimeConfig, vfs: Option<Arc<dyn vfs::Vfs>>) -> RuntimeConfig {
    let config = config.bridge(Log::default());
    match vfs {
        Some(vfs) => config.bridge(ReadFile::new(vfs)),
        None => config,
    }
}

/// Runs a bridge body, catching a panic where std can (see the crate docs on `panic = "abort"`).
fn guard<R>(
    bridge: &'static str,
    body: impl FnOnce() -> Result<R, wasmi::Error>,
) -> Result<R, wasmi::Error> {
    #[cfg(feature = "std")]
    {
        fazt_wasm_runtime::catch_bridge_panic(bridge, body)
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = bridge;
        body()
    }
}
