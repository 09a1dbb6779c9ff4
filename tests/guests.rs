//! The real guest modules from modules/dist, end to end through the runtime and hostfns.

use std::sync::Arc;

use fazt_wasm_hostfns::vfs::MemVfs;
use fazt_wasm_runtime::{
    Args, CallOptions, Error, ErrorCode, Module, ModuleConfig, Runtime, RuntimeConfig,
};

/// The sample guest built with the SDK (modules/echo).
pub const ECHO_WASM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../modules/dist/echo.wasm"
));

fn echo_guest() -> Module {
    let vfs = MemVfs::new()
        .with_file("app-1", "notes/hello.txt", b"hello from the vfs".to_vec())
        .unwrap();
    let runtime = Runtime::new(fazt_wasm_hostfns::install(
        RuntimeConfig::default(),
        Some(Arc::new(vfs)),
    ))
    .unwrap();
    runtime
        .load_static(
            "echo",
            ECHO_WASM,
            ModuleConfig::default().grant("read_file"),
        )
        .unwrap()
}

fn app_call(
    module: &Module,
    export: &str,
    args: &Args<'_>,
) -> Result<fazt_wasm_runtime::Output, fazt_wasm_runtime::CallError> {
    module.call(export, args, &CallOptions::default().caller("app-1"))
}

#[test]
fn sdk_guest_echoes_bytes() {
    let module = echo_guest();
    let input: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let output = app_call(&module, "echo", &Args::new().bytes("input", &input)).unwrap();
    assert_eq!(output.bytes(), &input[..]);
}

#[test]
fn sdk_guest_reports_argument_errors_by_name() {
    let module = echo_guest();
    let error = app_call(&module, "echo", &Args::new().int("input", 3)).unwrap_err();
    match &error.error {
        Error::Guest {
            code: ErrorCode::BadArgument,
            message,
        } => assert!(message.contains("\"input\""), "{message}"),
        other => panic!("expected a bad argument, got {other:?}"),
    }
    let error = app_call(&module, "sum", &Args::new().int("a", i64::MAX).int("b", 1)).unwrap_err();
    assert!(
        matches!(
            error.error,
            Error::Guest {
                code: ErrorCode::Limit,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(
        app_call(&module, "sum", &Args::new().int("a", 40).int("b", 2))
            .unwrap()
            .int()
            .unwrap(),
        42
    );
}

#[test]
fn sdk_guest_logs_and_reads_files_through_hostfns() {
    let module = echo_guest();
    let output = app_call(&module, "greet", &Args::new().str("name", "wasm")).unwrap();
    assert_eq!(output.string().unwrap(), "hello, wasm");
    let output = app_call(&module, "read", &Args::new().str("path", "notes/hello.txt")).unwrap();
    assert_eq!(output.bytes(), b"hello from the vfs");
    let error = app_call(&module, "read", &Args::new().str("path", "../etc/passwd")).unwrap_err();
    assert!(
        matches!(
            error.error,
            Error::Guest {
                code: ErrorCode::Host,
                ..
            }
        ),
        "{error}"
    );
    // Another app sees nothing of app-1's files.
    let error = module
        .call(
            "read",
            &Args::new().str("path", "notes/hello.txt"),
            &CallOptions::default().caller("app-2"),
        )
        .unwrap_err();
    assert!(
        matches!(
            error.error,
            Error::Guest {
                code: ErrorCode::Host,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn sdk_guest_panic_is_a_trap_and_the_module_survives() {
    let module = echo_guest();
    let error = app_call(&module, "panic", &Args::new().str("message", "boom")).unwrap_err();
    assert!(error.is_panic(), "{error}");
    assert_eq!(
        app_call(&module, "echo", &Args::new().bytes("input", b"ok"))
            .unwrap()
            .bytes(),
        b"ok"
    );
}

#[test]
fn sdk_guest_fuel_is_identical_on_every_call() {
    let module = echo_guest();
    let fuel = |_| {
        app_call(&module, "greet", &Args::new().str("name", "x"))
            .unwrap()
            .stats()
            .fuel_consumed
    };
    let first = fuel(0);
    assert!((1..20).map(fuel).all(|f| f == first));
}

#[test]
fn sdk_guest_without_read_file_grant_is_refused_at_load() {
    let runtime = Runtime::new(fazt_wasm_hostfns::install(
        RuntimeConfig::default(),
        Some(Arc::new(MemVfs::new())),
    ))
    .unwrap();
    let error = runtime
        .load_static("echo", ECHO_WASM, ModuleConfig::default())
        .unwrap_err();
    assert!(error.to_string().contains("fazt.read_file"), "{error}");
}

/// The libpdf service module.
pub const LIBPDF_WASM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../modules/dist/libpdf.wasm"
));

fn libpdf() -> Module {
    let runtime = Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), None)).unwrap();
    runtime
        .load_static("libpdf", LIBPDF_WASM, ModuleConfig::default())
        .unwrap()
}

fn qpdf_check(pdf: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, pdf).unwrap();
    let status = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .expect("qpdf is required for the PDF checks: apt-get install qpdf (.ci/run installs it)");
    assert!(
        status.status.success(),
        "qpdf --check failed: {}",
        String::from_utf8_lossy(&status.stdout)
    );
}

#[test]
fn libpdf_renders_a_valid_pdf_from_the_report_fixture() {
    let html = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/libpdf/report.html"
    ))
    .unwrap();
    let module = libpdf();
    let output = module
        .call(
            "render",
            &Args::new().str("html", &html),
            &CallOptions::default(),
        )
        .unwrap();
    assert!(output.bytes().starts_with(b"%PDF-"));
    qpdf_check(output.bytes());
    let letter = module
        .call(
            "render",
            &Args::new()
                .str("html", &html)
                .str("page_size", "Letter")
                .float("margin", 10.0),
            &CallOptions::default(),
        )
        .unwrap();
    assert!(
        String::from_utf8_lossy(letter.bytes()).contains("612"),
        "Letter media box"
    );
    // Deterministic: same input, same bytes, same fuel.
    let again = module
        .call(
            "render",
            &Args::new().str("html", &html),
            &CallOptions::default(),
        )
        .unwrap();
    assert_eq!(again.bytes(), output.bytes());
    assert_eq!(again.stats().fuel_consumed, output.stats().fuel_consumed);
}

#[test]
fn libpdf_refuses_bad_arguments_by_name() {
    let module = libpdf();
    let error = module
        .call(
            "render",
            &Args::new().str("html", "<p>x</p>").str("page_size", "A7"),
            &CallOptions::default(),
        )
        .unwrap_err();
    assert!(
        matches!(
            error.error,
            Error::Guest {
                code: ErrorCode::BadArgument,
                ..
            }
        ),
        "{error}"
    );
    let error = module
        .call("render", &Args::new(), &CallOptions::default())
        .unwrap_err();
    assert!(error.to_string().contains("\"html\""), "{error}");
}
