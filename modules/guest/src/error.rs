//! The error a service returns: an ABI error code and a message for the host.

use alloc::{string::String, vec::Vec};
use core::fmt;

use fazt_wasm_abi::output::{ErrorCode, TAG_ERR};

/// Why a service refused a call; reaches the host as `Error::Guest { code, message }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The class of failure.
    pub code: ErrorCode,
    /// A human-readable message (name the argument, the limit, the offending value).
    pub message: String,
}

impl Error {
    /// An error of class `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// An argument is missing, mistyped or out of range.
    pub fn bad_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadArgument, message)
    }

    /// The input is corrupt, truncated or malformed.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    /// The input is of a kind the service does not handle.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unsupported, message)
    }

    /// The input exceeds a limit the service enforces.
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Limit, message)
    }

    /// A host function failed.
    pub fn host(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Host, message)
    }

    /// A bug in the service.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// The envelope bytes: tag, code, message.
    pub fn into_envelope(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.message.len());
        out.push(TAG_ERR);
        out.push(self.code as u8);
        out.extend_from_slice(self.message.as_bytes());
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl core::error::Error for Error {}
