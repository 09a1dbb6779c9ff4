//! The crate's error enum, `XlsxError`, and the coarse `ErrorKind` callers branch on.

/// Coarse class of an [`XlsxError`], the part a caller (or the Wasm glue) branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The caller asked for something the workbook does not have, such as an unknown sheet.
    BadArgument,
    /// The input is not a readable workbook: not a zip, truncated, malformed XML, missing parts.
    InvalidInput,
    /// The input is a spreadsheet format or feature this crate does not read (`.xls`, encrypted `.xlsx`, `.xlsb`, `.ods`).
    Unsupported,
    /// Reading the input would exceed one of the limits in [`crate::ParseOptions`].
    Limit,
}

/// Why a workbook could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XlsxError {
    /// No sheet has this name (names are matched exactly, then ignoring ASCII case).
    #[error("no sheet named {name:?}")]
    UnknownSheetName {
        /// The name that was asked for.
        name: String,
    },
    /// The 0-based sheet index is not below the number of sheets.
    #[error("sheet index {index} is out of range: the workbook has {count} sheets")]
    SheetIndexOutOfRange {
        /// The index that was asked for.
        index: usize,
        /// How many sheets the workbook has.
        count: usize,
    },
    /// The input is not a zip archive, or its zip structure is truncated or corrupt.
    #[error("invalid zip archive: {reason}")]
    Zip {
        /// What is wrong with the archive.
        reason: String,
    },
    /// A part the workbook needs is not in the archive.
    #[error("missing part {part}")]
    MissingPart {
        /// The part's name inside the archive.
        part: String,
    },
    /// A part is not well-formed XML.
    #[error("malformed XML in {part}: {reason}")]
    Xml {
        /// The part's name inside the archive.
        part: String,
        /// What the XML reader objected to.
        reason: String,
    },
    /// A part is well-formed XML but its content makes no sense, e.g. a bad cell reference.
    #[error("invalid content in {part}: {reason}")]
    Content {
        /// The part's name inside the archive.
        part: String,
        /// What is wrong with the content.
        reason: String,
    },
    /// The input is a format or uses a feature this crate does not read.
    #[error("unsupported input: {reason}")]
    Unsupported {
        /// What the input is and why it cannot be read.
        reason: String,
    },
    /// The archive lists more entries than `ParseOptions::max_zip_entries`.
    #[error("zip archive has {count} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// Entries the archive declares.
        count: u64,
        /// The limit that was hit.
        limit: u64,
    },
    /// One part would decompress to more than `ParseOptions::max_entry_uncompressed_bytes`.
    #[error("part {part} decompresses to more than the limit of {limit_bytes} bytes")]
    EntryTooLarge {
        /// The part's name inside the archive.
        part: String,
        /// The limit that was hit.
        limit_bytes: u64,
    },
    /// All parts read together would decompress to more than `ParseOptions::max_total_uncompressed_bytes`.
    #[error("workbook decompresses to more than the limit of {limit_bytes} bytes in total")]
    TotalTooLarge {
        /// The limit that was hit.
        limit_bytes: u64,
    },
    /// A part inflates faster than `ParseOptions::max_compression_ratio`, the signature of a zip bomb.
    #[error("part {part} exceeds the compression ratio limit of {limit}:1")]
    CompressionRatio {
        /// The part's name inside the archive.
        part: String,
        /// The limit that was hit.
        limit: u64,
    },
    /// One XML token (a tag, a run of text, a comment) spans more than `ParseOptions::max_xml_token_bytes`.
    #[error("part {part} has an XML token longer than the limit of {limit_bytes} bytes")]
    XmlTokenTooLarge {
        /// The part's name inside the archive.
        part: String,
        /// The limit that was hit.
        limit_bytes: u64,
    },
    /// XML elements nest deeper than SpreadsheetML ever needs.
    #[error("part {part} nests XML elements deeper than the limit of {limit}")]
    XmlTooDeep {
        /// The part's name inside the archive.
        part: String,
        /// The limit that was hit.
        limit: usize,
    },
    /// The sheet's used range has more cells than `ParseOptions::max_cells`.
    #[error("sheet range of {rows} rows by {columns} columns exceeds the limit of {limit} cells")]
    TooManyCells {
        /// Rows in the used range (or the number of stored cells, when `columns` is 1 and that is what overflowed).
        rows: u64,
        /// Columns in the used range.
        columns: u64,
        /// The limit that was hit.
        limit: u64,
    },
    /// The shared string table has more entries than `ParseOptions::max_shared_strings`.
    #[error("shared string table has more than the limit of {limit} strings")]
    TooManySharedStrings {
        /// The limit that was hit.
        limit: u64,
    },
    /// The sheet's cell text adds up to more than `ParseOptions::max_text_bytes`.
    #[error("sheet text exceeds the limit of {limit_bytes} bytes")]
    TooMuchText {
        /// The limit that was hit.
        limit_bytes: u64,
    },
}

impl XlsxError {
    /// How the error classifies: bad argument, invalid input, unsupported input or a limit.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::UnknownSheetName { .. } | Self::SheetIndexOutOfRange { .. } => {
                ErrorKind::BadArgument
            }
            Self::Zip { .. }
            | Self::MissingPart { .. }
            | Self::Xml { .. }
            | Self::Content { .. } => ErrorKind::InvalidInput,
            Self::Unsupported { .. } => ErrorKind::Unsupported,
            Self::TooManyEntries { .. }
            | Self::EntryTooLarge { .. }
            | Self::TotalTooLarge { .. }
            | Self::CompressionRatio { .. }
            | Self::XmlTokenTooLarge { .. }
            | Self::XmlTooDeep { .. }
            | Self::TooManyCells { .. }
            | Self::TooManySharedStrings { .. }
            | Self::TooMuchText { .. } => ErrorKind::Limit,
        }
    }

    /// The input hit one of the limits in [`crate::ParseOptions`] (zip bomb, too many cells, ...).
    pub fn is_limit(&self) -> bool {
        self.kind() == ErrorKind::Limit
    }

    pub(crate) fn zip(reason: impl Into<String>) -> Self {
        Self::Zip {
            reason: reason.into(),
        }
    }

    pub(crate) fn content(part: &str, reason: impl Into<String>) -> Self {
        Self::Content {
            part: part.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(reason: impl Into<String>) -> Self {
        Self::Unsupported {
            reason: reason.into(),
        }
    }
}
