//! The wasmtime peer baseline: the same modules and calls as fazt-wasm's own benches, run on
//! wasmtime 48.0.8, so a report can put the two side by side as ratios.
//!
//! Setup, shared by every function:
//!
//! - Modules are compiled once, outside the timed loop (`.wat` fixtures parsed with `wat`).
//! - One [`Linker`] defines stubs for the fazt host functions (`fazt.log` answers
//!   `STATUS_OK`, `fazt.read_file` answers `READ_FILE_NO_ROOT`, as for a call without an
//!   app), and [`Linker::instantiate_pre`] resolves the imports once.
//! - Each iteration is what a fresh-instance runtime does per call: a new [`Store`],
//!   [`InstancePre::instantiate`], export lookup, the call, and dropping the store.
//! - Instances come from the pooling allocator with copy-on-write memory images, wasmtime's
//!   fastest instantiation path.
//!
//! Groups (the IDs are read by the report script from
//! `target/criterion/<group>/<function>/new/estimates.json`):
//!
//! - `peer_call_overhead`: `add(2, 3)` on `benches/fixtures/add.wat` and `page.wat`, and
//!   `fazt_dealloc(0, 0)` (returns at once) on `modules/dist/libimage.wasm` (instantiate,
//!   call, drop), on Cranelift. `fazt_alloc` would not be trivial: the guest's first
//!   allocation grows its memory.
//! - `peer_resize`: libimage `resize` of `benches/data/photo-1920x1080.png` to 800x450 (PNG
//!   out) through the fazt ABI (`docs/abi.md`), on Cranelift and on the Pulley interpreter.
//!
//! `cargo bench --manifest-path benches/peer/Cargo.toml`

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use fazt_wasm_abi::args::{self, Value};
use fazt_wasm_abi::output::{self, Envelope};
use fazt_wasm_abi::{
    ALLOC, DEALLOC, IMPORT_MODULE, LOG, READ_FILE, READ_FILE_NO_ROOT, STATUS_OK, unpack_ptr_len,
};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, InstancePre, Linker, Module,
    PoolingAllocationConfig, Store,
};

/// The largest linear memory an instance may grow to. libimage decodes the 1080p photo
/// (about 6 MiB of RGB) and resamples it, which needs tens of MiB; 256 MiB leaves room.
const MAX_MEMORY_BYTES: usize = 256 << 20;

/// Pool slots: the benches only ever hold one live instance at a time, so a few suffice.
const POOL_SLOTS: u32 = 16;

const RESIZE_WIDTH: u32 = 800;
const RESIZE_HEIGHT: u32 = 450;

/// A path relative to the repository root (two levels above this package).
fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn read(relative: &str) -> Vec<u8> {
    let path = repo_path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn wat_module(relative: &str) -> Vec<u8> {
    wat::parse_bytes(&read(relative))
        .unwrap_or_else(|e| panic!("parsing {relative}: {e}"))
        .into_owned()
}

/// An engine with the pooling allocator. `target` is `None` for the host (Cranelift native
/// code) or `Some("pulley64")` for Cranelift emitting Pulley bytecode for the interpreter.
fn engine(target: Option<&str>) -> Engine {
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .total_core_instances(POOL_SLOTS)
        .total_memories(POOL_SLOTS)
        .total_tables(POOL_SLOTS)
        .max_memory_size(MAX_MEMORY_BYTES);
    let mut config = Config::new();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    if let Some(target) = target {
        config.target(target).expect("wasmtime target");
    }
    Engine::new(&config).expect("wasmtime engine")
}

/// The fazt host functions as stubs. libimage does not import them today, but a guest that
/// does still links, and unused definitions cost nothing at instantiation.
fn linker(engine: &Engine) -> Linker<()> {
    let mut linker = Linker::new(engine);
    linker
        .func_wrap(IMPORT_MODULE, LOG, |_level: i32, _ptr: i32, _len: i32| {
            STATUS_OK
        })
        .expect("define fazt.log");
    linker
        .func_wrap(
            IMPORT_MODULE,
            READ_FILE,
            |_path_ptr: i32, _path_len: i32, _buf_ptr: i32, _buf_cap: i32| READ_FILE_NO_ROOT,
        )
        .expect("define fazt.read_file");
    linker
}

fn instance_pre(engine: &Engine, wasm: &[u8]) -> InstancePre<()> {
    let module = Module::new(engine, wasm).expect("compile module");
    linker(engine)
        .instantiate_pre(&module)
        .expect("instantiate_pre")
}

/// One fresh-instance call of `add(2, 3)`.
fn call_add(pre: &InstancePre<()>) -> i32 {
    let mut store = Store::new(pre.module().engine(), ());
    let instance = pre.instantiate(&mut store).expect("instantiate");
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "add")
        .expect("export add");
    add.call(&mut store, (black_box(2), black_box(3)))
        .expect("call add")
}

