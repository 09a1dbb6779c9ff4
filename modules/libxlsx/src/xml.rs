//! Streaming XML over one zip entry: event reading with well-formedness checks, text and attributes.
//!
//! Elements and attributes are matched by local name only, so files whose writers use a prefix
//! such as `x:` for the SpreadsheetML namespace (the .NET Open XML SDK does) read the same.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use crate::XlsxError;
use crate::value::push_unescaped;
use crate::zip::{Archive, EntryReader};

/// SpreadsheetML nests about ten levels deep; this leaves room for extensions and stops a
/// `<a><a><a>...` bomb from growing the parser's stack of open names without bound.
const MAX_DEPTH: usize = 256;

/// Reads the events of one XML part and turns every failure into an [`XlsxError`].
///
/// Events borrow a buffer the caller owns, so the reader stays free for error reporting.
pub(crate) struct XmlReader<'a> {
    reader: quick_xml::Reader<EntryReader<'a>>,
    depth: usize,
    has_root: bool,
}

impl<'a> XmlReader<'a> {
    /// Opens the entry named `part` (which must exist) for event reading.
    pub fn open(archive: &'a Archive<'a>, part: &str) -> Result<Self, XlsxError> {
        let entry = archive.find(part).ok_or_else(|| XlsxError::MissingPart {
            part: part.to_owned(),
        })?;
        let mut reader = quick_xml::Reader::from_reader(archive.open(entry)?);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Ok(Self {
            reader,
            depth: 0,
            has_root: false,
        })
    }

    /// The part's name, for error messages.
    pub fn part(&self) -> &str {
        self.reader.get_ref().name()
    }

    /// The next event, read into `buf`; `Event::Eof` only once the root element has been closed.
    pub fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>, XlsxError> {
        buf.clear();
        self.reader.get_mut().mark_token_start();
        let event = match self.reader.read_event_into(buf) {
            Ok(event) => event,
            Err(error) => {
                let entry_reader = self.reader.get_mut();
                return Err(entry_reader
                    .take_failure()
                    .unwrap_or_else(|| XlsxError::Xml {
                        part: entry_reader.name().to_owned(),
                        reason: error.to_string(),
                    }));
            }
        };
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                self.has_root = true;
                if self.depth > MAX_DEPTH {
                    return Err(XlsxError::XmlTooDeep {
                        part: self.part().to_owned(),
                        limit: MAX_DEPTH,
                    });
                }
            }
            Event::Empty(_) => self.has_root = true,
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            Event::Eof if self.depth != 0 || !self.has_root => {
                return Err(XlsxError::Xml {
                    part: self.reader.get_ref().name().to_owned(),
                    reason: "document ends before its root element is closed".to_owned(),
                });
            }
            _ => {}
        }
        Ok(event)
    }

    /// An error about the content of this part.
    pub fn content_error(&self, reason: impl Into<String>) -> XlsxError {
        XlsxError::content(self.part(), reason)
    }

    /// An error about the XML of this part.
    pub fn xml_error(&self, reason: impl std::fmt::Display) -> XlsxError {
        XlsxError::Xml {
            part: self.part().to_owned(),
            reason: reason.to_string(),
        }
    }
}

/// The local part of a qualified name, `c` for both `c` and `x:c`.
pub(crate) fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

/// The local name of a start or empty element.
pub(crate) fn local_name<'n>(start: &'n BytesStart<'_>) -> &'n str {
    local(start.name().0)
}

/// The local name of the element an event opens or closes, if it is a tag at all.
pub(crate) fn tag_local_name<'n>(event: &'n Event<'_>) -> Option<&'n str> {
    match event {
        Event::Start(start) | Event::Empty(start) => Some(local_name(start)),
        Event::End(end) => Some(local(end.name().0)),
        _ => None,
    }
}

