//! Reads the cells of an `.xlsx` worksheet as text: the core of the `libxlsx` guest module.
//!
//! [`parse`] returns one sheet's used range as rows of strings, [`sheets`] lists the sheet names
//! in workbook order, and [`to_json`] renders rows as a JSON array of arrays of strings. Errors are
//! [`XlsxError`]s, classified by [`XlsxError::kind`]. [`ParseOptions`] holds the limits that keep a
//! hostile file (a zip bomb, a sheet claiming cell `XFD1048576`) from exhausting the guest.
//!
//! The crate reads the zip container itself (with `miniz_oxide` for inflation) and streams each
//! XML part through `quick-xml`, never building a DOM, so it builds for `wasm32-unknown-unknown`
//! with no imports.
//!
//! # Cell text
//!
//! - Numbers print with the fewest digits that read back as the same `f64`, laid out like
//!   ECMAScript's `Number.prototype.toString`: `3`, `-0.5`, `0.30000000000000004`, `1e+21`,
//!   `1e-7`; `-0` prints as `0`. Excel itself displays at most 15 significant digits, so a cached
//!   `0.30000000000000004` shows as `0.3` there but not here.
//! - Booleans print as `TRUE` and `FALSE`; error cells as their text, such as `#DIV/0!`.
//! - Formulas give their cached value, or an empty cell when the file has none.
//! - Shared and inline strings concatenate their rich-text runs, skip phonetic (`rPh`) runs and
//!   decode Excel's `_xHHHH_` escapes.
//! - Numbers whose cell style has a date or time format print as ISO 8601, rounded to the
//!   nearest second: `YYYY-MM-DD` at midnight, `YYYY-MM-DDTHH:MM:SS` otherwise, and `HH:MM:SS`
//!   for values below one day (like openpyxl's `datetime.time`). Elapsed-time formats such as
//!   `[h]:mm:ss` print `HH:MM:SS` with hours past 24. Both the 1900 and the 1904 date systems
//!   are honoured; in the 1900 system serials before 60 are shifted by Excel's phantom
//!   1900-02-29, and serial 60 itself prints as `1900-02-28`, as openpyxl and calamine do.
//!   Negative serials and serials after 9999-12-31 print as numbers, since Excel shows no date
//!   for them either.
//! - `t="d"` cells hold ISO 8601 text, normalised to the same forms.
//!
//! # Used range
//!
//! By default the rectangle runs from the first to the last row and column that hold a value,
//! like calamine's `worksheet_range`; [`RangeOrigin::A1`] anchors it at `A1` instead, like
//! openpyxl's `iter_rows()`. Cells with only a style, and formulas without a cached value, hold
//! no value and do not extend the range; a string cell whose text is empty does. Missing cells
//! inside the range are `""`.
//!
//! # Memory and limits
//!
//! Parts are inflated through a 32 KiB window and parsed as a stream, so the XML itself is never
//! held whole: what stays in memory is the shared string table, the largest single XML token,
//! the cells with a value (about 20 bytes each on wasm32, plus their text) and finally the
//! rectangle (12 bytes per cell plus text). Every one of these is bounded by a field of
//! [`ParseOptions`], and crossing a bound is an [`ErrorKind::Limit`] error, never a partial
//! result.
//!
//! # Examples
//!
//! ```
//! # let workbook = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/libxlsx/multiple_sheets.xlsx"));
//! use fazt_libxlsx::{SheetSelector, parse, sheets, to_json};
//!
//! assert_eq!(sheets(workbook)?, ["First", "Second", "Third & last"]);
//! let rows = parse(workbook, Some(SheetSelector::Name("Second".into())))?;
//! assert_eq!(to_json(&rows), r#"[["sheet","two"],["2",""]]"#);
//! # Ok::<(), fazt_libxlsx::XlsxError>(())
//! ```

mod error;
mod json;
#[cfg(feature = "probe-export")]
mod probe;
pub mod service;
mod shared_strings;
mod sheet;
mod styles;
mod value;
mod workbook;
mod xml;
mod zip;

pub use error::{ErrorKind, XlsxError};
pub use json::to_json;

use shared_strings::SharedStrings;
use sheet::SheetContext;
use styles::Styles;
use workbook::Workbook;
use zip::{Archive, ZipLimits};