/// One fresh-instance call of `fazt_dealloc(0, 0)`, which returns at once.
fn call_dealloc(pre: &InstancePre<()>) {
    let mut store = Store::new(pre.module().engine(), ());
    let instance = pre.instantiate(&mut store).expect("instantiate");
    let dealloc = instance
        .get_typed_func::<(i32, i32), ()>(&mut store, DEALLOC)
        .expect("export fazt_dealloc");
    dealloc
        .call(&mut store, black_box((0, 0)))
        .expect("call fazt_dealloc");
}

fn call_overhead(c: &mut Criterion) {
    let engine = engine(None);
    let add = instance_pre(&engine, &wat_module("benches/fixtures/add.wat"));
    let page = instance_pre(&engine, &wat_module("benches/fixtures/page.wat"));
    let libimage = instance_pre(&engine, &read("modules/dist/libimage.wasm"));
    assert_eq!(call_add(&add), 5);
    assert_eq!(call_add(&page), 5);
    call_dealloc(&libimage);

    let mut group = c.benchmark_group("peer_call_overhead");
    group.bench_function("wasmtime_pooling_add", |b| b.iter(|| call_add(&add)));
    group.bench_function("wasmtime_pooling_page", |b| b.iter(|| call_add(&page)));
    group.bench_function("wasmtime_pooling_libimage", |b| {
        b.iter(|| call_dealloc(&libimage))
    });
    group.finish();
}

/// One fresh-instance service call, as the fazt runtime makes it: allocate the argument
/// buffer in the guest, encode the named arguments straight into guest memory, call the
/// export, and copy the output envelope out. Returns the envelope bytes.
fn call_service(pre: &InstancePre<()>, export: &str, entries: &[(&str, Value<'_>)]) -> Vec<u8> {
    let mut store = Store::new(pre.module().engine(), ());
    let instance = pre.instantiate(&mut store).expect("instantiate");
    let memory = instance
        .get_memory(&mut store, "memory")
        .expect("export memory");
    let alloc = instance
        .get_typed_func::<i32, i32>(&mut store, ALLOC)
        .expect("export fazt_alloc");
    let service = instance
        .get_typed_func::<(i32, i32), i64>(&mut store, export)
        .expect("service export");

    let len = args::encoded_len(entries);
    let len_i32 = i32::try_from(len).expect("arguments fit in guest memory");
    let ptr = alloc.call(&mut store, len_i32).expect("call fazt_alloc");
    assert_ne!(ptr, 0, "fazt_alloc({len}) returned null");
    let start = ptr as u32 as usize;
    args::encode_to_slice(
        entries,
        &mut memory.data_mut(&mut store)[start..start + len],
    )
    .expect("encode arguments");

    let packed = service
        .call(&mut store, (ptr, len_i32))
        .expect("call service export");
    let (out_ptr, out_len) = unpack_ptr_len(packed);
    let (out_ptr, out_len) = (out_ptr as usize, out_len as usize);
    memory.data(&store)[out_ptr..out_ptr + out_len].to_vec()
}

/// The payload of an ok envelope; panics with the guest's message on an error envelope.
fn ok_payload(envelope: &[u8]) -> &[u8] {
    match output::parse(envelope).expect("output envelope") {
        Envelope::Ok(payload) => payload,
        Envelope::Err { code, message } => {
            panic!("guest error {code:?}: {}", String::from_utf8_lossy(message))
        }
    }
}

/// The size in a PNG's IHDR chunk, which the PNG format requires to come first.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() >= 24, "output too short for a PNG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "output is not a PNG");
    assert_eq!(&png[12..16], b"IHDR", "PNG does not start with IHDR");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

fn resize(c: &mut Criterion) {
    let wasm = read("modules/dist/libimage.wasm");
    let photo = read("benches/data/photo-1920x1080.png");
    let entries = [
        ("input", Value::Bytes(&photo)),
        ("width", Value::Int(RESIZE_WIDTH.into())),
        ("height", Value::Int(RESIZE_HEIGHT.into())),
    ];
    let runs = [
        ("wasmtime_cranelift", instance_pre(&engine(None), &wasm)),
        (
            "wasmtime_pulley",
            instance_pre(&engine(Some("pulley64")), &wasm),
        ),
    ];
    for (name, pre) in &runs {
        let envelope = call_service(pre, "resize", &entries);
        assert_eq!(
            png_size(ok_payload(&envelope)),
            (RESIZE_WIDTH, RESIZE_HEIGHT),
            "{name}: resized PNG has the wrong size"
        );
    }

    let mut group = c.benchmark_group("peer_resize");
    // One resize takes about a second in an interpreter: ten samples of equal iteration
    // counts (flat sampling) rather than criterion's 1, 2, ... 10 iterations (55 in all).
    // Warm-up and measurement times stay the command line's.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    for (name, pre) in &runs {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let envelope = call_service(pre, "resize", black_box(&entries));
                // Cheap: the tag byte only; the full check ran once above.
                assert_eq!(envelope.first(), Some(&output::TAG_OK));
                envelope
            })
        });
    }
    group.finish();
}