/// Calls `visit` with the local name, whether it has a prefix, and the unescaped, normalised
/// value of every attribute of `start` except namespace declarations.
pub(crate) fn for_each_attribute<'s>(
    start: &'s BytesStart<'_>,
    xml: &XmlReader<'_>,
    mut visit: impl FnMut(&str, bool, Cow<'s, str>),
) -> Result<(), XlsxError> {
    for attribute in start.attributes().with_checks(false) {
        let attribute = attribute.map_err(|error| xml.xml_error(error))?;
        let key = attribute.key.0;
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|error| xml.xml_error(error))?;
        match key.rsplit_once(':') {
            Some((_, key_local)) => visit(key_local, true, value),
            None => visit(key, false, value),
        }
    }
    Ok(())
}

fn find_attribute<'s>(
    start: &'s BytesStart<'_>,
    name: &str,
    prefixed: bool,
    xml: &XmlReader<'_>,
) -> Result<Option<Cow<'s, str>>, XlsxError> {
    let mut found = None;
    for_each_attribute(start, xml, |key_local, has_prefix, value| {
        if found.is_none() && key_local == name && has_prefix == prefixed {
            found = Some(value);
        }
    })?;
    Ok(found)
}

/// The value of the unprefixed attribute `name`, if present.
pub(crate) fn attribute<'s>(
    start: &'s BytesStart<'_>,
    name: &str,
    xml: &XmlReader<'_>,
) -> Result<Option<Cow<'s, str>>, XlsxError> {
    find_attribute(start, name, false, xml)
}

/// The value of a namespaced attribute such as `r:id`, whatever its prefix.
pub(crate) fn prefixed_attribute<'s>(
    start: &'s BytesStart<'_>,
    name: &str,
    xml: &XmlReader<'_>,
) -> Result<Option<Cow<'s, str>>, XlsxError> {
    find_attribute(start, name, true, xml)
}

/// Appends the character data an event carries (text, CDATA or an entity reference) to `out`.
///
/// Line ends are normalised as the XML spec requires, so a literal CR LF in the file becomes LF;
/// a CR written as `&#13;` or Excel's `_x000D_` survives.
pub(crate) fn append_text(
    event: &Event<'_>,
    out: &mut String,
    xml: &XmlReader<'_>,
) -> Result<(), XlsxError> {
    match event {
        Event::Text(text) => out.push_str(&text.xml10_content()),
        Event::CData(data) => out.push_str(&data.xml10_content()),
        Event::GeneralRef(reference) => {
            if let Some(character) = reference
                .resolve_char_ref()
                .map_err(|error| xml.xml_error(error))?
            {
                out.push(character);
            } else {
                let replacement = match &**reference {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    other => {
                        return Err(xml.xml_error(format_args!("unknown entity &{other};")));
                    }
                };
                out.push(replacement);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Collects the text of a rich-text string (`<si>` or `<is>`): every `<t>`, run after run, except
/// those inside phonetic guides (`<rPh>`), with Excel's `_xHHHH_` escapes decoded.
#[derive(Debug, Default)]
pub(crate) struct RichText {
    is_in_text: bool,
    phonetic_depth: usize,
    raw: String,
    text: String,
}

impl RichText {
    /// Feeds one event from inside the string element.
    pub fn handle(&mut self, event: &Event<'_>, xml: &XmlReader<'_>) -> Result<(), XlsxError> {
        match event {
            Event::Start(start) => match local_name(start) {
                "t" if self.phonetic_depth == 0 => {
                    self.is_in_text = true;
                    self.raw.clear();
                }
                "rPh" => self.phonetic_depth += 1,
                _ => {}
            },
            Event::End(end) => match local(end.name().0) {
                "t" if self.is_in_text => {
                    self.is_in_text = false;
                    push_unescaped(&self.raw, &mut self.text);
                }
                "rPh" => self.phonetic_depth = self.phonetic_depth.saturating_sub(1),
                _ => {}
            },
            _ if self.is_in_text => append_text(event, &mut self.raw, xml)?,
            _ => {}
        }
        Ok(())
    }

    /// Moves the collected text to the end of `out` and starts over.
    pub fn finish_into(&mut self, out: &mut String) {
        out.push_str(&self.text);
        self.reset();
    }

    /// Forgets everything collected so far.
    pub fn reset(&mut self) {
        self.is_in_text = false;
        self.phonetic_depth = 0;
        self.raw.clear();
        self.text.clear();
    }
}
