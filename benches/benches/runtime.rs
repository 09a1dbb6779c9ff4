//! Per-phase benchmarks: `cache_hit` beside `call_overhead` (issue 3), with a raw wasmi
//! baseline in the same run so figures compare as ratios.
//!
//! `cargo bench -p fazt-wasm-benches`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fazt_wasm_runtime::{CallOptions, ModuleConfig, Runtime, RuntimeConfig, wasmi};

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"#;

/// A module of about 1 MiB: a trivial function and a 1 MiB data segment.
fn one_mib_module() -> Vec<u8> {
    let data: String = (0..1 << 20)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    wat::parse_str(format!(
        r#"(module (memory 17) (data (i32.const 0) "{data}") (func (export "f")))"#
    ))
    .unwrap()
}

fn cache_hit(c: &mut Criterion) {
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let wasm: &'static [u8] = Box::leak(one_mib_module().into_boxed_slice());
    runtime
        .load_static("big", wasm, ModuleConfig::default())
        .unwrap();
    let owned = wasm.to_vec();
    runtime
        .load("big-owned", &owned, ModuleConfig::default())
        .unwrap();
    let mut group = c.benchmark_group("cache_hit");
    group.bench_function("load_static_1mib", |b| {
        b.iter(|| {
            runtime
                .load_static("big", black_box(wasm), ModuleConfig::default())
                .unwrap()
        })
    });
    // Two threads hitting the cache at once: per-hit time close to one thread's means the
    // lookup lock does not serialise them.
    group.bench_function("load_static_1mib_two_threads", |b| {
        b.iter_custom(|iterations| {
            let started = std::time::Instant::now();
            std::thread::scope(|scope| {
                for _ in 0..2 {
                    scope.spawn(|| {
                        for _ in 0..iterations {
                            black_box(
                                runtime
                                    .load_static("big", wasm, ModuleConfig::default())
                                    .unwrap(),
                            );
                        }
                    });
                }
            });
            // Two hits per iteration: report the time per hit of the pair.
            started.elapsed() / 2
        })
    });
    group.bench_function("cached_by_name", |b| {
        b.iter(|| runtime.cached(black_box("big")).unwrap())
    });
    group.bench_function("load_borrowed_1mib_hashes_and_compares", |b| {
        b.iter(|| {
            runtime
                .load("big-owned", black_box(&owned), ModuleConfig::default())
                .unwrap()
        })
    });
    group.finish();
}

fn call_overhead(c: &mut Criterion) {
    let wasm = wat::parse_str(ADD).unwrap();
    let runtime = Runtime::new(RuntimeConfig::default()).unwrap();
    let module = runtime.load("add", &wasm, ModuleConfig::default()).unwrap();
    let options = CallOptions::default();
    let mut group = c.benchmark_group("call_overhead");
    group.bench_function("raw_wasmi_fresh_store", |b| {
        let mut config = wasmi::Config::default();
        config.consume_fuel(true);
        let engine = wasmi::Engine::new(&config);
        let raw = wasmi::Module::new(&engine, &wasm).unwrap();
        let linker = wasmi::Linker::<()>::new(&engine);
        b.iter(|| {
            let mut store = wasmi::Store::new(&engine, ());
            store.set_fuel(1_000_000).unwrap();
            let instance = linker.instantiate_and_start(&mut store, &raw).unwrap();
            let add = instance
                .get_typed_func::<(i32, i32), i32>(&store, "add")
                .unwrap();
            add.call(&mut store, black_box((2, 3))).unwrap()
        })
    });
    group.bench_function("fazt_call_raw", |b| {
        b.iter(|| {
            module
                .call_raw("add", black_box(&[2i32.into(), 3i32.into()]), &options)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, cache_hit, call_overhead);
criterion_main!(benches);
