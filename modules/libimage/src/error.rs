//! The crate's error enum, [`ImageError`], and its coarse classification, [`ErrorKind`].

use crate::Format;

/// Why an image could not be probed or resized.
///
/// Callers should branch on [`ImageError::kind`] rather than on the message; the message is meant
/// for people and names the limit or the value that was wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// An output format name other than `png`, `jpeg` or `jpg`.
    #[error("unknown output format {name:?}: expected png, jpeg or jpg")]
    UnknownFormatName {
        /// The name as given.
        name: String,
    },
    /// A JPEG quality outside `1..=100`.
    #[error("jpeg quality {quality} is outside 1..=100")]
    InvalidQuality {
        /// The quality as given.
        quality: u8,
    },
    /// The input has no bytes at all.
    #[error("input is empty")]
    EmptyInput,
    /// The input starts like a PNG or JPEG signature but stops before it is complete.
    #[error("input of {len} bytes is too short to be an image")]
    TooShort {
        /// The input length in bytes.
        len: usize,
    },
    /// The input is a known image format that this module does not decode.
    #[error("unsupported image format {detected}: expected PNG or JPEG")]
    UnsupportedFormat {
        /// A short name of what the input looks like, e.g. `GIF` or `unknown`.
        detected: &'static str,
    },
    /// The input is PNG or JPEG but uses a feature the decoder does not implement,
    /// e.g. arithmetic-coded or 12-bit JPEG.
    #[error("unsupported {format} feature: {detail}")]
    UnsupportedFeature {
        /// The detected input format.
        format: Format,
        /// What the decoder could not handle.
        detail: String,
    },
    /// The input data is corrupt.
    #[error("corrupt {format} data: {detail}")]
    Corrupt {
        /// The detected input format.
        format: Format,
        /// What the decoder found wrong.
        detail: String,
    },
    /// The input data ends before the image is complete.
    #[error("truncated {format} data: {detail}")]
    Truncated {
        /// The detected input format.
        format: Format,
        /// Where the data ended.
        detail: String,
    },
    /// The input's declared dimensions exceed `max_pixels`; nothing was decoded.
    #[error("input of {width}x{height} pixels exceeds the limit of {max_pixels} pixels")]
    InputTooLarge {
        /// Declared width in pixels.
        width: u32,
        /// Declared height in pixels.
        height: u32,
        /// The limit in force ([`ResizeOptions::max_pixels`](crate::ResizeOptions::max_pixels)).
        max_pixels: u64,
    },
    /// The requested output exceeds `max_pixels` or the output format's largest side.
    #[error("output of {width}x{height} pixels exceeds the limit of {limit}")]
    OutputTooLarge {
        /// Requested or derived width in pixels.
        width: u64,
        /// Requested or derived height in pixels.
        height: u64,
        /// The limit that was hit, e.g. `40000000 pixels` or `65535 pixels per side for JPEG`.
        limit: String,
    },
    /// A decoder or encoder refused to allocate more memory than its limit allows.
    #[error("memory limit of {max_bytes} bytes reached: {detail}")]
    MemoryLimit {
        /// The allocation limit in force, in bytes.
        max_bytes: u64,
        /// What the codec reported.
        detail: String,
    },
    /// Resampling or encoding failed on a well-formed image; this points at a bug in this
    /// crate rather than at the input.
    #[error("cannot {stage}: {detail}")]
    Internal {
        /// The step that failed, e.g. `encode JPEG` or `resample`.
        stage: &'static str,
        /// What the failing library reported.
        detail: String,
    },
}

/// The coarse class of an [`ImageError`], for mapping onto ABI status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's options are wrong (format name, quality).
    BadArgument,
    /// The input bytes are empty, corrupt or truncated.
    InvalidInput,
    /// The input is a format or uses a feature this module does not handle (also used for
    /// [`ImageError::Internal`], a request this module could not carry out).
    Unsupported,
    /// A size or memory limit was hit, by the input or the requested output.
    Limit,
}

impl ImageError {
    /// Classifies the error for the ABI.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::UnknownFormatName { .. } | Self::InvalidQuality { .. } => ErrorKind::BadArgument,
            Self::EmptyInput
            | Self::TooShort { .. }
            | Self::Corrupt { .. }
            | Self::Truncated { .. } => ErrorKind::InvalidInput,
            Self::UnsupportedFormat { .. }
            | Self::UnsupportedFeature { .. }
            | Self::Internal { .. } => ErrorKind::Unsupported,
            Self::InputTooLarge { .. } | Self::OutputTooLarge { .. } | Self::MemoryLimit { .. } => {
                ErrorKind::Limit
            }
        }
    }

    /// The error is a size or memory limit, by the input or the requested output.
    pub fn is_limit(&self) -> bool {
        self.kind() == ErrorKind::Limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_and_name_the_limit() {
        let err = ImageError::InputTooLarge {
            width: 100_000,
            height: 100_000,
            max_pixels: 40_000_000,
        };
        let text = err.to_string();
        assert!(text.starts_with("input"));
        assert!(text.contains("40000000"));
        assert!(err.is_limit());
    }

    #[test]
    fn argument_errors_classify_as_bad_argument() {
        let err = ImageError::InvalidQuality { quality: 0 };
        assert_eq!(err.kind(), ErrorKind::BadArgument);
        assert!(!err.is_limit());
    }
}
