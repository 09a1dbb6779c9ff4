#!/usr/bin/env python3
"""Generates the libxlsx test workbooks and their expected output into tests/data/libxlsx/.

Workbooks come from openpyxl, xlsxwriter and LibreOffice (when `soffice` is installed), plus
files crafted by rewriting those with zipfile (namespace prefixes, missing cell references,
zip bombs, malformed XML).

Each `<name>.json` next to a workbook says what the Rust crate must return for it:

    {
      "file": "<name>.xlsx",              # the input, next to the JSON
      "source": "...",                    # who wrote it, for humans
      "sheets": ["Sheet1", ...],          # or {"error": "<ErrorKind>"} when nothing can be read
      "rows": {"Sheet1": [["a", "1"]]},   # per sheet, default options; or {"error": "<ErrorKind>"}
      "rows_a1": {...}                    # the same with RangeOrigin::A1
    }

Expected rows are computed independently of the Rust code: from the values openpyxl reads
(`data_only=True`), formatted by the crate's documented rules (ECMAScript number text, ISO 8601
dates, TRUE/FALSE). Where openpyxl is known to differ from Excel (it does not decode `_x000D_`),
the expectation is patched by hand below, with a comment. Regenerating changes the workbooks'
bytes (timestamps) but not the JSON.

Usage: python3 modules/libxlsx/tests/make_fixtures.py   (needs openpyxl, xlsxwriter and
msoffcrypto-tool; LibreOffice's soffice and python-calamine are optional: the first adds the
LibreOffice fixtures, the second a cross-check against another reader)
"""

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import xlsxwriter
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font
from openpyxl.utils.datetime import CALENDAR_MAC_1904

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "tests" / "data" / "libxlsx"
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


# ---------------------------------------------------------------------------------------------
# Expected values, from openpyxl's reading of a file.
# ---------------------------------------------------------------------------------------------


def js_number(value: float) -> str:
    """ECMAScript Number.prototype.toString of a double, from Python's shortest repr."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    decimal = Decimal(repr(abs(value))).normalize()
    _, digit_tuple, exponent = decimal.as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + exponent  # value = 0.digits * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))
    return sign + text


def clock(total_seconds: int) -> str:
    return f"{total_seconds // 3600:02}:{total_seconds // 60 % 60:02}:{total_seconds % 60:02}"


def round_to_second(value: dt.datetime) -> dt.datetime:
    whole = value.replace(microsecond=0)
    return whole + dt.timedelta(seconds=1) if value.microsecond >= 500_000 else whole


def cell_text(value):
    """The crate's text for a value openpyxl read, or None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return js_number(float(value))
    if isinstance(value, dt.datetime):
        value = round_to_second(value)
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return clock(seconds + (1 if value.microsecond >= 500_000 else 0))
    if isinstance(value, dt.timedelta):
        return clock(round(value.total_seconds()))
    return str(value)


def rectangle(cells, from_a1):
    if not cells:
        return []
    rows = [r for r, _ in cells]
    cols = [c for _, c in cells]
    min_row, min_col = (1, 1) if from_a1 else (min(rows), min(cols))
    grid = [["" for _ in range(min_col, max(cols) + 1)] for _ in range(min_row, max(rows) + 1)]
    for (r, c), text in cells.items():
        grid[r - min_row][c - min_col] = text
    return grid


def expected_from_openpyxl(path, patches=None, limits=None):
    """Sheets and rows as openpyxl reads them, with hand patches {sheet: {(row, col): text}}."""
    workbook = openpyxl.load_workbook(path, data_only=True)
    expected = {"sheets": workbook.sheetnames, "rows": {}, "rows_a1": {}}
    for sheet in workbook.worksheets:
        cells = {}
        # The cells the file has, not iter_rows(): that would walk 17 billion for XFD1048576.
        for (row, column), cell in sheet._cells.items():
            text = cell_text(cell.value)
            if text is not None:
                cells[(row, column)] = text
        for position, text in ((patches or {}).get(sheet.title, {})).items():
            cells[position] = text
        for key, from_a1 in (("rows", False), ("rows_a1", True)):
            limit = (limits or {}).get((sheet.title, key))
            expected[key][sheet.title] = {"error": limit} if limit else rectangle(cells, from_a1)
    return expected


