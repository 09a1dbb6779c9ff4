//! Finds the workbook part through the package relationships and reads its sheet list.

use quick_xml::events::Event;

use crate::XlsxError;
use crate::xml::{XmlReader, attribute, local_name, prefixed_attribute};
use crate::zip::Archive;

/// Where the workbook part usually lives, used when `_rels/.rels` does not say.
const DEFAULT_WORKBOOK_PART: &str = "xl/workbook.xml";

/// One `<Relationship>` of a `.rels` part, with its target resolved to a part name.
#[derive(Debug)]
struct Relationship {
    id: String,
    kind: String,
    target: String,
}

impl Relationship {
    /// Whether the relationship type ends in `/suffix`; transitional and strict OOXML differ
    /// only before that last segment.
    fn is(&self, suffix: &str) -> bool {
        self.kind
            .rsplit_once('/')
            .is_some_and(|(_, last)| last.eq_ignore_ascii_case(suffix))
    }
}

/// A sheet as listed in `workbook.xml`, in workbook order.
#[derive(Debug)]
pub(crate) struct SheetEntry {
    pub name: String,
    /// The part holding the sheet's cells, `None` when its relationship is missing.
    pub part: Option<String>,
}

/// What the rest of the crate needs from the workbook part and its relationships.
#[derive(Debug)]
pub(crate) struct Workbook {
    /// The workbook part's name, usually `xl/workbook.xml`.
    pub part: String,
    pub sheets: Vec<SheetEntry>,
    pub is_1904: bool,
    pub shared_strings_part: Option<String>,
    pub styles_part: Option<String>,
}

impl Workbook {
    /// Locates and reads the workbook part of `archive`.
    pub fn read(archive: &Archive<'_>) -> Result<Self, XlsxError> {
        let workbook_part = find_workbook_part(archive)?;
        let relationships = read_relationships(archive, &workbook_part)?;
        let find_part = |kind: &str, fallback: &str| {
            relationships
                .iter()
                .filter(|relationship| relationship.is(kind))
                .find_map(|relationship| existing_part(archive, &relationship.target))
                .or_else(|| existing_part(archive, &resolve_target(&workbook_part, fallback)))
        };
        let shared_strings_part = find_part("sharedStrings", "sharedStrings.xml");
        let styles_part = find_part("styles", "styles.xml");

        let mut xml = XmlReader::open(archive, &workbook_part)?;
        let mut buf = Vec::new();
        let mut sheets = Vec::new();
        let mut is_1904 = false;
        loop {
            let start = match xml.next(&mut buf)? {
                Event::Start(start) | Event::Empty(start) => start,
                Event::Eof => break,
                _ => continue,
            };
            match local_name(&start) {
                "workbookPr" => {
                    is_1904 =
                        attribute(&start, "date1904", &xml)?.is_some_and(|flag| is_xml_true(&flag));
                }
                "sheet" => {
                    let name = attribute(&start, "name", &xml)?
                        .ok_or_else(|| xml.content_error("a sheet has no name"))?;
                    let part = prefixed_attribute(&start, "id", &xml)?.and_then(|id| {
                        relationships
                            .iter()
                            .find(|relationship| relationship.id == id)
                            .and_then(|relationship| existing_part(archive, &relationship.target))
                    });
                    sheets.push(SheetEntry {
                        name: name.into_owned(),
                        part,
                    });
                }
                _ => {}
            }
        }
        Ok(Self {
            part: workbook_part,
            sheets,
            is_1904,
            shared_strings_part,
            styles_part,
        })
    }
}

/// The workbook part named by the package's `officeDocument` relationship, or the usual path.
fn find_workbook_part(archive: &Archive<'_>) -> Result<String, XlsxError> {
    let package_relationships = read_relationships(archive, "")?;
    let part = package_relationships
        .iter()
        .filter(|relationship| relationship.is("officeDocument"))
        .find_map(|relationship| existing_part(archive, &relationship.target))
        .or_else(|| existing_part(archive, DEFAULT_WORKBOOK_PART));
    match part {
        Some(part) if part.to_ascii_lowercase().ends_with(".bin") => Err(XlsxError::unsupported(
            "binary workbook (.xlsb); only .xlsx is read",
        )),
        Some(part) => Ok(part),
        None if archive.contains("content.xml") && archive.contains("mimetype") => Err(
            XlsxError::unsupported("OpenDocument spreadsheet (.ods); only .xlsx is read"),
        ),
        None => Err(XlsxError::MissingPart {
            part: DEFAULT_WORKBOOK_PART.to_owned(),
        }),
    }
}

