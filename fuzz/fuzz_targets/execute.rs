//! wasm-smith modules (our host functions as the only imports) with every export called under
//! small fuel and memory caps: results or a classified error, within the limits.
#![no_main]

use fazt_wasm_testkit::ExecCase;

libfuzzer_sys::fuzz_target!(|case: ExecCase| {
    if let Err(violation) = fazt_wasm_testkit::check_execute(&case) {
        panic!("{violation}");
    }
});
