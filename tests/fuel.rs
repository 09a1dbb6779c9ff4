//! Fuel: budgets, exhaustion, and fuel that does not depend on history or slicing.

use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig, Runtime, RuntimeConfig};

use crate::support::{call, echo_module, echo_wasm};

fn work_fuel(module: &fazt_wasm_runtime::Module, n: i64, options: &CallOptions) -> u64 {
    module
        .call("work", &Args::new().int("n", n), options)
        .unwrap()
        .stats()
        .fuel_consumed
}

#[test]
fn fuel_exhaustion_reports_out_of_fuel_with_the_budget() {
    let module = echo_module(ModuleConfig {
        fuel_limit: 100_000,
        ..ModuleConfig::default()
    });
    let error = call(&module, "spin").unwrap_err();
    assert!(error.is_out_of_fuel() && error.is_timeout(), "{error}");
    assert_eq!(error.kind(), "fuel");
    assert!(matches!(
        error.error,
        fazt_wasm_runtime::Error::OutOfFuel { budget: 100_000 }
    ));
    assert!(error.stats.fuel_consumed <= 100_000);
    assert!(
        error.stats.fuel_consumed > 99_000,
        "{}",
        error.stats.fuel_consumed
    );
    // A per-call override wins over the module's budget.
    let error = module
        .call(
            "spin",
            &Args::new(),
            &CallOptions::default().fuel_limit(5_000),
        )
        .unwrap_err();
    assert!(error.stats.fuel_consumed <= 5_000);
}

#[test]
fn first_and_hundredth_call_consume_identical_fuel() {
    let module = echo_module(ModuleConfig::default());
    let first = work_fuel(&module, 3, &CallOptions::default());
    for _ in 0..99 {
        assert_eq!(work_fuel(&module, 3, &CallOptions::default()), first);
    }
    assert!(work_fuel(&module, 4, &CallOptions::default()) > first);
}

#[test]
fn slicing_does_not_change_fuel() {
    let wasm = echo_wasm();
    let mut fuels = Vec::new();
    for slice in [1, 7, 1_000, 10_000_000] {
        let runtime = Runtime::new(RuntimeConfig {
            fuel_slice: slice,
            ..RuntimeConfig::default()
        })
        .unwrap();
        let module = runtime
            .load("echo", &wasm, ModuleConfig::default())
            .unwrap();
        fuels.push(work_fuel(&module, 20, &CallOptions::default()));
        // Out-of-fuel lands on the same instruction however the budget is sliced.
        let error = module
            .call(
                "spin",
                &Args::new(),
                &CallOptions::default().fuel_limit(12_345),
            )
            .unwrap_err();
        fuels.push(error.stats.fuel_consumed);
    }
    assert!(fuels.chunks(2).all(|pair| pair == &fuels[..2]), "{fuels:?}");
}
