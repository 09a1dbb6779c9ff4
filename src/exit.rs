//! Failures of a command, one class per kind of error, and the exit code of each class.
//!
//! Runtime errors keep the label `fazt_wasm_runtime::Error::kind` gives them, so a failure
//! reported by a `serve` process (which sends only the label) exits the same way as one seen
//! in this process.

use std::fmt;

use fazt_wasm_runtime::Error;

/// One class of failure: the `kind` label, its exit code, and words for people.
#[derive(Debug, Clone, Copy)]
pub struct ExitClass {
    /// The stable label (`Error::kind` for runtime errors).
    pub kind: &'static str,
    /// The process exit status.
    pub code: u8,
    /// What failed, as the error line names it.
    pub label: &'static str,
    /// When it happens, for `--help`.
    pub meaning: &'static str,
}

/// Every failure class. Codes below 10 are the CLI's own, 10–19 are refusals before any
/// guest code runs, 20–29 are failures while the guest runs.
pub const EXIT_CLASSES: &[ExitClass] = &[
    class(
        "internal",
        1,
        "internal error",
        "a bug or unexpected failure in fazt-wasm itself",
    ),
    class(
        "usage",
        2,
        "usage",
        "bad command line, option value or repro file",
    ),
    class(
        "not_found",
        3,
        "not found",
        "no such module file, embedded module, @PATH, --input or repro file",
    ),
    class(
        "server",
        4,
        "server",
        "no `fazt-wasm serve` at --socket, or it sent a bad reply",
    ),
    class(
        "replay_mismatch",
        5,
        "replay differs",
        "`replay` saw a different output, error class or fuel",
    ),
    class(
        "io",
        6,
        "i/o error",
        "a file exists but could not be read or written (permissions, disk full, ...)",
    ),
    class(
        "invalid_module",
        10,
        "invalid module",
        "the bytes are not valid wasm (or the .wat does not parse)",
    ),
    class(
        "forbidden_import",
        11,
        "forbidden import",
        "the module imports something no granted host function provides",
    ),
    class(
        "limit_config",
        12,
        "invalid limit",
        "--fuel, --memory or --timeout is outside what the runtime allows",
    ),
    class(
        "export_not_found",
        13,
        "missing export",
        "no exported function of that name",
    ),
    class(
        "signature",
        14,
        "signature mismatch",
        "the export cannot be called that way (service ABI or numeric parameters)",
    ),
    class(
        "bad_arguments",
        15,
        "bad argument",
        "an argument is malformed, duplicated or does not fit the export",
    ),
    class(
        "fuel",
        20,
        "fuel exhausted",
        "the guest used its whole fuel budget",
    ),
    class("timeout", 21, "timeout", "the guest passed its deadline"),
    class("cancelled", 22, "cancelled", "the call was cancelled"),
    class(
        "oom",
        23,
        "out of memory",
        "the guest needed more linear memory than --memory allows",
    ),
    class(
        "panic",
        24,
        "trap",
        "the guest trapped (a panic, unreachable, out-of-bounds access, stack overflow, ...)",
    ),
    class(
        "host",
        25,
        "host function failed",
        "a host function failed while serving the guest",
    ),
    class(
        "abi",
        26,
        "abi violation",
        "the guest broke the calling convention",
    ),
    class(
        "output",
        27,
        "bad output",
        "the output is not in the expected form",
    ),
    class(
        "guest",
        28,
        "guest refused",
        "the guest reported an error of its own",
    ),
    class(
        "other",
        29,
        "call failed",
        "a runtime error of a class this fazt-wasm does not know yet",
    ),
];

const fn class(
    kind: &'static str,
    code: u8,
    label: &'static str,
    meaning: &'static str,
) -> ExitClass {
    ExitClass {
        kind,
        code,
        label,
        meaning,
    }
}

/// The class of `kind`; unknown labels (a newer runtime or server) are `other`.
pub fn class_of(kind: &str) -> &'static ExitClass {
    EXIT_CLASSES
        .iter()
        .find(|class| class.kind == kind)
        .unwrap_or_else(|| {
            EXIT_CLASSES
                .iter()
                .find(|class| class.kind == "other")
                .expect("the table has an `other` row")
        })
}