/// The relationships of `source_part` (`""` for the package itself); none if it has no `.rels`.
fn read_relationships(
    archive: &Archive<'_>,
    source_part: &str,
) -> Result<Vec<Relationship>, XlsxError> {
    let (directory, file) = source_part.rsplit_once('/').unwrap_or(("", source_part));
    let rels_part = match directory {
        "" => format!("_rels/{file}.rels"),
        _ => format!("{directory}/_rels/{file}.rels"),
    };
    if !archive.contains(&rels_part) {
        return Ok(Vec::new());
    }
    let mut xml = XmlReader::open(archive, &rels_part)?;
    let mut buf = Vec::new();
    let mut relationships = Vec::new();
    loop {
        let start = match xml.next(&mut buf)? {
            Event::Start(start) | Event::Empty(start) => start,
            Event::Eof => break,
            _ => continue,
        };
        if local_name(&start) != "Relationship" {
            continue;
        }
        let is_external = attribute(&start, "TargetMode", &xml)?
            .is_some_and(|mode| mode.eq_ignore_ascii_case("External"));
        let id = attribute(&start, "Id", &xml)?;
        let kind = attribute(&start, "Type", &xml)?;
        let target = attribute(&start, "Target", &xml)?;
        if let (false, Some(id), Some(kind), Some(target)) = (is_external, id, kind, target) {
            relationships.push(Relationship {
                id: id.into_owned(),
                kind: kind.into_owned(),
                target: resolve_target(source_part, &target),
            });
        }
    }
    Ok(relationships)
}

/// Resolves a relationship target against the part that holds the relationship: absolute
/// targets (`/xl/worksheets/sheet1.xml`) start at the package root, relative ones at the source
/// part's folder, and `.` and `..` segments are applied.
fn resolve_target(source_part: &str, target: &str) -> String {
    let target = target
        .split(['#', '?'])
        .next()
        .unwrap_or_default()
        .replace('\\', "/");
    let mut segments: Vec<&str> = Vec::new();
    if !target.starts_with('/')
        && let Some((directory, _)) = source_part.rsplit_once('/')
    {
        segments.extend(directory.split('/'));
    }
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    segments.join("/")
}

/// The name of the archive entry for `part_name`, trying it as written and percent-decoded.
fn existing_part(archive: &Archive<'_>, part_name: &str) -> Option<String> {
    if let Some(entry) = archive.find(part_name) {
        return Some(entry.name.clone());
    }
    let decoded = percent_decode(part_name)?;
    archive.find(&decoded).map(|entry| entry.name.clone())
}

/// Decodes `%XX` escapes; `None` when there are none or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], escaped) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(decoded).ok()
}

/// XML Schema booleans: `true` or `1` (Excel writes `1`, some libraries `true`).
fn is_xml_true(value: &str) -> bool {
    matches!(value.trim(), "1" | "true" | "True" | "TRUE" | "on")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_against_the_source_folder() {
        assert_eq!(
            resolve_target("xl/workbook.xml", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("xl/workbook.xml", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("xl/workbook.xml", "../customXml/item1.xml"),
            "customXml/item1.xml"
        );
        assert_eq!(
            resolve_target("xl/workbook.xml", "./worksheets/../styles.xml"),
            "xl/styles.xml"
        );
        assert_eq!(resolve_target("", "xl/workbook.xml"), "xl/workbook.xml");
        assert_eq!(
            resolve_target("", "/xl/workbook.xml#fragment"),
            "xl/workbook.xml"
        );
    }

    #[test]
    fn percent_escapes_decode() {
        assert_eq!(
            percent_decode("xl/worksheets/sheet%201.xml").as_deref(),
            Some("xl/worksheets/sheet 1.xml")
        );
        assert_eq!(percent_decode("plain.xml"), None);
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
    }
}
