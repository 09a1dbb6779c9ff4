//! The module cache: hits, misses, reloads, every eviction reason, TTL, clear, compile-once.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use fazt_wasm_runtime::{
    CacheConfig, CallOptions, ManualClock, ModuleConfig, Runtime, RuntimeConfig,
};

/// A small module whose bytes differ by `n` and which returns `n` from `value`.
fn numbered_wasm(n: i32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module (func (export "value") (result i32) i32.const {n}))"#
    ))
    .unwrap()
}

fn value(module: &fazt_wasm_runtime::Module) -> i32 {
    module
        .call_raw("value", &[], &CallOptions::default())
        .unwrap()[0]
        .i32()
        .unwrap()
}

fn runtime_with(cache: CacheConfig, clock: Arc<ManualClock>) -> Runtime {
    Runtime::new(RuntimeConfig {
        cache,
        clock,
        ..RuntimeConfig::default()
    })
    .unwrap()
}

#[test]
fn a_hit_returns_the_compiled_module_and_counts_once() {
    let runtime = runtime_with(CacheConfig::default(), Arc::new(ManualClock::new()));
    let wasm = numbered_wasm(1);
    let first = runtime.load("one", &wasm, ModuleConfig::default()).unwrap();
    let second = runtime.load("one", &wasm, ModuleConfig::default()).unwrap();
    assert_eq!(value(&second), 1);
    let stats = runtime.cache().stats();
    assert_eq!(
        (stats.hits, stats.misses, stats.reloads, stats.entries),
        (1, 1, 0, 1)
    );
    let metrics = runtime.metrics();
    assert_eq!(metrics.modules[0].compiles, 1);
    assert_eq!(metrics.modules[0].loads, 2);
    // Other limits on the same bytes reuse the compiled module.
    let tight = runtime
        .load(
            "one",
            &wasm,
            ModuleConfig {
                fuel_limit: 10,
                ..ModuleConfig::default()
            },
        )
        .unwrap();
    assert_eq!(tight.config().fuel_limit, 10);
    assert_eq!(runtime.metrics().modules[0].compiles, 1);
    assert_eq!(value(&first), 1);
    assert!(runtime.cached("one").is_some() && runtime.cached("two").is_none());
}

#[test]
fn new_bytes_under_a_known_name_reload_and_old_handles_keep_working() {
    let runtime = runtime_with(CacheConfig::default(), Arc::new(ManualClock::new()));
    let old = runtime
        .load("m", &numbered_wasm(1), ModuleConfig::default())
        .unwrap();
    let new = runtime
        .load("m", &numbered_wasm(2), ModuleConfig::default())
        .unwrap();
    assert_eq!((value(&old), value(&new)), (1, 2));
    assert_eq!(value(&runtime.cached("m").unwrap()), 2);
    let stats = runtime.cache().stats();
    assert_eq!((stats.misses, stats.reloads, stats.entries), (1, 1, 1));
}

#[test]
fn the_least_recently_used_module_is_evicted_at_max_modules() {
    let clock = Arc::new(ManualClock::new());
    let runtime = runtime_with(
        CacheConfig {
            max_modules: 2,
            ..CacheConfig::default()
        },
        clock.clone(),
    );
    runtime
        .load("a", &numbered_wasm(1), ModuleConfig::default())
        .unwrap();
    clock.advance(Duration::from_secs(1));
    runtime
        .load("b", &numbered_wasm(2), ModuleConfig::default())
        .unwrap();
    clock.advance(Duration::from_secs(1));
    runtime.cached("a").unwrap();
    clock.advance(Duration::from_secs(1));
    runtime
        .load("c", &numbered_wasm(3), ModuleConfig::default())
        .unwrap();
    let mut names = runtime.cache().names();
    names.sort();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(runtime.cache().stats().evicted_lru, 1);
}

#[test]
fn modules_are_evicted_when_estimated_memory_would_pass_the_cap() {
    let wasm = numbered_wasm(1);
    let one = fazt_wasm_runtime::estimate_module_bytes(wasm.len(), true);
    let clock = Arc::new(ManualClock::new());
    let runtime = runtime_with(
        CacheConfig {
            max_memory_bytes: 2 * one + one / 2,
            ..CacheConfig::default()
        },
        clock.clone(),
    );
    for n in 0..3 {
        runtime
            .load(&format!("m{n}"), &numbered_wasm(n), ModuleConfig::default())
            .unwrap();
        clock.advance(Duration::from_secs(1));
    }
    let stats = runtime.cache().stats();
    assert_eq!(stats.entries, 2);
    assert_eq!(stats.evicted_memory, 1);
    assert!(stats.memory_bytes <= 2 * one + one / 2);
    assert!(runtime.cached("m0").is_none());
}

