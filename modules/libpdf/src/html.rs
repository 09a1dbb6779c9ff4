//! A forgiving HTML tokenizer: start and end tags with the few attributes we use, and text.
//!
//! It follows the shape of the HTML tokenizer without its every corner: comments, doctypes and
//! processing instructions are skipped, `<script>`-like elements take their content as raw
//! text, a `<` that starts no tag is text, and a tag cut off by the end of input is dropped.
//! Entities are left in the text for the caller to decode as it walks the characters.

use crate::entities;

/// HTML elements the renderer treats specially; everything else is [`Tag::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    A,
    Abbr,
    Address,
    Article,
    Aside,
    B,
    Base,
    Big,
    Blockquote,
    Body,
    Br,
    Caption,
    Center,
    Cite,
    Code,
    Col,
    Colgroup,
    Dd,
    Del,
    Details,
    Dfn,
    Div,
    Dl,
    Dt,
    Em,
    Fieldset,
    Figcaption,
    Figure,
    Footer,
    Form,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Head,
    Header,
    Hgroup,
    Hr,
    Html,
    I,
    Iframe,
    Img,
    Input,
    Ins,
    Kbd,
    Legend,
    Li,
    Link,
    Main,
    Mark,
    Meta,
    Nav,
    Noembed,
    Noframes,
    Ol,
    P,
    Param,
    Pre,
    Q,
    S,
    Samp,
    Script,
    Section,
    Small,
    Source,
    Span,
    Strike,
    Strong,
    Style,
    Sub,
    Summary,
    Sup,
    Table,
    Tbody,
    Td,
    Template,
    Textarea,
    Tfoot,
    Th,
    Thead,
    Title,
    Tr,
    Tt,
    U,
    Ul,
    Var,
    Wbr,
    Xmp,
    /// Any other element, identified by a hash of its lower-cased name so that `</x-foo>`
    /// can still close `<x-foo>`.
    Other(u64),
}

impl Tag {
    /// Classifies a tag name, ignoring ASCII case.
    pub(crate) fn from_name(name: &[u8]) -> Tag {
        let mut lower = [0u8; 10];
        if name.len() > lower.len() {
            return Tag::Other(hash_lowercase(name));
        }
        for (slot, byte) in lower.iter_mut().zip(name) {
            *slot = byte.to_ascii_lowercase();
        }
        match &lower[..name.len()] {
            b"a" => Tag::A,
            b"abbr" => Tag::Abbr,
            b"address" => Tag::Address,
            b"article" => Tag::Article,
            b"aside" => Tag::Aside,
            b"b" => Tag::B,
            b"base" => Tag::Base,
            b"big" => Tag::Big,
            b"blockquote" => Tag::Blockquote,
            b"body" => Tag::Body,
            b"br" => Tag::Br,
            b"caption" => Tag::Caption,
            b"center" => Tag::Center,
            b"cite" => Tag::Cite,
            b"code" => Tag::Code,
            b"col" => Tag::Col,
            b"colgroup" => Tag::Colgroup,
            b"dd" => Tag::Dd,
            b"del" => Tag::Del,
            b"details" => Tag::Details,
            b"dfn" => Tag::Dfn,
            b"div" => Tag::Div,
            b"dl" => Tag::Dl,
            b"dt" => Tag::Dt,
            b"em" => Tag::Em,
            b"fieldset" => Tag::Fieldset,
            b"figcaption" => Tag::Figcaption,
            b"figure" => Tag::Figure,
            b"footer" => Tag::Footer,
            b"form" => Tag::Form,
            b"h1" => Tag::H1,
            b"h2" => Tag::H2,
            b"h3" => Tag::H3,
            b"h4" => Tag::H4,
            b"h5" => Tag::H5,
            b"h6" => Tag::H6,
            b"head" => Tag::Head,
            b"header" => Tag::Header,
            b"hgroup" => Tag::Hgroup,
            b"hr" => Tag::Hr,
            b"html" => Tag::Html,
            b"i" => Tag::I,
            b"iframe" => Tag::Iframe,
            b"img" => Tag::Img,
            b"input" => Tag::Input,
            b"ins" => Tag::Ins,
            b"kbd" => Tag::Kbd,
            b"legend" => Tag::Legend,
            b"li" => Tag::Li,
            b"link" => Tag::Link,
            b"main" => Tag::Main,
            b"mark" => Tag::Mark,
            b"meta" => Tag::Meta,
            b"nav" => Tag::Nav,
            b"noembed" => Tag::Noembed,
            b"noframes" => Tag::Noframes,
            b"ol" => Tag::Ol,
            b"p" => Tag::P,
            b"param" => Tag::Param,
            b"pre" => Tag::Pre,
            b"q" => Tag::Q,
            b"s" => Tag::S,
            b"samp" => Tag::Samp,
            b"script" => Tag::Script,
            b"section" => Tag::Section,
            b"small" => Tag::Small,
            b"source" => Tag::Source,
            b"span" => Tag::Span,
            b"strike" => Tag::Strike,
            b"strong" => Tag::Strong,
            b"style" => Tag::Style,
            b"sub" => Tag::Sub,
            b"summary" => Tag::Summary,
            b"sup" => Tag::Sup,
            b"table" => Tag::Table,
            b"tbody" => Tag::Tbody,
            b"td" => Tag::Td,
            b"template" => Tag::Template,
            b"textarea" => Tag::Textarea,
            b"tfoot" => Tag::Tfoot,
            b"th" => Tag::Th,
            b"thead" => Tag::Thead,
            b"title" => Tag::Title,
            b"tr" => Tag::Tr,
            b"tt" => Tag::Tt,
            b"u" => Tag::U,
            b"ul" => Tag::Ul,
            b"var" => Tag::Var,
            b"wbr" => Tag::Wbr,
            b"xmp" => Tag::Xmp,
            other => Tag::Other(hash_lowercase(other)),
        }
    }

