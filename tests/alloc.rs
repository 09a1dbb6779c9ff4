//! Heap accounting with a counting global allocator: cache eviction and `clear_cache` really
//! free memory. A binary of its own (the allocator counts the whole process), and its tests
//! run one at a time under a lock.

use std::alloc::System;
use std::sync::Mutex;

use fazt_wasm_runtime::{CacheConfig, CallOptions, ModuleConfig, Runtime, RuntimeConfig};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

static SERIAL: Mutex<()> = Mutex::new(());

/// A module with `functions` functions whose bytes differ by `n`; `run` calls all of them so
/// every function gets translated.
fn module_wasm(n: usize, functions: usize) -> Vec<u8> {
    let mut wat = String::from("(module\n");
    for f in 0..functions {
        wat.push_str(&format!(
            // Long enough bodies for wasmi's strict average-function-size limit.
            "(func $f{f} (param i32) (result i32) local.get 0 i32.const {} i32.add i32.const 3 i32.mul i32.const {f} i32.xor \
             i32.const 7 i32.rotl i32.const 1000003 i32.mul i32.const 17 i32.shr_u local.get 0 i32.add i32.const 5 i32.sub \
             i32.const 11 i32.or i32.const 2 i32.div_u)\n",
            n * 1000 + f
        ));
    }
    wat.push_str("(func (export \"run\") (result i32) i32.const 0");
    for f in 0..functions {
        wat.push_str(&format!(" call $f{f}"));
    }
    wat.push_str("))");
    wat::parse_str(wat).unwrap()
}

fn live_bytes(region: &Region<'_, System>) -> i64 {
    let change = region.change();
    change.bytes_allocated as i64 - change.bytes_deallocated as i64
        + change.bytes_reallocated as i64
}

/// Loads, calls and evicts `cycles` distinct modules; returns live heap after `warmup`
/// cycles and at the end.
fn churn(engine_retire_bytes: u64, cycles: usize, warmup: usize) -> (i64, i64) {
    let runtime = Runtime::new(RuntimeConfig {
        cache: CacheConfig {
            max_modules: 2,
            engine_retire_bytes,
            ..CacheConfig::default()
        },
        ..RuntimeConfig::default()
    })
    .unwrap();
    let wasms: Vec<Vec<u8>> = (0..cycles).map(|n| module_wasm(n, 200)).collect();
    let region = Region::new(GLOBAL);
    let mut after_warmup = 0;
    for (n, wasm) in wasms.iter().enumerate() {
        let module = runtime
            .load(&format!("m{}", n % 4), wasm, ModuleConfig::default())
            .unwrap();
        module
            .call_raw("run", &[], &CallOptions::default())
            .unwrap();
        drop(module);
        if n + 1 == warmup {
            after_warmup = live_bytes(&region);
        }
    }
    (after_warmup, live_bytes(&region))
}

#[test]
fn load_evict_reload_cycles_reach_a_steady_state() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Retire an engine after ~1 MiB of dead code: memory plateaus.
    let (warm, end) = churn(1 << 20, 400, 100);
    let growth = end - warm;
    // Without retirement wasmi's engine keeps every module's code: memory keeps growing.
    let (warm_kept, end_kept) = churn(u64::MAX, 400, 100);
    let growth_kept = end_kept - warm_kept;
    eprintln!(
        "growth over 300 cycles: {growth} bytes with engine retirement, {growth_kept} without"
    );
    assert!(
        growth_kept > 4 << 20,
        "the test must be able to see code piling up: {growth_kept}"
    );
    assert!(
        growth < growth_kept / 4,
        "with retirement: {growth}, without: {growth_kept}"
    );
    assert!(
        growth < 3 << 20,
        "steady state expected, grew {growth} bytes"
    );
}

#[test]
fn clear_cache_releases_compiled_code() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let wasms: Vec<Vec<u8>> = (0..8).map(|n| module_wasm(n, 300)).collect();
    let region = Region::new(GLOBAL);
    for (n, wasm) in wasms.iter().enumerate() {
        let module = runtime
            .load(&format!("m{n}"), wasm, ModuleConfig::default())
            .unwrap();
        module
            .call_raw("run", &[], &CallOptions::default())
            .unwrap();
    }
    let loaded = live_bytes(&region);
    assert_eq!(runtime.clear_cache(), 8);
    let cleared = live_bytes(&region);
    eprintln!("live heap: {loaded} bytes with 8 modules cached, {cleared} after clear_cache");
    assert!(
        loaded > 512 << 10,
        "modules should hold real memory: {loaded}"
    );
    assert!(
        cleared < loaded / 10,
        "clear_cache left {cleared} of {loaded} bytes"
    );
}
