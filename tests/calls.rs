//! Service calls through the ABI: round trips, isolation, concurrency and every error class.

use std::sync::Arc;

use fazt_wasm_abi::args::{self, Value};
use fazt_wasm_runtime::{
    Args, Bridge, CallOptions, CallState, Error, ErrorCode, ImportRefusal, ModuleConfig, Runtime,
    RuntimeConfig, wasmi,
};

use crate::support::{call, check_call, echo_module, echo_wasm, runtime, wat_module};

#[test]
fn echo_round_trips_every_argument_type() {
    let module = echo_module(ModuleConfig::default());
    let payload: Vec<u8> = (0..=255).collect();
    let arguments = Args::new()
        .int("width", 800)
        .int("negative", -5_000_000_000)
        .float("ratio", 0.75)
        .bool("flag", true)
        .str("format", "png")
        .bytes("input", &payload);
    let output = module
        .call("echo", &arguments, &CallOptions::default())
        .unwrap();
    let decoded = args::decode(output.bytes()).unwrap();
    assert_eq!(decoded.entries(), arguments.entries());
    assert!(output.stats().fuel_consumed > 0);
    assert!(output.stats().memory_peak_bytes >= 65_536);
}

#[test]
fn nothing_survives_between_calls() {
    let module = echo_module(ModuleConfig::default());
    // `count` bumps a global and a memory byte; a fresh store sees both at zero again.
    for _ in 0..3 {
        check_call(&module, "count", &Args::new(), b"11");
    }
}

#[test]
fn instance_keeps_state_between_its_own_calls() {
    let module = echo_module(ModuleConfig::default());
    let mut instance = module.instantiate(&CallOptions::default()).unwrap();
    assert_eq!(&instance.call("count", &Args::new()).unwrap()[..], b"11");
    assert_eq!(&instance.call("count", &Args::new()).unwrap()[..], b"22");
    drop(instance);
    check_call(&module, "count", &Args::new(), b"11");
}

