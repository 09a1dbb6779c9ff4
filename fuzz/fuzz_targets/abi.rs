//! Arbitrary argument payloads (host codec and the SDK guest's decoder) and hostile allocators
//! and output pointers: exactly what the ABI predicts, always a clean error.
#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use fazt_wasm_runtime::Module;
use fazt_wasm_testkit::{AbiCase, abi};

static SDK_ECHO: OnceLock<Module> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (mode, payload) = data.split_first().unwrap_or((&0, &[]));
    let result = match mode % 3 {
        0 => abi::check_args_payload(payload),
        1 => abi::check_sdk_payload(SDK_ECHO.get_or_init(abi::sdk_echo_module), payload),
        _ => match AbiCase::arbitrary_take_rest(Unstructured::new(payload)) {
            Ok(case) => abi::check_abi(&case),
            Err(_) => Ok(()),
        },
    };
    if let Err(violation) = result {
        panic!("{violation}");
    }
});
