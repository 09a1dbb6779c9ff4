//! Writes the PDF file: content-stream operators, the objects around them and the xref table.
//!
//! The document needs a fixed handful of object kinds, so they are written here directly
//! rather than through a general PDF library: that keeps number formatting in our hands
//! (fixed-point hundredths, no float formatting code in the Wasm binary) and the guest small.
//! Object numbers are assigned in a fixed order (catalog, page tree, fonts, then per page:
//! page, content, annotations) and no date or file identifier is written, so the same input
//! always gives the same bytes.

use crate::fonts::Font;
use crate::layout::{Geometry, LayoutOutput};

/// Builds one page's content stream.
#[derive(Debug, Default)]
pub(crate) struct ContentStream {
    bytes: Vec<u8>,
}

impl ContentStream {
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    fn operands(&mut self, values: &[f32], operator: &[u8]) -> &mut Self {
        for &value in values {
            push_number(&mut self.bytes, value);
            self.bytes.push(b' ');
        }
        self.bytes.extend_from_slice(operator);
        self.bytes.push(b'\n');
        self
    }

    pub(crate) fn begin_text(&mut self) -> &mut Self {
        self.operands(&[], b"BT")
    }

    pub(crate) fn end_text(&mut self) -> &mut Self {
        self.operands(&[], b"ET")
    }

    /// `Tf`: selects a font by its resource name.
    pub(crate) fn set_font(&mut self, font: Font, size_pt: f32) -> &mut Self {
        self.bytes.push(b'/');
        self.bytes.extend_from_slice(font.resource_name());
        self.bytes.push(b' ');
        self.operands(&[size_pt], b"Tf")
    }

    /// `Td`: moves to the start of the next line, relative to the current line's start.
    pub(crate) fn next_line(&mut self, x: f32, y: f32) -> &mut Self {
        self.operands(&[x, y], b"Td")
    }

    /// `Tj`: shows WinAnsi bytes; a non-breaking space (0xA0) is drawn as a plain space so
    /// that text extraction sees an ordinary space.
    pub(crate) fn show(&mut self, text: &[u8]) -> &mut Self {
        push_literal_string(&mut self.bytes, text, true);
        self.bytes.extend_from_slice(b" Tj\n");
        self
    }

    pub(crate) fn set_fill_rgb(&mut self, red: f32, green: f32, blue: f32) -> &mut Self {
        self.operands(&[red, green, blue], b"rg")
    }

    pub(crate) fn set_fill_gray(&mut self, gray: f32) -> &mut Self {
        self.operands(&[gray], b"g")
    }

    pub(crate) fn set_stroke_rgb(&mut self, red: f32, green: f32, blue: f32) -> &mut Self {
        self.operands(&[red, green, blue], b"RG")
    }

    pub(crate) fn set_stroke_gray(&mut self, gray: f32) -> &mut Self {
        self.operands(&[gray], b"G")
    }

    pub(crate) fn set_line_width(&mut self, width_pt: f32) -> &mut Self {
        self.operands(&[width_pt], b"w")
    }

    pub(crate) fn move_to(&mut self, x: f32, y: f32) -> &mut Self {
        self.operands(&[x, y], b"m")
    }

    pub(crate) fn line_to(&mut self, x: f32, y: f32) -> &mut Self {
        self.operands(&[x, y], b"l")
    }

    pub(crate) fn rect(&mut self, x: f32, y: f32, width: f32, height: f32) -> &mut Self {
        self.operands(&[x, y, width, height], b"re")
    }

    pub(crate) fn stroke(&mut self) -> &mut Self {
        self.operands(&[], b"S")
    }
}

/// Writes a number rounded to hundredths, without exponent or trailing zeros.
fn push_number(out: &mut Vec<u8>, value: f32) {
    // Coordinates stay far inside i64; a NaN (never produced) would become 0.
    let hundredths = (f64::from(value) * 100.0).round() as i64;
    if hundredths < 0 {
        out.push(b'-');
    }
    let magnitude = hundredths.unsigned_abs();
    push_decimal(out, magnitude / 100);
    let fraction = magnitude % 100;
    if fraction != 0 {
        out.push(b'.');
        out.push(b'0' + (fraction / 10) as u8);
        if !fraction.is_multiple_of(10) {
            out.push(b'0' + (fraction % 10) as u8);
        }
    }
}

