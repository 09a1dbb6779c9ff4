//! The `log` bridge: `fazt.log(level, msg_ptr, msg_len) -> i32` turns guest messages into `tracing` events under a per-call budget.

use core::fmt;

use fazt_wasm_abi as abi;
use fazt_wasm_runtime::{Bridge, CallState, guest_range, memory_and_state, wasmi};

/// Limits of the [`Log`] bridge; a plain struct with `Default`.
///
/// The budget counts what the host examines, never time, so the same guest logs the same
/// lines on every run: each message that passes the level, bounds and length checks costs one
/// line and its length in bytes, whether or not it turns out to be valid UTF-8. Once a message
/// does not fit the budget, the budget is spent: that message and every later one in the call
/// is dropped with [`abi::LOG_BUDGET_EXHAUSTED`], even a shorter one that would still fit.
/// Budgets live in the call's [`CallState`], so every call starts with a full one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogConfig {
    /// Longest message accepted, in bytes; longer ones get [`abi::LOG_TOO_LONG`] without
    /// being read and cost no budget. Default 64 KiB.
    pub max_message_bytes: u64,
    /// Message bytes one call may log in total. Default 1 MiB.
    pub max_bytes_per_call: u64,
    /// Messages one call may log. Default 10 000.
    pub max_lines_per_call: u64,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            max_message_bytes: 64 << 10,
            max_bytes_per_call: 1 << 20,
            max_lines_per_call: 10_000,
        }
    }
}

/// The `fazt.log(level: i32, msg_ptr: i32, msg_len: i32) -> i32` host function, granted to
/// every module by default.
///
/// Each accepted message becomes one `tracing` event with target `guest` at the level the
/// guest chose (`LEVEL_ERROR` to `LEVEL_TRACE`), with fields `module`, `export` and `caller`
/// (the app id, when the call has one). Control characters in the message are escaped
/// (`\n`, `\u{1b}`), so a guest cannot forge extra log lines.
///
/// A message outside guest memory fails the call as an ABI violation (kind `abi`). Otherwise
/// the guest gets [`abi::STATUS_OK`] or a negative status, checked in this order:
/// [`abi::LOG_INVALID_LEVEL`], [`abi::LOG_TOO_LONG`], [`abi::LOG_BUDGET_EXHAUSTED`],
/// [`abi::LOG_INVALID_UTF8`]. The first time a call's budget runs out the host sees one
/// warning event with target `fazt::log`; later dropped messages are silent.
#[derive(Debug, Clone, Default)]
pub struct Log {
    config: LogConfig,
}

impl Log {
    /// The bridge with the given limits.
    pub fn new(config: LogConfig) -> Self {
        Self { config }
    }

    /// Its limits.
    pub fn config(&self) -> &LogConfig {
        &self.config
    }
}

impl Bridge for Log {
    fn name(&self) -> &'static str {
        abi::LOG
    }

    fn signature(&self) -> wasmi::FuncType {
        wasmi::FuncType::new([wasmi::ValType::I32; 3], [wasmi::ValType::I32])
    }

    fn granted_by_default(&self) -> bool {
        true
    }

    fn register(&self, linker: &mut wasmi::Linker<CallState>) -> Result<(), wasmi::Error> {
        let config = self.config;
        linker.func_wrap(
            abi::IMPORT_MODULE,
            abi::LOG,
            move |mut caller: wasmi::Caller<'_, CallState>,
                  level: i32,
                  msg_ptr: i32,
                  msg_len: i32|
                  -> Result<i32, wasmi::Error> {
                crate::guard(abi::LOG, || {
                    log(&config, &mut caller, level, msg_ptr, msg_len)
                })
            },
        )?;
        Ok(())
    }
}

/// The log budget of one call, kept in its [`CallState`].
#[derive(Debug, Default)]
struct LogBudget {
    lines: u64,
    bytes: u64,
    exhausted: bool,
}

/// What charging a message to the budget did.
enum Charge {
    Charged,
    /// The budget is spent; `first` is true for the message that spent it.
    Refused {
        first: bool,
    },
}

impl LogBudget {
    fn charge(&mut self, config: &LogConfig, len_bytes: u64) -> Charge {
        if self.exhausted {
            return Charge::Refused { first: false };
        }
        let lines = self.lines.saturating_add(1);
        let bytes = self.bytes.saturating_add(len_bytes);
        if lines > config.max_lines_per_call || bytes > config.max_bytes_per_call {
            self.exhausted = true;
            return Charge::Refused { first: true };
        }
        self.lines = lines;
        self.bytes = bytes;
        Charge::Charged
    }
}

