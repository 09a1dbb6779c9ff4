//! Reads the shared string table (`sharedStrings.xml`) into one compact buffer.

use quick_xml::events::Event;

use crate::XlsxError;
use crate::xml::{RichText, XmlReader, tag_local_name};
use crate::zip::Archive;

/// All shared strings, concatenated, with the end offset of each: one `usize` of overhead per
/// string instead of a `String` header each.
#[derive(Debug, Default)]
pub(crate) struct SharedStrings {
    text: String,
    ends: Vec<usize>,
}

impl SharedStrings {
    /// The string at `index`, if there is one.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1],
        };
        Some(&self.text[start..end])
    }

    /// Reads every `<si>` of the part, refusing more than `max_strings` of them.
    pub fn read(archive: &Archive<'_>, part: &str, max_strings: u64) -> Result<Self, XlsxError> {
        let mut xml = XmlReader::open(archive, part)?;
        let mut strings = Self::default();
        let mut rich_text = RichText::default();
        let mut buf = Vec::new();
        loop {
            let event = xml.next(&mut buf)?;
            let is_string_end = match (&event, tag_local_name(&event)) {
                (Event::Eof, _) => break,
                (Event::Start(_), Some("si")) => {
                    rich_text.reset();
                    false
                }
                (Event::End(_) | Event::Empty(_), Some("si")) => true,
                _ => false,
            };
            if is_string_end {
                if strings.ends.len() as u64 >= max_strings {
                    return Err(XlsxError::TooManySharedStrings { limit: max_strings });
                }
                rich_text.finish_into(&mut strings.text);
                strings.ends.push(strings.text.len());
            } else {
                rich_text.handle(&event, &xml)?;
            }
        }
        Ok(strings)
    }
}
