//! Arbitrary bytes to `Runtime::load`: a module or a load-time error, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|wasm: &[u8]| {
    if let Err(violation) = fazt_wasm_testkit::check_load(wasm) {
        panic!("{violation}");
    }
});