    /// How the content of this element is tokenized.
    fn content_model(self) -> ContentModel {
        match self {
            Tag::Script | Tag::Style | Tag::Xmp | Tag::Iframe | Tag::Noembed | Tag::Noframes => {
                ContentModel::RawText
            }
            Tag::Title | Tag::Textarea => ContentModel::EscapableRawText,
            _ => ContentModel::Normal,
        }
    }
}

/// FNV-1a over the ASCII-lower-cased name; collisions only merge two unknown elements.
fn hash_lowercase(name: &[u8]) -> u64 {
    name.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContentModel {
    Normal,
    /// Everything up to the matching end tag is text; entities stay literal.
    RawText,
    /// Everything up to the matching end tag is text; entities are decoded.
    EscapableRawText,
}

/// The attributes the renderer looks at; all others are skipped while tokenizing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Attributes {
    /// `href` of links, entities decoded.
    pub(crate) href: Option<String>,
    /// `start` of ordered lists and `value` of list items.
    pub(crate) number: Option<i64>,
    /// `alt` of images, entities decoded.
    pub(crate) alt: Option<String>,
}

/// One token of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// Character data. `decode_entities` is false for the content of `<script>`-like elements.
    Text {
        text: &'a str,
        decode_entities: bool,
    },
    /// A start tag; `self_closing` is set for `<x/>` (which HTML ignores except on void elements).
    Start {
        tag: Tag,
        attributes: Attributes,
        self_closing: bool,
    },
    /// An end tag.
    End { tag: Tag },
}

/// Splits HTML source into [`Token`]s; never fails, whatever the input.
#[derive(Debug)]
pub(crate) struct Tokenizer<'a> {
    source: &'a str,
    position: usize,
    /// Set after a start tag whose content is raw text, until its end tag.
    raw_text: Option<(Tag, bool)>,
}

