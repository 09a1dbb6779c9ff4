//! `check_execute` and `check_differential`: generated modules run under small limits end with
//! an output or a classified error, within their limits, identically on every run.

use std::time::Duration;

use fazt_wasm_runtime::{CallOptions, DEFAULT_FUEL_SLICE, Error, Module};

use crate::args::OwnedArgs;
use crate::load::check_load_error;
use crate::outcome::{
    Limits, Outcome, function_exports, fuzz_options, is_service, load_with, params_from_seed,
    raw_call, service_call,
};

/// Most exports a checker calls per module (each call is a fresh store).
pub const MAX_EXPORTS_CALLED: usize = 16;

/// The error kinds a raw call of a generated module may end with. `abi` is a host function
/// given a pointer outside guest memory.
pub const RAW_CALL_KINDS: &[&str] = &["fuel", "oom", "panic", "abi"];

/// The error kinds a service call may end with: a raw call's, the guest refusing, and
/// arguments the host cannot encode (more than `MAX_ARGS`).
pub const SERVICE_CALL_KINDS: &[&str] = &["fuel", "oom", "panic", "abi", "guest", "bad_arguments"];

/// A module and everything needed to call each of its exports.
#[derive(Debug, Clone)]
pub struct ExecCase {
    /// The module's bytes (from `smith::module` when fuzzing).
    pub wasm: Vec<u8>,
    /// The limits of every call.
    pub limits: Limits,
    /// Bytes the parameters of raw calls are taken from.
    pub params_seed: Vec<u8>,
    /// Arguments of service-shaped exports.
    pub args: OwnedArgs,
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for ExecCase {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let limits: Limits = u.arbitrary()?;
        let seed_len = u.int_in_range(0..=32)?;
        let params_seed = u.bytes(seed_len)?.to_vec();
        let args = u.arbitrary()?;
        let wasm = crate::smith::module(u, limits.memory_limit_bytes)?;
        if crate::known::has_store_offset_above_u16(&wasm) {
            return Err(arbitrary::Error::IncorrectFormat);
        }
        Ok(Self {
            wasm,
            limits,
            params_seed,
            args,
        })
    }
}

/// Checks one call's outcome against the limits and the error kinds it may end with.
///
/// # Errors
///
/// A description of the broken invariant.
pub fn check_outcome(
    outcome: &Outcome,
    error: Option<&Error>,
    limits: &Limits,
    allowed_kinds: &[&str],
) -> Result<(), String> {
    if outcome.fuel_consumed > limits.fuel {
        return Err(format!(
            "consumed {} fuel, above its budget of {}",
            outcome.fuel_consumed, limits.fuel
        ));
    }
    if outcome.memory_peak_bytes > limits.memory_limit_bytes {
        return Err(format!(
            "memory peaked at {} bytes, above its cap of {}",
            outcome.memory_peak_bytes, limits.memory_limit_bytes
        ));
    }
    let Some(error) = error else {
        return Ok(());
    };
    if !allowed_kinds.contains(&error.kind()) {
        return Err(format!(
            "failed with kind {:?}, expected one of {allowed_kinds:?}: {error}",
            error.kind()
        ));
    }
    match error {
        Error::OutOfMemory {
            requested_bytes,
            limit_bytes,
        } if *limit_bytes != limits.memory_limit_bytes || requested_bytes <= limit_bytes => {
            Err(format!(
                "out of memory reports {requested_bytes} requested of a {limit_bytes} limit, the cap is {}",
                limits.memory_limit_bytes
            ))
        }
        // `classify` falls back to this for a wasmi error it does not recognise: a trap code
        // whose message is not the code's own is an error nobody classified.
        Error::Trap { code, message }
            if message != code.trap_message()
                && !crate::known::is_unclassified_instantiation_error(message) =>
        {
            Err(format!(
                "an unclassified wasmi error was reported as trap {code:?}: {message}"
            ))
        }
        _ => Ok(()),
    }
}

/// Loads `case.wasm` under `case.limits` and calls every function export (up to
/// [`MAX_EXPORTS_CALLED`]) with parameters from `case.params_seed`, and every service-shaped
/// export also through the ABI with `case.args`. Each call must end with results or an error
/// of [`RAW_CALL_KINDS`] / [`SERVICE_CALL_KINDS`], within its fuel and memory limits.
///
/// # Errors
///
/// A description of the broken invariant, naming the export.
pub fn check_execute(case: &ExecCase) -> Result<(), String> {
    let limits = case.limits.clamped();
    let module = match load_with(&case.wasm, &limits, DEFAULT_FUEL_SLICE) {
        Ok(module) => module,
        Err(error) => return check_load_error(&error),
    };
    for (export, ty) in function_exports(&module)
        .into_iter()
        .take(MAX_EXPORTS_CALLED)
    {
        let params = params_from_seed(ty.params(), &case.params_seed);
        let (outcome, error) = raw_call(&module, &export, &params, &fuzz_options());
        check_outcome(&outcome, error.as_ref(), &limits, RAW_CALL_KINDS)
            .map_err(|violation| format!("raw call of {export:?}: {violation}"))?;
        if is_service(&ty) {
            let (outcome, error) =
                service_call(&module, &export, &case.args.as_args(), &fuzz_options());
            let error = error.map(|error| error.error);
            check_outcome(&outcome, error.as_ref(), &limits, SERVICE_CALL_KINDS)
                .map_err(|violation| format!("service call of {export:?}: {violation}"))?;
        }
    }
    Ok(())
}

