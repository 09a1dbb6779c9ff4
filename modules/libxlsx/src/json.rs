//! Renders rows of cell text as a JSON array of arrays of strings.

/// Renders `rows` as compact JSON: `[["a","b"],["",""]]`.
///
/// Strings are escaped as RFC 8259 requires: `"` and `\` get a backslash, control characters
/// become `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`, and everything else (all non-ASCII text
/// included) is written as UTF-8. No rows give `[]`.
///
/// # Examples
///
/// ```
/// let rows = vec![vec!["say \"hi\"".to_owned(), "line\nbreak".to_owned()]];
/// assert_eq!(fazt_libxlsx::to_json(&rows), r#"[["say \"hi\"","line\nbreak"]]"#);
/// ```
pub fn to_json(rows: &[Vec<String>]) -> String {
    let text_bytes: usize = rows.iter().flatten().map(|cell| cell.len() + 3).sum();
    let mut out = String::with_capacity(text_bytes + 2 * rows.len() + 2);
    out.push('[');
    for (row_index, row) in rows.iter().enumerate() {
        if row_index > 0 {
            out.push(',');
        }
        out.push('[');
        for (cell_index, cell) in row.iter().enumerate() {
            if cell_index > 0 {
                out.push(',');
            }
            push_json_string(cell, &mut out);
        }
        out.push(']');
    }
    out.push(']');
    out
}

fn push_json_string(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut plain_start = 0;
    for (index, byte) in text.bytes().enumerate() {
        let escape: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[plain_start..index]);
        plain_start = index + 1;
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&text[plain_start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells
            .iter()
            .map(|row| row.iter().map(|cell| (*cell).to_owned()).collect())
            .collect()
    }

    #[test]
    fn empty_input_is_an_empty_array() {
        assert_eq!(to_json(&[]), "[]");
        assert_eq!(to_json(&rows(&[&[]])), "[[]]");
    }

    #[test]
    fn special_characters_are_escaped() {
        let input = rows(&[&[
            "\"\\/",
            "\u{0}\u{1f}\u{7f}",
            "\u{8}\u{c}\n\r\t",
            "é😀\u{2028}",
        ]]);
        assert_eq!(
            to_json(&input),
            "[[\"\\\"\\\\/\",\"\\u0000\\u001f\u{7f}\",\"\\b\\f\\n\\r\\t\",\"é😀\u{2028}\"]]"
        );
    }

    #[test]
    fn output_reads_back_as_the_same_rows() {
        let input = rows(&[&["a", "", "b\"c"], &["\u{1}", "ünï", "x\\y"]]);
        let parsed: Vec<Vec<String>> = serde_json::from_str(&to_json(&input)).unwrap();
        assert_eq!(parsed, input);
    }
}