impl<'a> Tokenizer<'a> {
    pub(crate) fn new(source: &'a str) -> Self {
        Tokenizer {
            source,
            position: 0,
            raw_text: None,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.source.as_bytes()
    }

    /// Text up to (not including) the end tag of the raw-text element `tag`.
    fn raw_text_until_end_tag(&mut self, tag: Tag) -> &'a str {
        let bytes = self.bytes();
        let start = self.position;
        let mut search = start;
        while let Some(offset) = bytes[search..].iter().position(|&b| b == b'<') {
            let at = search + offset;
            if bytes.get(at + 1) == Some(&b'/') {
                let name_start = at + 2;
                let name_len = bytes[name_start..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count();
                let after = bytes.get(name_start + name_len).copied();
                let is_delimited =
                    after.is_none_or(|b| b.is_ascii_whitespace() || b == b'/' || b == b'>');
                if name_len > 0
                    && is_delimited
                    && Tag::from_name(&bytes[name_start..name_start + name_len]) == tag
                {
                    self.position = at;
                    return &self.source[start..at];
                }
            }
            search = at + 1;
        }
        self.position = bytes.len();
        &self.source[start..]
    }

    /// Skips past the next `>` (or to the end), for comments-like constructs.
    fn skip_past(&mut self, needle: &[u8]) {
        let bytes = self.bytes();
        let from = self.position.min(bytes.len());
        self.position = match bytes[from..]
            .windows(needle.len())
            .position(|w| w == needle)
        {
            Some(offset) => from + offset + needle.len(),
            None => bytes.len(),
        };
    }

    fn skip_comment(&mut self) {
        // `self.position` is just past `<!--`.
        let bytes = self.bytes();
        let rest = &bytes[self.position..];
        if rest.starts_with(b">") {
            self.position += 1;
        } else if rest.starts_with(b"->") {
            self.position += 2;
        } else {
            let close = rest.windows(3).position(|w| w == b"-->");
            let bang_close = rest.windows(4).position(|w| w == b"--!>");
            self.position = match (close, bang_close) {
                (Some(a), Some(b)) if b < a => self.position + b + 4,
                (Some(a), _) => self.position + a + 3,
                (None, Some(b)) => self.position + b + 4,
                (None, None) => bytes.len(),
            };
        }
    }

    /// Parses a tag starting at `self.position` (just past `<` or `</`).
    /// Returns `None` when the input ends inside the tag.
    fn parse_tag(&mut self) -> Option<(Tag, Attributes, bool)> {
        let bytes = self.bytes();
        let mut at = self.position;
        let name_start = at;
        while at < bytes.len() && !is_tag_space(bytes[at]) && bytes[at] != b'/' && bytes[at] != b'>'
        {
            at += 1;
        }
        let tag = Tag::from_name(&bytes[name_start..at]);
        let mut attributes = Attributes::default();
        let mut self_closing = false;
        loop {
            while at < bytes.len() && is_tag_space(bytes[at]) {
                at += 1;
            }
            match bytes.get(at) {
                None => {
                    self.position = bytes.len();
                    return None;
                }
                Some(b'>') => {
                    at += 1;
                    break;
                }
                Some(b'/') => {
                    at += 1;
                    if bytes.get(at) == Some(&b'>') {
                        self_closing = true;
                        at += 1;
                        break;
                    }
                    continue;
                }
                Some(_) => {}
            }
            // An attribute name; a leading `=` belongs to the name.
            let attr_start = at;
            at += 1;
            while at < bytes.len()
                && !is_tag_space(bytes[at])
                && !matches!(bytes[at], b'/' | b'>' | b'=')
            {
                at += 1;
            }
            let attr_name = &bytes[attr_start..at];
            while at < bytes.len() && is_tag_space(bytes[at]) {
                at += 1;
            }
            if bytes.get(at) != Some(&b'=') {
                continue;
            }
            at += 1;
            while at < bytes.len() && is_tag_space(bytes[at]) {
                at += 1;
            }
            let (value_start, value_end) = match bytes.get(at) {
                None => {
                    self.position = bytes.len();
                    return None;
                }
                Some(&quote @ (b'"' | b'\'')) => {
                    let start = at + 1;
                    let Some(len) = bytes[start..].iter().position(|&b| b == quote) else {
                        self.position = bytes.len();
                        return None;
                    };
                    at = start + len + 1;
                    (start, start + len)
                }
                Some(_) => {
                    let start = at;
                    while at < bytes.len() && !is_tag_space(bytes[at]) && bytes[at] != b'>' {
                        at += 1;
                    }
                    (start, at)
                }
            };
            let value = &self.source[value_start..value_end];
            if attr_name.eq_ignore_ascii_case(b"href") && attributes.href.is_none() {
                attributes.href = Some(decode_attribute(value));
            } else if attr_name.eq_ignore_ascii_case(b"alt") && attributes.alt.is_none() {
                attributes.alt = Some(decode_attribute(value));
            } else if (attr_name.eq_ignore_ascii_case(b"start")
                || attr_name.eq_ignore_ascii_case(b"value"))
                && attributes.number.is_none()
            {
                attributes.number = parse_integer(value);
            }
        }
        self.position = at;
        Some((tag, attributes, self_closing))
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let bytes = self.bytes();
        loop {
            if self.position >= bytes.len() {
                return None;
            }
            if let Some((tag, decode_entities)) = self.raw_text.take() {
                let text = self.raw_text_until_end_tag(tag);
                if !text.is_empty() {
                    return Some(Token::Text {
                        text,
                        decode_entities,
                    });
                }
                continue;
            }
            let start = self.position;
            if bytes[start] != b'<' {
                let len = bytes[start..]
                    .iter()
                    .position(|&b| b == b'<')
                    .unwrap_or(bytes.len() - start);
                self.position = start + len;
                return Some(Token::Text {
                    text: &self.source[start..start + len],
                    decode_entities: true,
                });
            }
            match bytes.get(start + 1) {
                Some(b) if b.is_ascii_alphabetic() => {
                    self.position = start + 1;
                    let Some((tag, attributes, self_closing)) = self.parse_tag() else {
                        continue;
                    };
                    match tag.content_model() {
                        ContentModel::Normal => {}
                        ContentModel::RawText => self.raw_text = Some((tag, false)),
                        ContentModel::EscapableRawText => self.raw_text = Some((tag, true)),
                    }
                    return Some(Token::Start {
                        tag,
                        attributes,
                        self_closing,
                    });
                }
                Some(b'/') => match bytes.get(start + 2) {
                    Some(b) if b.is_ascii_alphabetic() => {
                        self.position = start + 2;
                        let Some((tag, _, _)) = self.parse_tag() else {
                            continue;
                        };
                        return Some(Token::End { tag });
                    }
                    Some(b'>') => self.position = start + 3,
                    Some(_) => {
                        self.position = start + 2;
                        self.skip_past(b">");
                    }
                    None => {
                        self.position = bytes.len();
                        return Some(Token::Text {
                            text: &self.source[start..],
                            decode_entities: false,
                        });
                    }
                },
                Some(b'!') => {
                    if bytes[start..].starts_with(b"<!--") {
                        self.position = start + 4;
                        self.skip_comment();
                    } else {
                        self.position = start + 2;
                        self.skip_past(b">");
                    }
                }
                Some(b'?') => {
                    self.position = start + 2;
                    self.skip_past(b">");
                }
                _ => {
                    self.position = start + 1;
                    return Some(Token::Text {
                        text: "<",
                        decode_entities: false,
                    });
                }
            }
        }
    }
}

/// Whitespace inside tags, as HTML defines it.
fn is_tag_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')
}

