//! Limits from ParseOptions: each stops a hostile or oversized input with a Limit error.

use fazt_libxlsx::{ErrorKind, ParseOptions, parse, parse_with};

use crate::support::{fixture, workbook};

#[test]
fn zip_bomb_is_caught_by_the_ratio_check_by_default() {
    let error = parse(&fixture("zip_bomb_ratio.xlsx"), None).unwrap_err();
    assert!(error.is_limit(), "{error}");
}

#[test]
fn zip_bomb_is_caught_by_the_entry_limit_while_streaming_without_the_ratio_check() {
    let options = ParseOptions {
        max_compression_ratio: u64::MAX,
        max_entry_uncompressed_bytes: 16 << 20,
        ..ParseOptions::default()
    };
    let error = parse_with(&fixture("zip_bomb_ratio.xlsx"), None, &options).unwrap_err();
    assert!(error.is_limit(), "{error}");
}

#[test]
fn zip_bomb_is_caught_by_the_total_limit_without_the_other_checks() {
    let options = ParseOptions {
        max_compression_ratio: u64::MAX,
        max_total_uncompressed_bytes: 8 << 20,
        ..ParseOptions::default()
    };
    let error = parse_with(&fixture("zip_bomb_ratio.xlsx"), None, &options).unwrap_err();
    assert!(error.is_limit(), "{error}");
}

#[test]
fn zip_bomb_is_caught_by_the_token_limit_without_the_ratio_check() {
    // The bomb is one 64 MiB run of whitespace, which the XML reader would buffer whole.
    let options = ParseOptions {
        max_compression_ratio: u64::MAX,
        ..ParseOptions::default()
    };
    let error = parse_with(&fixture("zip_bomb_ratio.xlsx"), None, &options).unwrap_err();
    assert!(error.is_limit(), "{error}");
}

#[test]
fn without_any_limit_the_lying_directory_is_still_an_error() {
    let options = ParseOptions {
        max_compression_ratio: u64::MAX,
        max_xml_token_bytes: u64::MAX,
        ..ParseOptions::default()
    };
    let error = parse_with(&fixture("zip_bomb_ratio.xlsx"), None, &options).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
}

#[test]
fn shared_string_count_is_limited() {
    let options = ParseOptions {
        max_shared_strings: 3,
        ..ParseOptions::default()
    };
    let error = parse_with(&fixture("strings_shared.xlsx"), None, &options).unwrap_err();
    assert!(error.is_limit(), "{error}");
}

#[test]
fn text_repeated_through_shared_strings_is_limited() {
    // One 1000-byte shared string referenced by 100 cells: 100 kB of output from a tiny sheet.
    let long = "x".repeat(1000);
    let cells: String = (1..=100)
        .map(|row| format!(r#"<row r="{row}"><c r="A{row}" t="s"><v>0</v></c></row>"#))
        .collect();
    let input = workbook(&cells, Some(&format!("<si><t>{long}</t></si>")), None);
    assert_eq!(parse(&input, None).unwrap().len(), 100);
    let options = ParseOptions {
        max_text_bytes: 50_000,
        ..ParseOptions::default()
    };
    assert!(parse_with(&input, None, &options).unwrap_err().is_limit());
}

#[test]
fn cell_count_is_limited_before_the_rectangle_is_built() {
    let options = ParseOptions {
        max_cells: 8,
        ..ParseOptions::default()
    };
    // 3 × 3 from two corners: refused although only two cells are stored.
    let input = workbook(
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="C3"><v>2</v></c></row>"#,
        None,
        None,
    );
    assert!(parse_with(&input, None, &options).unwrap_err().is_limit());
    let input = workbook(
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="D2"><v>2</v></c></row>"#,
        None,
        None,
    );
    assert_eq!(parse_with(&input, None, &options).unwrap().len(), 2);
}

#[test]
fn zip_entry_count_is_limited() {
    let options = ParseOptions {
        max_zip_entries: 3,
        ..ParseOptions::default()
    };
    let error = parse_with(&fixture("sparse.xlsx"), None, &options).unwrap_err();
    assert!(error.is_limit(), "{error}");
}

#[test]
fn one_long_xml_token_is_limited() {
    let long = "y".repeat(300_000);
    let input = workbook(
        &format!(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>{long}</t></is></c></row>"#),
        None,
        None,
    );
    assert_eq!(parse(&input, None).unwrap(), [[long]]);
    let options = ParseOptions {
        max_xml_token_bytes: 100_000,
        ..ParseOptions::default()
    };
    assert!(parse_with(&input, None, &options).unwrap_err().is_limit());
}

#[test]
fn deep_nesting_is_limited() {
    let depth = 10_000;
    let nested = format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth));
    let input = workbook(&nested, None, None);
    assert!(parse(&input, None).unwrap_err().is_limit());
}