fn push_decimal(out: &mut Vec<u8>, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// Writes a literal string `( … )`, escaping the delimiters and control bytes. Bytes from 0x80
/// up are written as they are, which PDF allows in literal strings.
fn push_literal_string(out: &mut Vec<u8>, text: &[u8], nbsp_as_space: bool) {
    out.push(b'(');
    // Copy runs of ordinary bytes in one go; only special bytes are handled one by one.
    let mut start = 0;
    for (offset, &byte) in text.iter().enumerate() {
        let special = matches!(byte, b'(' | b')' | b'\\' | 0x00..=0x1F | 0x7F)
            || (nbsp_as_space && byte == 0xA0);
        if !special {
            continue;
        }
        out.extend_from_slice(&text[start..offset]);
        start = offset + 1;
        match byte {
            0xA0 => out.push(b' '),
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(byte);
            }
            _ => {
                out.push(b'\\');
                out.push(b'0' + (byte >> 6));
                out.push(b'0' + ((byte >> 3) & 7));
                out.push(b'0' + (byte & 7));
            }
        }
    }
    out.extend_from_slice(&text[start..]);
    out.push(b')');
}

/// The file being written: the bytes so far and where each object starts.
struct PdfFile {
    bytes: Vec<u8>,
    /// Byte offset of object `n` at index `n - 1`.
    offsets: Vec<usize>,
}

impl PdfFile {
    fn begin_object(&mut self, id: usize) {
        if self.offsets.len() < id {
            self.offsets.resize(id, 0);
        }
        self.offsets[id - 1] = self.bytes.len();
        push_decimal(&mut self.bytes, id as u64);
        self.bytes.extend_from_slice(b" 0 obj\n");
    }

    fn end_object(&mut self) {
        self.bytes.extend_from_slice(b"\nendobj\n");
    }

    fn raw(&mut self, text: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(text);
        self
    }

    fn number(&mut self, value: f32) -> &mut Self {
        push_number(&mut self.bytes, value);
        self
    }

    fn reference(&mut self, id: usize) -> &mut Self {
        push_decimal(&mut self.bytes, id as u64);
        self.bytes.extend_from_slice(b" 0 R");
        self
    }

    fn count(&mut self, value: usize) -> &mut Self {
        push_decimal(&mut self.bytes, value as u64);
        self
    }
}

/// Object numbers of one page and what belongs to it.
struct PageIds {
    page: usize,
    content: usize,
    first_annotation: usize,
}

