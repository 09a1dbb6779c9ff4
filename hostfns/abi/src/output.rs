//! The output envelope: what a service export's returned `(ptr, len)` region contains.
//!
//! Byte 0 is a tag. [`TAG_OK`] is followed by the output bytes. [`TAG_ERR`] is followed by
//! one [`ErrorCode`] byte and a UTF-8 message written by the guest.

use core::fmt;

/// The call succeeded; the output bytes follow.
pub const TAG_OK: u8 = 0;
/// The guest refused the call; an [`ErrorCode`] byte and a UTF-8 message follow.
pub const TAG_ERR: u8 = 1;

/// Why a guest refused a call, as it reports it in the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ErrorCode {
    /// An argument is missing, of the wrong type or out of range.
    BadArgument = 1,
    /// The input is corrupt, truncated or malformed.
    InvalidInput = 2,
    /// The input is well-formed but of a kind the guest does not handle.
    Unsupported = 3,
    /// The input exceeds a limit the guest enforces (dimensions, cells, pages).
    Limit = 4,
    /// A host function the guest depends on failed.
    Host = 5,
    /// The guest hit a bug of its own.
    Internal = 6,
}

impl ErrorCode {
    /// Parses the code byte; unknown values are `None`.
    pub const fn from_u8(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => Self::BadArgument,
            2 => Self::InvalidInput,
            3 => Self::Unsupported,
            4 => Self::Limit,
            5 => Self::Host,
            6 => Self::Internal,
            _ => return None,
        })
    }

    /// A short snake_case label: `bad_argument`, `invalid_input`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadArgument => "bad_argument",
            Self::InvalidInput => "invalid_input",
            Self::Unsupported => "unsupported",
            Self::Limit => "limit",
            Self::Host => "host",
            Self::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed envelope, borrowing from the returned region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope<'a> {
    /// The output bytes.
    Ok(&'a [u8]),
    /// The guest's error code and message.
    Err {
        /// The code, or `None` if the guest wrote an unknown code.
        code: Option<ErrorCode>,
        /// The message bytes (UTF-8 when the guest follows the ABI).
        message: &'a [u8],
    },
}

/// Why an envelope could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeError {
    /// The region is empty.
    Empty,
    /// The tag byte is neither [`TAG_OK`] nor [`TAG_ERR`].
    UnknownTag(u8),
    /// An error envelope without its code byte.
    MissingCode,
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("output envelope is empty"),
            Self::UnknownTag(tag) => write!(f, "output envelope has unknown tag {tag}"),
            Self::MissingCode => f.write_str("error envelope has no error code"),
        }
    }
}

impl core::error::Error for EnvelopeError {}

/// Parses an output region.
///
/// # Errors
///
/// An [`EnvelopeError`] when the region does not follow the envelope layout.
pub fn parse(region: &[u8]) -> Result<Envelope<'_>, EnvelopeError> {
    match region.split_first() {
        None => Err(EnvelopeError::Empty),
        Some((&TAG_OK, rest)) => Ok(Envelope::Ok(rest)),
        Some((&TAG_ERR, rest)) => match rest.split_first() {
            None => Err(EnvelopeError::MissingCode),
            Some((&code, message)) => Ok(Envelope::Err {
                code: ErrorCode::from_u8(code),
                message,
            }),
        },
        Some((&tag, _)) => Err(EnvelopeError::UnknownTag(tag)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_parse() {
        assert_eq!(parse(&[TAG_OK, 1, 2]), Ok(Envelope::Ok(&[1, 2])));
        assert_eq!(parse(&[TAG_OK]), Ok(Envelope::Ok(&[])));
        assert_eq!(
            parse(&[TAG_ERR, 1, b'x']),
            Ok(Envelope::Err {
                code: Some(ErrorCode::BadArgument),
                message: b"x"
            })
        );
        assert_eq!(
            parse(&[TAG_ERR, 99]),
            Ok(Envelope::Err {
                code: None,
                message: b""
            })
        );
        assert_eq!(parse(&[]), Err(EnvelopeError::Empty));
        assert_eq!(parse(&[TAG_ERR]), Err(EnvelopeError::MissingCode));
        assert_eq!(parse(&[7]), Err(EnvelopeError::UnknownTag(7)));
    }

    #[test]
    fn codes_round_trip() {
        for byte in 0..=255u8 {
            if let Some(code) = ErrorCode::from_u8(byte) {
                assert_eq!(code as u8, byte);
            }
        }
        assert_eq!(ErrorCode::from_u8(0), None);
    }
}