# ---------------------------------------------------------------------------------------------
# Helpers for writing and rewriting workbooks.
# ---------------------------------------------------------------------------------------------


def save_openpyxl(workbook, path):
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.save(path)


def new_xlsxwriter(path, **options):
    workbook = xlsxwriter.Workbook(path, options)
    workbook.set_properties({"created": FIXED_TIME})
    return workbook


def rewrite_zip(source, target, edit=None, drop=(), rename=None, add=None):
    """Copies a zip, passing each entry's bytes through edit(name, data)."""
    rename = rename or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            if edit:
                data = edit(info.filename, data)
            zout.writestr(rename.get(info.filename, info.filename), data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def write_expected(name, expected, source, file=None):
    document = {"file": file or f"{name}.xlsx", "source": source}
    document.update(expected)
    (OUT / f"{name}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")


def write_error_expected(name, kind, source, file=None):
    write_expected(name, {"sheets": {"error": kind}}, source, file)


# ---------------------------------------------------------------------------------------------
# The fixtures.
# ---------------------------------------------------------------------------------------------


def strings_shared():
    """xlsxwriter writes a shared string table; add a phonetic run by hand."""
    path = OUT / "strings_shared.xlsx"
    workbook = new_xlsxwriter(path)
    sheet = workbook.add_worksheet("Strings")
    bold = workbook.add_format({"bold": True})
    sheet.write_string("A1", "plain")
    sheet.write_string("B1", "trailing spaces  ")
    sheet.write_string("C1", "  leading")
    sheet.write_string("A2", "ünïcödé ✓ 😀")
    sheet.write_string("B2", "tab\there")
    sheet.write_string("C2", "line\nbreak")
    sheet.write_string("A3", "<xml> & \"quotes\" 'apos'")
    sheet.write_rich_string("B3", "plain ", bold, "bold", " end")
    sheet.write_string("C3", "")
    sheet.write_string("A4", "x_x000D_y\r\n")
    sheet.write_string("B4", "00123")
    sheet.write_string("C4", "=not a formula")
    sheet.write_string("A5", "漢字")
    workbook.close()

    def add_phonetic(name, data):
        if name == "xl/sharedStrings.xml":
            before = "<si><t>漢字</t></si>".encode()
            after = '<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/></si>'.encode()
            assert before in data
            data = data.replace(before, after)
        return data

    rewrite_zip(path, path.with_suffix(".tmp"), edit=add_phonetic)
    path.with_suffix(".tmp").replace(path)
    # openpyxl reads `_x005F_x000D_` as `_x000D_` but leaves Excel's `_x000D_` (a CR) encoded;
    # Excel shows the string as written: `x_x000D_y` followed by CR LF.
    expected = expected_from_openpyxl(path, patches={"Strings": {(4, 1): "x_x000D_y\r\n"}})
    write_expected("strings_shared", expected, "xlsxwriter, plus a hand-added rPh run")


def strings_inline():
    """openpyxl writes every string inline (t="inlineStr"), rich text as runs, and no sharedStrings.xml."""
    path = OUT / "strings_inline.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Inline"
    sheet["A1"] = "inline"
    sheet["B1"] = CellRichText(["rich ", TextBlock(InlineFont(b=True), "bold"), " text"])
    sheet["A2"] = "a & b < c"
    sheet["B2"] = "multi\nline"
    sheet["A3"] = "ends with space "
    save_openpyxl(workbook, path)
    write_expected("strings_inline", expected_from_openpyxl(path), "openpyxl")


def inline_constant_memory():
    """xlsxwriter's constant_memory mode writes inline strings and rows as it goes."""
    path = OUT / "inline_constant_memory.xlsx"
    workbook = new_xlsxwriter(path, constant_memory=True)
    sheet = workbook.add_worksheet("Stream")
    for row in range(5):
        sheet.write_string(row, 0, f"row {row}")
        sheet.write_number(row, 1, row * 1.5)
        sheet.write_boolean(row, 2, row % 2 == 0)
    workbook.close()
    write_expected("inline_constant_memory", expected_from_openpyxl(path), "xlsxwriter constant_memory")


def numbers():
    path = OUT / "numbers.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Numbers"
    values = [
        [0, 1, -1, 42, 100],
        [1.5, -0.25, 0.1 + 0.2, 1 / 3, 12345.678],
        [2**53 + 1, 123456789012345678, 1e20, 1e21, -1.5e300],
        [1e-6, 1e-7, -2.5e-10, 5e-324, 1.7976931348623157e308],
        [-0.0, 3.0, True, False, "=1+1"],
        ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?"],
        ["#NUM!", "#NULL!", None, 7, None],
    ]
    for row in values:
        sheet.append(row)
    source = path.with_suffix(".tmp")
    save_openpyxl(workbook, source)

    # openpyxl writes 16 significant digits; Excel writes 17 and an upper-case exponent.
    # Put Excel's spelling of some values in by hand.
    excel_spelling = {
        b"<v>0.3</v>": b"<v>0.30000000000000004</v>",
        b"<v>12345.678</v>": b"<v>2.3999999999999999</v>",
        b"<v>1.797693134862316e+308</v>": b"<v>1.7976931348623157E+308</v>",
        b"<v>1e+21</v>": b"<v>1E+21</v>",
    }

    def respell(name, data):
        if name == "xl/worksheets/sheet1.xml":
            for before, after in excel_spelling.items():
                assert before in data, before
                data = data.replace(before, after)
        return data

    rewrite_zip(source, path, edit=respell)
    source.unlink()
    write_expected("numbers", expected_from_openpyxl(path), "openpyxl, some values respelled as Excel writes them; formula without cached value at E5")


def formulas():
    """xlsxwriter writes formulas with cached results of every type."""
    path = OUT / "formulas.xlsx"
    workbook = new_xlsxwriter(path)
    sheet = workbook.add_worksheet("Formulas")
    sheet.write_string("A1", "number")
    sheet.write_formula("B1", "=1+2", None, 3)
    sheet.write_string("A2", "float")
    sheet.write_formula("B2", "=0.1+0.2", None, 0.1 + 0.2)
    sheet.write_string("A3", "string")
    sheet.write_formula("B3", '="a"&"b"', None, "ab")
    sheet.write_string("A4", "empty string")
    sheet.write_formula("B4", '=""', None, "")
    sheet.write_string("A5", "true")
    sheet.write_formula("B5", "=1=1", None, True)
    sheet.write_string("A6", "false")
    sheet.write_formula("B6", "=1=2", None, False)
    sheet.write_string("A7", "div0")
    sheet.write_formula("B7", "=1/0", None, "#DIV/0!")
    sheet.write_string("A8", "na")
    sheet.write_formula("B8", "=NA()", None, "#N/A")
    sheet.write_string("A9", "default")
    sheet.write_formula("B9", "=B1*2")
    sheet.write_string("A10", "array")
    sheet.write_array_formula("B10:B10", "{=SUM(B1:B2)}", None, 3.3)
    sheet.write_string("A11", "date")
    sheet.write_formula("B11", "=DATE(2024,1,15)", workbook.add_format({"num_format": "yyyy-mm-dd"}), 45306)
    workbook.close()
    expected = expected_from_openpyxl(path)
    # openpyxl reads `<v></v>` of a t="str" formula as None; the cell has an (empty) string value,
    # so it is part of the range either way and its text is "".
    assert expected["rows"]["Formulas"][3][1] == ""
    write_expected("formulas", expected, "xlsxwriter with cached values")


def dates():
    path = OUT / "dates.xlsx"
    workbook = new_xlsxwriter(path)
    sheet = workbook.add_worksheet("Dates")
    rows = [
        ("builtin 14 date", 14, dt.datetime(2024, 1, 15)),
        ("builtin 22 datetime", 22, dt.datetime(2024, 1, 15, 13, 45, 30)),
        ("builtin 18 time", 18, dt.time(12, 0)),
        ("builtin 21 time", 21, dt.time(7, 5, 9)),
        ("builtin 45 mm:ss", 45, dt.time(0, 1, 30)),
        ("builtin 46 elapsed", 46, 1.5),
        ("builtin 47 mmss.0", 47, dt.time(0, 2, 3)),
        ("custom datetime", "yyyy-mm-dd hh:mm:ss", dt.datetime(2024, 2, 29, 23, 59, 58, 600000)),
        ("custom rounds to next day", "yyyy-mm-dd hh:mm:ss", dt.datetime(2024, 2, 29, 23, 59, 59, 700000)),
        ("custom d/m/y", "dd/mm/yyyy", dt.datetime(1999, 12, 31)),
        ("custom locale", "[$-409]mmmm d, yyyy;@", dt.datetime(2000, 2, 29)),
        ("custom am/pm", "h:mm AM/PM", dt.time(18, 30)),
        ("custom elapsed", "[h]:mm", 2.25),
        ("custom elapsed minutes", "[mm]:ss", 0.0625),
        ("number format", "0.00", 45306.5),
        ("quoted text format", '"day" 0', 12),
        ("colour and escapes", "[Red]#,##0.00\\ \"h\"", 3.5),
        ("serial 1", "yyyy-mm-dd", 1),
        ("serial 59", "yyyy-mm-dd", 59),
        ("serial 60", "yyyy-mm-dd", 60),
        ("serial 61", "yyyy-mm-dd", 61),
        ("serial 0", "yyyy-mm-dd", 0),
        ("negative serial", "yyyy-mm-dd", -1),
        ("string in date style", "yyyy-mm-dd", "not a date"),
        ("before 1900-03-01 with time", "yyyy-mm-dd hh:mm", 10.75),
        ("last day Excel shows", "yyyy-mm-dd", 2958465),
    ]
    for index, (label, number_format, value) in enumerate(rows):
        style = workbook.add_format({"num_format": number_format})
        sheet.write_string(index, 0, label)
        if isinstance(value, str):
            sheet.write_string(index, 1, value, style)
        elif isinstance(value, (dt.datetime, dt.time)):
            sheet.write_datetime(index, 1, value, style)
        else:
            sheet.write_number(index, 1, value, style)
    workbook.close()
    # openpyxl turns a negative serial into a date before 1900; Excel shows ##### and the crate
    # prints the number.
    expected = expected_from_openpyxl(path, patches={"Dates": {(23, 2): "-1"}})
    write_expected("dates", expected, "xlsxwriter with built-in and custom formats")


def dates_1904():
    path = OUT / "dates_1904.xlsx"
    workbook = new_xlsxwriter(path, date_1904=True)
    sheet = workbook.add_worksheet("Mac")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    time_format = workbook.add_format({"num_format": "hh:mm:ss"})
    sheet.write_datetime("A1", dt.datetime(2024, 1, 15), date_format)
    sheet.write_datetime("A2", dt.datetime(1904, 1, 2), date_format)
    sheet.write_datetime("A3", dt.datetime(1904, 2, 29, 6, 0, 0), datetime_format)
    sheet.write_datetime("A4", dt.time(23, 59, 59), time_format)
    sheet.write_number("A5", 60, date_format)
    sheet.write_number("A6", 60)
    workbook.close()
    write_expected("dates_1904", expected_from_openpyxl(path), "xlsxwriter date_1904")


def openpyxl_types():
    path = OUT / "openpyxl_types.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Types"
    sheet.append(["datetime", dt.datetime(2023, 7, 4, 9, 30, 15)])
    sheet.append(["date", dt.date(2023, 7, 4)])
    sheet.append(["time", dt.time(9, 30, 15)])
    sheet.append(["timedelta", dt.timedelta(days=1, hours=2, minutes=3, seconds=4)])
    sheet.append(["midnight datetime", dt.datetime(2023, 7, 4)])
    save_openpyxl(workbook, path)
    write_expected("openpyxl_types", expected_from_openpyxl(path), "openpyxl default date formats")

    path = OUT / "openpyxl_1904.xlsx"
    workbook = openpyxl.Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.title = "Mac"
    sheet.append([dt.datetime(2023, 7, 4, 9, 30, 15), dt.date(1904, 1, 5)])
    save_openpyxl(workbook, path)
    write_expected("openpyxl_1904", expected_from_openpyxl(path), "openpyxl with the 1904 epoch")


def multiple_sheets():
    """Three sheets whose files and sheetIds are shuffled, so only workbook order is right."""
    source = OUT / "multiple_sheets.tmp"
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "First"
    first.append(["first", "sheet"])
    second = workbook.create_sheet("Second")
    second.append(["sheet", "two"])
    second.append([2])
    third = workbook.create_sheet("Third & last")
    third.append(["third"])
    third.sheet_state = "hidden"
    save_openpyxl(workbook, source)

    def shuffle(name, data):
        text = data.decode()
        if name == "xl/workbook.xml":
            text = text.replace('sheetId="1"', 'sheetId="X3"').replace('sheetId="3"', 'sheetId="1"')
            text = text.replace('sheetId="X3"', 'sheetId="3"')
        if name == "xl/_rels/workbook.xml.rels":
            text = text.replace("sheet1.xml", "sheetX.xml").replace("sheet3.xml", "sheet1.xml")
            text = text.replace("sheetX.xml", "sheet3.xml")
        return text.encode()

    path = OUT / "multiple_sheets.xlsx"
    rewrite_zip(
        source,
        path,
        edit=shuffle,
        rename={"xl/worksheets/sheet1.xml": "xl/worksheets/sheet3.xml", "xl/worksheets/sheet3.xml": "xl/worksheets/sheet1.xml"},
    )
    source.unlink()
    expected = expected_from_openpyxl(path)
    assert expected["sheets"] == ["First", "Second", "Third & last"]
    write_expected("multiple_sheets", expected, "openpyxl, sheet files and sheetIds shuffled by hand")


def sparse():
    path = OUT / "sparse.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sparse"
    sheet["C3"] = "top-left"
    sheet["E7"] = 7
    sheet["D5"] = ""  # openpyxl writes an empty inline string with no <is>: no value
    sheet["H10"].font = Font(bold=True)  # styled, no value: not part of the range
    sheet["J12"] = "=1+1"  # formula without a cached value: not part of the range
    save_openpyxl(workbook, path)
    write_expected("sparse", expected_from_openpyxl(path), "openpyxl")


def empty_sheets():
    path = OUT / "empty_sheets.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Empty"
    styled = workbook.create_sheet("StyledOnly")
    styled["B2"].font = Font(italic=True)
    styled["C3"].number_format = "yyyy-mm-dd"
    data = workbook.create_sheet("Data")
    data["A1"] = 1
    save_openpyxl(workbook, path)
    write_expected("empty_sheets", expected_from_openpyxl(path), "openpyxl")


def far_corner():
    path = OUT / "far_corner.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Corner"
    workbook.active["XFD1048576"] = "corner"
    save_openpyxl(workbook, path)
    # From A1 the range would be 17 billion cells: a limit error, not an allocation.
    expected = expected_from_openpyxl(path, limits={("Corner", "rows_a1"): "Limit"})
    write_expected("far_corner", expected, "openpyxl, one cell at XFD1048576")

    path = OUT / "too_many_cells.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Huge"
    workbook.active["A1"] = "origin"
    workbook.active["XFD1048576"] = "corner"
    save_openpyxl(workbook, path)
    expected = {"sheets": ["Huge"], "rows": {"Huge": {"error": "Limit"}}, "rows_a1": {"Huge": {"error": "Limit"}}}
    write_expected("too_many_cells", expected, "openpyxl, cells at A1 and XFD1048576")


def prefixed():
    """Rewrites xlsxwriter's output the way the .NET Open XML SDK writes: `x:` element prefixes,
    a different prefix for r:id, and absolute relationship targets."""
    source = OUT / "prefixed.tmp"
    workbook = new_xlsxwriter(source)
    sheet = workbook.add_worksheet("Prefixed")
    sheet.write_string("A1", "shared")
    sheet.write_number("B1", 2.5)
    sheet.write_datetime("C1", dt.datetime(2024, 3, 1, 8, 0), workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    sheet.write_boolean("A2", True)
    sheet.write_formula("B2", "=B1*2", None, 5)
    workbook.close()
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def prefix(name, data):
        text = data.decode()
        if name in ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"):
            text = re.sub(r"<(/?)(?![?!])([A-Za-z]+)([\s/>])", r"<\1x:\2\3", text)
            text = text.replace(f'xmlns="{main_ns}"', f'xmlns:x="{main_ns}"')
            text = text.replace("xmlns:r=", "xmlns:rel=").replace(" r:id=", " rel:id=")
        if name.endswith(".rels"):
            text = re.sub(r'Target="(?!/)([^"]+)"', lambda m: f'Target="/xl/{m.group(1)}"' if "workbook.xml.rels" in name else f'Target="/{m.group(1)}"', text)
        return text.encode()

    path = OUT / "prefixed.xlsx"
    rewrite_zip(source, path, edit=prefix)
    source.unlink()
    with zipfile.ZipFile(path) as archive:
        assert "<x:c " in archive.read("xl/worksheets/sheet1.xml").decode()
        assert 'Target="/xl/worksheets/sheet1.xml"' in archive.read("xl/_rels/workbook.xml.rels").decode()
    write_expected("prefixed", expected_from_openpyxl(path), "xlsxwriter rewritten with x: prefixes and absolute targets")


def no_references():
    """Drops the r attribute from some rows and cells, so their position is sequential."""
    source = OUT / "no_references.tmp"
    workbook = new_xlsxwriter(source)
    sheet = workbook.add_worksheet("Sequential")
    for row, values in enumerate([["a", "b", "c"], ["d", None, "f"], ["g", "h"], [None, None, None], [None, "k", "l"]]):
        for column, value in enumerate(values):
            if value is not None:
                sheet.write_string(row, column, value)
    workbook.close()

    def strip_references(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        text = data.decode()
        # Row 1: no references on cells. Row 2: the first cell has none, the next says C2.
        text = re.sub(r'<c r="[A-C]1"', "<c", text)
        text = text.replace('<c r="A2"', "<c")
        # Row 3: the row has no r (it follows row 2); cells have none either.
        text = text.replace('<row r="3" spans="1:3">', "<row>")
        text = re.sub(r'<c r="[A-B]3"', "<c", text)
        # Row 5: the row keeps r; the first cell says B5, the next has none.
        text = text.replace('<c r="C5"', "<c")
        return text.encode()

    path = OUT / "no_references.xlsx"
    rewrite_zip(source, path, edit=strip_references)
    source.unlink()
    expected = {
        "sheets": ["Sequential"],
        "rows": {"Sequential": [["a", "b", "c"], ["d", "", "f"], ["g", "h", ""], ["", "", ""], ["", "k", "l"]]},
        "rows_a1": {"Sequential": [["a", "b", "c"], ["d", "", "f"], ["g", "h", ""], ["", "", ""], ["", "k", "l"]]},
    }
    # openpyxl places cells without references the same way.
    assert expected_from_openpyxl(path) == expected, expected_from_openpyxl(path)
    write_expected("no_references", expected, "xlsxwriter with r attributes removed by hand")


def zip64_local_headers():
    """Python's force_zip64 writes zip64 extra fields into the local headers (with 0xFFFFFFFF
    sizes in the header itself); the reader must skip them and trust the central directory."""
    path = OUT / "zip64_local_headers.xlsx"
    with zipfile.ZipFile(OUT / "sparse.xlsx") as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            with zout.open(info.filename, "w", force_zip64=True) as entry:
                entry.write(zin.read(info.filename))
    with open(path, "rb") as raw:
        assert raw.read(30)[18:26] == b"\xff" * 8, "local header sizes are not saturated"
    write_expected("zip64_local_headers", expected_from_openpyxl(path), "sparse.xlsx rewritten with force_zip64")


def no_styles():
    """Without styles.xml every number is plain, even ones that had a date format."""
    source = OUT / "no_styles.tmp"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Plain"
    workbook.active.append([dt.datetime(2024, 1, 15), 1.25])
    save_openpyxl(workbook, source)

    def unlink_styles(name, data):
        text = data.decode()
        text = re.sub(r"<Relationship [^>]*styles\.xml\"[^>]*/>", "", text)
        text = re.sub(r"<Override [^>]*styles\.xml\"[^>]*/>", "", text)
        return text.encode()

    path = OUT / "no_styles.xlsx"
    rewrite_zip(source, path, edit=lambda n, d: unlink_styles(n, d) if n.endswith((".rels", "].xml")) else d, drop={"xl/styles.xml"})
    source.unlink()
    expected = {"sheets": ["Plain"], "rows": {"Plain": [["45306", "1.25"]]}, "rows_a1": {"Plain": [["45306", "1.25"]]}}
    write_expected("no_styles", expected, "openpyxl with styles.xml removed by hand")


def libreoffice():
    """LibreOffice converts a flat ODS document with typed cells to .xlsx, .xls and .ods."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: skipping the LibreOffice fixtures")
        return
    fods = (Path(__file__).parent / "libreoffice_source.fods").read_text()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        (scratch / "libreoffice.fods").write_text(fods)
        for target in ("xlsx", "xls", "ods"):
            subprocess.run(
                [soffice, f"-env:UserInstallation=file://{scratch}/profile", "--headless", "--convert-to", target, "--outdir", str(scratch), str(scratch / "libreoffice.fods")],
                check=True,
                capture_output=True,
            )
        shutil.copy(scratch / "libreoffice.xlsx", OUT / "libreoffice.xlsx")
        shutil.copy(scratch / "libreoffice.xls", OUT / "legacy.xls")
        shutil.copy(scratch / "libreoffice.ods", OUT / "spreadsheet.ods")
    write_expected("libreoffice", expected_from_openpyxl(OUT / "libreoffice.xlsx"), "LibreOffice from libreoffice_source.fods")
    write_error_expected("legacy", "Unsupported", "LibreOffice, Excel 97-2003 (BIFF8)", file="legacy.xls")
    write_error_expected("spreadsheet", "Unsupported", "LibreOffice, OpenDocument", file="spreadsheet.ods")


def encrypted():
    plain = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "secret"
    workbook.save(plain)
    plain.seek(0)
    with open(OUT / "encrypted.xlsx", "wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("password", out)
    write_error_expected("encrypted", "Unsupported", "openpyxl, encrypted with msoffcrypto-tool")


def broken_files():
    base = OUT / "sparse.xlsx"

    def corrupt(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b"</row>", b"</rows>", 1)
        return data

    rewrite_zip(base, OUT / "malformed_xml.xlsx", edit=corrupt)
    write_expected(
        "malformed_xml",
        {"sheets": ["Sparse"], "rows": {"Sparse": {"error": "InvalidInput"}}, "rows_a1": {"Sparse": {"error": "InvalidInput"}}},
        "openpyxl, a mismatched end tag put in by hand",
    )

    def cut(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = data[: data.index(b"</sheetData>")]
        return data

    rewrite_zip(base, OUT / "unclosed_xml.xlsx", edit=cut)
    write_expected(
        "unclosed_xml",
        {"sheets": ["Sparse"], "rows": {"Sparse": {"error": "InvalidInput"}}, "rows_a1": {"Sparse": {"error": "InvalidInput"}}},
        "openpyxl, worksheet XML cut off by hand",
    )

    def bad_reference(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b'r="C3"', b'r="C0"', 1)
        return data

    rewrite_zip(base, OUT / "bad_reference.xlsx", edit=bad_reference)
    write_expected(
        "bad_reference",
        {"sheets": ["Sparse"], "rows": {"Sparse": {"error": "InvalidInput"}}, "rows_a1": {"Sparse": {"error": "InvalidInput"}}},
        "openpyxl, cell reference C0 put in by hand",
    )

    (OUT / "not_a_zip.xlsx").write_bytes(b"name,value\nnot,a spreadsheet\n")
    write_error_expected("not_a_zip", "InvalidInput", "a CSV file named .xlsx")

    whole = (OUT / "numbers.xlsx").read_bytes()
    (OUT / "truncated.xlsx").write_bytes(whole[: len(whole) * 6 // 10])
    write_error_expected("truncated", "InvalidInput", "numbers.xlsx cut at 60%")

    with zipfile.ZipFile(OUT / "missing_workbook.xlsx", "w") as archive:
        archive.writestr("readme.txt", "no workbook in here")
    write_error_expected("missing_workbook", "InvalidInput", "a zip without xl/workbook.xml")

    with zipfile.ZipFile(OUT / "binary_workbook.xlsx", "w") as archive:
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
            "</Relationships>",
        )
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    write_error_expected("binary_workbook", "Unsupported", "a hand-made .xlsb skeleton")


def zip_bombs():
    base = OUT / "sparse.xlsx"
    header = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    footer = b"</sheetData></worksheet>"

    # 64 MiB of whitespace inside the sheet, while the directory claims 1 KiB: only the ratio check
    # (or, with it off, the streaming size check) catches it.
    body = header + b" " * (64 << 20) + footer
    bomb = OUT / "zip_bomb_ratio.xlsx"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for info in zin.infolist():
            data = body if info.filename == "xl/worksheets/sheet1.xml" else zin.read(info.filename)
            zout.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    patch_declared_size(bomb, "xl/worksheets/sheet1.xml", 1024)
    write_expected(
        "zip_bomb_ratio",
        {"sheets": ["Sparse"], "rows": {"Sparse": {"error": "Limit"}}, "rows_a1": {"Sparse": {"error": "Limit"}}},
        "sparse.xlsx with a 64 MiB sheet declared as 1 KiB",
    )

    # A sheet whose directory entry claims nearly 4 GiB: refused before inflating anything.
    declared = OUT / "zip_bomb_declared.xlsx"
    shutil.copy(base, declared)
    patch_declared_size(declared, "xl/worksheets/sheet1.xml", 0xFFFF_FFF0)
    write_expected(
        "zip_bomb_declared",
        {"sheets": ["Sparse"], "rows": {"Sparse": {"error": "Limit"}}, "rows_a1": {"Sparse": {"error": "Limit"}}},
        "sparse.xlsx with the sheet's declared size patched to 4 GiB",
    )

    # An end-of-central-directory record claiming 65,535 entries.
    many = OUT / "zip_many_entries.xlsx"
    data = bytearray(base.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    data[end + 8 : end + 12] = (0xFFFF).to_bytes(2, "little") * 2
    many.write_bytes(bytes(data))
    write_error_expected("zip_many_entries", "Limit", "sparse.xlsx with its entry count patched to 65535")


def patch_declared_size(path, entry_name, size):
    """Overwrites an entry's uncompressed size in both its local and central headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(entry_name)
    data[info.header_offset + 22 : info.header_offset + 26] = size.to_bytes(4, "little")
    end = data.rindex(b"PK\x05\x06")
    central = int.from_bytes(data[end + 16 : end + 20], "little")
    while data[central : central + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = (int.from_bytes(data[central + i : central + i + 2], "little") for i in (28, 30, 32))
        if data[central + 46 : central + 46 + name_len] == entry_name.encode():
            data[central + 24 : central + 28] = size.to_bytes(4, "little")
            path.write_bytes(bytes(data))
            return
        central += 46 + name_len + extra_len + comment_len
    raise KeyError(entry_name)


def cross_check_with_calamine():
    """Prints where python-calamine, a second independent reader, disagrees with the golden
    rows. Known and expected: it reads error cells as empty, and negative date serials as times."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        print("python-calamine not installed: skipping the cross-check")
        return
    for path in sorted(OUT.glob("*.json")):
        golden = json.loads(path.read_text())
        if isinstance(golden["sheets"], dict):
            continue
        workbook = CalamineWorkbook.from_path(str(OUT / golden["file"]))
        for name in golden["sheets"]:
            expected = golden["rows"][name]
            if isinstance(expected, dict):
                continue
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=True)
            actual = [["" if value == "" else cell_text(value) for value in row] for row in rows]
            for index, (theirs, ours) in enumerate(zip(actual, expected)):
                if theirs != ours:
                    print(f"calamine differs: {path.name} {name} row {index}: {theirs} vs {ours}")
            if len(actual) != len(expected):
                print(f"calamine differs: {path.name} {name}: {len(actual)} rows vs {len(expected)}")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    strings_shared()
    strings_inline()
    inline_constant_memory()
    numbers()
    formulas()
    dates()
    dates_1904()
    openpyxl_types()
    multiple_sheets()
    sparse()
    empty_sheets()
    far_corner()
    prefixed()
    no_references()
    zip64_local_headers()
    no_styles()
    libreoffice()
    encrypted()
    broken_files()
    zip_bombs()
    cross_check_with_calamine()
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>8}  {path.name}")


if __name__ == "__main__":
    main()
