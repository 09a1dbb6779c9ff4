//! Property tests: loading never panics, fuel never exceeds the budget, slicing is invisible.

use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig, Runtime, RuntimeConfig};
use proptest::prelude::*;

use crate::support::{echo_wasm, runtime};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_bytes_load_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = runtime().load("fuzz", &bytes, ModuleConfig::default());
    }

    #[test]
    fn mutated_modules_load_or_fail_cleanly(index in 0usize..4096, byte in any::<u8>()) {
        let mut wasm = echo_wasm();
        let index = index % wasm.len();
        wasm[index] = byte;
        if let Ok(module) = runtime().load("mutant", &wasm, ModuleConfig { fuel_limit: 100_000, ..ModuleConfig::default() }) {
            let _ = module.call("echo", &Args::new().int("n", 1), &CallOptions::default());
        }
    }

    #[test]
    fn fuel_consumed_never_exceeds_the_budget(budget in 1u64..200_000, n in 0i64..100) {
        let module = runtime().load("echo", &echo_wasm(), ModuleConfig { fuel_limit: budget, ..ModuleConfig::default() }).unwrap();
        let stats = match module.call("work", &Args::new().int("n", n), &CallOptions::default()) {
            Ok(output) => output.stats(),
            Err(error) => {
                prop_assert!(error.is_out_of_fuel(), "{}", error);
                error.stats
            }
        };
        prop_assert!(stats.fuel_consumed <= budget);
    }

    #[test]
    fn sliced_and_unsliced_calls_agree(slice in 1u64..50_000, n in 0i64..60, budget in 1_000u64..2_000_000) {
        let wasm = echo_wasm();
        let run = |fuel_slice: u64| {
            let runtime = Runtime::new(RuntimeConfig { fuel_slice, ..RuntimeConfig::default() }).unwrap();
            let module = runtime.load("echo", &wasm, ModuleConfig { fuel_limit: budget, ..ModuleConfig::default() }).unwrap();
            match module.call("work", &Args::new().int("n", n), &CallOptions::default()) {
                Ok(output) => (output.bytes().to_vec(), "ok", output.stats().fuel_consumed),
                Err(error) => (Vec::new(), error.kind(), error.stats.fuel_consumed),
            }
        };
        prop_assert_eq!(run(slice), run(u64::MAX));
    }
}
