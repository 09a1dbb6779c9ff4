//! Crashes found by fuzzing (issue 7), minimised; each runs on stable in `cargo test`.

use fazt_wasm_runtime::ModuleConfig;

use crate::support::runtime;

/// Loads `wasm` and asserts it is refused as invalid, not accepted and not a panic.
fn check_refused_as_invalid(wasm: &[u8]) {
    let error = runtime()
        .load("regression", wasm, ModuleConfig::default())
        .expect_err("the bytes are not a valid module");
    assert_eq!(error.kind(), "invalid_module", "{error}");
}

/// Found by the `load` target: a code section of 1000 bytes or more that declares no
/// functions. wasmi 2.0.0 checks the average function size with `size / count` in
/// `process_code_start` (module/parser/mod.rs:468) before validating the section, so the load
/// panics with "attempt to divide by zero" (with debug assertions: "size and count are
/// inter-dependent") instead of returning an error.
#[test]
fn issue_7_code_section_without_functions_is_refused_not_a_panic() {
    // Header, then section 10 (code) claiming 1000 bytes (LEB128 e8 07) with a count of 0.
    check_refused_as_invalid(b"\0asm\x01\0\0\0\x0a\xe8\x07\x00");
    // The fuzzer's original: a truncated section claiming 4342 bytes.
    check_refused_as_invalid(b"\0asm\x01\0\0\0\x0a\xf6\x21\x00\0\0\0\0\0\0\0\x5d");
}

#[test]
fn issue_7_code_section_without_functions_below_the_average_check_is_refused() {
    // 999 bytes: below the size where wasmi checks the average, so validation refuses it.
    check_refused_as_invalid(b"\0asm\x01\0\0\0\x0a\xe7\x07\x00");
}

/// Found by the `execute` target: an active element segment outside its table makes
/// instantiation fail with wasmi's "out of bounds table access" error, which `classify` does
/// not recognise, so the call reports `Trap { code: UnreachableCodeReached }` with wasmi's text
/// instead of the spec's `TableOutOfBounds` trap (the data-segment case is classified right).
#[test]
fn issue_7_element_segment_outside_its_table_traps_as_table_out_of_bounds() {
    let module = crate::support::wat_module(
        r#"(module (table 1 funcref) (elem (i32.const -120) func)
             (func (export "f")))"#,
        ModuleConfig::default(),
    )
    .expect("the module is valid; the segment fails at instantiation");
    let error = module
        .call_raw("f", &[], &fazt_wasm_runtime::CallOptions::default())
        .unwrap_err();
    assert_eq!(error.kind(), "panic", "{error}");
    assert_eq!(
        error.error.trap_code(),
        Some(fazt_wasm_runtime::wasmi::TrapCode::TableOutOfBounds),
        "{error:?}"
    );
}

/// Found by the `execute` target: a table declared with more than `MAX_TABLE_ELEMENTS`
/// elements is refused by the runtime's limiter at instantiation, and `classify` reports
/// wasmi's "failed to instantiate table: a resource limiter denied ..." as a guest panic
/// (`Trap { code: UnreachableCodeReached }`). It is a limit, like linear memory above its cap.
#[test]
fn issue_7_table_above_the_element_cap_is_out_of_memory_not_a_guest_panic() {
    let elements = fazt_wasm_runtime::MAX_TABLE_ELEMENTS + 1;
    let module = crate::support::wat_module(
        &format!(r#"(module (table {elements} funcref) (func (export "f")))"#),
        ModuleConfig::default(),
    )
    .expect("the module is valid; the table is refused per call");
    let error = module
        .call_raw("f", &[], &fazt_wasm_runtime::CallOptions::default())
        .unwrap_err();
    assert!(!error.is_panic(), "{error:?}");
    assert_eq!(error.kind(), "oom", "{error}");
}

/// Found by the `execute` target: wasmi 2.0.0's translator reaches `unreachable!()`
/// (translator/func/mod.rs:2583, `encode_store`) for a store with a static offset above
/// `u16::MAX` whose address and value both sit in its register. Functions are translated
/// lazily, so the first call of such a function panics in the caller's thread (and aborts a
/// `panic = "abort"` host). Minimised by hand from the fuzzer's module.
#[test]
#[ignore = "issue 7: wasmi 2.0.0 panics (unreachable!) translating a store with an offset above u16::MAX of a register address; upstream bug, the runtime now fails the call cleanly (see issue_7_engine_panics_fail_the_call_not_the_host)"]
fn issue_7_store_with_a_large_offset_of_a_teed_address_does_not_panic() {
    let wat = |pages: u32| {
        format!(
            r#"(module (memory {pages})
                 (func (export "f") (param i32)
                   (i32.store offset=70000 (local.tee 0 (i32.load (i32.const 0))) (local.get 0))))"#
        )
    };
    let params = [fazt_wasm_runtime::wasmi::Val::I32(0)];
    let options = fazt_wasm_runtime::CallOptions::default();
    // Two pages: the store at 70000 is in bounds.
    let fits = crate::support::wat_module(&wat(2), ModuleConfig::default()).unwrap();
    fits.call_raw("f", &params, &options)
        .expect("the store is in bounds");
    // One page: it traps out of bounds.
    let past_end = crate::support::wat_module(&wat(1), ModuleConfig::default()).unwrap();
    let error = past_end.call_raw("f", &params, &options).unwrap_err();
    assert_eq!(
        error.error.trap_code(),
        Some(fazt_wasm_runtime::wasmi::TrapCode::MemoryOutOfBounds),
        "{error:?}"
    );
}

#[test]
fn issue_7_engine_panics_fail_the_call_not_the_host() {
    // Until wasmi's translator is fixed, the store above panics inside wasmi; the runtime
    // catches it at the call boundary and reports an internal error, and the module and the
    // runtime stay usable.
    let module = crate::support::wat_module(
        r#"(module (memory 2)
             (func (export "f") (param i32)
               (i32.store offset=70000 (local.tee 0 (i32.load (i32.const 0))) (local.get 0)))
             (func (export "ok") (result i32) i32.const 7))"#,
        ModuleConfig::default(),
    )
    .unwrap();
    let options = fazt_wasm_runtime::CallOptions::default();
    match module.call_raw("f", &[fazt_wasm_runtime::wasmi::Val::I32(0)], &options) {
        // Once wasmi is fixed the store simply succeeds.
        Ok(_) => {}
        Err(error) => {
            assert_eq!(error.kind(), "internal", "{error}");
            assert!(
                !error.is_panic(),
                "an engine bug is not a guest panic: {error}"
            );
        }
    }
    let values = module.call_raw("ok", &[], &options).unwrap();
    assert_eq!(values[0].i32(), Some(7));
}