fn log(
    config: &LogConfig,
    caller: &mut wasmi::Caller<'_, CallState>,
    level: i32,
    msg_ptr: i32,
    msg_len: i32,
) -> Result<i32, wasmi::Error> {
    let (memory, call_state) = memory_and_state(caller)?;
    let range = guest_range(memory.len(), msg_ptr, msg_len, "log message")?;
    if !(abi::LEVEL_ERROR..=abi::LEVEL_TRACE).contains(&level) {
        return Ok(abi::LOG_INVALID_LEVEL);
    }
    // usize is at most 64 bits on every target we build for, so this never truncates.
    let len_bytes = range.len() as u64;
    if len_bytes > config.max_message_bytes {
        return Ok(abi::LOG_TOO_LONG);
    }
    // The budget is charged before the bytes are validated, so a guest sending invalid
    // messages in a loop cannot make the host scan more than the budget either.
    match call_state
        .extension::<LogBudget>()
        .charge(config, len_bytes)
    {
        Charge::Charged => {}
        Charge::Refused { first } => {
            if first {
                tracing::warn!(
                    target: "fazt::log",
                    module = call_state.module(),
                    export = call_state.export(),
                    caller = call_state.caller(),
                    max_lines_per_call = config.max_lines_per_call,
                    max_bytes_per_call = config.max_bytes_per_call,
                    "guest log budget exhausted, dropping its later messages in this call"
                );
            }
            return Ok(abi::LOG_BUDGET_EXHAUSTED);
        }
    }
    // `guest_range` checked the range against this very slice.
    let Ok(text) = core::str::from_utf8(&memory[range]) else {
        return Ok(abi::LOG_INVALID_UTF8);
    };
    emit(level, call_state, text);
    Ok(abi::STATUS_OK)
}

/// Emits the guest's message at its level (tracing needs the level at compile time).
fn emit(level: i32, call_state: &CallState, text: &str) {
    macro_rules! guest_event {
        ($level:expr) => {
            tracing::event!(
                target: "guest",
                $level,
                module = call_state.module(),
                export = call_state.export(),
                caller = call_state.caller(),
                "{}",
                Escaped(text)
            )
        };
    }
    match level {
        abi::LEVEL_ERROR => guest_event!(tracing::Level::ERROR),
        abi::LEVEL_WARN => guest_event!(tracing::Level::WARN),
        abi::LEVEL_INFO => guest_event!(tracing::Level::INFO),
        abi::LEVEL_DEBUG => guest_event!(tracing::Level::DEBUG),
        _ => guest_event!(tracing::Level::TRACE),
    }
}

/// Guest text for a log line: control characters are written as escapes (`\n`, `\u{1b}`),
/// everything else as it is.
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(index) = rest.find(char::is_control) {
            f.write_str(&rest[..index])?;
            let mut chars = rest[index..].chars();
            if let Some(control) = chars.next() {
                fmt::Display::fmt(&control.escape_default(), f)?;
            }
            rest = chars.as_str();
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn escaped_text_keeps_printable_characters_and_escapes_control_characters() {
        assert_eq!(format!("{}", Escaped("plain text, é ✓")), "plain text, é ✓");
        assert_eq!(
            format!("{}", Escaped("a\nfake line\r\x1b[31m\tz")),
            "a\\nfake line\\r\\u{1b}[31m\\tz"
        );
        assert_eq!(format!("{}", Escaped("")), "");
    }

    #[test]
    fn budget_refuses_the_message_that_overflows_it_and_every_later_one() {
        let config = LogConfig {
            max_message_bytes: 10,
            max_bytes_per_call: 10,
            max_lines_per_call: 3,
        };
        let mut budget = LogBudget::default();
        assert!(matches!(budget.charge(&config, 6), Charge::Charged));
        assert!(matches!(
            budget.charge(&config, 5),
            Charge::Refused { first: true }
        ));
        assert!(matches!(
            budget.charge(&config, 0),
            Charge::Refused { first: false }
        ));
        let mut budget = LogBudget::default();
        for _ in 0..3 {
            assert!(matches!(budget.charge(&config, 0), Charge::Charged));
        }
        assert!(matches!(
            budget.charge(&config, 0),
            Charge::Refused { first: true }
        ));
    }
}
