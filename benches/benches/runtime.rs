//! Per-call costs (issue 9): `call_overhead`, `call_overhead_large`, `cache_hit` and
//! `throughput`, each beside its raw wasmi baseline in the same run, so figures compare as
//! ratios. `scripts/perf-report.sh` reads the medians and names the ratios.
//!
//! `cargo bench -p fazt-wasm-benches --bench runtime`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fazt_wasm_benches::{LIBIMAGE, RawWasmi, fixture, on_threads};
use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig, Runtime, RuntimeConfig, wasmi};

fn runtime() -> Runtime {
    Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), None))
        .expect("runtime starts")
}

/// (a) raw wasmi fresh store, fuel off and fuel on with `StoreLimits`; (b) our `call_raw`;
/// (c) our ABI `call` with two small named arguments and a 16-byte output.
fn call_overhead(c: &mut Criterion) {
    let runtime = runtime();
    let options = CallOptions::default();
    let mut group = c.benchmark_group("call_overhead");
    for name in ["add", "page"] {
        let wasm = fixture(&format!("{name}.wat"));
        let off = RawWasmi::new(&wasm, false);
        let on = RawWasmi::new(&wasm, true);
        let module = runtime
            .load(name, &wasm, ModuleConfig::default())
            .expect("fixture loads");
        assert_eq!(on.call::<_, i32>("add", (2, 3)), 5);
        group.bench_function(format!("{name}_raw_wasmi_fuel_off"), |b| {
            b.iter(|| off.call::<_, i32>("add", (black_box(2), 3)))
        });
        group.bench_function(format!("{name}_raw_wasmi"), |b| {
            b.iter(|| on.call::<_, i32>("add", (black_box(2), 3)))
        });
        group.bench_function(format!("{name}_call_raw"), |b| {
            b.iter(|| {
                module
                    .call_raw("add", black_box(&[2i32.into(), 3i32.into()]), &options)
                    .expect("add runs")
            })
        });
        if name == "page" {
            let args = Args::new().int("width", 800).str("format", "png");
            let raw_args = args.entries().to_vec();
            let out = module.call("first16", &args, &options).expect("first16");
            assert_eq!(out.bytes(), b"abcdefghijklmnop");
            group.bench_function("page_raw_wasmi_abi", |b| {
                b.iter(|| on.call_service("first16", black_box(&raw_args)))
            });
            group.bench_function("page_call_abi", |b| {
                b.iter(|| {
                    module
                        .call("first16", black_box(&args), &options)
                        .expect("first16 runs")
                })
            });
        }
    }
    group.finish();
}

/// The same on the shipped libimage guest (3 pages of memory, 68 KB of data): the trivial
/// call is `fazt_dealloc(0, 0)`, which returns at once, so instantiation is what is measured.
/// (`fazt_alloc` is no trivial call: the guest's first allocation grows its memory.)
fn call_overhead_large(c: &mut Criterion) {
    let runtime = runtime();
    let module = runtime
        .load_static("libimage", LIBIMAGE, ModuleConfig::default())
        .expect("libimage loads");
    let raw = RawWasmi::new(LIBIMAGE, true);
    let options = CallOptions::default();
    let mut group = c.benchmark_group("call_overhead_large");
    group.bench_function("libimage_raw_wasmi", |b| {
        b.iter(|| raw.call::<_, ()>(fazt_wasm_abi::DEALLOC, black_box((0, 0))))
    });
    group.bench_function("libimage_call_raw", |b| {
        b.iter(|| {
            module
                .call_raw(
                    fazt_wasm_abi::DEALLOC,
                    black_box(&[0i32.into(), 0i32.into()]),
                    &options,
                )
                .expect("fazt_dealloc runs")
        })
    });
    // A whole service call with a trivial input: `info` of 8 bytes that are no image.
    let args = Args::new().bytes("input", b"notimage");
    group.bench_function("libimage_call_abi", |b| {
        b.iter(|| {
            let error = module
                .call("info", black_box(&args), &options)
                .expect_err("not an image");
            black_box(error)
        })
    });
    group.finish();
}

