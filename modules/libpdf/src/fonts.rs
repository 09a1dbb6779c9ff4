//! The standard 14 fonts we draw with: WinAnsiEncoding and the Adobe AFM glyph widths.
//!
//! Every glyph is one byte of WinAnsiEncoding (Windows code page 1252), so text is stored and
//! measured as bytes and no font is embedded. Widths are in thousandths of the font size, taken
//! from Adobe's AFM metrics for Helvetica and Helvetica-Bold; the oblique faces share their
//! upright widths and every Courier glyph is 600 units wide.

/// One of the eight standard fonts the renderer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Helvetica,
    HelveticaBold,
    HelveticaOblique,
    HelveticaBoldOblique,
    Courier,
    CourierBold,
    CourierOblique,
    CourierBoldOblique,
}

impl Font {
    /// All fonts, in the order of their resource names `/F1` .. `/F8`.
    pub(crate) const ALL: [Font; 8] = [
        Font::Helvetica,
        Font::HelveticaBold,
        Font::HelveticaOblique,
        Font::HelveticaBoldOblique,
        Font::Courier,
        Font::CourierBold,
        Font::CourierOblique,
        Font::CourierBoldOblique,
    ];

    /// Picks the face for a combination of bold, italic and monospace.
    pub(crate) fn select(bold: bool, italic: bool, monospace: bool) -> Font {
        match (monospace, bold, italic) {
            (false, false, false) => Font::Helvetica,
            (false, true, false) => Font::HelveticaBold,
            (false, false, true) => Font::HelveticaOblique,
            (false, true, true) => Font::HelveticaBoldOblique,
            (true, false, false) => Font::Courier,
            (true, true, false) => Font::CourierBold,
            (true, false, true) => Font::CourierOblique,
            (true, true, true) => Font::CourierBoldOblique,
        }
    }

    /// Position in [`Font::ALL`], also the bit used in font-usage masks.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The PostScript name written as `/BaseFont`.
    pub(crate) fn base_name(self) -> &'static [u8] {
        match self {
            Font::Helvetica => b"Helvetica",
            Font::HelveticaBold => b"Helvetica-Bold",
            Font::HelveticaOblique => b"Helvetica-Oblique",
            Font::HelveticaBoldOblique => b"Helvetica-BoldOblique",
            Font::Courier => b"Courier",
            Font::CourierBold => b"Courier-Bold",
            Font::CourierOblique => b"Courier-Oblique",
            Font::CourierBoldOblique => b"Courier-BoldOblique",
        }
    }

    /// The name of the font in each page's resource dictionary.
    pub(crate) fn resource_name(self) -> &'static [u8] {
        const NAMES: [&[u8]; 8] = [b"F1", b"F2", b"F3", b"F4", b"F5", b"F6", b"F7", b"F8"];
        NAMES[self.index()]
    }

    /// Advance width of one WinAnsi byte, in thousandths of the font size.
    pub(crate) fn width_units(self, byte: u8) -> u16 {
        let table = match self {
            Font::Helvetica | Font::HelveticaOblique => &HELVETICA_WIDTHS,
            Font::HelveticaBold | Font::HelveticaBoldOblique => &HELVETICA_BOLD_WIDTHS,
            Font::Courier | Font::CourierBold | Font::CourierOblique | Font::CourierBoldOblique => {
                return 600;
            }
        };
        match byte.checked_sub(0x20) {
            Some(index) => table[usize::from(index)],
            None => 0,
        }
    }

    /// Width of `bytes` set in this font at `size_pt`, in points.
    pub(crate) fn text_width_pt(self, bytes: &[u8], size_pt: f32) -> f32 {
        let units: u32 = bytes.iter().map(|&b| u32::from(self.width_units(b))).sum();
        units as f32 * size_pt / 1000.0
    }
}

/// What one Unicode scalar becomes in WinAnsiEncoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoded {
    /// A glyph byte. 0xA0 is kept as a non-breaking space and drawn as a space.
    Byte(u8),
    /// Nothing is drawn (soft hyphen, zero-width characters, control characters).
    Skip,
}

/// The byte drawn in place of characters WinAnsiEncoding has no glyph for.
pub(crate) const REPLACEMENT: u8 = b'?';

/// Maps a character to its WinAnsi byte; characters without a glyph become `?`.
pub(crate) fn encode(c: char) -> Encoded {
    let code = u32::from(c);
    let byte = match code {
        0x20..=0x7E | 0xA0..=0xAC | 0xAE..=0xFF => code as u8,
        // Zero-width characters and the soft hyphen: browsers draw nothing for them.
        0xAD | 0x200B..=0x200F | 0x2060 | 0xFEFF => return Encoded::Skip,
        0x00..=0x1F | 0x7F..=0x9F => return Encoded::Skip,
        0x20AC => 0x80,
        0x201A => 0x82,
        0x0192 => 0x83,
        0x201E => 0x84,
        0x2026 => 0x85,
        0x2020 => 0x86,
        0x2021 => 0x87,
        0x02C6 => 0x88,
        0x2030 => 0x89,
        0x0160 => 0x8A,
        0x2039 => 0x8B,
        0x0152 => 0x8C,
        0x017D => 0x8E,
        0x2018 => 0x91,
        0x2019 => 0x92,
        0x201C => 0x93,
        0x201D => 0x94,
        0x2022 => 0x95,
        0x2013 => 0x96,
        0x2014 => 0x97,
        0x02DC => 0x98,
        0x2122 => 0x99,
        0x0161 => 0x9A,
        0x203A => 0x9B,
        0x0153 => 0x9C,
        0x017E => 0x9E,
        0x0178 => 0x9F,
        // Close stand-ins that keep the text readable rather than turning into `?`.
        0x2010 | 0x2011 | 0x2212 => b'-',
        0x2007 | 0x202F => 0xA0,
        0x2000..=0x2006 | 0x2008..=0x200A | 0x205F | 0x3000 => b' ',
        0x2044 => b'/',
        0x2023 | 0x2043 | 0x2219 | 0x25CF | 0x25E6 => 0x95,
        _ => REPLACEMENT,
    };
    Encoded::Byte(byte)
}

