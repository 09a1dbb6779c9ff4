//! Memory limits: growth past the cap, initial memory above it, peak accounting.

use fazt_wasm_runtime::{Args, CallOptions, Error, MEMORY_CEILING_BYTES, ModuleConfig};

use crate::support::{call, check_call, echo_module, wat_module};

#[test]
fn memory_grow_past_the_cap_is_oom() {
    let module = echo_module(ModuleConfig {
        memory_limit_bytes: 4 << 20,
        ..ModuleConfig::default()
    });
    let error = call(&module, "grow_bomb").unwrap_err();
    assert!(error.is_oom(), "{error}");
    assert_eq!(error.kind(), "oom");
    assert!(error.stats.memory_peak_bytes <= 4 << 20);
    assert!(
        matches!(error.error, Error::OutOfMemory { limit_bytes, .. } if limit_bytes == 4 << 20)
    );
    check_call(&module, "count", &Args::new(), b"11");
}

#[test]
fn initial_memory_above_the_cap_is_oom() {
    let module = wat_module(
        r#"(module (memory (export "memory") 100) (func (export "f") (param i32 i32) (result i64) i64.const 0))"#,
        ModuleConfig { memory_limit_bytes: 1 << 20, ..ModuleConfig::default() },
    )
    .unwrap();
    let error = call(&module, "f").unwrap_err();
    assert!(error.is_oom(), "{error}");
}

#[test]
fn memory_limit_above_the_ceiling_is_refused_at_load() {
    let error = wat_module(
        "(module)",
        ModuleConfig {
            memory_limit_bytes: MEMORY_CEILING_BYTES * 2,
            ..ModuleConfig::default()
        },
    )
    .unwrap_err();
    assert_eq!(error.kind(), "limit_config");
    assert!(error.to_string().contains("memory_limit_bytes"), "{error}");
}

#[test]
fn peak_memory_counts_growth_from_large_arguments() {
    let module = echo_module(ModuleConfig::default());
    let big = vec![7u8; 3 << 20];
    let output = module
        .call(
            "echo",
            &Args::new().bytes("big", &big),
            &CallOptions::default(),
        )
        .unwrap();
    assert!(
        output.stats().memory_peak_bytes >= 6 << 20,
        "{:?}",
        output.stats()
    );
    assert!(
        output.stats().memory_peak_bytes <= 8 << 20,
        "{:?}",
        output.stats()
    );
}