/// The ratios of issue 9 that compare with wasmtime, measured in this process by alternating
/// our runtime and wasmtime in short rounds (`fazt_wasm_benches::paired`): a shared VM drifts
/// too much between two processes minutes apart. Prints `name=value` lines for
/// `scripts/perf-report.sh`; under `cargo test --benches` (no `--bench`), one round each.
fn paired_with_ours(_: &mut Criterion) {
    use fazt_wasm_benches::paired;
    use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig, Runtime, RuntimeConfig};

    let smoke = !std::env::args().any(|arg| arg == "--bench");
    let quick = std::env::args().any(|arg| arg == "--warm-up-time");
    let rounds = |full: u32, short: u32| match (smoke, quick) {
        (true, _) => 1,
        (false, true) => short,
        (false, false) => full,
    };
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime starts");
    let options = CallOptions::default();
    let cranelift = engine(None);

    let add_wasm = wat_module("benches/fixtures/add.wat");
    let add = runtime
        .load("add", &add_wasm, ModuleConfig::default())
        .expect("add loads");
    let add_pre = instance_pre(&cranelift, &add_wasm);
    let tiny = paired(
        rounds(101, 31),
        2_000,
        || {
            black_box(call_add(&add_pre));
        },
        || {
            black_box(
                add.call_raw("add", &[2i32.into(), 3i32.into()], &options)
                    .expect("add runs"),
            );
        },
    );
    println!("tiny_vs_wasmtime_ratio={:.4}", tiny.ratio);

    let libimage_wasm = read("modules/dist/libimage.wasm");
    let libimage = runtime
        .load("libimage", &libimage_wasm, ModuleConfig::default())
        .expect("libimage loads");
    let libimage_pre = instance_pre(&cranelift, &libimage_wasm);
    let large = paired(
        rounds(101, 31),
        50,
        || call_dealloc(&libimage_pre),
        || {
            black_box(
                libimage
                    .call_raw(DEALLOC, &[0i32.into(), 0i32.into()], &options)
                    .expect("fazt_dealloc runs"),
            );
        },
    );
    println!("libimage_call_vs_wasmtime_ratio={:.4}", large.ratio);

    let resizer = runtime
        .load(
            "libimage-resize",
            &libimage_wasm,
            ModuleConfig {
                memory_limit_bytes: 256 << 20,
                fuel_limit: 60_000_000_000,
                timeout: Some(std::time::Duration::from_secs(120)),
                ..ModuleConfig::default()
            },
        )
        .expect("libimage loads");
    let photo = read("benches/data/photo-1920x1080.png");
    let entries = [
        ("input", Value::Bytes(&photo)),
        ("width", Value::Int(RESIZE_WIDTH.into())),
        ("height", Value::Int(RESIZE_HEIGHT.into())),
    ];
    let args = Args::new()
        .bytes("input", &photo)
        .int("width", RESIZE_WIDTH.into())
        .int("height", RESIZE_HEIGHT.into());
    let ours = || {
        black_box(
            resizer
                .call("resize", &args, &options)
                .expect("resize runs"),
        );
    };
    for (name, target) in [
        ("resize_vs_pulley", Some("pulley64")),
        ("resize_vs_cranelift", None),
    ] {
        let pre = instance_pre(&engine(target), &libimage_wasm);
        let result = paired(
            rounds(5, 2),
            1,
            || {
                black_box(call_service(&pre, "resize", &entries));
            },
            ours,
        );
        println!("{name}_ratio={:.4}", result.ratio);
        eprintln!(
            "{name}: wasmtime {:.0} ms, ours {:.0} ms",
            result.baseline_ns / 1e6,
            result.ours_ns / 1e6
        );
    }
}

criterion_group!(benches, call_overhead, resize, paired_with_ours);
criterion_main!(benches);
