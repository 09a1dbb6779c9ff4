//! Measures the heap a compiled module holds, lazily and fully translated, to calibrate the
//! cache's memory estimate: `cargo run --release -p fazt-wasm-runtime --example module_cost`.

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn main() {
    for path in [
        "../modules/dist/echo.wasm",
        "../modules/dist/libpdf.wasm",
        "../modules/dist/libxlsx.wasm",
    ] {
        let wasm =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + path).unwrap();
        for (label, mode) in [
            (
                "lazy",
                fazt_wasm_runtime::wasmi::CompilationMode::LazyTranslation,
            ),
            ("eager", fazt_wasm_runtime::wasmi::CompilationMode::Eager),
        ] {
            let mut config = fazt_wasm_runtime::engine_config(1000);
            config.compilation_mode(mode);
            let engine = fazt_wasm_runtime::wasmi::Engine::new(&config);
            let region = Region::new(GLOBAL);
            let module = fazt_wasm_runtime::wasmi::Module::new(&engine, &wasm).unwrap();
            let change = region.change();
            let held = change.bytes_allocated as isize - change.bytes_deallocated as isize;
            println!(
                "{path:32} {label:5} wasm {:8} bytes, heap held {:9} bytes, ratio {:.2}",
                wasm.len(),
                held,
                held as f64 / wasm.len() as f64
            );
            drop(module);
        }
    }
}
