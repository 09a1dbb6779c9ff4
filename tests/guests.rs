//! The real guest modules from modules/dist, end to end through the runtime and hostfns.

use std::sync::Arc;

use fazt_wasm_hostfns::vfs::MemVfs;

use crate::support::assert_guest_code;
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
    assert_guest_code(&error, ErrorCode::Limit);
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
    assert_guest_code(&error, ErrorCode::Host);
    // Another app sees nothing of app-1's files.
    let error = module
        .call(
            "read",
            &Args::new().str("path", "notes/hello.txt"),
            &CallOptions::default().caller("app-2"),
        )
        .unwrap_err();
    assert_guest_code(&error, ErrorCode::Host);
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
    assert_guest_code(&error, ErrorCode::BadArgument);
    let error = module
        .call("render", &Args::new(), &CallOptions::default())
        .unwrap_err();
    assert!(error.to_string().contains("\"html\""), "{error}");
}

/// The libxlsx service module.
pub const LIBXLSX_WASM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../modules/dist/libxlsx.wasm"
));

/// A service module with the limits its heavy inputs need (the CLI's embedded defaults).
fn heavy_service(name: &str, wasm: &'static [u8]) -> Module {
    let runtime = Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), None)).unwrap();
    let config = ModuleConfig {
        memory_limit_bytes: 256 << 20,
        fuel_limit: 60_000_000_000,
        ..ModuleConfig::default()
    };
    runtime.load_static(name, wasm, config).unwrap()
}

fn libxlsx() -> Module {
    heavy_service("libxlsx", LIBXLSX_WASM)
}

fn error_code(kind: &str) -> ErrorCode {
    match kind {
        "BadArgument" => ErrorCode::BadArgument,
        "InvalidInput" => ErrorCode::InvalidInput,
        "Unsupported" => ErrorCode::Unsupported,
        "Limit" => ErrorCode::Limit,
        other => panic!("unknown error kind {other:?} in a golden file"),
    }
}

/// Compares a call's outcome with a golden value: JSON output, or `{"error": kind}`.
fn check_golden(
    result: Result<fazt_wasm_runtime::Output, fazt_wasm_runtime::CallError>,
    expected: &serde_json::Value,
    what: &str,
) {
    match (result, expected.get("error").and_then(|kind| kind.as_str())) {
        (Ok(output), None) => {
            let actual: serde_json::Value = serde_json::from_slice(output.bytes()).unwrap();
            assert_eq!(&actual, expected, "{what}");
        }
        (Err(error), Some(kind)) => match error.error {
            Error::Guest { code, .. } => assert_eq!(code, error_code(kind), "{what}"),
            other => panic!("{what}: expected a guest {kind} error, got {other}"),
        },
        (Ok(output), Some(kind)) => panic!(
            "{what}: expected {kind}, got {} bytes",
            output.bytes().len()
        ),
        (Err(error), None) => panic!("{what}: {error}, expected {expected}"),
    }
}

#[test]
fn libxlsx_matches_every_golden_fixture() {
    let module = libxlsx();
    let dir = format!("{}/data/libxlsx", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let golden_path = entry.unwrap().path();
        if golden_path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let golden: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&golden_path).unwrap()).unwrap();
        let input =
            std::fs::read(golden_path.with_file_name(golden["file"].as_str().unwrap())).unwrap();
        let what = golden_path.display().to_string();
        let sheets = module.call(
            "sheets",
            &Args::new().bytes("input", &input),
            &CallOptions::default(),
        );
        check_golden(sheets, &golden["sheets"], &what);
        if let Some(names) = golden["sheets"].as_array() {
            for name in names {
                let name = name.as_str().unwrap();
                let rows = module.call(
                    "parse",
                    &Args::new().bytes("input", &input).str("sheet", name),
                    &CallOptions::default(),
                );
                check_golden(rows, &golden["rows"][name], &format!("{what} sheet {name}"));
            }
            let first = module.call(
                "parse",
                &Args::new().bytes("input", &input),
                &CallOptions::default(),
            );
            check_golden(
                first,
                &golden["rows"][names[0].as_str().unwrap()],
                &format!("{what} first sheet"),
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 20,
        "only {checked} golden workbooks found in {dir}"
    );
}

#[test]
fn libxlsx_selects_sheets_by_name_and_index() {
    let module = libxlsx();
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/libxlsx/multiple_sheets.xlsx"
    ))
    .unwrap();
    let names: Vec<String> = module
        .call(
            "sheets",
            &Args::new().bytes("input", &input),
            &CallOptions::default(),
        )
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(names.len(), 3);
    let by_index = module
        .call(
            "parse",
            &Args::new().bytes("input", &input).int("sheet", 2),
            &CallOptions::default(),
        )
        .unwrap();
    let by_name = module
        .call(
            "parse",
            &Args::new().bytes("input", &input).str("sheet", &names[2]),
            &CallOptions::default(),
        )
        .unwrap();
    assert_eq!(by_index.bytes(), by_name.bytes());
    for sheet in [
        fazt_wasm_runtime::Value::Str("no such sheet"),
        fazt_wasm_runtime::Value::Int(3),
        fazt_wasm_runtime::Value::Int(-1),
    ] {
        let args = Args::new().bytes("input", &input).with("sheet", sheet);
        let error = module
            .call("parse", &args, &CallOptions::default())
            .unwrap_err();
        assert_guest_code(&error, ErrorCode::BadArgument);
    }
}

#[test]
fn libxlsx_refuses_garbage_and_other_formats_cleanly() {
    let module = libxlsx();
    let error = module
        .call(
            "parse",
            &Args::new().bytes("input", b"not a zip"),
            &CallOptions::default(),
        )
        .unwrap_err();
    assert_guest_code(&error, ErrorCode::InvalidInput);
}

