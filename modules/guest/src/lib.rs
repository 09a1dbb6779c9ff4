//! Guest SDK for fazt-wasm service modules.
//!
//! A service is a function from named [`Args`] to output bytes or an [`Error`]; the
//! [`export!`] macro turns it into a Wasm export with the ABI's signature
//! (`(args_ptr: i32, args_len: i32) -> i64`, see `docs/abi.md`). The SDK also exports the
//! allocator pair the host needs (`fazt_alloc`, `fazt_dealloc`) and wraps the host functions
//! ([`log`], [`read_file`]).
//!
//! It is `no_std` + `alloc`: guests bring an allocator (std's, on `wasm32-unknown-unknown`).
//! Everything but the raw exports and imports is plain Rust and unit-tested on the host.
//!
//! # Examples
//!
//! ```
//! use fazt_wasm_guest::{Args, Error};
//!
//! fn greet(args: &Args<'_>) -> Result<Vec<u8>, Error> {
//!     let name = args.str("name")?;
//!     let times = args.opt_u32("times")?.unwrap_or(1);
//!     Ok(format!("hello, {name}! ").repeat(times as usize).into_bytes())
//! }
//! fazt_wasm_guest::export!(greet);
//!
//! // On the host, the same function can be driven through the envelope protocol:
//! let mut encoded = Vec::new();
//! fazt_wasm_guest::abi::args::encode(&[("name", fazt_wasm_guest::Value::Str("wasm"))], &mut encoded).unwrap();
//! assert_eq!(fazt_wasm_guest::serve(&encoded, greet), b"\0hello, wasm! ");
//! ```
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

mod args;
mod error;
mod host;
#[doc(hidden)]
pub mod raw;

pub use args::Args;
pub use error::Error;
pub use fazt_wasm_abi as abi;
pub use fazt_wasm_abi::args::Value;
pub use fazt_wasm_abi::output::ErrorCode;
pub use host::{Level, log, read_file};

use alloc::vec::Vec;

/// Runs `service` on encoded arguments and returns the output envelope (tag byte, then the
/// output or the error code and message). This is what an exported service does, minus the
/// raw pointers; use it to test services on the host.
pub fn serve(
    encoded_args: &[u8],
    service: impl FnOnce(&Args<'_>) -> Result<Vec<u8>, Error>,
) -> Vec<u8> {
    let result = Args::decode(encoded_args).and_then(|args| service(&args));
    match result {
        Ok(mut output) => {
            output.insert(0, abi::output::TAG_OK);
            output
        }
        Err(error) => error.into_envelope(),
    }
}

/// Exports a service function `fn(&Args) -> Result<Vec<u8>, Error>` under its own name, or
/// under another: `export!(resize)` or `export!(resize => resize_impl)`.
///
/// The export exists only when compiling for wasm32, so the crate still builds and tests on
/// the host.
#[macro_export]
macro_rules! export {
    ($name:ident) => {
        $crate::export!($name => $name);
    };
    ($name:ident => $service:path) => {
        const _: () = {
            #[cfg(target_arch = "wasm32")]
            #[allow(unsafe_code)]
            #[unsafe(export_name = stringify!($name))]
            extern "C" fn __fazt_export(args_ptr: i32, args_len: i32) -> i64 {
                $crate::raw::call(args_ptr, args_len, $service)
            }
        };
    };
}
