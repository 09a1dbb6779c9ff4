//! Safe wrappers of the host functions `fazt.log` and `fazt.read_file`.
//!
//! Off wasm32 (host-side unit tests) `log` discards the message and `read_file` reports
//! that there is no filesystem root, so services stay testable without a runtime.

use alloc::{format, vec::Vec};

use fazt_wasm_abi as abi;

use crate::Error;

/// A log level of `fazt.log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Level {
    /// Something failed.
    Error = abi::LEVEL_ERROR,
    /// Something looks wrong.
    Warn = abi::LEVEL_WARN,
    /// Normal operation.
    Info = abi::LEVEL_INFO,
    /// Detail for debugging.
    Debug = abi::LEVEL_DEBUG,
    /// Very fine detail.
    Trace = abi::LEVEL_TRACE,
}

/// Logs `message` through the host's `tracing` (target `guest`).
///
/// Returns the host's status: [`abi::STATUS_OK`], or a negative `abi::LOG_*` code when the
/// message was dropped (too long, or the call's log budget is spent). Logging never fails
/// the call.
pub fn log(level: Level, message: &str) -> i32 {
    crate::raw::log(level as i32, message.as_bytes())
}

/// Reads the file at `path` (relative to the app's root) through the host's VFS.
///
/// The module must be granted `read_file` by its host.
///
/// # Errors
///
/// A `host` error carrying the `abi::READ_FILE_*` status (not found, invalid path, too
/// large, no root, ...) in its message.
pub fn read_file(path: &str) -> Result<Vec<u8>, Error> {
    // Two-step protocol: ask with an empty buffer for the size, then read into a buffer of
    // that size. The host keeps the file between the two calls, so it is read once.
    let mut buffer = Vec::new();
    loop {
        let status = crate::raw::read_file(path.as_bytes(), &mut buffer);
        if status < 0 {
            return Err(Error::host(format!(
                "read_file({path:?}) failed: {} ({status})",
                read_file_status_name(status)
            )));
        }
        let size = status as usize;
        if size <= buffer.len() {
            buffer.truncate(size);
            return Ok(buffer);
        }
        buffer.resize(size, 0);
    }
}

/// The name of a `read_file` status code.
pub fn read_file_status_name(status: i64) -> &'static str {
    match status {
        abi::READ_FILE_NOT_FOUND => "not found",
        abi::READ_FILE_INVALID_PATH => "invalid path",
        abi::READ_FILE_TOO_LARGE => "too large",
        abi::READ_FILE_NO_ROOT => "no filesystem root for this caller",
        abi::READ_FILE_IO => "i/o error",
        abi::READ_FILE_NOT_A_FILE => "not a file",
        abi::READ_FILE_BUDGET_EXHAUSTED => "read budget exhausted",
        _ => "unknown status",
    }
}