#[test]
fn modules_unused_for_the_ttl_expire_without_sleeping() {
    let clock = Arc::new(ManualClock::new());
    let runtime = runtime_with(
        CacheConfig {
            ttl: Some(Duration::from_secs(60)),
            ..CacheConfig::default()
        },
        clock.clone(),
    );
    runtime
        .load("old", &numbered_wasm(1), ModuleConfig::default())
        .unwrap();
    clock.advance(Duration::from_secs(59));
    assert!(
        runtime.cached("old").is_some(),
        "used at 59 s, so its TTL restarts"
    );
    clock.advance(Duration::from_secs(59));
    runtime
        .load("new", &numbered_wasm(2), ModuleConfig::default())
        .unwrap();
    assert_eq!(
        runtime.cache().len(),
        2,
        "old was idle 59 s of its 60 s TTL"
    );
    clock.advance(Duration::from_secs(60));
    assert!(runtime.cached("old").is_none());
    assert!(runtime.cached("new").is_none());
    assert_eq!(runtime.cache().stats().evicted_ttl, 2);
}

#[test]
fn listing_shows_sizes_hits_and_ages() {
    let clock = Arc::new(ManualClock::new());
    let runtime = runtime_with(CacheConfig::default(), clock.clone());
    let wasm = numbered_wasm(7);
    runtime
        .load("seven", &wasm, ModuleConfig::default())
        .unwrap();
    clock.advance(Duration::from_secs(5));
    runtime
        .load("seven", &wasm, ModuleConfig::default())
        .unwrap();
    clock.advance(Duration::from_secs(2));
    let list = runtime.cache().list();
    assert_eq!(list.len(), 1);
    let entry = &list[0];
    assert_eq!(
        (entry.name.as_str(), entry.wasm_bytes, entry.hits),
        ("seven", wasm.len(), 1)
    );
    assert_eq!(
        (entry.age, entry.idle),
        (Duration::from_secs(7), Duration::from_secs(2))
    );
    assert!(entry.estimated_bytes > wasm.len() as u64);
}

#[test]
fn clear_drops_everything_and_starts_fresh_engines() {
    let runtime = runtime_with(CacheConfig::default(), Arc::new(ManualClock::new()));
    let held = runtime
        .load("a", &numbered_wasm(1), ModuleConfig::default())
        .unwrap();
    runtime
        .load("b", &numbered_wasm(2), ModuleConfig::default())
        .unwrap();
    let generations = runtime.metrics().engine_generations;
    assert_eq!(runtime.clear_cache(), 2);
    assert!(runtime.cache().is_empty());
    assert_eq!(runtime.cache().stats().cleared, 2);
    assert!(runtime.metrics().engine_generations > generations);
    // A handle taken before the clear still works; new loads compile on the fresh engine.
    assert_eq!(value(&held), 1);
    assert_eq!(
        value(
            &runtime
                .load("a", &numbered_wasm(1), ModuleConfig::default())
                .unwrap()
        ),
        1
    );
}

#[test]
fn two_threads_loading_the_same_missing_module_compile_it_once() {
    let runtime = runtime_with(CacheConfig::default(), Arc::new(ManualClock::new()));
    let wasm = Arc::new(numbered_wasm(5));
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let (runtime, wasm, barrier) = (runtime.clone(), wasm.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                value(
                    &runtime
                        .load("five", &wasm, ModuleConfig::default())
                        .unwrap(),
                )
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), 5);
    }
    assert_eq!(runtime.metrics().modules[0].compiles, 1);
    let stats = runtime.cache().stats();
    assert_eq!(stats.misses + stats.hits, 2, "{stats:?}");
}

/// One step of a cache workload for the invariant property below.
#[derive(Debug, Clone)]
enum CacheOp {
    /// Load module `name` with content `variant` (sizes differ by variant).
    Load { name: u8, variant: u8 },
    /// Look a name up without bytes.
    Cached { name: u8 },
    /// Let time pass.
    Advance { secs: u16 },
    /// Drop everything.
    Clear,
}