/// Which sheet [`parse`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetSelector {
    /// The sheet with this name: an exact match, or else the first that matches ignoring ASCII
    /// case (Excel does not allow two names that differ only in case; letters outside ASCII must
    /// match exactly).
    Name(String),
    /// The sheet at this 0-based position in workbook order (the order of the tabs, not
    /// `sheetId`); hidden sheets count.
    Index(usize),
}

/// Where the rectangle [`parse`] returns starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RangeOrigin {
    /// At the first row and the first column that hold a value, like calamine's
    /// `worksheet_range`. Data starting at `C3` comes back without leading empty rows and columns.
    #[default]
    FirstUsedCell,
    /// At `A1`, like openpyxl's `iter_rows()`: leading empty rows and columns are kept as `""`.
    A1,
}

/// Limits and choices for [`parse_with`] and [`sheets_with`].
///
/// The defaults suit a guest with a few hundred MiB of memory. Sizes are checked against what
/// the zip directory declares before inflating and again against the bytes actually produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Most entries the zip archive may list. Default 10,000.
    pub max_zip_entries: u64,
    /// Most bytes any one part may inflate to. Default 128 MiB.
    pub max_entry_uncompressed_bytes: u64,
    /// Most bytes all parts read in one call may inflate to together. Default 256 MiB.
    pub max_total_uncompressed_bytes: u64,
    /// Highest ratio of inflated to compressed bytes allowed once a part has produced 1 MiB.
    /// Deflate cannot exceed about 1032:1; real sheets stay well below 100:1. Default 500.
    pub max_compression_ratio: u64,
    /// Most bytes one XML token (a tag, a run of text, a comment) may span; the XML reader
    /// buffers a token whole. Excel's own cells hold at most 32,767 characters. Default 16 MiB.
    pub max_xml_token_bytes: u64,
    /// Most cells (rows × columns) the returned rectangle may have; also bounds the cells
    /// stored while reading. Default 5,000,000.
    pub max_cells: u64,
    /// Most entries the shared string table may have. Default 5,000,000.
    pub max_shared_strings: u64,
    /// Most bytes of cell text the returned rows may hold together; one long shared string
    /// referenced by many cells would otherwise multiply. Default 128 MiB.
    pub max_text_bytes: u64,
    /// Where the returned rectangle starts. Default [`RangeOrigin::FirstUsedCell`].
    pub origin: RangeOrigin,
}

impl Default for ParseOptions {
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        Self {
            max_zip_entries: 10_000,
            max_entry_uncompressed_bytes: 128 * MIB,
            max_total_uncompressed_bytes: 256 * MIB,
            max_compression_ratio: 500,
            max_xml_token_bytes: 16 * MIB,
            max_cells: 5_000_000,
            max_shared_strings: 5_000_000,
            max_text_bytes: 128 * MIB,
            origin: RangeOrigin::FirstUsedCell,
        }
    }
}

impl ParseOptions {
    fn zip_limits(&self) -> ZipLimits {
        ZipLimits {
            max_entries: self.max_zip_entries,
            max_entry_uncompressed_bytes: self.max_entry_uncompressed_bytes,
            max_total_uncompressed_bytes: self.max_total_uncompressed_bytes,
            max_compression_ratio: self.max_compression_ratio,
            max_token_bytes: self.max_xml_token_bytes,
        }
    }
}

/// Reads one sheet's used range as rows of cell text, with the default [`ParseOptions`].
///
/// `sheet` picks the sheet; `None` means the first in workbook order. See the crate
/// documentation for how cells become text and where the rectangle starts. A sheet without
/// values gives no rows.
///
/// # Errors
///
/// [`ErrorKind::BadArgument`] when `sheet` names no sheet, [`ErrorKind::InvalidInput`] when the
/// input is not a readable `.xlsx` (not a zip, truncated, malformed XML, missing parts),
/// [`ErrorKind::Unsupported`] for `.xls`, encrypted `.xlsx`, `.xlsb` and `.ods` files, and
/// [`ErrorKind::Limit`] when a limit of [`ParseOptions`] is hit.
///
/// # Examples
///
/// ```
/// # let workbook = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/libxlsx/multiple_sheets.xlsx"));
/// let rows = fazt_libxlsx::parse(workbook, None)?;
/// assert_eq!(rows, [["first", "sheet"]]);
/// let error = fazt_libxlsx::parse(b"not a workbook", None).unwrap_err();
/// assert_eq!(error.kind(), fazt_libxlsx::ErrorKind::InvalidInput);
/// # Ok::<(), fazt_libxlsx::XlsxError>(())
/// ```
pub fn parse(input: &[u8], sheet: Option<SheetSelector>) -> Result<Vec<Vec<String>>, XlsxError> {
    parse_with(input, sheet, &ParseOptions::default())
}

