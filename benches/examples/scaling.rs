//! Trivial calls per second on 1 and 2 threads, alternated for several rounds so that drift
//! of a shared machine hits both alike: `cargo run --release -p fazt-wasm-benches --example
//! scaling -- [ours|raw|raw-own-engine|compute] [ROUNDS]`.

use std::hint::black_box;

use fazt_wasm_benches::{RawWasmi, fixture, on_threads};
use fazt_wasm_runtime::{CallOptions, ModuleConfig, Runtime, RuntimeConfig};

const CALLS: u64 = 200_000;

thread_local! {
    static OWN: RawWasmi = RawWasmi::new(&fixture("add.wat"), true);
}
/// Calls per thread and round in `compute` mode (each is about 0.5 ms).
const COMPUTE_CALLS: u64 = 2_000;

fn main() {
    let mut argv = std::env::args().skip(1);
    let mode = argv.next().unwrap_or_else(|| String::from("ours"));
    let rounds: u32 = argv.next().map_or(5, |n| n.parse().expect("ROUNDS"));
    let wasm = fixture("add.wat");
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime");
    let module = runtime
        .load("add", &wasm, ModuleConfig::default())
        .expect("loads");
    let raw = RawWasmi::new(&wasm, true);
    let kernel = RawWasmi::new(
        &wat::parse_str(fazt_wasm_benches::COMPUTE_WAT).expect("kernel parses"),
        true,
    );
    let options = CallOptions::default();
    let call = || match mode.as_str() {
        // No shared state but the engine: what the machine's two cores give a pure
        // interpreter loop (20,000 rounds of `mix` per call).
        "compute" => {
            black_box(kernel.call::<_, i32>("mix", 20_000));
        }
        // One engine per thread (each thread compiles its own copy): nothing shared at all.
        "raw-own-engine" => OWN.with(|own| {
            black_box(own.call::<_, i32>("add", (2, 3)));
        }),
        "raw" => {
            black_box(raw.call::<_, i32>("add", (2, 3)));
        }
        _ => {
            black_box(
                module
                    .call_raw("add", &[2i32.into(), 3i32.into()], &options)
                    .expect("runs"),
            );
        }
    };
    let calls = if mode == "compute" {
        COMPUTE_CALLS
    } else {
        CALLS
    };
    for _ in 0..rounds {
        let mut rates = Vec::new();
        for threads in [1u64, 2] {
            let elapsed = on_threads(threads as u32, calls, &call);
            rates.push((threads * calls) as f64 / elapsed.as_secs_f64());
        }
        println!(
            "{mode}: 1 thread {:.0}/s, 2 threads {:.0}/s, ratio {:.2}",
            rates[0],
            rates[1],
            rates[1] / rates[0]
        );
    }
}
