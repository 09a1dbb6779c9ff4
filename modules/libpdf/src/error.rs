//! `PdfError`, the one error type of this crate, and `ErrorKind`, how callers classify it.

/// Broad class of a [`PdfError`], for callers that map errors to status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An option is out of range: unknown page size, or a bad margin.
    BadArgument,
    /// The input itself is unusable (for example, not UTF-8).
    InvalidInput,
    /// The input is too large or too deeply nested, or would need too many pages.
    Limit,
}

/// Why [`render`](crate::render) produced no PDF.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// [`PageSize::parse`](crate::PageSize::parse) got a name it does not know.
    #[error("unknown page size {name:?}, expected A4 or Letter")]
    UnknownPageSize {
        /// The name as given (cut to 64 bytes).
        name: String,
    },
    /// The margin is negative, NaN or infinite.
    #[error("margin of {margin_mm} mm is not a finite, non-negative number")]
    InvalidMargin {
        /// The margin as given, in millimetres.
        margin_mm: f32,
    },
    /// The margins leave less than the minimum content area on the page.
    #[error(
        "margin of {margin_mm} mm is over the limit of {max_margin_mm} mm for this page size, which keeps {min_content_mm} mm of content"
    )]
    MarginTooLarge {
        /// The margin as given, in millimetres.
        margin_mm: f32,
        /// The largest margin this page size accepts, in millimetres.
        max_margin_mm: f32,
        /// The smallest content width and height we lay out, in millimetres.
        min_content_mm: f32,
    },
    /// [`render_bytes`](crate::render_bytes) got bytes that are not UTF-8.
    #[error("input is not valid UTF-8 (valid up to byte {valid_up_to})")]
    InvalidUtf8 {
        /// Length of the longest valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// The HTML input is larger than the limit.
    #[error("input of {len_bytes} bytes is over the limit of {limit_bytes} bytes")]
    InputTooLarge {
        /// Size of the input.
        len_bytes: usize,
        /// [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES).
        limit_bytes: usize,
    },
    /// Elements are nested deeper than the limit.
    #[error("elements nested deeper than the limit of {limit}")]
    NestingTooDeep {
        /// [`MAX_NESTING_DEPTH`](crate::MAX_NESTING_DEPTH).
        limit: usize,
    },
    /// The document would need more pages than the limit.
    #[error("document needs more than the limit of {limit} pages")]
    TooManyPages {
        /// [`MAX_PAGES`](crate::MAX_PAGES).
        limit: usize,
    },
    /// The page contents would be larger than the limit.
    #[error("page content over the limit of {limit_bytes} bytes")]
    OutputTooLarge {
        /// [`MAX_CONTENT_BYTES`](crate::MAX_CONTENT_BYTES).
        limit_bytes: usize,
    },
    /// A table has more columns than the limit.
    #[error("table has {columns} columns, over the limit of {limit}")]
    TooManyColumns {
        /// Cells in the table's widest row.
        columns: usize,
        /// [`MAX_TABLE_COLUMNS`](crate::MAX_TABLE_COLUMNS).
        limit: usize,
    },
}

impl PdfError {
    /// Which class of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::UnknownPageSize { .. }
            | Self::InvalidMargin { .. }
            | Self::MarginTooLarge { .. } => ErrorKind::BadArgument,
            Self::InvalidUtf8 { .. } => ErrorKind::InvalidInput,
            Self::InputTooLarge { .. }
            | Self::NestingTooDeep { .. }
            | Self::TooManyPages { .. }
            | Self::OutputTooLarge { .. }
            | Self::TooManyColumns { .. } => ErrorKind::Limit,
        }
    }

    /// The caller passed a bad option; the same input renders with other options.
    pub fn is_bad_argument(&self) -> bool {
        self.kind() == ErrorKind::BadArgument
    }

    /// The input hit one of the crate's size limits.
    pub fn is_limit(&self) -> bool {
        self.kind() == ErrorKind::Limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_and_name_the_limit() {
        let error = PdfError::TooManyPages { limit: 1000 };
        assert_eq!(
            error.to_string(),
            "document needs more than the limit of 1000 pages"
        );
        assert!(error.is_limit());
        let error = PdfError::UnknownPageSize { name: "A3".into() };
        assert_eq!(error.kind(), ErrorKind::BadArgument);
        assert!(error.to_string().starts_with("unknown page size \"A3\""));
        assert_eq!(
            PdfError::InvalidUtf8 { valid_up_to: 3 }.kind(),
            ErrorKind::InvalidInput
        );
    }
}
