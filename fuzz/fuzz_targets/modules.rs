//! Arbitrary input to libimage `resize`, libxlsx `parse` and libpdf `render`: the host never
//! crashes (the guest may refuse or trap). Modules not yet built in modules/dist are skipped.
#![no_main]

use std::sync::OnceLock;

use fazt_wasm_runtime::Module;
use fazt_wasm_testkit::service::{self, SERVICE_TARGETS, ServiceInput};

/// One slot per `SERVICE_TARGETS` entry, `None` for a module that is not built.
static MODULES: OnceLock<Vec<Option<Module>>> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let modules =
        MODULES.get_or_init(|| SERVICE_TARGETS.iter().map(service::load_target).collect());
    let input = ServiceInput::from_bytes(data);
    let index = SERVICE_TARGETS
        .iter()
        .position(|target| target == input.target)
        .unwrap_or(0);
    if let Some(module) = &modules[index]
        && let Err(violation) =
            service::check_service_input(module, input.target.export, &input.args())
    {
        panic!("{violation}");
    }
});