#[test]
fn eight_threads_share_one_module() {
    let module = echo_module(ModuleConfig::default());
    let handles: Vec<_> = (0..8)
        .map(|thread| {
            let module = module.clone();
            std::thread::spawn(move || {
                for i in 0..50i64 {
                    let value = thread * 1000 + i;
                    let output = module
                        .call(
                            "echo",
                            &Args::new().int("v", value),
                            &CallOptions::default(),
                        )
                        .unwrap();
                    let decoded = args::decode(output.bytes()).unwrap();
                    assert_eq!(decoded.get("v"), Some(&Value::Int(value)));
                    assert_eq!(call(&module, "count").unwrap().bytes(), b"11");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

#[test]
fn guest_errors_come_back_with_their_code() {
    let module = echo_module(ModuleConfig::default());
    let error = call(&module, "refuse").unwrap_err();
    match &error.error {
        Error::Guest { code, message } => {
            assert_eq!(*code, ErrorCode::BadArgument);
            assert_eq!(message, "no");
        }
        other => panic!("expected a guest error, got {other:?}"),
    }
    assert_eq!(error.kind(), "guest");
}

#[test]
fn traps_are_panics_with_their_code_and_the_module_stays_usable() {
    let module = echo_module(ModuleConfig::default());
    let cases = [
        ("panic", wasmi::TrapCode::UnreachableCodeReached),
        ("divide_by_zero", wasmi::TrapCode::IntegerDivisionByZero),
        ("out_of_bounds", wasmi::TrapCode::MemoryOutOfBounds),
        ("recurse", wasmi::TrapCode::StackOverflow),
    ];
    for (export, code) in cases {
        let error = call(&module, export).unwrap_err();
        assert!(error.is_panic(), "{export}: {error}");
        assert_eq!(error.kind(), "panic");
        assert_eq!(error.error.trap_code(), Some(code), "{export}");
        assert!(error.stats.fuel_consumed > 0, "{export} reports its fuel");
        // The same module keeps working after every kind of trap.
        check_call(&module, "count", &Args::new(), b"11");
    }
}

#[test]
fn missing_export_and_wrong_signature_are_refused_before_running() {
    let module = echo_module(ModuleConfig::default());
    let error = call(&module, "nope").unwrap_err();
    assert!(matches!(&error.error, Error::ExportNotFound { export, .. } if export == "nope"));
    assert_eq!(error.stats.fuel_consumed, 0);
    let error = call(&module, "wrong_signature").unwrap_err();
    assert!(
        matches!(&error.error, Error::SignatureMismatch { found, .. } if found == "(i32) -> i32"),
        "{error}"
    );
    let error = module
        .call_raw(
            "add",
            &[wasmi::Val::I64(1), wasmi::Val::I32(2)],
            &CallOptions::default(),
        )
        .unwrap_err();
    assert_eq!(error.kind(), "signature");
    let sum = module
        .call_raw("add", &[40i32.into(), 2i32.into()], &CallOptions::default())
        .unwrap();
    assert_eq!(sum[0].i32(), Some(42));
}

#[test]
fn too_many_arguments_are_bad_arguments() {
    let module = echo_module(ModuleConfig::default());
    let names: Vec<String> = (0..=args::MAX_ARGS).map(|i| format!("a{i}")).collect();
    let mut arguments = Args::new();
    for name in &names {
        arguments.set(name, Value::Int(1));
    }
    let error = module
        .call("echo", &arguments, &CallOptions::default())
        .unwrap_err();
    assert_eq!(error.kind(), "bad_arguments", "{error}");
}

#[test]
fn abi_violations_are_reported_not_panicked() {
    let module = echo_module(ModuleConfig::default());
    for export in ["bad_output", "bad_envelope"] {
        let error = call(&module, export).unwrap_err();
        assert_eq!(error.kind(), "abi", "{export}: {error}");
    }
    // A module without the allocator cannot take arguments.
    let bare = wat_module(
        r#"(module (memory (export "memory") 1) (func (export "f") (param i32 i32) (result i64) i64.const 0))"#,
        ModuleConfig::default(),
    )
    .unwrap();
    let error = call(&bare, "f").unwrap_err();
    assert_eq!(error.kind(), "abi");
    assert!(error.to_string().contains("fazt_alloc"), "{error}");
}

#[test]
fn invalid_bytes_are_invalid_modules() {
    let runtime = runtime();
    for bytes in [&b""[..], b"\0asm", b"not wasm at all", &echo_wasm()[..40]] {
        let error = runtime
            .load("broken", bytes, ModuleConfig::default())
            .unwrap_err();
        assert!(matches!(error, Error::InvalidModule { .. }), "{error}");
        assert_eq!(error.kind(), "invalid_module");
    }
}

#[test]
fn wasi_and_unknown_imports_are_refused_at_load_by_name() {
    let cases = [
        (
            r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
            "wasi_snapshot_preview1.fd_write",
            ImportRefusal::NotRegistered,
        ),
        (
            r#"(import "fazt" "launch_missiles" (func))"#,
            "fazt.launch_missiles",
            ImportRefusal::NotRegistered,
        ),
        (
            r#"(import "env" "memory" (memory 1))"#,
            "env.memory",
            ImportRefusal::NotAFunction,
        ),
    ];
    for (import, name, reason) in cases {
        let error = wat_module(&format!("(module {import})"), ModuleConfig::default()).unwrap_err();
        match &error {
            Error::ForbiddenImport {
                import, reason: r, ..
            } => {
                assert_eq!(import, name);
                assert_eq!(*r, reason);
            }
            other => panic!("expected a forbidden import, got {other:?}"),
        }
        assert!(error.to_string().contains(name), "{error}");
    }
}

/// A bridge for tests: `fazt.probe(x) -> x * 2`, failing on 13, panicking on 666.
#[derive(Debug)]
struct Probe {
    by_default: bool,
}

#[derive(Debug)]
struct ProbeFailure;

impl std::fmt::Display for ProbeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("probe refuses 13")
    }
}

impl fazt_wasm_runtime::HostFailure for ProbeFailure {}

impl Bridge for Probe {
    fn name(&self) -> &'static str {
        "probe"
    }
    fn signature(&self) -> wasmi::FuncType {
        wasmi::FuncType::new([wasmi::ValType::I32], [wasmi::ValType::I32])
    }
    fn granted_by_default(&self) -> bool {
        self.by_default
    }
    fn register(&self, linker: &mut wasmi::Linker<CallState>) -> Result<(), wasmi::Error> {
        linker.func_wrap(
            "fazt",
            "probe",
            |caller: wasmi::Caller<'_, CallState>, x: i32| {
                fazt_wasm_runtime::catch_bridge_panic("probe", || {
                    assert_eq!(caller.data().caller(), Some("app-1"));
                    match x {
                        13 => Err(fazt_wasm_runtime::host_error(ProbeFailure)),
                        666 => panic!("probe was asked for 666"),
                        x => Ok(x * 2),
                    }
                })
            },
        )?;
        Ok(())
    }
}

const PROBE_GUEST: &str = r#"(module
    (import "fazt" "probe" (func $probe (param i32) (result i32)))
    (func (export "probe") (param i32) (result i32) (call $probe (local.get 0))))"#;

#[test]
fn bridges_are_admitted_only_when_granted() {
    let wasm = wat::parse_str(PROBE_GUEST).unwrap();
    let runtime =
        Runtime::new(RuntimeConfig::default().bridge(Probe { by_default: false })).unwrap();
    let error = runtime
        .load("probe", &wasm, ModuleConfig::default())
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::ForbiddenImport {
                reason: ImportRefusal::NotGranted,
                ..
            }
        ),
        "{error}"
    );
    let module = runtime
        .load("probe", &wasm, ModuleConfig::default().grant("probe"))
        .unwrap();
    let options = CallOptions::default().caller("app-1");
    assert_eq!(
        module.call_raw("probe", &[21i32.into()], &options).unwrap()[0].i32(),
        Some(42)
    );
    // Wrong signature of a registered bridge.
    let wrong = wat::parse_str(r#"(module (import "fazt" "probe" (func (param i64))))"#).unwrap();
    let error = runtime
        .load("wrong", &wrong, ModuleConfig::default().grant("probe"))
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::ForbiddenImport {
                reason: ImportRefusal::WrongSignature,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn host_function_failures_and_panics_are_errors_and_the_module_survives() {
    let wasm = wat::parse_str(PROBE_GUEST).unwrap();
    let runtime = Runtime::new(RuntimeConfig {
        bridges: vec![Arc::new(Probe { by_default: true })],
        ..RuntimeConfig::default()
    })
    .unwrap();
    let module = runtime
        .load("probe", &wasm, ModuleConfig::default())
        .unwrap();
    let options = CallOptions::default().caller("app-1");
    let error = module
        .call_raw("probe", &[13i32.into()], &options)
        .unwrap_err();
    assert_eq!(error.kind(), "host", "{error}");
    assert!(!error.is_panic());
    let error = module
        .call_raw("probe", &[666i32.into()], &options)
        .unwrap_err();
    assert!(error.is_panic(), "{error}");
    assert!(error.to_string().contains("666"), "{error}");
    assert_eq!(
        module.call_raw("probe", &[1i32.into()], &options).unwrap()[0].i32(),
        Some(2)
    );
}

#[test]
fn registering_one_name_twice_is_refused() {
    let config = RuntimeConfig::default()
        .bridge(Probe { by_default: true })
        .bridge(Probe { by_default: false });
    assert_eq!(Runtime::new(config).unwrap_err().kind(), "limit_config");
}

#[test]
fn instance_moves_bytes_in_and_out_with_bounds_checks() {
    let module = echo_module(ModuleConfig::default());
    let mut instance = module.instantiate(&CallOptions::default()).unwrap();
    let ptr = instance.write_bytes(b"hello").unwrap();
    assert_eq!(
        &instance.read_bytes(ptr.offset, ptr.len).unwrap()[..],
        b"hello"
    );
    instance.free(ptr).unwrap();
    let size = instance.memory_used();
    assert_eq!(size, 65_536);
    let error = instance.read_bytes(size as u32 - 2, 4).unwrap_err();
    assert_eq!(error.kind(), "abi");
    assert!(instance.read_bytes(u32::MAX, 2).is_err());
    let before = instance.fuel_remaining();
    instance
        .call_raw("add", &[1i32.into(), 2i32.into()])
        .unwrap();
    assert!(instance.fuel_remaining() < before);
    instance.set_fuel_limit(0);
    assert_eq!(instance.fuel_remaining(), 0);
    assert!(
        instance
            .call_raw("add", &[1i32.into(), 2i32.into()])
            .unwrap_err()
            .is_out_of_fuel()
    );
    instance.add_fuel(1_000);
    assert_eq!(
        instance
            .call_raw("add", &[1i32.into(), 2i32.into()])
            .unwrap()[0]
            .i32(),
        Some(3)
    );
}

#[test]
fn output_accessors_check_their_format() {
    let module = echo_module(ModuleConfig::default());
    let output = call(&module, "count").unwrap();
    assert_eq!(output.string().unwrap(), "11");
    assert_eq!(output.int().unwrap(), 11);
    let binary = module
        .call(
            "echo",
            &Args::new().bytes("b", &[0xff, 0xfe]),
            &CallOptions::default(),
        )
        .unwrap();
    assert_eq!(binary.string().unwrap_err().kind(), "output");
}