/// [`parse`] with explicit limits and range origin.
///
/// # Errors
///
/// As for [`parse`]; the [`ErrorKind::Limit`] errors follow `options`.
///
/// # Examples
///
/// ```
/// # let workbook = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/libxlsx/sparse.xlsx"));
/// use fazt_libxlsx::{ParseOptions, RangeOrigin, parse_with};
///
/// let from_a1 = ParseOptions { origin: RangeOrigin::A1, ..ParseOptions::default() };
/// let rows = parse_with(workbook, None, &from_a1)?;
/// assert_eq!(rows[0][0], "");
/// let tiny = ParseOptions { max_cells: 2, ..ParseOptions::default() };
/// assert!(parse_with(workbook, None, &tiny).unwrap_err().is_limit());
/// # Ok::<(), fazt_libxlsx::XlsxError>(())
/// ```
pub fn parse_with(
    input: &[u8],
    sheet: Option<SheetSelector>,
    options: &ParseOptions,
) -> Result<Vec<Vec<String>>, XlsxError> {
    let archive = Archive::new(input, options.zip_limits())?;
    let workbook = Workbook::read(&archive)?;
    let index = match sheet {
        None => 0,
        Some(SheetSelector::Index(index)) => index,
        Some(SheetSelector::Name(name)) => {
            find_sheet_by_name(&workbook, &name).ok_or(XlsxError::UnknownSheetName { name })?
        }
    };
    let Some(entry) = workbook.sheets.get(index) else {
        if index == 0 {
            return Err(XlsxError::content(
                &workbook.part,
                "the workbook lists no sheets",
            ));
        }
        return Err(XlsxError::SheetIndexOutOfRange {
            index,
            count: workbook.sheets.len(),
        });
    };
    let part = entry
        .part
        .as_deref()
        .ok_or_else(|| XlsxError::MissingPart {
            part: format!("worksheet {:?}", entry.name),
        })?;
    let styles = match &workbook.styles_part {
        Some(styles_part) => Styles::read(&archive, styles_part)?,
        None => Styles::default(),
    };
    let shared_strings = match &workbook.shared_strings_part {
        Some(shared_strings_part) => {
            SharedStrings::read(&archive, shared_strings_part, options.max_shared_strings)?
        }
        None => SharedStrings::default(),
    };
    let context = SheetContext {
        shared_strings: &shared_strings,
        styles: &styles,
        is_1904: workbook.is_1904,
        origin: options.origin,
        max_cells: options.max_cells,
        max_text_bytes: options.max_text_bytes,
    };
    sheet::read_sheet(&archive, part, &context)
}

/// Lists the workbook's sheet names in workbook order, with the default [`ParseOptions`].
///
/// Hidden sheets and chart sheets are listed too; their position is what
/// [`SheetSelector::Index`] counts.
///
/// # Errors
///
/// As for [`parse`], except that there is no sheet to be missing.
///
/// # Examples
///
/// ```
/// # let workbook = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/libxlsx/multiple_sheets.xlsx"));
/// assert_eq!(fazt_libxlsx::sheets(workbook)?, ["First", "Second", "Third & last"]);
/// # Ok::<(), fazt_libxlsx::XlsxError>(())
/// ```
pub fn sheets(input: &[u8]) -> Result<Vec<String>, XlsxError> {
    sheets_with(input, &ParseOptions::default())
}

/// [`sheets`] with explicit limits.
///
/// # Errors
///
/// As for [`sheets`]; the [`ErrorKind::Limit`] errors follow `options`.
pub fn sheets_with(input: &[u8], options: &ParseOptions) -> Result<Vec<String>, XlsxError> {
    let archive = Archive::new(input, options.zip_limits())?;
    let workbook = Workbook::read(&archive)?;
    Ok(workbook
        .sheets
        .into_iter()
        .map(|sheet| sheet.name)
        .collect())
}

fn find_sheet_by_name(workbook: &Workbook, name: &str) -> Option<usize> {
    let sheets = &workbook.sheets;
    sheets
        .iter()
        .position(|sheet| sheet.name == name)
        // ASCII only: Unicode case tables would add about 18 KiB to the .wasm.
        .or_else(|| {
            sheets
                .iter()
                .position(|sheet| sheet.name.eq_ignore_ascii_case(name))
        })
}