/// Every outcome of calling each export of `module` once, raw and (for service-shaped exports)
/// through the ABI, with `options`.
pub fn outcomes(module: &Module, case: &ExecCase, options: &CallOptions) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (export, ty) in function_exports(module)
        .into_iter()
        .take(MAX_EXPORTS_CALLED)
    {
        let params = params_from_seed(ty.params(), &case.params_seed);
        outcomes.push(raw_call(module, &export, &params, options).0);
        if is_service(&ty) {
            outcomes.push(service_call(module, &export, &case.args.as_args(), options).0);
        }
    }
    outcomes
}

/// Runs every export of `case.wasm` twice in fresh stores and once more on a runtime that
/// slices fuel into `case.limits.fuel_slice` pieces with a (distant) deadline checked between
/// them: results, error kinds, trap codes, fuel and peak memory must be identical.
///
/// # Errors
///
/// A description of the first difference.
pub fn check_differential(case: &ExecCase) -> Result<(), String> {
    let limits = case.limits.clamped();
    let plain = load_with(&case.wasm, &limits, DEFAULT_FUEL_SLICE);
    let sliced = load_with(&case.wasm, &limits, limits.fuel_slice);
    let (plain, sliced) = match (plain, sliced) {
        (Ok(plain), Ok(sliced)) => (plain, sliced),
        (Err(plain), Err(sliced)) if plain.kind() == sliced.kind() => return Ok(()),
        (plain, sliced) => {
            return Err(format!(
                "loads disagree: {:?} and {:?}",
                plain.map(|_| "ok").map_err(|error| error.kind()),
                sliced.map(|_| "ok").map_err(|error| error.kind())
            ));
        }
    };
    let first = outcomes(&plain, case, &fuzz_options());
    let second = outcomes(&plain, case, &fuzz_options());
    if first != second {
        return Err(first_difference("two fresh stores", &first, &second));
    }
    let deadline = fuzz_options().timeout(Duration::from_secs(3_600));
    let sliced = outcomes(&sliced, case, &deadline);
    if first != sliced {
        return Err(first_difference(
            &format!("a fuel slice of {}", limits.fuel_slice),
            &first,
            &sliced,
        ));
    }
    Ok(())
}

fn first_difference(what: &str, expected: &[Outcome], found: &[Outcome]) -> String {
    let index = expected
        .iter()
        .zip(found)
        .position(|(expected, found)| expected != found)
        .unwrap_or(expected.len().min(found.len()));
    format!(
        "call {index} differs under {what}: {:?} vs {:?}",
        expected.get(index),
        found.get(index)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::OwnedValue;

    fn case(wat: &str, limits: Limits) -> ExecCase {
        ExecCase {
            wasm: wat::parse_str(wat).unwrap(),
            limits,
            params_seed: vec![1, 2, 3],
            args: OwnedArgs::new().with("n", OwnedValue::Int(3)),
        }
    }

    const LOOP_AND_GROW: &str = r#"(module
        (import "fazt" "log" (func $log (param i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "spin") (loop br 0))
        (func (export "grow") (result i32) (memory.grow (i32.const 100)))
        (func (export "trap") (param i32) (result i32) (i32.div_u (i32.const 1) (i32.const 0)))
        (func (export "log_oob") (result i32) (call $log (i32.const 2) (i32.const -1) (i32.const 8)))
        (func (export "fazt_alloc") (param i32) (result i32) (i32.const 0))
        (func (export "service") (param i32 i32) (result i64) (i64.const 0)))"#;

    #[test]
    fn loops_growth_traps_and_bad_pointers_all_end_in_allowed_kinds() {
        assert_eq!(
            check_execute(&case(LOOP_AND_GROW, Limits::default())),
            Ok(())
        );
    }

    #[test]
    fn runs_agree_across_fresh_stores_and_slicing() {
        for fuel_slice in [1, 7, 1_000, 100_000] {
            let limits = Limits {
                fuel_slice,
                ..Limits::default()
            };
            assert_eq!(check_differential(&case(LOOP_AND_GROW, limits)), Ok(()));
        }
    }

    #[test]
    fn fuel_and_memory_above_the_limits_are_violations() {
        let limits = Limits::default();
        let over_fuel = Outcome {
            result: Ok(crate::outcome::Returned::Values(Vec::new())),
            fuel_consumed: limits.fuel + 1,
            memory_peak_bytes: 0,
        };
        assert!(check_outcome(&over_fuel, None, &limits, RAW_CALL_KINDS).is_err());
        let over_memory = Outcome {
            fuel_consumed: 0,
            memory_peak_bytes: limits.memory_limit_bytes + 1,
            ..over_fuel
        };
        assert!(check_outcome(&over_memory, None, &limits, RAW_CALL_KINDS).is_err());
    }

    #[test]
    fn an_unclassified_trap_and_an_unexpected_kind_are_violations() {
        let limits = Limits::default();
        let outcome = Outcome {
            result: Ok(crate::outcome::Returned::Values(Vec::new())),
            fuel_consumed: 0,
            memory_peak_bytes: 0,
        };
        let unclassified = Error::Trap {
            code: fazt_wasm_runtime::wasmi::TrapCode::UnreachableCodeReached,
            message: String::from("some instantiation error"),
        };
        assert!(check_outcome(&outcome, Some(&unclassified), &limits, RAW_CALL_KINDS).is_err());
        let guest = Error::Guest {
            code: fazt_wasm_runtime::ErrorCode::Internal,
            message: String::new(),
        };
        assert!(check_outcome(&outcome, Some(&guest), &limits, RAW_CALL_KINDS).is_err());
        assert!(check_outcome(&outcome, Some(&guest), &limits, SERVICE_CALL_KINDS).is_ok());
    }

    #[test]
    fn modules_refused_at_load_pass() {
        let wasi = r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))"#;
        assert_eq!(check_execute(&case(wasi, Limits::default())), Ok(()));
        assert_eq!(check_differential(&case(wasi, Limits::default())), Ok(()));
    }
}