/// Writes the document; never fails, as layout has already checked every limit.
pub(crate) fn write_pdf(layout: LayoutOutput, links: &[String], geometry: Geometry) -> Vec<u8> {
    const CATALOG_ID: usize = 1;
    const PAGE_TREE_ID: usize = 2;
    let mut next_id = 3;
    let fonts: Vec<(Font, usize)> = Font::ALL
        .into_iter()
        .filter(|font| layout.fonts_used & (1 << font.index()) != 0)
        .map(|font| {
            next_id += 1;
            (font, next_id - 1)
        })
        .collect();
    let page_ids: Vec<PageIds> = layout
        .pages
        .iter()
        .map(|page| {
            let ids = PageIds {
                page: next_id,
                content: next_id + 1,
                first_annotation: next_id + 2,
            };
            next_id += 2 + page.links.len();
            ids
        })
        .collect();

    let content_bytes: usize = layout.pages.iter().map(|page| page.content.len()).sum();
    let mut file = PdfFile {
        bytes: Vec::with_capacity(content_bytes + 1024 + 300 * page_ids.len()),
        offsets: Vec::with_capacity(next_id),
    };
    // The second line marks the file as binary for transfer tools, as the format recommends.
    file.raw(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");

    file.begin_object(CATALOG_ID);
    file.raw(b"<</Type/Catalog/Pages ")
        .reference(PAGE_TREE_ID)
        .raw(b">>");
    file.end_object();

    file.begin_object(PAGE_TREE_ID);
    file.raw(b"<</Type/Pages/Kids[");
    for (index, ids) in page_ids.iter().enumerate() {
        if index > 0 {
            file.raw(b" ");
        }
        file.reference(ids.page);
    }
    file.raw(b"]/Count ").count(page_ids.len()).raw(b">>");
    file.end_object();

    for &(font, id) in &fonts {
        file.begin_object(id);
        file.raw(b"<</Type/Font/Subtype/Type1/BaseFont/")
            .raw(font.base_name())
            .raw(b"/Encoding/WinAnsiEncoding>>");
        file.end_object();
    }

    for (page, ids) in layout.pages.into_iter().zip(&page_ids) {
        file.begin_object(ids.page);
        file.raw(b"<</Type/Page/Parent ")
            .reference(PAGE_TREE_ID)
            .raw(b"/MediaBox[0 0 ")
            .number(geometry.width_pt)
            .raw(b" ")
            .number(geometry.height_pt)
            .raw(b"]/Resources<<");
        if !fonts.is_empty() {
            file.raw(b"/Font<<");
            for &(font, id) in &fonts {
                file.raw(b"/")
                    .raw(font.resource_name())
                    .raw(b" ")
                    .reference(id);
            }
            file.raw(b">>");
        }
        file.raw(b">>/Contents ").reference(ids.content);
        if !page.links.is_empty() {
            file.raw(b"/Annots[");
            for index in 0..page.links.len() {
                if index > 0 {
                    file.raw(b" ");
                }
                file.reference(ids.first_annotation + index);
            }
            file.raw(b"]");
        }
        file.raw(b">>");
        file.end_object();

        file.begin_object(ids.content);
        file.raw(b"<</Length ")
            .count(page.content.len())
            .raw(b">>\nstream\n")
            .raw(&page.content)
            .raw(b"\nendstream");
        file.end_object();

        for (index, area) in page.links.iter().enumerate() {
            file.begin_object(ids.first_annotation + index);
            let [left, bottom, right, top] = area.rect;
            file.raw(b"<</Type/Annot/Subtype/Link/Rect[")
                .number(left)
                .raw(b" ")
                .number(bottom)
                .raw(b" ")
                .number(right)
                .raw(b" ")
                .number(top)
                .raw(b"]/Border[0 0 0]");
            if let Some(uri) = links.get(area.link as usize) {
                // Link targets are printable ASCII (see `builder::link_target`).
                file.raw(b"/A<</S/URI/URI");
                push_literal_string(&mut file.bytes, uri.as_bytes(), false);
                file.raw(b">>");
            }
            file.raw(b">>");
            file.end_object();
        }
    }

    let xref_offset = file.bytes.len();
    let size = file.offsets.len() + 1;
    file.raw(b"xref\n0 ").count(size).raw(b"\n");
    // Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, EOL.
    file.raw(b"0000000000 65535 f\r\n");
    for index in 0..file.offsets.len() {
        let offset = file.offsets[index];
        let mut entry = *b"0000000000 00000 n\r\n";
        let mut value = offset;
        for slot in entry[..10].iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
        file.raw(&entry);
    }
    file.raw(b"trailer\n<</Size ")
        .count(size)
        .raw(b"/Root ")
        .reference(CATALOG_ID)
        .raw(b">>\nstartxref\n")
        .count(xref_offset)
        .raw(b"\n%%EOF\n");
    file.bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(value: f32) -> String {
        let mut out = Vec::new();
        push_number(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_fixed_point_hundredths() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(595.28), "595.28");
        assert_eq!(number(841.89), "841.89");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(number(-3.004), "-3");
        assert_eq!(number(-0.001), "0");
        assert_eq!(number(1e6), "1000000");
    }

    #[test]
    fn literal_strings_escape_delimiters_and_controls() {
        let mut out = Vec::new();
        push_literal_string(&mut out, b"a(b)\\c\n\xE9\xA0", false);
        assert_eq!(out, b"(a\\(b\\)\\\\c\\012\xE9\xA0)");
        out.clear();
        push_literal_string(&mut out, b"a\xA0b", true);
        assert_eq!(out, b"(a b)");
    }

    #[test]
    fn content_operators_are_written_in_order() {
        let mut content = ContentStream::default();
        content
            .begin_text()
            .set_font(Font::HelveticaBold, 11.0)
            .next_line(56.69, 700.5)
            .show(b"Hi")
            .end_text();
        assert_eq!(
            String::from_utf8(content.into_bytes()).unwrap(),
            "BT\n/F2 11 Tf\n56.69 700.5 Td\n(Hi) Tj\nET\n"
        );
    }

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let layout = LayoutOutput {
            pages: vec![crate::layout::PageOutput::default(); 2],
            fonts_used: 1,
        };
        let geometry = Geometry {
            width_pt: 612.0,
            height_pt: 792.0,
            margin_pt: 10.0,
        };
        let pdf = write_pdf(layout, &[], geometry);
        let xref = pdf.windows(5).position(|w| w == b"xref\n").unwrap();
        // Everything after the binary-marker comment is ASCII.
        let table = std::str::from_utf8(&pdf[xref..]).unwrap();
        let entries: Vec<usize> = table
            .lines()
            .skip(3)
            .take_while(|line| line.ends_with(" n\r") || line.ends_with(" n"))
            .map(|line| line[..10].parse().unwrap())
            .collect();
        assert_eq!(entries.len(), 7);
        for (index, &offset) in entries.iter().enumerate() {
            assert!(pdf[offset..].starts_with(format!("{} 0 obj", index + 1).as_bytes()));
        }
        assert!(table.ends_with(&format!("startxref\n{xref}\n%%EOF\n")));
    }
}
