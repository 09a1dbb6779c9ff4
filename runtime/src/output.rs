//! What a successful call returns: the output bytes and the call's statistics.

use alloc::string::String;

use bytes::Bytes;

use crate::{CallStats, Error};

/// The output of a service call, copied out of the guest once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    bytes: Bytes,
    stats: CallStats,
}

impl Output {
    pub(crate) fn new(bytes: Bytes, stats: CallStats) -> Self {
        Self { bytes, stats }
    }

    /// The output bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The output as shareable `Bytes` (no copy).
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// The output as UTF-8 text.
    ///
    /// # Errors
    ///
    /// [`Error::OutputFormat`] when the bytes are not UTF-8.
    pub fn string(&self) -> Result<&str, Error> {
        core::str::from_utf8(&self.bytes)
            .map_err(|error| Error::OutputFormat(alloc::format!("output is not utf-8: {error}")))
    }

    /// The output as a decimal integer (surrounding whitespace allowed).
    ///
    /// # Errors
    ///
    /// [`Error::OutputFormat`] when the text is not an `i64`.
    pub fn int(&self) -> Result<i64, Error> {
        let text = self.string()?;
        text.trim().parse().map_err(|_| {
            let shown: String = text.chars().take(32).collect();
            Error::OutputFormat(alloc::format!("output {shown:?} is not an integer"))
        })
    }

    /// The output parsed as JSON.
    ///
    /// # Errors
    ///
    /// [`Error::OutputFormat`] when it is not JSON of type `T`.
    #[cfg(feature = "json")]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.bytes).map_err(|error| {
            Error::OutputFormat(alloc::format!("output is not the expected json: {error}"))
        })
    }

    /// Fuel, memory and time the call used.
    pub fn stats(&self) -> CallStats {
        self.stats
    }
}