/// Decodes the character references in an attribute value.
pub(crate) fn decode_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match entities::decode(after, true) {
            Some((c, used)) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses an HTML integer attribute (leading spaces, optional sign, digits; the rest ignored).
fn parse_integer(value: &str) -> Option<i64> {
    let trimmed = value.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let mut number: i64 = 0;
    let mut any = false;
    for digit in digits.bytes().map_while(|b| char::from(b).to_digit(10)) {
        number = number.saturating_mul(10).saturating_add(i64::from(digit));
        any = true;
    }
    // Keep list numbers to a range that formats in a handful of digits.
    let number = number.min(999_999_999);
    any.then_some(if negative { -number } else { number })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(source: &str) -> Vec<Token<'_>> {
        Tokenizer::new(source).collect()
    }

    fn text(text: &str) -> Token<'_> {
        Token::Text {
            text,
            decode_entities: true,
        }
    }

    fn start(tag: Tag) -> Token<'static> {
        Token::Start {
            tag,
            attributes: Attributes::default(),
            self_closing: false,
        }
    }

    #[test]
    fn tags_and_text_are_split() {
        assert_eq!(
            tokens("<P>Hello <b>world</B></p>"),
            vec![
                start(Tag::P),
                text("Hello "),
                start(Tag::B),
                text("world"),
                Token::End { tag: Tag::B },
                Token::End { tag: Tag::P },
            ]
        );
    }

    #[test]
    fn attributes_we_use_are_parsed_and_decoded() {
        let parsed = tokens(r#"<a class=x HREF="https://e.org/?a=1&amp;b=2&copy=3" id='y'>"#);
        let Token::Start { attributes, .. } = &parsed[0] else {
            panic!("expected a start tag, got {parsed:?}");
        };
        assert_eq!(
            attributes.href.as_deref(),
            Some("https://e.org/?a=1&b=2&copy=3")
        );
        let parsed = tokens("<ol start=' 7'><li value=-3><img alt=Chart src='x.png'/>");
        let numbers: Vec<_> = parsed
            .iter()
            .filter_map(|token| match token {
                Token::Start { attributes, .. } => Some(attributes.number),
                _ => None,
            })
            .collect();
        assert_eq!(numbers, vec![Some(7), Some(-3), None]);
        assert!(
            matches!(&parsed[2], Token::Start { attributes, self_closing: true, .. }
            if attributes.alt.as_deref() == Some("Chart"))
        );
    }

    #[test]
    fn comments_doctype_and_processing_instructions_are_skipped() {
        assert_eq!(
            tokens("<!DOCTYPE html><!-- a <b> -->x<?xml?><!---->y<!-->z"),
            vec![text("x"), text("y"), text("z")]
        );
        assert_eq!(tokens("a<!-- never closed"), vec![text("a")]);
    }

    #[test]
    fn script_content_is_raw_text_up_to_its_end_tag() {
        assert_eq!(
            tokens("<script>if (a < b) { x = '</p>'; }</SCRIPT >after"),
            vec![
                start(Tag::Script),
                Token::Text {
                    text: "if (a < b) { x = '</p>'; }",
                    decode_entities: false
                },
                Token::End { tag: Tag::Script },
                text("after"),
            ]
        );
        assert_eq!(
            tokens("<title>A &amp; B</title>"),
            vec![
                start(Tag::Title),
                Token::Text {
                    text: "A &amp; B",
                    decode_entities: true
                },
                Token::End { tag: Tag::Title },
            ]
        );
    }

    #[test]
    fn stray_angle_brackets_are_text() {
        assert_eq!(
            tokens("1 < 2 <3 </ >"),
            vec![
                text("1 "),
                Token::Text {
                    text: "<",
                    decode_entities: false
                },
                text(" 2 "),
                Token::Text {
                    text: "<",
                    decode_entities: false
                },
                text("3 ")
            ]
        );
        assert_eq!(
            tokens("a</"),
            vec![
                text("a"),
                Token::Text {
                    text: "</",
                    decode_entities: false
                }
            ]
        );
    }

    #[test]
    fn tags_cut_off_by_the_end_of_input_are_dropped() {
        assert_eq!(tokens("x<p class=\"never"), vec![text("x")]);
        assert_eq!(tokens("x<b"), vec![text("x")]);
    }

    #[test]
    fn unknown_tags_match_their_end_tags_case_insensitively() {
        assert_eq!(Tag::from_name(b"X-Widget"), Tag::from_name(b"x-widget"));
        assert_ne!(Tag::from_name(b"x-widget"), Tag::from_name(b"x-gadget"));
        assert_eq!(Tag::from_name(b"BLOCKQUOTE"), Tag::Blockquote);
        assert!(matches!(Tag::from_name(b"blockquotes"), Tag::Other(_)));
    }
}
