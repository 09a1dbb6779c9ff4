//! Property tests over generated modules and arguments (issue 7): determinism across runs and
//! threads, isolation between calls, limits, slicing invariance, ABI round trips, and the VFS.
//!
//! Modules come from wasm-smith (`fazt_wasm_testkit::smith`) fed with proptest's bytes, so
//! these run the fuzz targets' checkers on stable. `PROPTEST_CASES` raises the case counts.

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use fazt_wasm_abi::args;
use fazt_wasm_runtime::{CallOptions, DEFAULT_FUEL_SLICE, ModuleConfig};
use fazt_wasm_testkit::args::{entries_equal, strategy};
use fazt_wasm_testkit::execute::outcomes;
use fazt_wasm_testkit::outcome::{fuzz_options, load_with};
use fazt_wasm_testkit::{
    AbiCase, ExecCase, OwnedArgs, OwnedValue, VfsCase, VfsFixture, abi, check_abi,
    check_args_payload, check_differential, check_execute, check_vfs,
};
use proptest::prelude::*;

use crate::support::echo_module;

/// `default` cases, or `PROPTEST_CASES` when set.
fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(cases)
}

/// Bytes for `arbitrary` to build a case from.
fn seed_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..3_000)
}

/// A generated module with its limits and arguments, built from `bytes` as the fuzz targets
/// build theirs.
fn exec_case(bytes: &[u8]) -> Option<ExecCase> {
    ExecCase::arbitrary(&mut Unstructured::new(bytes)).ok()
}

fn vfs_fixture() -> &'static VfsFixture {
    static FIXTURE: OnceLock<VfsFixture> = OnceLock::new();
    FIXTURE.get_or_init(|| VfsFixture::new().expect("the VFS fixture tree"))
}

proptest! {
    #![proptest_config(cases(24))]

    #[test]
    fn same_module_args_and_limits_give_the_same_outcomes_across_runs_and_threads(bytes in seed_bytes()) {
        let Some(case) = exec_case(&bytes) else { return Ok(()) };
        let Ok(module) = load_with(&case.wasm, &case.limits.clamped(), DEFAULT_FUEL_SLICE) else { return Ok(()) };
        let first = outcomes(&module, &case, &fuzz_options());
        prop_assert_eq!(&outcomes(&module, &case, &fuzz_options()), &first);
        std::thread::scope(|scope| {
            let threads: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| outcomes(&module, &case, &fuzz_options())))
                .collect();
            for thread in threads {
                prop_assert_eq!(&thread.join().expect("no panic"), &first);
            }
            Ok(())
        })?;
    }

    #[test]
    fn no_state_leaks_between_calls_whatever_ran_before(bytes in seed_bytes()) {
        let Some(case) = exec_case(&bytes) else { return Ok(()) };
        let limits = case.limits.clamped();
        let Ok(module) = load_with(&case.wasm, &limits, DEFAULT_FUEL_SLICE) else { return Ok(()) };
        // Every export after all the others ran equals every export on a fresh runtime.
        let warm: Vec<_> = (0..2).map(|_| outcomes(&module, &case, &fuzz_options())).collect();
        let fresh_module = load_with(&case.wasm, &limits, DEFAULT_FUEL_SLICE).expect("loaded once");
        let fresh = outcomes(&fresh_module, &case, &fuzz_options());
        prop_assert_eq!(&warm[1], &fresh);
    }

    #[test]
    fn generated_modules_stay_within_fuel_and_memory_and_end_classified(bytes in seed_bytes()) {
        let Some(case) = exec_case(&bytes) else { return Ok(()) };
        prop_assert_eq!(check_execute(&case), Ok(()));
    }

    #[test]
    fn slicing_by_the_deadline_machinery_changes_no_result_and_no_fuel(bytes in seed_bytes()) {
        let Some(case) = exec_case(&bytes) else { return Ok(()) };
        prop_assert_eq!(check_differential(&case), Ok(()));
    }

    #[test]
    fn hostile_allocators_and_output_pointers_give_what_the_abi_predicts(bytes in seed_bytes()) {
        let Ok(case) = AbiCase::arbitrary_take_rest(Unstructured::new(&bytes)) else { return Ok(()) };
        prop_assert_eq!(check_abi(&case), Ok(()));
    }

    #[test]
    fn no_path_reads_outside_the_vfs_root(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let Ok(case) = VfsCase::arbitrary_take_rest(Unstructured::new(&bytes)) else { return Ok(()) };
        prop_assert_eq!(check_vfs(vfs_fixture(), &case), Ok(()));
    }
}

proptest! {
    #![proptest_config(cases(64))]

    #[test]
    fn every_argument_type_round_trips_through_a_guest(arguments in strategy::args(12)) {
        let module = echo_module(ModuleConfig::default());
        let output = module
            .call("echo", &arguments.as_args(), &CallOptions::default())
            .expect("echo answers");
        let decoded = args::decode(output.bytes()).expect("the echo is the encoded arguments");
        prop_assert!(entries_equal(decoded.entries(), &arguments.as_entries()));
        prop_assert_eq!(output.bytes(), &arguments.encode().expect("at most 12 entries")[..]);
    }

    #[test]
    fn every_value_type_reaches_the_sdk_guest_as_the_host_encoded_it(value in strategy::value()) {
        let arguments = OwnedArgs::new().with("input", value.clone());
        let payload = arguments.encode().expect("one entry");
        prop_assert_eq!(abi::check_sdk_payload(sdk_echo(), &payload), Ok(()));
        prop_assert_eq!(check_args_payload(&payload), Ok(()));
        let output = sdk_echo()
            .call("echo", &arguments.as_args(), &fuzz_options())
            .map(|output| output.bytes().to_vec())
            .map_err(|error| error.kind());
        match value {
            OwnedValue::Bytes(bytes) => prop_assert_eq!(output, Ok(bytes)),
            OwnedValue::Str(text) => prop_assert_eq!(output, Ok(text.into_bytes())),
            _ => prop_assert_eq!(output, Err("guest")),
        }
    }

    #[test]
    fn any_argument_payload_decodes_or_is_refused_the_same_by_host_and_guest(payload in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(check_args_payload(&payload), Ok(()));
        prop_assert_eq!(abi::check_sdk_payload(sdk_echo(), &payload), Ok(()));
    }
}

fn sdk_echo() -> &'static fazt_wasm_runtime::Module {
    static MODULE: OnceLock<fazt_wasm_runtime::Module> = OnceLock::new();
    MODULE.get_or_init(abi::sdk_echo_module)
}
