//! Hand-built workbooks for the corners of SpreadsheetML that the fixture writers do not produce.

use fazt_libxlsx::{ErrorKind, parse};

use crate::support::workbook;

/// Parses a one-sheet workbook and returns its rows.
fn rows(sheet_data: &str, shared_strings: Option<&str>, styles: Option<&str>) -> Vec<Vec<String>> {
    parse(&workbook(sheet_data, shared_strings, styles), None).unwrap()
}

fn error_kind(sheet_data: &str, shared_strings: Option<&str>, styles: Option<&str>) -> ErrorKind {
    parse(&workbook(sheet_data, shared_strings, styles), None)
        .unwrap_err()
        .kind()
}

/// Cell styles 0..: General, a date (built-in 14), a custom date format, `[h]:mm`.
const DATE_STYLES: &str = r#"<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\ hh:mm"/><numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"><alignment/></xf></cellXfs><dxfs count="1"><dxf><numFmt numFmtId="166" formatCode="yyyy"/></dxf></dxfs>"#;

#[test]
fn styles_pick_number_kinds_from_cell_xfs_only() {
    let sheet = r#"<row r="1"><c r="A1"><v>45306.25</v></c><c r="B1" s="1"><v>45306.25</v></c><c r="C1" s="2"><v>45306.25</v></c><c r="D1" s="3"><v>1.25</v></c><c r="E1" s="9"><v>2</v></c></row>"#;
    assert_eq!(
        rows(sheet, None, Some(DATE_STYLES)),
        [[
            "45306.25",
            "2024-01-15T06:00:00",
            "2024-01-15T06:00:00",
            "30:00:00",
            "2"
        ]]
    );
}

#[test]
fn a_custom_format_can_redefine_a_builtin_id() {
    let styles = r#"<numFmts count="1"><numFmt numFmtId="14" formatCode="0.00"/></numFmts><cellXfs count="1"><xf numFmtId="14"/></cellXfs>"#;
    assert_eq!(
        rows(r#"<row><c><v>3.5</v></c></row>"#, None, Some(styles)),
        [["3.5"]]
    );
}

#[test]
fn locale_date_ids_are_dates() {
    let styles = r#"<cellXfs count="2"><xf numFmtId="31"/><xf numFmtId="57"/></cellXfs>"#;
    assert_eq!(
        rows(
            r#"<row><c s="0"><v>45306</v></c><c s="1"><v>45306</v></c></row>"#,
            None,
            Some(styles)
        ),
        [["2024-01-15", "2024-01-15"]]
    );
}

#[test]
fn iso_date_cells_are_normalised() {
    let sheet = r#"<row><c t="d"><v>2024-01-15T00:00:00Z</v></c><c t="d"><v>2024-01-15T08:30:00.400</v></c><c t="d"><v>soon</v></c></row>"#;
    assert_eq!(
        rows(sheet, None, None),
        [["2024-01-15", "2024-01-15T08:30:00", "soon"]]
    );
}

#[test]
fn text_escapes_and_line_ends_follow_xml_and_excel() {
    let shared = "<si><t>a\r\nb</t></si><si><t>c&#13;d</t></si><si><t><![CDATA[<raw & text>]]></t></si><si><t>&#x1F600;&lt;&apos;</t></si><si><r><t>x_x000D_</t></r><r><t>_x000A_y</t></r></si>";
    let sheet = r#"<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c><c t="s"><v> 4 </v></c></row>"#;
    assert_eq!(
        rows(sheet, Some(shared), None),
        [["a\nb", "c\rd", "<raw & text>", "😀<'", "x\r\ny"]]
    );
}

#[test]
fn a_utf8_byte_order_mark_is_skipped() {
    let sheet = "\u{feff}<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row><c t=\"inlineStr\"><is><t>bom</t></is></c></row></sheetData></worksheet>";
    let relationships = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let workbook_xml = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let archive = crate::support::stored_zip(&[
        ("xl/workbook.xml", workbook_xml.as_bytes()),
        ("xl/_rels/workbook.xml.rels", relationships.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    assert_eq!(parse(&archive, None).unwrap(), [["bom"]]);
}

#[test]
fn values_of_every_type_print_as_documented() {
    let sheet = r#"<row>
        <c t="b"><v>1</v></c><c t="b"><v>0</v></c>
        <c t="e"><v>#DIV/0!</v></c>
        <c t="str"><f>A1</f><v>from formula</v></c>
        <c><f>1+1</f></c>
        <c><v> 12 </v></c>
        <c><v>1.0E-3</v></c>
        <c><v>not a number</v></c>
        <c t="inlineStr"><is><t>inline</t></is></c>
        <c t="n"><v></v></c>
    </row>"#;
    assert_eq!(
        rows(sheet, None, None),
        [[
            "TRUE",
            "FALSE",
            "#DIV/0!",
            "from formula",
            "",
            "12",
            "0.001",
            "not a number",
            "inline"
        ]]
    );
}

#[test]
fn empty_string_cells_count_toward_the_range_but_styled_blanks_do_not() {
    let shared = "<si><t></t></si>";
    let sheet = r#"<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" s="1"/><c r="D2" s="1"></c></row><row r="3"><c r="B3"><v>1</v></c></row>"#;
    assert_eq!(rows(sheet, Some(shared), None), [[""], ["1"]]);
}

#[test]
fn rows_and_cells_without_references_are_placed_sequentially() {
    let sheet = r#"<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row><row r="4"><c r="C4"><v>4</v></c><c><v>5</v></c></row><row><c><v>6</v></c></row>"#;
    assert_eq!(
        rows(sheet, None, None),
        [
            ["1", "2", "", ""],
            ["3", "", "", ""],
            ["", "", "", ""],
            ["", "", "4", "5"],
            ["6", "", "", ""]
        ]
    );
}

#[test]
fn a_later_cell_at_the_same_position_wins() {
    let sheet = r#"<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>"#;
    assert_eq!(rows(sheet, None, None), [["2"]]);
}

#[test]
fn bad_references_and_indexes_are_invalid_input() {
    assert_eq!(
        error_kind(r#"<row r="0"/>"#, None, None),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        error_kind(r#"<row><c r="XFE1"><v>1</v></c></row>"#, None, None),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        error_kind(r#"<row r="1048577"/>"#, None, None),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        error_kind(
            r#"<row><c t="s"><v>5</v></c></row>"#,
            Some("<si><t>only</t></si>"),
            None
        ),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        error_kind(r#"<row><c t="s"><v>x</v></c></row>"#, None, None),
        ErrorKind::InvalidInput
    );
}

#[test]
fn custom_entities_are_refused() {
    // A DOCTYPE may declare entities (the billion laughs attack); none is ever expanded.
    let sheet = r#"<row><c t="inlineStr"><is><t>&lol;</t></is></c></row>"#;
    assert_eq!(error_kind(sheet, None, None), ErrorKind::InvalidInput);
}

#[test]
fn invalid_utf8_is_invalid_input() {
    let sheet = "<row><c t=\"inlineStr\"><is><t>\u{fffd}</t></is></c></row>";
    let mut input = workbook(sheet, None, None);
    // Replace the UTF-8 encoding of U+FFFD (EF BF BD) with a lone continuation byte.
    let position = input
        .windows(3)
        .position(|w| w == [0xef, 0xbf, 0xbd])
        .unwrap();
    input[position] = 0xbf;
    assert_eq!(
        parse(&input, None).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}
