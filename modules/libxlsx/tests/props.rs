//! Property tests: no input makes the crate panic, and cell text survives a round trip.

use fazt_libxlsx::{parse, sheets};
use proptest::prelude::*;

use crate::support::{escape_cell_text, fixture, workbook};

/// 64 cases unless PROPTEST_CASES asks for more.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    config
}

/// Small real files to mutate: one per writer, plus the shared-strings one.
const SEED_FILES: &[&str] = &[
    "strings_shared.xlsx",
    "numbers.xlsx",
    "dates.xlsx",
    "libreoffice.xlsx",
    "prefixed.xlsx",
    "multiple_sheets.xlsx",
];

/// A sheet touching every cell type, for XML-level mutation.
const SEED_SHEET_DATA: &str = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>45306.5</v></c><c r="C1" t="inlineStr"><is><r><t>a&amp;b</t></r><rPh><t>x</t></rPh></is></c></row><row r="2"><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="str"><f>A1</f><v>s_x000D_</v></c><c t="d"><v>2024-01-15T12:00:00</v></c></row>"#;
const SEED_SHARED_STRINGS: &str =
    r#"<si><t xml:space="preserve"> shared </t></si><si><r><t>ri</t></r><r><t>ch</t></r></si>"#;
const SEED_STYLES: &str = r#"<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>"#;

/// Characters that make XML interesting when dropped in at random.
const XML_NOISE: &[&str] = &[
    "<",
    ">",
    "/",
    "\"",
    "'",
    "&",
    ";",
    "=",
    "<c>",
    "</c>",
    "<row>",
    "</row>",
    "<v>",
    "</v>",
    "<is>",
    "</t>",
    "&#0;",
    "&#xFFFF;",
    "&bogus;",
    "<![CDATA[x]]>",
    "<!--",
    "r=\"XFD1048577\"",
    "r=\"A0\"",
    "t=\"s\"",
    "s=\"99\"",
    "_x",
    "\u{0}",
    "\u{fffd}",
    "9e999",
    "-",
    "r=\"ZZZZ1\"",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_give_ok_or_err(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = parse(&bytes, None);
        let _ = sheets(&bytes);
    }

    #[test]
    fn zip_looking_bytes_give_ok_or_err(tail in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend_from_slice(&tail);
        bytes.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0\x2e\0\0\0\0\0\0\0\0\0");
        let _ = parse(&bytes, None);
    }

    #[test]
    fn mutated_real_files_never_panic(
        seed in 0..SEED_FILES.len(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        truncate in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = fixture(SEED_FILES[seed]);
        for (position, byte) in flips {
            let position = position.index(bytes.len());
            bytes[position] = byte;
        }
        if let Some(length) = truncate {
            bytes.truncate(length.index(bytes.len()));
        }
        let _ = parse(&bytes, None);
        let _ = sheets(&bytes);
    }

    #[test]
    fn mutated_sheet_xml_never_panics(
        part in 0..3usize,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..XML_NOISE.len(), 0..4usize), 1..8),
    ) {
        let mut texts = [SEED_SHEET_DATA.to_owned(), SEED_SHARED_STRINGS.to_owned(), SEED_STYLES.to_owned()];
        let text = &mut texts[part];
        for (position, noise, deleted) in edits {
            let mut start = position.index(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + deleted).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, XML_NOISE[noise]);
        }
        let input = workbook(&texts[0], Some(&texts[1]), Some(&texts[2]));
        let _ = parse(&input, None);
    }

    #[test]
    fn inline_strings_read_back_unchanged(
        grid in proptest::collection::vec(
            proptest::collection::vec("[\\PC\t\n\r_x0-9A-F]{0,12}", 1..4),
            1..4,
        ),
    ) {
        let width = grid.iter().map(Vec::len).max().unwrap();
        let sheet_data: String = grid
            .iter()
            .enumerate()
            .map(|(row, cells)| {
                let cells: String = cells
                    .iter()
                    .enumerate()
                    .map(|(column, text)| {
                        let reference = format!("{}{}", char::from(b'A' + column as u8), row + 1);
                        format!(r#"<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#, escape_cell_text(text))
                    })
                    .collect();
                format!(r#"<row r="{}">{cells}</row>"#, row + 1)
            })
            .collect();
        let expected: Vec<Vec<String>> = grid
            .iter()
            .map(|cells| {
                let mut row = cells.clone();
                row.resize(width, String::new());
                row
            })
            .collect();
        prop_assert_eq!(parse(&workbook(&sheet_data, None, None), None).unwrap(), expected);
    }

    #[test]
    fn numbers_read_back_as_the_same_double(bits in any::<u64>()) {
        let number = f64::from_bits(bits);
        prop_assume!(number.is_finite());
        let sheet_data = format!(r#"<row r="1"><c r="A1"><v>{number:e}</v></c><c r="B1"><v>{number}</v></c></row>"#);
        let rows = parse(&workbook(&sheet_data, None, None), None).unwrap();
        for text in &rows[0] {
            prop_assert_eq!(text.parse::<f64>().unwrap(), number);
            prop_assert!(!text.contains(".e") && !text.ends_with('.') && !text.contains("e+0"), "{}", text);
        }
        prop_assert_eq!(&rows[0][0], &rows[0][1]);
    }
}