/// Maps a Windows-1252 byte in 0x80..=0x9F back to its character (for `&#150;` and the like).
pub(crate) fn windows_1252_c1(code: u32) -> Option<char> {
    let c = match code {
        0x80 => '\u{20AC}',
        0x82 => '\u{201A}',
        0x83 => '\u{0192}',
        0x84 => '\u{201E}',
        0x85 => '\u{2026}',
        0x86 => '\u{2020}',
        0x87 => '\u{2021}',
        0x88 => '\u{02C6}',
        0x89 => '\u{2030}',
        0x8A => '\u{0160}',
        0x8B => '\u{2039}',
        0x8C => '\u{0152}',
        0x8E => '\u{017D}',
        0x91 => '\u{2018}',
        0x92 => '\u{2019}',
        0x93 => '\u{201C}',
        0x94 => '\u{201D}',
        0x95 => '\u{2022}',
        0x96 => '\u{2013}',
        0x97 => '\u{2014}',
        0x98 => '\u{02DC}',
        0x99 => '\u{2122}',
        0x9A => '\u{0161}',
        0x9B => '\u{203A}',
        0x9C => '\u{0153}',
        0x9E => '\u{017E}',
        0x9F => '\u{0178}',
        _ => return None,
    };
    Some(c)
}

// Advance widths for WinAnsi bytes 0x20..=0xFF from Adobe's AFM files (facts, not code).
// Bytes WinAnsiEncoding leaves undefined have width 0; `encode` never produces them.
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,  // 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,  // 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,  // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,  // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,  // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,  // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,  // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,  // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,  // 0xF0
];
#[rustfmt::skip]
const HELVETICA_BOLD_WIDTHS: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,  // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,  // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,  // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,  // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,  // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,  // 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,  // 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,  // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,  // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,  // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,  // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,  // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,  // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,  // 0xF0
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helvetica_widths_match_afm_samples() {
        assert_eq!(Font::Helvetica.width_units(b' '), 278);
        assert_eq!(Font::Helvetica.width_units(b'W'), 944);
        assert_eq!(Font::HelveticaBold.width_units(b'W'), 944);
        assert_eq!(Font::Helvetica.width_units(b'i'), 222);
        assert_eq!(Font::HelveticaBold.width_units(b'i'), 278);
        assert_eq!(Font::HelveticaOblique.width_units(0xE9), 556);
        assert_eq!(Font::Helvetica.width_units(0x80), 556);
        assert_eq!(Font::Helvetica.width_units(0x97), 1000);
        assert_eq!(Font::Courier.width_units(b'i'), 600);
    }

    #[test]
    fn text_width_scales_with_size() {
        let width = Font::Helvetica.text_width_pt(b"Hello", 10.0);
        // H 722 + e 556 + l 222 + l 222 + o 556 = 2278 units.
        assert!((width - 22.78).abs() < 1e-4);
    }

    #[test]
    fn encoding_covers_latin1_and_windows_extras() {
        assert_eq!(encode('A'), Encoded::Byte(b'A'));
        assert_eq!(encode('é'), Encoded::Byte(0xE9));
        assert_eq!(encode('ß'), Encoded::Byte(0xDF));
        assert_eq!(encode('€'), Encoded::Byte(0x80));
        assert_eq!(encode('•'), Encoded::Byte(0x95));
        assert_eq!(encode('—'), Encoded::Byte(0x97));
        assert_eq!(encode('“'), Encoded::Byte(0x93));
        assert_eq!(encode('\u{AD}'), Encoded::Skip);
        assert_eq!(encode('\u{1}'), Encoded::Skip);
        assert_eq!(encode('漢'), Encoded::Byte(REPLACEMENT));
        assert_eq!(encode('😀'), Encoded::Byte(REPLACEMENT));
    }

    #[test]
    fn every_encoded_byte_has_a_width() {
        for code in 0..0x3000u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            if let Encoded::Byte(byte) = encode(c) {
                assert!(Font::Helvetica.width_units(byte) > 0, "{c:?}");
                assert!(Font::HelveticaBold.width_units(byte) > 0, "{c:?}");
            }
        }
    }

    #[test]
    fn c1_bytes_round_trip_through_encode() {
        for code in 0x80..=0x9F {
            if let Some(c) = windows_1252_c1(code) {
                assert_eq!(encode(c), Encoded::Byte(code as u8));
            }
        }
    }
}