/// A module of about 1 MiB: a trivial function and a 1 MiB data segment.
fn one_mib_module() -> Vec<u8> {
    let data: String = (0..1 << 20)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    wat::parse_str(format!(
        r#"(module (memory 17) (data (i32.const 0) "{data}") (func (export "f")))"#
    ))
    .expect("module parses")
}

/// `load` of a cached 1 MiB module, to compare with `call_overhead/add_call_raw`.
fn cache_hit(c: &mut Criterion) {
    let runtime = runtime();
    let wasm: &'static [u8] = Box::leak(one_mib_module().into_boxed_slice());
    runtime
        .load_static("big", wasm, ModuleConfig::default())
        .expect("loads");
    let owned = wasm.to_vec();
    runtime
        .load("big-owned", &owned, ModuleConfig::default())
        .expect("loads");
    let mut group = c.benchmark_group("cache_hit");
    group.bench_function("load_static_1mib", |b| {
        b.iter(|| {
            runtime
                .load_static("big", black_box(wasm), ModuleConfig::default())
                .expect("hit")
        })
    });
    // What an embedder that keeps its `Module` pays instead of a lookup: one atomic increment
    // (and a decrement when the clone drops).
    let handle = runtime.cached("big").expect("cached");
    group.bench_function("module_handle_clone", |b| {
        b.iter(|| black_box(&handle).clone())
    });
    group.bench_function("cached_by_name", |b| {
        b.iter(|| runtime.cached(black_box("big")).expect("hit"))
    });
    group.bench_function("load_borrowed_1mib_hashes_and_compares", |b| {
        b.iter(|| {
            runtime
                .load("big-owned", black_box(&owned), ModuleConfig::default())
                .expect("hit")
        })
    });
    group.finish();
}

/// Trivial calls on 1 and 2 threads sharing one `Module`, beside raw wasmi sharing one
/// engine and module, which shows how much of any shortfall is wasmi's own.
fn throughput(c: &mut Criterion) {
    let runtime = runtime();
    let wasm = fixture("add.wat");
    let module = runtime
        .load("add", &wasm, ModuleConfig::default())
        .expect("loads");
    let raw = RawWasmi::new(&wasm, true);
    let options = CallOptions::default();
    let ours = || {
        black_box(
            module
                .call_raw("add", &[2i32.into(), 3i32.into()], &options)
                .expect("add runs"),
        );
    };
    let baseline = || {
        black_box(raw.call::<_, i32>("add", (2, 3)));
    };
    let mut group = c.benchmark_group("throughput");
    for threads in [1, 2] {
        group.bench_function(format!("add_{threads}t"), |b| {
            // Time per call of the aggregate: 1-thread / 2-thread time is the throughput ratio.
            b.iter_custom(|iterations| on_threads(threads, iterations, &ours) / threads)
        });
        group.bench_function(format!("raw_wasmi_{threads}t"), |b| {
            b.iter_custom(|iterations| on_threads(threads, iterations, &baseline) / threads)
        });
    }
    group.finish();
}

/// Compiling libimage with our engine configuration (lazy translation, no fuel charged for
/// it, so fuel stays history-free) beside wasmi's eager translation of every function.
fn load(c: &mut Criterion) {
    let lazy = wasmi::Engine::new(&fazt_wasm_runtime::engine_config(1000));
    let mut eager_config = fazt_wasm_runtime::engine_config(1000);
    eager_config.compilation_mode(wasmi::CompilationMode::Eager);
    let eager = wasmi::Engine::new(&eager_config);
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    group.bench_function("libimage_lazy", |b| {
        b.iter(|| wasmi::Module::new(&lazy, black_box(LIBIMAGE)).expect("compiles"))
    });
    group.bench_function("libimage_eager", |b| {
        b.iter(|| wasmi::Module::new(&eager, black_box(LIBIMAGE)).expect("compiles"))
    });
    group.finish();
}

criterion_group!(
    benches,
    call_overhead,
    call_overhead_large,
    cache_hit,
    throughput,
    load
);
criterion_main!(benches);
