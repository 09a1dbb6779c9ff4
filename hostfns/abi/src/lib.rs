//! The fazt-wasm calling convention, shared by the host and by guests.
//!
//! This crate has no dependencies and builds for `wasm32-unknown-unknown`, the host and
//! `no_std` targets alike, so the two sides of the boundary never retype a name or a code.
//! `docs/abi.md` at the repository root is the normative description; this crate is its
//! executable form.
//!
//! - [`args`]: the named-argument encoding (a MessagePack map).
//! - [`output`]: the output envelope a service export returns.
//! - Import and export names, log levels and `read_file` status codes are constants below.
//!
//! # Examples
//!
//! ```
//! use fazt_wasm_abi::args::{self, Value};
//!
//! let mut encoded = Vec::new();
//! args::encode(&[("width", Value::Int(800)), ("input", Value::Bytes(b"\x89PNG"))], &mut encoded)?;
//! let decoded = args::decode(&encoded)?;
//! assert_eq!(decoded.get("width"), Some(&Value::Int(800)));
//! # Ok::<(), fazt_wasm_abi::args::ArgsError>(())
//! ```
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

pub mod args;
pub mod output;

/// The import module every host function lives in: a guest imports `fazt.log`, `fazt.read_file`.
pub const IMPORT_MODULE: &str = "fazt";

/// Host function `log(level: i32, msg_ptr: i32, msg_len: i32) -> i32`.
///
/// Returns [`STATUS_OK`] or a negative `LOG_*` status.
pub const LOG: &str = "log";

/// Host function `read_file(path_ptr: i32, path_len: i32, buf_ptr: i32, buf_cap: i32) -> i64`.
///
/// Returns the file's size in bytes (the file was copied into the buffer when it fits,
/// otherwise nothing was written and the guest should retry with a buffer of that size),
/// or a negative `READ_FILE_*` status.
pub const READ_FILE: &str = "read_file";

/// Guest export `fazt_alloc(len: i32) -> i32`: a buffer of `len` bytes (alignment 1), or 0.
pub const ALLOC: &str = "fazt_alloc";

/// Guest export `fazt_dealloc(ptr: i32, len: i32)`: releases a buffer from [`ALLOC`] or an output.
pub const DEALLOC: &str = "fazt_dealloc";

/// Success status of host functions that return a status.
pub const STATUS_OK: i32 = 0;

/// `log`: the message was not valid UTF-8; nothing was logged.
pub const LOG_INVALID_UTF8: i32 = -1;
/// `log`: the message was longer than the host's per-message cap; nothing was logged.
pub const LOG_TOO_LONG: i32 = -2;
/// `log`: the call's log budget (bytes or lines) is spent; this and later messages are dropped.
pub const LOG_BUDGET_EXHAUSTED: i32 = -3;
/// `log`: the level was not one of the `LEVEL_*` values.
pub const LOG_INVALID_LEVEL: i32 = -4;

/// `read_file`: no such file.
pub const READ_FILE_NOT_FOUND: i64 = -1;
/// `read_file`: the path is malformed or tries to leave the app's root.
pub const READ_FILE_INVALID_PATH: i64 = -2;
/// `read_file`: the file is larger than the host allows for this call.
pub const READ_FILE_TOO_LARGE: i64 = -3;
/// `read_file`: the caller has no filesystem root (no app identity, or an unknown app).
pub const READ_FILE_NO_ROOT: i64 = -4;
/// `read_file`: the host failed to read the file.
pub const READ_FILE_IO: i64 = -5;
/// `read_file`: the path names a directory or another non-regular file.
pub const READ_FILE_NOT_A_FILE: i64 = -6;
/// `read_file`: the call's read budget (count or bytes) is spent.
pub const READ_FILE_BUDGET_EXHAUSTED: i64 = -7;

/// Log level: error.
pub const LEVEL_ERROR: i32 = 0;
/// Log level: warning.
pub const LEVEL_WARN: i32 = 1;
/// Log level: info.
pub const LEVEL_INFO: i32 = 2;
/// Log level: debug.
pub const LEVEL_DEBUG: i32 = 3;
/// Log level: trace.
pub const LEVEL_TRACE: i32 = 4;

/// Packs an output location into the `i64` a service export returns: `len << 32 | ptr`.
pub const fn pack_ptr_len(ptr: u32, len: u32) -> i64 {
    (((len as u64) << 32) | ptr as u64) as i64
}

/// Splits the `i64` a service export returned into `(ptr, len)`.
pub const fn unpack_ptr_len(packed: i64) -> (u32, u32) {
    let packed = packed as u64;
    (packed as u32, (packed >> 32) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_round_trips_extremes() {
        for (ptr, len) in [
            (0, 0),
            (1, 2),
            (u32::MAX, 0),
            (0, u32::MAX),
            (u32::MAX, u32::MAX),
        ] {
            assert_eq!(unpack_ptr_len(pack_ptr_len(ptr, len)), (ptr, len));
        }
        assert_eq!(pack_ptr_len(16, 3), (3 << 32) | 16);
    }
}
