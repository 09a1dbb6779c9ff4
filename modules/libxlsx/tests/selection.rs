//! Choosing a sheet by name or index, and what happens when the choice does not exist.

use fazt_libxlsx::{ErrorKind, SheetSelector, parse, sheets};

use crate::support::fixture;

#[test]
fn no_selector_reads_the_first_sheet_in_workbook_order() {
    // multiple_sheets.xlsx stores "First" in sheet3.xml with sheetId 3.
    let input = fixture("multiple_sheets.xlsx");
    assert_eq!(parse(&input, None).unwrap(), [["first", "sheet"]]);
}

#[test]
fn hidden_sheets_are_listed_and_selectable() {
    let input = fixture("multiple_sheets.xlsx");
    assert_eq!(sheets(&input).unwrap()[2], "Third & last");
    assert_eq!(
        parse(&input, Some(SheetSelector::Index(2))).unwrap(),
        [["third"]]
    );
}

#[test]
fn sheet_names_match_ignoring_case_when_nothing_matches_exactly() {
    let input = fixture("multiple_sheets.xlsx");
    let rows = parse(&input, Some(SheetSelector::Name("SECOND".into()))).unwrap();
    assert_eq!(rows, [["sheet", "two"], ["2", ""]]);
}

#[test]
fn unknown_sheet_name_is_a_bad_argument() {
    let input = fixture("multiple_sheets.xlsx");
    let error = parse(&input, Some(SheetSelector::Name("Fourth".into()))).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadArgument);
}

#[test]
fn sheet_index_past_the_end_is_a_bad_argument() {
    let input = fixture("multiple_sheets.xlsx");
    let error = parse(&input, Some(SheetSelector::Index(3))).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadArgument);
}

#[test]
fn unsupported_formats_say_what_they_are() {
    let encrypted = parse(&fixture("encrypted.xlsx"), None).unwrap_err();
    assert_eq!(encrypted.kind(), ErrorKind::Unsupported);
    assert!(encrypted.to_string().contains("encrypted"), "{encrypted}");
    let legacy = parse(&fixture("legacy.xls"), None).unwrap_err();
    assert_eq!(legacy.kind(), ErrorKind::Unsupported);
    assert!(legacy.to_string().contains(".xls"), "{legacy}");
    let ods = parse(&fixture("spreadsheet.ods"), None).unwrap_err();
    assert!(ods.to_string().contains(".ods"), "{ods}");
    let xlsb = parse(&fixture("binary_workbook.xlsx"), None).unwrap_err();
    assert!(xlsb.to_string().contains(".xlsb"), "{xlsb}");
}
