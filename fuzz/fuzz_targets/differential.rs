//! The same generated module and arguments run twice in fresh stores and once sliced by the
//! deadline machinery: identical output, trap kind, fuel and peak memory.
#![no_main]

use fazt_wasm_testkit::ExecCase;

libfuzzer_sys::fuzz_target!(|case: ExecCase| {
    if let Err(violation) = fazt_wasm_testkit::check_differential(&case) {
        panic!("{violation}");
    }
});