fn cache_op() -> impl proptest::strategy::Strategy<Value = CacheOp> {
    use proptest::prelude::*;
    prop_oneof![
        6 => (0u8..6, 0u8..4).prop_map(|(name, variant)| CacheOp::Load { name, variant }),
        2 => (0u8..6).prop_map(|name| CacheOp::Cached { name }),
        2 => (0u16..90).prop_map(|secs| CacheOp::Advance { secs }),
        1 => Just(CacheOp::Clear),
    ]
}

/// Content `variant` of a module: returns `variant` from `value` and carries
/// `variant * 3 KiB` of data, so estimated sizes differ and the memory bound is exercised.
fn sized_wasm(variant: u8) -> Vec<u8> {
    let pad = "x".repeat(usize::from(variant) * 3 * 1024);
    wat::parse_str(format!(
        r#"(module (memory 1) (data (i32.const 0) "{pad}")
             (func (export "value") (result i32) i32.const {variant}))"#
    ))
    .unwrap()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// After any sequence of loads, lookups, clock moves and clears: the cache holds at most
    /// `max_modules`; its estimated memory is the sum of its entries and within the cap (a
    /// single module larger than the cap is the only exception); nothing idle for the TTL
    /// survives an operation; every module it hands out runs the bytes last loaded under
    /// that name; and the counters add up to the operations made.
    #[test]
    fn cache_bounds_hold_after_any_sequence(ops in proptest::collection::vec(cache_op(), 1..40)) {
        let wasm: Vec<Vec<u8>> = (0..4).map(sized_wasm).collect();
        let cap = fazt_wasm_runtime::estimate_module_bytes(wasm[3].len(), true) * 2;
        let config = CacheConfig {
            max_modules: 3,
            max_memory_bytes: cap,
            ttl: Some(Duration::from_secs(120)),
            ..CacheConfig::default()
        };
        let clock = Arc::new(ManualClock::new());
        let runtime = runtime_with(config, clock.clone());
        // What each name was last loaded with, while the cache may still hold it.
        let mut last_loaded = [None::<u8>; 6];
        let (mut loads, mut lookups_hit, mut cleared) = (0u64, 0u64, 0u64);
        for op in &ops {
            match *op {
                CacheOp::Load { name, variant } => {
                    let module = runtime
                        .load(&format!("m{name}"), &wasm[usize::from(variant)], ModuleConfig::default())
                        .unwrap();
                    proptest::prop_assert_eq!(value(&module), i32::from(variant));
                    last_loaded[usize::from(name)] = Some(variant);
                    loads += 1;
                }
                CacheOp::Cached { name } => {
                    if let Some(module) = runtime.cached(&format!("m{name}")) {
                        let expected = last_loaded[usize::from(name)];
                        proptest::prop_assert_eq!(Some(value(&module)), expected.map(i32::from));
                        lookups_hit += 1;
                    }
                }
                CacheOp::Advance { secs } => clock.advance(Duration::from_secs(secs.into())),
                CacheOp::Clear => cleared += runtime.clear_cache() as u64,
            }
            let stats = runtime.cache().stats();
            let list = runtime.cache().list();
            proptest::prop_assert!(stats.entries <= config.max_modules, "{stats:?}");
            proptest::prop_assert_eq!(list.len(), stats.entries);
            let sum: u64 = list.iter().map(|entry| entry.estimated_bytes).sum();
            proptest::prop_assert_eq!(sum, stats.memory_bytes);
            proptest::prop_assert!(
                stats.memory_bytes <= cap || stats.entries == 1,
                "{} bytes cached over a cap of {cap}", stats.memory_bytes
            );
            if matches!(op, CacheOp::Load { .. } | CacheOp::Cached { .. }) {
                // Every lookup, hit or miss, drops what is past the TTL first.
                for entry in &list {
                    proptest::prop_assert!(entry.idle < config.ttl.unwrap(), "{entry:?}");
                }
            }
            proptest::prop_assert_eq!(stats.hits + stats.misses + stats.reloads, loads + lookups_hit);
            proptest::prop_assert_eq!(stats.cleared, cleared);
        }
    }
}