/// The libimage service module.
pub const LIBIMAGE_WASM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../modules/dist/libimage.wasm"
));

fn libimage() -> Module {
    heavy_service("libimage", LIBIMAGE_WASM)
}

fn image_data(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/data/libimage/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn image_info(module: &Module, image: &[u8]) -> serde_json::Value {
    module
        .call(
            "info",
            &Args::new().bytes("input", image),
            &CallOptions::default(),
        )
        .unwrap()
        .json()
        .unwrap()
}

/// Resizes with `args` and returns the output with its (format, width, height).
fn resize_and_describe(
    module: &Module,
    args: &Args<'_>,
) -> (fazt_wasm_runtime::Output, (String, u64, u64)) {
    let output = module
        .call("resize", args, &CallOptions::default())
        .unwrap();
    let info = image_info(module, output.bytes());
    let described = (
        info["format"].as_str().unwrap().to_owned(),
        info["width"].as_u64().unwrap(),
        info["height"].as_u64().unwrap(),
    );
    (output, described)
}

#[test]
fn libimage_resizes_the_sample_keeping_the_aspect_ratio() {
    let module = libimage();
    let sample = image_data("sample.jpg");
    let info = image_info(&module, &sample);
    assert_eq!(
        (
            info["format"].as_str(),
            info["width"].as_u64(),
            info["height"].as_u64()
        ),
        (Some("jpeg"), Some(640), Some(400))
    );
    let thumb_args = Args::new().bytes("input", &sample).int("width", 100);
    let (thumb, described) = resize_and_describe(&module, &thumb_args);
    // 400 * 100 / 640 = 62.5, rounded to nearest (halves up).
    assert_eq!(described, (String::from("jpeg"), 100, 63));
    let exact_args = Args::new()
        .bytes("input", &sample)
        .int("width", 50)
        .int("height", 50)
        .str("format", "png");
    assert_eq!(
        resize_and_describe(&module, &exact_args).1,
        (String::from("png"), 50, 50)
    );
    // Deterministic bytes and fuel.
    let (again, _) = resize_and_describe(&module, &thumb_args);
    assert_eq!(
        (again.bytes(), again.stats().fuel_consumed),
        (thumb.bytes(), thumb.stats().fuel_consumed)
    );
}

#[test]
fn libimage_applies_exif_orientation() {
    let module = libimage();
    let rotated = image_data("orient_6.jpg");
    let info = image_info(&module, &rotated);
    let (w, h) = (
        info["width"].as_u64().unwrap(),
        info["height"].as_u64().unwrap(),
    );
    let out = module
        .call(
            "resize",
            &Args::new().bytes("input", &rotated).int("width", 10),
            &CallOptions::default(),
        )
        .unwrap();
    let out_info = image_info(&module, out.bytes());
    assert_eq!(out_info["orientation"].as_u64(), Some(1));
    // Orientation 6 swaps the sides: the output's aspect follows the upright image.
    assert_eq!(out_info["width"].as_u64(), Some(10));
    assert_eq!(out_info["height"].as_u64(), Some((10 * w + h / 2) / h));
}

#[test]
fn libimage_refuses_bad_input_and_arguments_with_the_right_class() {
    let module = libimage();
    let sample = image_data("sample.jpg");
    let cases: Vec<(Args<'_>, ErrorCode)> = vec![
        (
            Args::new().bytes("input", &sample).int("quality", 0),
            ErrorCode::BadArgument,
        ),
        (
            Args::new().bytes("input", &sample).str("format", "gif"),
            ErrorCode::BadArgument,
        ),
        (
            Args::new().bytes("input", &sample).int("widht", 10),
            ErrorCode::BadArgument,
        ),
        (
            Args::new().bytes("input", b"\x89PNG\r\n\x1a\n garbage"),
            ErrorCode::InvalidInput,
        ),
        (
            Args::new().bytes("input", &sample[..sample.len() / 2]),
            ErrorCode::InvalidInput,
        ),
        (
            Args::new().bytes("input", b"GIF89a......"),
            ErrorCode::Unsupported,
        ),
    ];
    for (args, expected) in cases {
        let error = module
            .call("resize", &args, &CallOptions::default())
            .unwrap_err();
        assert_guest_code(&error, expected);
    }
    let huge = image_data("huge.png");
    let error = module
        .call(
            "resize",
            &Args::new().bytes("input", &huge).int("width", 10),
            &CallOptions::default(),
        )
        .unwrap_err();
    assert_guest_code(&error, ErrorCode::Limit);
    assert!(
        error.stats.memory_peak_bytes < 16 << 20,
        "refused before allocating: {:?}",
        error.stats
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]

    /// Random bytes as the input of every embedded service: a clean error (or output),
    /// never a host panic, and the module keeps working afterwards.
    #[test]
    fn random_input_to_every_embedded_module_is_handled_cleanly(input in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
        let image = libimage();
        let sheet = libxlsx();
        let document = libpdf();
        let options = CallOptions::default();
        for (module, export, name) in [(&image, "resize", "input"), (&sheet, "parse", "input"), (&document, "render", "html")] {
            let args = Args::new().bytes(name, &input).int("width", 8);
            let args = if export == "resize" { args } else { Args::new().bytes(name, &input) };
            match module.call(export, &args, &options) {
                Ok(_) => {}
                Err(error) => proptest::prop_assert!(
                    matches!(error.error, Error::Guest { .. }),
                    "{}.{export}: expected a guest error, got {error}", module.name()
                ),
            }
        }
        let sample = image_data("sample.jpg");
        proptest::prop_assert!(image.call("resize", &Args::new().bytes("input", &sample).int("width", 8), &options).is_ok());
    }
}
