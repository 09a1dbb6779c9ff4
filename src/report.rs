//! How `test` shows a call: the output on stdout (or in `--output`), a summary instead of
//! binary bytes on a terminal, the receipt on stderr, or everything as JSON.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

use serde_json::json;

use crate::call::{CallOutcome, CallResult};
use crate::exit::Failure;
use crate::units;

/// What the bytes look like: a short id and words for people.
pub fn detect_type(bytes: &[u8]) -> (&'static str, &'static str) {
    const MAGIC: &[(&[u8], &str, &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "png", "PNG image"),
        (b"\xff\xd8\xff", "jpeg", "JPEG image"),
        (b"GIF8", "gif", "GIF image"),
        (b"%PDF-", "pdf", "PDF document"),
        (b"PK\x03\x04", "zip", "ZIP archive (xlsx, docx, ...)"),
        (b"\0asm", "wasm", "WebAssembly module"),
    ];
    if let Some((_, id, words)) = MAGIC.iter().find(|(magic, _, _)| bytes.starts_with(magic)) {
        return (id, words);
    }
    if is_text(bytes) {
        if serde_json::from_slice::<serde_json::Value>(bytes).is_ok() {
            return ("json", "JSON");
        }
        return ("text", "UTF-8 text");
    }
    ("binary", "binary data")
}

/// UTF-8 without control characters other than tab, newline and carriage return: safe to
/// print on a terminal.
pub fn is_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        text.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r'))
    })
}

/// The line printed instead of binary output on a terminal.
pub fn binary_summary(bytes: &[u8]) -> String {
    format!(
        "binary output: {} ({} bytes), {}; use --output FILE to save it",
        units::format_size(bytes.len() as u64),
        bytes.len(),
        detect_type(bytes).1
    )
}

/// Prints `outcome` as `test` does, writing the output to `output_path` when given.
///
/// # Errors
///
/// The call's failure, or an `io` failure when `--output` cannot be written.
pub fn present(
    outcome: &CallOutcome,
    output_path: Option<&Path>,
    as_json: bool,
) -> Result<(), Failure> {
    let mut written_to = None;
    if let (CallResult::Output(bytes), Some(path)) = (&outcome.result, output_path) {
        crate::files::write(path, &bytes.0)
            .map_err(|error| Failure::io("cannot write output", path, &error))?;
        written_to = Some(path);
    }
    if as_json {
        print_json(outcome, written_to);
    } else {
        print_text(outcome, written_to)?;
    }
    match outcome.failure() {
        Some(failure) => Err(failure.clone()),
        None => Ok(()),
    }
}

fn print_text(outcome: &CallOutcome, written_to: Option<&Path>) -> Result<(), Failure> {
    let stdout_error =
        |error: std::io::Error| Failure::io("cannot write", Path::new("stdout"), &error);
    match &outcome.result {
        CallResult::Output(bytes) => {
            let bytes = &bytes.0;
            if let Some(path) = written_to {
                eprintln!(
                    "wrote {} ({}) to {}",
                    units::format_size(bytes.len() as u64),
                    detect_type(bytes).1,
                    path.display()
                );
            } else {
                let mut stdout = std::io::stdout().lock();
                let terminal = stdout.is_terminal();
                if terminal && !is_text(bytes) {
                    writeln!(stdout, "{}", binary_summary(bytes)).map_err(stdout_error)?;
                } else {
                    stdout.write_all(bytes).map_err(stdout_error)?;
                    if terminal && !bytes.is_empty() && !bytes.ends_with(b"\n") {
                        writeln!(stdout).map_err(stdout_error)?;
                    }
                }
                stdout.flush().map_err(stdout_error)?;
            }
        }
        CallResult::Results(values) => {
            for value in values {
                println!("{}", value.value);
            }
        }
        CallResult::Error(_) => {}
    }
    if outcome.mode.is_some() {
        eprintln!("receipt: {}", outcome.receipt.summary());
    }
    Ok(())
}

fn print_json(outcome: &CallOutcome, written_to: Option<&Path>) {
    let mut report = json!({
        "ok": outcome.failure().is_none(),
        "module": outcome.module,
        "function": outcome.function,
        "mode": outcome.mode,
        "limits": outcome.limits,
        "receipt": outcome.receipt,
    });
    match &outcome.result {
        CallResult::Output(bytes) => {
            let bytes = &bytes.0;
            let (id, _) = detect_type(bytes);
            let mut output = json!({ "size_bytes": bytes.len(), "type": id });
            if let Some(path) = written_to {
                output["written_to"] = json!(path.display().to_string());
            } else if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
                output["json"] = value;
            } else if is_text(bytes) {
                output["text"] = json!(String::from_utf8_lossy(bytes));
            } else {
                output["base64"] = json!(crate::call::Blob(bytes.clone()));
            }
            report["output"] = output;
        }
        CallResult::Results(values) => report["results"] = json!(values),
        CallResult::Error(failure) => {
            report["error"] = json!({
                "kind": failure.kind,
                "detail": failure.detail,
                "message": failure.message,
                "exit_code": failure.exit_code(),
            });
        }
    }
    println!("{report:#}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_name_the_type() {
        assert_eq!(detect_type(b"\x89PNG\r\n\x1a\n....").0, "png");
        assert_eq!(detect_type(b"\xff\xd8\xff\xe0").0, "jpeg");
        assert_eq!(detect_type(b"%PDF-1.7").0, "pdf");
        assert_eq!(detect_type(b"PK\x03\x04xl/").0, "zip");
        assert_eq!(detect_type(b"\0asm\x01\0\0\0").0, "wasm");
        assert_eq!(detect_type(br#"{"a":1}"#).0, "json");
        assert_eq!(detect_type(b"hello\n").0, "text");
        assert_eq!(detect_type(b"\x01\x02\xff").0, "binary");
    }

    #[test]
    fn binary_output_is_summarised_with_size_and_type() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(!is_text(png));
        assert_eq!(
            binary_summary(png),
            "binary output: 16 B (16 bytes), PNG image; use --output FILE to save it"
        );
        assert!(is_text("naïve\ttext\r\n".as_bytes()));
        assert!(!is_text(b"bell\x07"));
    }
}
