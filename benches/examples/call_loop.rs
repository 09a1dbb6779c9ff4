//! A fixed number of calls in a loop, for instruction-level profiles of the call path:
//!
//! `valgrind --tool=callgrind target/release/examples/call_loop raw|ours|page-raw|page-ours|abi|image-raw|image-ours|hit|compute-*|resize-off|resize-on|resize-ours [CALLS]`
//!
//! Callgrind counts instructions, so two profiles compare on a noisy machine.

use std::hint::black_box;

use fazt_wasm_benches::{
    COMPUTE_ROUNDS, COMPUTE_WAT, LIBIMAGE, PHOTO_1920X1080_PNG, RawWasmi, fixture, resize_args,
};
use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig, Runtime, RuntimeConfig};

fn main() {
    let mut argv = std::env::args().skip(1);
    let mode = argv.next().unwrap_or_else(|| String::from("ours"));
    let calls: u32 = argv
        .next()
        .map_or(100_000, |n| n.parse().expect("CALLS is a number"));
    let runtime = Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), None))
        .expect("runtime starts");
    let options = CallOptions::default();
    let add = fixture("add.wat");
    let page = fixture("page.wat");
    match mode.as_str() {
        "raw" => {
            let raw = RawWasmi::new(&add, true);
            for _ in 0..calls {
                black_box(raw.call::<_, i32>("add", (2, 3)));
            }
        }
        "page-raw" => {
            let raw = RawWasmi::new(&page, true);
            for _ in 0..calls {
                black_box(raw.call::<_, i32>("add", (2, 3)));
            }
        }
        "page-ours" => {
            let module = runtime
                .load("page", &page, ModuleConfig::default())
                .expect("loads");
            for _ in 0..calls {
                black_box(module.call_raw("add", &[2i32.into(), 3i32.into()], &options))
                    .expect("runs");
            }
        }
        "ours" => {
            let module = runtime
                .load("add", &add, ModuleConfig::default())
                .expect("loads");
            for _ in 0..calls {
                black_box(module.call_raw("add", &[2i32.into(), 3i32.into()], &options))
                    .expect("runs");
            }
        }
        "abi" => {
            let module = runtime
                .load("page", &page, ModuleConfig::default())
                .expect("loads");
            let args = Args::new().int("width", 800).str("format", "png");
            for _ in 0..calls {
                black_box(module.call("first16", &args, &options)).expect("runs");
            }
        }
        "image-raw" => {
            let raw = RawWasmi::new(LIBIMAGE, true);
            for _ in 0..calls {
                raw.call::<_, ()>(fazt_wasm_abi::DEALLOC, black_box((0, 0)));
            }
        }
        "image-ours" => {
            let module = runtime
                .load_static("libimage", LIBIMAGE, ModuleConfig::default())
                .expect("loads");
            for _ in 0..calls {
                black_box(module.call_raw(
                    fazt_wasm_abi::DEALLOC,
                    &[0i32.into(), 0i32.into()],
                    &options,
                ))
                .expect("runs");
            }
        }
        "hit" => {
            runtime
                .load_static("libimage", LIBIMAGE, ModuleConfig::default())
                .expect("loads");
            for _ in 0..calls {
                black_box(runtime.load_static("libimage", LIBIMAGE, ModuleConfig::default()))
                    .expect("hit");
            }
        }
        "compute-off" | "compute-on" => {
            let wasm = wat::parse_str(COMPUTE_WAT).expect("kernel parses");
            let raw = RawWasmi::new(&wasm, mode == "compute-on");
            for _ in 0..calls {
                black_box(raw.call::<_, i32>("mix", COMPUTE_ROUNDS));
            }
        }
        "compute-ours" => {
            let wasm = wat::parse_str(COMPUTE_WAT).expect("kernel parses");
            let module = runtime
                .load("compute", &wasm, ModuleConfig::default())
                .expect("loads");
            for _ in 0..calls {
                black_box(module.call_raw("mix", &[COMPUTE_ROUNDS.into()], &options))
                    .expect("runs");
            }
        }
        "resize-off" | "resize-on" => {
            let raw = RawWasmi::new(LIBIMAGE, mode == "resize-on");
            for _ in 0..calls {
                black_box(raw.call_service("resize", &resize_args()));
            }
        }
        "resize-ours" => {
            let config = ModuleConfig {
                memory_limit_bytes: 256 << 20,
                fuel_limit: 60_000_000_000,
                ..ModuleConfig::default()
            };
            let module = runtime
                .load_static("libimage", LIBIMAGE, config)
                .expect("loads");
            let args = Args::new()
                .bytes("input", PHOTO_1920X1080_PNG)
                .int("width", 800)
                .int("height", 450);
            for _ in 0..calls {
                black_box(module.call("resize", &args, &options)).expect("runs");
            }
        }
        other => panic!(
            "unknown mode {other:?}: raw, ours, page-raw, page-ours, abi, image-raw, image-ours, hit, compute-off, compute-on, compute-ours, resize-off, resize-on, resize-ours"
        ),
    }
}
