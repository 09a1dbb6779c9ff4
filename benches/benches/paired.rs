//! Paired ratios (issue 9): each figure alternates its baseline and our path in short rounds
//! and reports the median of the per-round ratios.
//!
//! The criterion benches measure one function after another; on a shared VM the machine's
//! speed drifts by more than the targets within a minute (the same function has measured
//! 0.95 us and 1.68 us in two runs an hour apart), so a ratio of two medians taken minutes
//! apart can be off by more than what it measures. Alternating in rounds of a few
//! milliseconds puts both sides of every ratio under the same conditions; the median over
//! rounds drops the rounds a neighbour disturbed. Prints `name=value` lines for
//! `scripts/perf-report.sh`.
//!
//! `cargo bench -p fazt-wasm-benches --bench paired [-- --quick]`

use std::hint::black_box;
use std::time::{Duration, Instant};

use fazt_wasm_benches::{
    COMPUTE_ROUNDS, COMPUTE_WAT, LIBIMAGE, PHOTO_1920X1080_PNG, Paired, RawWasmi, fixture, median,
    on_threads, paired, resize_args,
};
use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig, Runtime, RuntimeConfig};

fn report(name: &str, what: &str, paired: &Paired) {
    eprintln!(
        "{name}: {what}: baseline {:.0} ns, ours {:.0} ns, median ratio {:.4}",
        paired.baseline_ns, paired.ours_ns, paired.ratio
    );
    println!("{name}={:.4}", paired.ratio);
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    // `cargo test --benches` runs this without `--bench`: one round of everything, as a check
    // that every path still runs, not a measurement.
    let smoke = !std::env::args().any(|arg| arg == "--bench");
    let scale = |full: u32, short: u32| match (smoke, quick) {
        (true, _) => 1,
        (false, true) => short,
        (false, false) => full,
    };
    let runtime = Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), None))
        .expect("runtime starts");
    let options = CallOptions::default();

    // Per-call overhead on the tiny modules: raw wasmi fresh store (fuel + StoreLimits).
    let add = fixture("add.wat");
    let raw_add = RawWasmi::new(&add, true);
    let add_module = runtime
        .load("add", &add, ModuleConfig::default())
        .expect("add loads");
    let call_add = || {
        black_box(
            add_module
                .call_raw("add", &[2i32.into(), 3i32.into()], &options)
                .expect("add runs"),
        );
    };
    let trivial = paired(
        scale(201, 51),
        2_000,
        || {
            black_box(raw_add.call::<_, i32>("add", (2, 3)));
        },
        call_add,
    );
    report("overhead_raw_ratio", "add: call_raw / raw wasmi", &trivial);
    let page = fixture("page.wat");
    let raw_page = RawWasmi::new(&page, true);
    let page_module = runtime
        .load("page", &page, ModuleConfig::default())
        .expect("page loads");
    report(
        "overhead_raw_ratio_page",
        "page: call_raw / raw wasmi",
        &paired(
            scale(101, 31),
            500,
            || {
                black_box(raw_page.call::<_, i32>("add", (2, 3)));
            },
            || {
                black_box(
                    page_module
                        .call_raw("add", &[2i32.into(), 3i32.into()], &options)
                        .expect("add runs"),
                );
            },
        ),
    );
    let args = Args::new().int("width", 800).str("format", "png");
    report(
        "overhead_abi_ratio",
        "page: ABI call / raw wasmi trivial call",
        &paired(
            scale(101, 31),
            500,
            || {
                black_box(raw_page.call::<_, i32>("add", (2, 3)));
            },
            || {
                black_box(
                    page_module
                        .call("first16", &args, &options)
                        .expect("first16 runs"),
                );
            },
        ),
    );

    // libimage: instantiate, a call that returns at once, drop.
    let raw_image = RawWasmi::new(LIBIMAGE, true);
    let image = runtime
        .load_static("libimage", LIBIMAGE, ModuleConfig::default())
        .expect("libimage loads");
    let image_call = paired(
        scale(101, 31),
        50,
        || raw_image.call::<_, ()>(fazt_wasm_abi::DEALLOC, black_box((0, 0))),
        || {
            black_box(
                image
                    .call_raw(
                        fazt_wasm_abi::DEALLOC,
                        &[0i32.into(), 0i32.into()],
                        &options,
                    )
                    .expect("fazt_dealloc runs"),
            );
        },
    );
    report(
        "libimage_call_raw_ratio",
        "libimage: call_raw / raw wasmi",
        &image_call,
    );
    println!(
        "libimage_call_overhead_us={:.2}",
        image_call.ours_ns / 1000.0
    );

    // A cache hit against the trivial call.
    report(
        "cache_hit_fraction",
        "load_static of cached libimage / trivial call_raw",
        &paired(scale(201, 51), 2_000, call_add, || {
            black_box(
                runtime
                    .load_static("libimage", LIBIMAGE, ModuleConfig::default())
                    .expect("hit"),
            );
        }),
    );

    // Throughput: 2 threads sharing the Module against 1 thread, alternated. The ratio is
    // calls per second on 2 threads / on 1 thread.
    let per_round: u32 = 20_000;
    let threads = paired(
        scale(31, 11),
        1,
        || {
            on_threads(1, per_round.into(), &call_add);
        },
        || {
            on_threads(2, per_round.into(), &call_add);
        },
    );
    println!("throughput_2t_ratio={:.4}", 2.0 / threads.ratio);
    eprintln!(
        "throughput_2t_ratio: {:.0} calls/s on 1 thread, {:.0} on 2 (median ratio {:.4})",
        f64::from(per_round) * 1e9 / threads.baseline_ns,
        2.0 * f64::from(per_round) * 1e9 / threads.ours_ns,
        2.0 / threads.ratio
    );

    // Metering: the `mix` kernel, fuel off in raw wasmi against ours.
    let kernel = wat::parse_str(COMPUTE_WAT).expect("kernel parses");
    let raw_kernel = RawWasmi::new(&kernel, false);
    let raw_kernel_fuel = RawWasmi::new(&kernel, true);
    let kernel_module = runtime
        .load("compute", &kernel, ModuleConfig::default())
        .expect("kernel loads");
    for (name, export) in [
        ("metering_overhead_pct", "mix"),
        ("metering_branchy_pct", "branchy"),
    ] {
        // Closures over references are Copy: each is handed to both pairings.
        let ours = || {
            black_box(
                kernel_module
                    .call_raw(export, &[COMPUTE_ROUNDS.into()], &options)
                    .expect("kernel runs"),
            );
        };
        let raw = |engine: &RawWasmi| {
            black_box(engine.call::<_, i32>(export, COMPUTE_ROUNDS));
        };
        let metering = paired(scale(21, 7), 1, || raw(&raw_kernel), ours);
        eprintln!(
            "{name}: {export}: fuel off {:.1} ms, ours {:.1} ms",
            metering.baseline_ns / 1e6,
            metering.ours_ns / 1e6
        );
        println!("{name}={:.2}", (metering.ratio - 1.0) * 100.0);
        // The same kernel against raw wasmi with fuel on: what our slicing, deadline and
        // limits add beyond wasmi's own metering.
        let layer = paired(scale(21, 7), 1, || raw(&raw_kernel_fuel), ours);
        println!("{name}_vs_fuel_on={:.2}", (layer.ratio - 1.0) * 100.0);
    }

    // Resize: ours against raw wasmi without fuel, and against the export alone.
    let config = ModuleConfig {
        memory_limit_bytes: 256 << 20,
        fuel_limit: 60_000_000_000,
        timeout: Some(Duration::from_secs(120)),
        ..ModuleConfig::default()
    };
    let resizer = runtime
        .load_static("libimage-resize", LIBIMAGE, config)
        .expect("libimage loads");
    let raw_resizer = RawWasmi::new(LIBIMAGE, false);
    let resize = Args::new()
        .bytes("input", PHOTO_1920X1080_PNG)
        .int("width", 800)
        .int("height", 450);
    let ours_resize = || {
        black_box(
            resizer
                .call("resize", &resize, &options)
                .expect("resize runs"),
        );
    };
    let layer = paired(
        scale(9, 3),
        1,
        || {
            black_box(raw_resizer.call_service("resize", &resize_args()));
        },
        ours_resize,
    );
    eprintln!(
        "resize_layer_overhead_pct: raw wasmi fuel off {:.0} ms, ours {:.0} ms",
        layer.baseline_ns / 1e6,
        layer.ours_ns / 1e6
    );
    println!(
        "resize_layer_overhead_pct={:.2}",
        (layer.ratio - 1.0) * 100.0
    );
    let raw_resizer_fuel = RawWasmi::new(LIBIMAGE, true);
    let fuel_only = paired(
        scale(9, 3),
        1,
        || {
            black_box(raw_resizer.call_service("resize", &resize_args()));
        },
        || {
            black_box(raw_resizer_fuel.call_service("resize", &resize_args()));
        },
    );
    println!(
        "resize_fuel_only_pct={:.2}",
        (fuel_only.ratio - 1.0) * 100.0
    );
    println!("resize_ours_ms={:.1}", layer.ours_ns / 1e6);

    // Everything around the export, timed in the same call: instantiate, argument buffer
    // and copy in, then (after the export) the output copied out and the store dropped.
    let mut encoded = Vec::new();
    fazt_wasm_abi::args::encode(resize.entries(), &mut encoded).expect("arguments encode");
    let mut e2e = Vec::new();
    for _ in 0..scale(9, 3) {
        let started = Instant::now();
        let mut instance = resizer.instantiate(&options).expect("instantiates");
        let ptr = instance.write_bytes(&encoded).expect("arguments fit");
        let before = started.elapsed();
        let started = Instant::now();
        let packed = instance
            .call_raw(
                "resize",
                &[(ptr.offset as i32).into(), (ptr.len as i32).into()],
            )
            .expect("resize runs")[0]
            .i64()
            .expect("an i64 result");
        let export = started.elapsed();
        let started = Instant::now();
        let (offset, len) = fazt_wasm_abi::unpack_ptr_len(packed);
        black_box(instance.read_bytes(offset, len).expect("output in bounds"));
        drop(instance);
        let outside = before + started.elapsed();
        e2e.push(outside.as_secs_f64() / (outside + export).as_secs_f64() * 100.0);
    }
    println!("e2e_resize_overhead_pct={:.3}", median(e2e));
}
