//! A firmware-style image: the no_std runtime loads the embedded echo guest (built by
//! modules/build.sh) and calls its `read` export, which reads a file through hostfns'
//! `read_file` bridge from an in-memory VFS.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::sync::Arc;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use fazt_wasm_hostfns::vfs::MemVfs;
use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig, Runtime, RuntimeConfig};

/// The sample guest, in flash.
static ECHO_WASM: &[u8] = include_bytes!("../../../../modules/dist/echo.wasm");

const FILE: &[u8] = b"hello from flash";

#[entry]
fn main() -> ! {
    fazt_wasm_cortex_m::init_heap();
    let vfs = MemVfs::new()
        .with_file("app-1", "notes/hello.txt", FILE.to_vec())
        .expect("a valid path");
    let runtime = Runtime::new(fazt_wasm_hostfns::install(
        RuntimeConfig::default(),
        Some(Arc::new(vfs)),
    ))
    .expect("runtime");
    // A microcontroller's budget: 256 KiB of guest memory, 10M fuel.
    let config = ModuleConfig {
        memory_limit_bytes: 256 << 10,
        fuel_limit: 10_000_000,
        ..ModuleConfig::default().grant("read_file")
    };
    let module = runtime
        .load_static("echo", ECHO_WASM, config)
        .expect("echo loads");
    let heap_after_load = fazt_wasm_cortex_m::heap_used();
    let result = module.call(
        "read",
        &Args::new().str("path", "notes/hello.txt"),
        &CallOptions::default().caller("app-1"),
    );
    match result {
        Ok(output) => {
            let stats = output.stats();
            hprintln!(
                "firmware: read {:?}, fuel {}, guest memory {} bytes, heap {} bytes after load, peak {}",
                core::str::from_utf8(output.bytes()).unwrap_or("<not utf-8>"),
                stats.fuel_consumed,
                stats.memory_peak_bytes,
                heap_after_load,
                fazt_wasm_cortex_m::heap_peak()
            );
            fazt_wasm_cortex_m::exit(output.bytes() == FILE)
        }
        Err(error) => {
            hprintln!("firmware: call failed ({}): {}", error.kind(), error);
            fazt_wasm_cortex_m::exit(false)
        }
    }
}
