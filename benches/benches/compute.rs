//! Where time goes on real work (issue 9): `metering` (the same compute kernel with fuel off
//! in raw wasmi, with fuel on, and through our runtime with fuel slices and a deadline) and
//! `resize` (libimage's resize of a 1920x1080 PNG to 800x450 through our runtime, through
//! raw wasmi without fuel; `benches/paired.rs` times the export alone for the end-to-end
//! figure). The
//! native baseline of the same Rust code is `modules/libimage/benches/native.rs` (the guest
//! crate belongs to the modules workspace, whose crates inherit settings cargo cannot
//! resolve from this one).
//!
//! `cargo bench -p fazt-wasm-benches --bench compute`

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use fazt_wasm_benches::{
    COMPUTE_ROUNDS, COMPUTE_WAT, LIBIMAGE, PHOTO_1920X1080_PNG, RESIZE_TO, RawWasmi, png_size,
    resize_args,
};
use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig, Runtime, RuntimeConfig};

fn metering(c: &mut Criterion) {
    let wasm = wat::parse_str(COMPUTE_WAT).expect("kernel parses");
    let off = RawWasmi::new(&wasm, false);
    let on = RawWasmi::new(&wasm, true);
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime starts");
    let module = runtime
        .load("compute", &wasm, ModuleConfig::default())
        .expect("kernel loads");
    let options = CallOptions::default();
    let mut group = c.benchmark_group("metering");
    group.sample_size(20);
    for kernel in ["mix", "branchy"] {
        let expected = off.call::<_, i32>(kernel, COMPUTE_ROUNDS);
        let ours = module
            .call_raw(kernel, &[COMPUTE_ROUNDS.into()], &options)
            .expect("kernel runs");
        assert_eq!(ours[0].i32(), Some(expected));
        assert_eq!(on.call::<_, i32>(kernel, COMPUTE_ROUNDS), expected);
        group.bench_function(format!("{kernel}_raw_wasmi_fuel_off"), |b| {
            b.iter(|| off.call::<_, i32>(kernel, black_box(COMPUTE_ROUNDS)))
        });
        group.bench_function(format!("{kernel}_raw_wasmi_fuel_on"), |b| {
            b.iter(|| on.call::<_, i32>(kernel, black_box(COMPUTE_ROUNDS)))
        });
        group.bench_function(format!("{kernel}_ours"), |b| {
            b.iter(|| {
                module
                    .call_raw(kernel, black_box(&[COMPUTE_ROUNDS.into()]), &options)
                    .expect("kernel runs")
            })
        });
    }
    group.finish();
}

fn resize(c: &mut Criterion) {
    let runtime = Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), None))
        .expect("runtime starts");
    let config = ModuleConfig {
        memory_limit_bytes: 256 << 20,
        fuel_limit: 60_000_000_000,
        timeout: Some(Duration::from_secs(120)),
        ..ModuleConfig::default()
    };
    let module = runtime
        .load_static("libimage", LIBIMAGE, config)
        .expect("libimage loads");
    let raw = RawWasmi::new(LIBIMAGE, false);
    let options = CallOptions::default();
    let (width, height) = RESIZE_TO;
    let args = Args::new()
        .bytes("input", PHOTO_1920X1080_PNG)
        .int("width", width.into())
        .int("height", height.into());

    // The paths agree byte for byte before anything is timed.
    let ours = module.call("resize", &args, &options).expect("resize runs");
    assert_eq!(png_size(ours.bytes()), Some(RESIZE_TO));
    assert_eq!(raw.call_service("resize", &resize_args()), ours.bytes());

    let mut group = c.benchmark_group("resize");
    group.sample_size(10);
    group.bench_function("ours", |b| {
        b.iter(|| {
            module
                .call("resize", black_box(&args), &options)
                .expect("resize runs")
        })
    });
    group.bench_function("raw_wasmi_fuel_off", |b| {
        b.iter(|| raw.call_service("resize", black_box(&resize_args())))
    });
    group.finish();
}

criterion_group!(benches, metering, resize);
criterion_main!(benches);
