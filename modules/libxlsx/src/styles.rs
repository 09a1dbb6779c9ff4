//! Reads `styles.xml` just far enough to know which cell styles show numbers as dates or times.

use quick_xml::events::Event;

use crate::XlsxError;
use crate::xml::{XmlReader, attribute, local, local_name};
use crate::zip::Archive;

/// How a cell's number format asks for its numbers to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberKind {
    /// An ordinary number.
    Plain,
    /// A date, a time of day, or both.
    DateTime,
    /// An elapsed time such as `[h]:mm:ss`, which counts hours past 24.
    Duration,
}

/// The number kind of every cell style (`cellXfs` entry), indexed by a cell's `s` attribute.
#[derive(Debug, Default)]
pub(crate) struct Styles {
    kinds: Vec<NumberKind>,
}

impl Styles {
    /// The number kind of style `index`; unknown styles are plain, as is everything without styles.xml.
    pub fn kind(&self, index: usize) -> NumberKind {
        self.kinds.get(index).copied().unwrap_or(NumberKind::Plain)
    }

    /// Reads the `numFmts` and `cellXfs` of a styles part.
    pub fn read(archive: &Archive<'_>, part: &str) -> Result<Self, XlsxError> {
        let mut xml = XmlReader::open(archive, part)?;
        let mut custom_formats: Vec<(u32, NumberKind)> = Vec::new();
        let mut format_ids: Vec<u32> = Vec::new();
        // Only `numFmt` inside `numFmts` and `xf` inside `cellXfs` count: `dxfs` and `cellStyleXfs`
        // hold elements of the same names.
        let mut in_num_fmts = false;
        let mut in_cell_xfs = false;
        let mut buf = Vec::new();
        loop {
            let event = xml.next(&mut buf)?;
            let (start, is_empty) = match &event {
                Event::Start(start) => (start, false),
                Event::Empty(start) => (start, true),
                Event::End(end) => {
                    match local(end.name().0) {
                        "numFmts" => in_num_fmts = false,
                        "cellXfs" => in_cell_xfs = false,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            match local_name(start) {
                "numFmts" => in_num_fmts = !is_empty,
                "cellXfs" => in_cell_xfs = !is_empty,
                "numFmt" if in_num_fmts => {
                    let id =
                        attribute(start, "numFmtId", &xml)?.and_then(|id| id.trim().parse().ok());
                    let code = attribute(start, "formatCode", &xml)?.unwrap_or_default();
                    if let Some(id) = id {
                        custom_formats.push((id, classify_format_code(&code)));
                    }
                }
                "xf" if in_cell_xfs => {
                    let id = attribute(start, "numFmtId", &xml)?
                        .and_then(|id| id.trim().parse().ok())
                        .unwrap_or(0);
                    format_ids.push(id);
                }
                _ => {}
            }
        }
        let kinds = format_ids
            .into_iter()
            .map(|id| {
                custom_formats
                    .iter()
                    .rev()
                    .find(|(custom_id, _)| *custom_id == id)
                    .map_or_else(|| builtin_kind(id), |(_, kind)| *kind)
            })
            .collect();
        Ok(Self { kinds })
    }
}

/// The kind of a built-in number format: 14-22 and 45-47 are dates and times in every locale,
/// 27-36 and 50-58 are dates in the East Asian locales that define them, 46 is `[h]:mm:ss`.
fn builtin_kind(id: u32) -> NumberKind {
    match id {
        46 => NumberKind::Duration,
        14..=22 | 27..=36 | 45..=47 | 50..=58 => NumberKind::DateTime,
        _ => NumberKind::Plain,
    }
}

/// Classifies a custom format code by its first section (the one for positive numbers).
///
/// A format is a date or time when it has a `y`, `m`, `d`, `h` or `s` outside quoted text,
/// backslash escapes, `_x` spacers, `*x` fills and bracketed parts such as `[Red]` or `[$-409]`.
/// A bracketed `[h]`, `[mm]` or `[ss]` makes it an elapsed-time format.
pub(crate) fn classify_format_code(code: &str) -> NumberKind {
    let mut has_date_token = false;
    let mut chars = code.chars();
    while let Some(character) = chars.next() {
        match character {
            ';' => break,
            '"' => {
                for quoted in chars.by_ref() {
                    if quoted == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let mut bracketed = String::new();
                for inner in chars.by_ref() {
                    if inner == ']' {
                        break;
                    }
                    bracketed.push(inner.to_ascii_lowercase());
                }
                let is_elapsed = !bracketed.is_empty()
                    && ["h", "m", "s"].iter().any(|unit| {
                        bracketed.trim_start_matches(unit).is_empty() && bracketed.starts_with(unit)
                    });
                if is_elapsed {
                    return NumberKind::Duration;
                }
            }
            'y' | 'Y' | 'm' | 'M' | 'd' | 'D' | 'h' | 'H' | 's' | 'S' => has_date_token = true,
            _ => {}
        }
    }
    if has_date_token {
        NumberKind::DateTime
    } else {
        NumberKind::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_codes_classify() {
        let cases: &[(&str, NumberKind)] = &[
            ("General", NumberKind::Plain),
            ("0.00", NumberKind::Plain),
            ("#,##0.00_);[Red]\\(#,##0.00\\)", NumberKind::Plain),
            ("0.00E+00", NumberKind::Plain),
            ("\"days\" 0", NumberKind::Plain),
            ("0 \"h\"", NumberKind::Plain),
            ("[Red]0.0", NumberKind::Plain),
            (
                "_-* #,##0.00 \"\u{20ac}\"_-;-* #,##0.00 \"\u{20ac}\"_-",
                NumberKind::Plain,
            ),
            ("@", NumberKind::Plain),
            ("\\d0", NumberKind::Plain),
            ("yyyy-mm-dd", NumberKind::DateTime),
            ("YYYY-MM-DD", NumberKind::DateTime),
            ("[$-409]mmmm d, yyyy;@", NumberKind::DateTime),
            ("d/m/yy h:mm", NumberKind::DateTime),
            ("h:mm AM/PM", NumberKind::DateTime),
            ("[$-F400]h:mm:ss\\ AM/PM", NumberKind::DateTime),
            ("mm:ss.0", NumberKind::DateTime),
            ("[h]:mm:ss", NumberKind::Duration),
            ("[HH]:MM", NumberKind::Duration),
            ("[mm]:ss", NumberKind::Duration),
            ("0;yyyy", NumberKind::Plain),
        ];
        for &(code, expected) in cases {
            assert_eq!(classify_format_code(code), expected, "classifying {code:?}");
        }
    }

    #[test]
    fn builtin_ids_classify() {
        assert_eq!(builtin_kind(0), NumberKind::Plain);
        assert_eq!(builtin_kind(14), NumberKind::DateTime);
        assert_eq!(builtin_kind(22), NumberKind::DateTime);
        assert_eq!(builtin_kind(31), NumberKind::DateTime);
        assert_eq!(builtin_kind(46), NumberKind::Duration);
        assert_eq!(builtin_kind(49), NumberKind::Plain);
        assert_eq!(builtin_kind(164), NumberKind::Plain);
    }
}
