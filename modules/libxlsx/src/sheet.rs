//! Streams a worksheet's `<sheetData>` into cell text and lays the used range out as rows.

use quick_xml::events::{BytesStart, Event};

use crate::shared_strings::SharedStrings;
use crate::styles::{NumberKind, Styles};
use crate::value::{format_number, format_serial, normalize_iso_date, push_unescaped};
use crate::xml::{
    RichText, XmlReader, append_text, attribute, for_each_attribute, local, local_name,
};
use crate::zip::Archive;
use crate::{RangeOrigin, XlsxError};

/// Excel's grid: 1,048,576 rows by 16,384 (`XFD`) columns.
const MAX_ROW: u32 = 1_048_576;
const MAX_COLUMN: u32 = 16_384;

/// Everything besides the sheet itself that turns its cells into text.
#[derive(Debug)]
pub(crate) struct SheetContext<'c> {
    pub shared_strings: &'c SharedStrings,
    pub styles: &'c Styles,
    pub is_1904: bool,
    pub origin: RangeOrigin,
    pub max_cells: u64,
    pub max_text_bytes: u64,
}

/// The value type a cell's `t` attribute declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellType {
    /// `n` or no `t`: a number, shown as a date when the cell's style says so.
    Number,
    /// `s`: an index into the shared string table.
    SharedString,
    /// `inlineStr`: the text is in an `<is>` child.
    InlineString,
    /// `str`: the string result of a formula.
    FormulaString,
    /// `b`: `1` or `0`.
    Boolean,
    /// `e`: an error such as `#DIV/0!`.
    Error,
    /// `d`: an ISO 8601 date.
    Date,
}

impl CellType {
    fn from_attribute(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some("s") => Self::SharedString,
            Some("inlineStr") => Self::InlineString,
            Some("str") => Self::FormulaString,
            Some("b") => Self::Boolean,
            Some("e") => Self::Error,
            Some("d") => Self::Date,
            _ => Self::Number,
        }
    }
}

/// The cell being read: its position, declared type and the raw text of its value.
#[derive(Debug)]
struct OpenCell {
    row: u32,
    column: u32,
    cell_type: CellType,
    style: usize,
    has_value: bool,
    value: String,
    has_inline: bool,
    inline: String,
}

/// Which text the reader is collecting at the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    Nothing,
    Value,
    Inline,
}

/// Cells with a value, in file order, and the bounds of the used range so far.
#[derive(Debug)]
struct UsedCells {
    cells: Vec<(u32, u32, String)>,
    min_row: u32,
    max_row: u32,
    min_column: u32,
    max_column: u32,
    text_bytes: u64,
}

impl UsedCells {
    fn new(origin: RangeOrigin) -> Self {
        let (min_row, min_column) = match origin {
            RangeOrigin::FirstUsedCell => (u32::MAX, u32::MAX),
            RangeOrigin::A1 => (1, 1),
        };
        Self {
            cells: Vec::new(),
            min_row,
            max_row: 0,
            min_column,
            max_column: 0,
            text_bytes: 0,
        }
    }

    /// Records a cell, failing as soon as the range or the text outgrows the limits.
    fn push(
        &mut self,
        row: u32,
        column: u32,
        text: String,
        context: &SheetContext<'_>,
    ) -> Result<(), XlsxError> {
        self.min_row = self.min_row.min(row);
        self.max_row = self.max_row.max(row);
        self.min_column = self.min_column.min(column);
        self.max_column = self.max_column.max(column);
        let (rows, columns) = self.dimensions();
        if rows * columns > context.max_cells || self.cells.len() as u64 >= context.max_cells {
            return Err(XlsxError::TooManyCells {
                rows,
                columns,
                limit: context.max_cells,
            });
        }
        self.text_bytes += text.len() as u64;
        if self.text_bytes > context.max_text_bytes {
            return Err(XlsxError::TooMuchText {
                limit_bytes: context.max_text_bytes,
            });
        }
        self.cells.push((row, column, text));
        Ok(())
    }

    fn dimensions(&self) -> (u64, u64) {
        if self.max_row == 0 {
            return (0, 0);
        }
        (
            u64::from(self.max_row - self.min_row) + 1,
            u64::from(self.max_column - self.min_column) + 1,
        )
    }

