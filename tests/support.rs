//! Shared helpers: the runtime under test, fixture modules and call shorthands.

use fazt_wasm_runtime::{
    Args, CallError, CallOptions, Module, ModuleConfig, Output, Runtime, RuntimeConfig,
};

/// The hand-written ABI fixture (tests/fixtures/echo.wat).
pub fn echo_wasm() -> Vec<u8> {
    wat::parse_file(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/echo.wat"))
        .expect("echo.wat parses")
}

/// A runtime with no host functions.
pub fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).expect("default runtime")
}

/// Loads the echo fixture with `config`.
pub fn echo_module(config: ModuleConfig) -> Module {
    runtime()
        .load("echo", &echo_wasm(), config)
        .expect("echo loads")
}

/// Loads inline WAT.
pub fn wat_module(wat: &str, config: ModuleConfig) -> Result<Module, fazt_wasm_runtime::Error> {
    let wasm = wat::parse_str(wat).expect("test WAT parses");
    runtime().load("inline", &wasm, config)
}

/// Calls `export` with no arguments and default options.
pub fn call(module: &Module, export: &str) -> Result<Output, CallError> {
    module.call(export, &Args::new(), &CallOptions::default())
}

/// Calls `export` and asserts the output bytes.
pub fn check_call(module: &Module, export: &str, args: &Args<'_>, expected: &[u8]) {
    let output = module
        .call(export, args, &CallOptions::default())
        .unwrap_or_else(|error| panic!("{export} failed: {error}"));
    assert_eq!(output.bytes(), expected, "output of {export}");
}

/// Asserts that `error` is a guest error with `code`, showing the error otherwise.
#[track_caller]
pub fn assert_guest_code(error: &CallError, code: fazt_wasm_runtime::ErrorCode) {
    match &error.error {
        fazt_wasm_runtime::Error::Guest { code: actual, .. } => {
            assert_eq!(*actual, code, "{error}")
        }
        other => panic!("expected a guest {code:?} error, got {other}"),
    }
}