/// The exit-code table as `--help` shows it.
pub fn help_table() -> String {
    let mut text = String::from("Exit status:\n  0   success\n");
    for class in EXIT_CLASSES {
        text.push_str(&format!(
            "  {:<3} {}: {}\n",
            class.code, class.label, class.meaning
        ));
    }
    text
}

/// Why a command failed: a class label, an optional detail the error line names (the trap
/// code, the import, the export) and a one-line message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    /// The class label, a `kind` of [`EXIT_CLASSES`].
    pub kind: String,
    /// What exactly failed: the trap code, the forbidden import, the missing export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The message, lowercase, without a trailing period.
    pub message: String,
}

impl Failure {
    /// A failure of class `kind`.
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        Self {
            kind: String::from(kind),
            detail: None,
            message: message.into(),
        }
    }

    /// A bad command line.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new("usage", message)
    }

    /// A bad argument for the guest.
    pub fn bad_argument(message: impl Into<String>) -> Self {
        Self::new("bad_arguments", message)
    }

    /// A file that could not be read or written: `not_found` when it does not exist,
    /// `io` otherwise.
    pub fn io(what: &str, path: &std::path::Path, error: &std::io::Error) -> Self {
        let message = format!("{what} {}: {}", path.display(), io_reason(error));
        let kind = if error.kind() == std::io::ErrorKind::NotFound {
            "not_found"
        } else {
            "io"
        };
        Self::new(kind, message)
    }

    /// The failure's class.
    pub fn class(&self) -> &'static ExitClass {
        class_of(&self.kind)
    }

    /// The process exit status.
    pub fn exit_code(&self) -> u8 {
        self.class().code
    }
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => String::from("no such file or directory"),
        std::io::ErrorKind::PermissionDenied => String::from("permission denied"),
        _ => error.to_string().to_lowercase(),
    }
}

impl fmt::Display for Failure {
    /// The error line without its `error: ` prefix: `trap (UnreachableCodeReached): ...`.
    /// The class label leads unless the message already starts with it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = self.class().label;
        match &self.detail {
            Some(detail) => write!(f, "{label} ({detail}): {}", self.message),
            None if self.message.starts_with(label) => f.write_str(&self.message),
            None => write!(f, "{label}: {}", self.message),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let detail = match &error {
            Error::Trap { code, .. } => Some(format!("{code:?}")),
            Error::ForbiddenImport { import, .. } => Some(import.clone()),
            Error::ExportNotFound { export, .. } => Some(export.clone()),
            _ => None,
        };
        Self {
            kind: String::from(error.kind()),
            detail,
            message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct_and_leave_shell_codes_alone() {
        for (i, class) in EXIT_CLASSES.iter().enumerate() {
            assert!(class.code > 0 && class.code < 126, "{}", class.kind);
            assert!(
                EXIT_CLASSES[..i]
                    .iter()
                    .all(|other| other.code != class.code && other.kind != class.kind),
                "{} is not unique",
                class.kind
            );
        }
    }

    #[test]
    fn every_runtime_kind_has_its_own_class() {
        // The labels `fazt_wasm_runtime::Error::kind` documents.
        for kind in [
            "invalid_module",
            "forbidden_import",
            "limit_config",
            "export_not_found",
            "signature",
            "bad_arguments",
            "fuel",
            "timeout",
            "cancelled",
            "oom",
            "panic",
            "host",
            "abi",
            "output",
            "guest",
        ] {
            assert_ne!(class_of(kind).kind, "other", "{kind}");
        }
        assert_eq!(class_of("from_the_future").code, 29);
    }

    #[test]
    fn trap_failures_name_their_code() {
        let error = Error::Trap {
            code: fazt_wasm_runtime::wasmi::TrapCode::IntegerDivisionByZero,
            message: String::from("integer divide by zero"),
        };
        let failure = Failure::from(error);
        assert_eq!(failure.exit_code(), 24);
        assert!(
            failure
                .to_string()
                .starts_with("trap (IntegerDivisionByZero): ")
        );
    }
}
