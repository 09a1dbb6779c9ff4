//! `check_load`: any bytes given to `Runtime::load` give a module or a load-time error.

use fazt_wasm_runtime::{DEFAULT_FUEL_SLICE, Error};

use crate::outcome::{Limits, load_with};

/// The error kinds a load may end with for bytes a guest author controls (a valid config is
/// always used, so `limit_config` never applies).
pub const LOAD_KINDS: &[&str] = &["invalid_module", "forbidden_import"];

/// Checks that `error` is an error a load may give for guest-controlled bytes.
///
/// # Errors
///
/// A description of the violation when it is of another kind.
pub fn check_load_error(error: &Error) -> Result<(), String> {
    if LOAD_KINDS.contains(&error.kind()) {
        Ok(())
    } else {
        Err(format!(
            "load failed with kind {:?}, expected one of {LOAD_KINDS:?}: {error}",
            error.kind()
        ))
    }
}

/// Loads `wasm` twice, on two fresh runtimes, and checks the loads agree and either succeed or
/// fail with a load-time error (never a panic, which the caller sees as a crash).
///
/// # Errors
///
/// A description of the broken invariant.
///
/// # Examples
///
/// ```
/// assert_eq!(fazt_wasm_testkit::check_load(b"\0asm\x01\0\0\0"), Ok(()));
/// assert_eq!(fazt_wasm_testkit::check_load(b"not wasm"), Ok(()));
/// ```
pub fn check_load(wasm: &[u8]) -> Result<(), String> {
    if crate::known::is_empty_code_section_panic(wasm) {
        return Ok(());
    }
    let limits = Limits::default();
    let first = load_with(wasm, &limits, DEFAULT_FUEL_SLICE);
    let second = load_with(wasm, &limits, DEFAULT_FUEL_SLICE);
    match (&first, &second) {
        (Ok(_), Ok(_)) => Ok(()),
        (Err(first), Err(second)) if first.kind() == second.kind() => check_load_error(first),
        _ => Err(format!(
            "two loads of the same bytes disagree: {:?} then {:?}",
            first.as_ref().map(|_| "ok").map_err(Error::kind),
            second.as_ref().map(|_| "ok").map_err(Error::kind)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_invalid_and_forbidden_modules_all_pass_the_check() {
        let valid = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
        let wasi = wat::parse_str(
            r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))"#,
        )
        .unwrap();
        for wasm in [
            &valid[..],
            &wasi[..],
            b"",
            b"\0asm",
            &valid[..valid.len() - 1],
        ] {
            assert_eq!(check_load(wasm), Ok(()), "{wasm:?}");
        }
    }

    #[test]
    fn a_runtime_side_error_kind_is_reported_as_a_violation() {
        let error = Error::LimitMisconfigured {
            name: "fuel_limit",
            reason: String::from("must be at least 1"),
        };
        assert!(
            check_load_error(&error)
                .unwrap_err()
                .contains("limit_config")
        );
    }
}
