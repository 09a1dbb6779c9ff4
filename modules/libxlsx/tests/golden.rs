//! Golden tests: each workbook in tests/data/libxlsx against the JSON that make_fixtures.py wrote.

use fazt_libxlsx::{ParseOptions, RangeOrigin, SheetSelector, parse, parse_with, sheets, to_json};
use serde_json::Value;

use crate::support::{data_dir, fixture, kind_name};

/// Reads `<name>.json` and checks `sheets`, `parse` by name, by index and with no selector, and
/// `parse_with` from A1, against it.
fn check_golden(name: &str) {
    let golden: Value = serde_json::from_slice(&fixture(&format!("{name}.json"))).unwrap();
    let input = fixture(golden["file"].as_str().unwrap());
    if let Some(kind) = golden["sheets"].get("error") {
        let error = sheets(&input).expect_err("sheets() should fail");
        assert_eq!(
            kind_name(&error),
            kind.as_str().unwrap(),
            "sheets(): {error}"
        );
        let error = parse(&input, None).expect_err("parse() should fail");
        assert_eq!(
            kind_name(&error),
            kind.as_str().unwrap(),
            "parse(): {error}"
        );
        return;
    }
    let names: Vec<String> = serde_json::from_value(golden["sheets"].clone()).unwrap();
    assert_eq!(sheets(&input).unwrap(), names);
    let from_a1 = ParseOptions {
        origin: RangeOrigin::A1,
        ..ParseOptions::default()
    };
    for (index, sheet_name) in names.iter().enumerate() {
        let by_name = parse(&input, Some(SheetSelector::Name(sheet_name.clone())));
        check_rows(
            &golden["rows"][sheet_name],
            by_name,
            &format!("{name}/{sheet_name}"),
        );
        let by_index = parse(&input, Some(SheetSelector::Index(index)));
        check_rows(
            &golden["rows"][sheet_name],
            by_index,
            &format!("{name}/#{index}"),
        );
        let a1 = parse_with(&input, Some(SheetSelector::Index(index)), &from_a1);
        check_rows(
            &golden["rows_a1"][sheet_name],
            a1,
            &format!("{name}/{sheet_name} from A1"),
        );
    }
    check_rows(
        &golden["rows"][&names[0]],
        parse(&input, None),
        &format!("{name}/default"),
    );
}

fn check_rows(
    expected: &Value,
    actual: Result<Vec<Vec<String>>, fazt_libxlsx::XlsxError>,
    what: &str,
) {
    match (expected.get("error"), actual) {
        (Some(kind), Err(error)) => {
            assert_eq!(kind_name(&error), kind.as_str().unwrap(), "{what}: {error}")
        }
        (Some(kind), Ok(rows)) => panic!("{what}: expected a {kind} error, got {rows:?}"),
        (None, Err(error)) => panic!("{what}: {error}"),
        (None, Ok(rows)) => {
            let expected: Vec<Vec<String>> = serde_json::from_value(expected.clone()).unwrap();
            assert_eq!(rows, expected, "{what}");
            let json: Vec<Vec<String>> = serde_json::from_str(&to_json(&rows)).unwrap();
            assert_eq!(json, expected, "{what}: to_json");
        }
    }
}

macro_rules! golden_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_golden(stringify!($name));
            }
        )*

        /// Every golden file has a test above, so a new fixture cannot be forgotten.
        #[test]
        fn every_golden_file_has_a_test() {
            let tested = [$(stringify!($name)),*];
            let mut untested: Vec<String> = std::fs::read_dir(data_dir())
                .unwrap()
                .filter_map(|entry| {
                    let name = entry.unwrap().file_name().into_string().unwrap();
                    name.strip_suffix(".json").map(str::to_owned)
                })
                .filter(|name| !tested.contains(&name.as_str()))
                .collect();
            untested.sort();
            assert!(untested.is_empty(), "golden files without a test: {untested:?}");
        }
    };
}

golden_tests!(
    bad_reference,
    binary_workbook,
    dates,
    dates_1904,
    empty_sheets,
    encrypted,
    far_corner,
    formulas,
    inline_constant_memory,
    legacy,
    libreoffice,
    malformed_xml,
    missing_workbook,
    multiple_sheets,
    no_references,
    no_styles,
    not_a_zip,
    numbers,
    openpyxl_1904,
    openpyxl_types,
    prefixed,
    sparse,
    spreadsheet,
    strings_inline,
    strings_shared,
    too_many_cells,
    truncated,
    unclosed_xml,
    zip_bomb_declared,
    zip_bomb_ratio,
    zip_many_entries,
    zip64_local_headers,
);