    /// The used range as rows of equal length; a later cell at the same position wins.
    fn into_rows(self) -> Vec<Vec<String>> {
        let (rows, columns) = self.dimensions();
        // Both fit: their product was checked against `max_cells`, which bounds memory anyway.
        let mut grid = vec![vec![String::new(); columns as usize]; rows as usize];
        for (row, column, text) in self.cells {
            grid[(row - self.min_row) as usize][(column - self.min_column) as usize] = text;
        }
        grid
    }
}

/// Reads the worksheet part `part` into its used range.
pub(crate) fn read_sheet(
    archive: &Archive<'_>,
    part: &str,
    context: &SheetContext<'_>,
) -> Result<Vec<Vec<String>>, XlsxError> {
    let mut xml = XmlReader::open(archive, part)?;
    let mut buf = Vec::new();
    let mut used = UsedCells::new(context.origin);
    let mut is_in_sheet_data = false;
    let mut row = 0u32;
    let mut next_column = 1u32;
    let mut cell: Option<OpenCell> = None;
    let mut capture = Capture::Nothing;
    let mut rich_text = RichText::default();
    loop {
        let event = xml.next(&mut buf)?;
        match &event {
            Event::Eof => break,
            Event::Start(start) | Event::Empty(start) => {
                let is_empty = matches!(event, Event::Empty(_));
                let name = local_name(start);
                if capture == Capture::Inline {
                    rich_text.handle(&event, &xml)?;
                    continue;
                }
                match name {
                    "sheetData" => is_in_sheet_data = !is_empty,
                    _ if !is_in_sheet_data => {}
                    "row" => {
                        row = match attribute(start, "r", &xml)? {
                            Some(number) => parse_row_number(&number).ok_or_else(|| {
                                xml.content_error(format!("bad row number {number:?}"))
                            })?,
                            None => row + 1,
                        };
                        if row > MAX_ROW {
                            return Err(xml.content_error("more rows than Excel's 1048576"));
                        }
                        next_column = 1;
                    }
                    "c" => {
                        let opened = open_cell(start, row.max(1), next_column, &xml)?;
                        next_column = opened.column + 1;
                        cell = if is_empty { None } else { Some(opened) };
                    }
                    "v" => {
                        if let Some(cell) = cell.as_mut() {
                            cell.has_value = true;
                            cell.value.clear();
                            if !is_empty {
                                capture = Capture::Value;
                            }
                        }
                    }
                    "is" => {
                        if let Some(cell) = cell.as_mut() {
                            cell.has_inline = true;
                            cell.inline.clear();
                            rich_text.reset();
                            if !is_empty {
                                capture = Capture::Inline;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::End(end) => {
                let name = local(end.name().0);
                match (capture, name) {
                    (Capture::Inline, "is") => {
                        capture = Capture::Nothing;
                        if let Some(cell) = cell.as_mut() {
                            rich_text.finish_into(&mut cell.inline);
                        }
                    }
                    (Capture::Inline, _) => rich_text.handle(&event, &xml)?,
                    (_, "v") => capture = Capture::Nothing,
                    (_, "c") => {
                        capture = Capture::Nothing;
                        if let Some(cell) = cell.take()
                            && let Some(text) = cell_text(&cell, context, &xml)?
                        {
                            used.push(cell.row, cell.column, text, context)?;
                        }
                    }
                    (_, "sheetData") => is_in_sheet_data = false,
                    _ => {}
                }
            }
            _ => match capture {
                Capture::Value => {
                    if let Some(cell) = cell.as_mut() {
                        append_text(&event, &mut cell.value, &xml)?;
                    }
                }
                Capture::Inline => rich_text.handle(&event, &xml)?,
                Capture::Nothing => {}
            },
        }
    }
    Ok(used.into_rows())
}

/// Starts a cell at its `r` reference, or at the next position in the row when it has none.
fn open_cell(
    start: &BytesStart<'_>,
    row: u32,
    next_column: u32,
    xml: &XmlReader<'_>,
) -> Result<OpenCell, XlsxError> {
    // One pass over the attributes: this runs for every cell of the sheet.
    let mut reference = None;
    let mut type_attribute = None;
    let mut style = 0;
    for_each_attribute(start, xml, |name, has_prefix, value| {
        match (name, has_prefix) {
            ("r", false) => reference = Some(value),
            ("t", false) => type_attribute = Some(value),
            ("s", false) => style = value.trim().parse().unwrap_or(0),
            _ => {}
        }
    })?;
    let (row, column) = match reference {
        Some(reference) => parse_cell_reference(&reference)
            .ok_or_else(|| xml.content_error(format!("bad cell reference {reference:?}")))?,
        None => (row, next_column),
    };
    if column > MAX_COLUMN {
        return Err(xml.content_error("more columns than Excel's 16384 (XFD)"));
    }
    let cell_type = CellType::from_attribute(type_attribute.as_deref());
    Ok(OpenCell {
        row,
        column,
        cell_type,
        style,
        has_value: false,
        value: String::new(),
        has_inline: false,
        inline: String::new(),
    })
}

/// The text of a finished cell, or `None` when it has no value (and so is not part of the used
/// range). String cells with an empty value do count, as they do in Excel.
fn cell_text(
    cell: &OpenCell,
    context: &SheetContext<'_>,
    xml: &XmlReader<'_>,
) -> Result<Option<String>, XlsxError> {
    let raw = cell.value.trim();
    let text = match cell.cell_type {
        _ if cell.has_inline && (cell.cell_type == CellType::InlineString || !cell.has_value) => {
            cell.inline.clone()
        }
        _ if !cell.has_value => return Ok(None),
        CellType::InlineString | CellType::FormulaString => {
            let mut text = String::with_capacity(cell.value.len());
            push_unescaped(&cell.value, &mut text);
            text
        }
        _ if raw.is_empty() => return Ok(None),
        CellType::SharedString => {
            let index: usize = raw
                .parse()
                .map_err(|_| xml.content_error(format!("bad shared string index {raw:?}")))?;
            context
                .shared_strings
                .get(index)
                .ok_or_else(|| {
                    xml.content_error(format!("shared string index {index} is out of range"))
                })?
                .to_owned()
        }
        CellType::Boolean => match raw {
            "1" | "true" | "TRUE" => "TRUE".to_owned(),
            "0" | "false" | "FALSE" => "FALSE".to_owned(),
            other => other.to_owned(),
        },
        CellType::Error => raw.to_owned(),
        CellType::Date => normalize_iso_date(raw).unwrap_or_else(|| raw.to_owned()),
        CellType::Number => match raw.parse::<f64>() {
            Ok(number) if number.is_finite() => match context.styles.kind(cell.style) {
                NumberKind::Plain => format_number(number),
                kind => format_serial(number, kind, context.is_1904)
                    .unwrap_or_else(|| format_number(number)),
            },
            _ => raw.to_owned(),
        },
    };
    Ok(Some(text))
}

fn parse_row_number(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 7 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|&row| row >= 1)
}

/// `(row, column)`, both 1-based, of an A1-style reference such as `B7` or `xfd1048576`.
fn parse_cell_reference(reference: &str) -> Option<(u32, u32)> {
    let reference = reference.trim();
    let letters = reference
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let column = reference
        .bytes()
        .take(letters)
        .fold(0u32, |column, letter| {
            column * 26 + u32::from(letter.to_ascii_uppercase() - b'A' + 1)
        });
    let row = parse_row_number(&reference[letters..])?;
    (row <= MAX_ROW && column <= MAX_COLUMN).then_some((row, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_parse_within_excels_grid() {
        assert_eq!(parse_cell_reference("A1"), Some((1, 1)));
        assert_eq!(parse_cell_reference("b7"), Some((7, 2)));
        assert_eq!(parse_cell_reference("AA10"), Some((10, 27)));
        assert_eq!(
            parse_cell_reference("XFD1048576"),
            Some((1_048_576, 16_384))
        );
        assert_eq!(parse_cell_reference("XFE1"), None);
        assert_eq!(parse_cell_reference("A1048577"), None);
        assert_eq!(parse_cell_reference("A0"), None);
        assert_eq!(parse_cell_reference("1A"), None);
        assert_eq!(parse_cell_reference("A"), None);
        assert_eq!(parse_cell_reference("ABCD1"), None);
        assert_eq!(parse_cell_reference("A1:B2"), None);
    }
}
