//! Shared fixtures and baselines of the benchmarks (issue 9).
//!
//! Every figure the benches produce is a ratio between two functions measured in the same
//! run, so each bench pairs our path with a baseline built here: raw wasmi with a fresh
//! store per call (fuel off, or fuel on with [`wasmi::StoreLimits`]), and the libimage resize
//! core compiled natively. `scripts/perf-report.sh` turns the medians into the named figures.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fazt_wasm_abi::args::Value;
use fazt_wasm_runtime::wasmi;

/// The repository root (benches run with the package directory as working directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ has a parent")
        .to_path_buf()
}

/// A `.wat` fixture of `benches/fixtures`, compiled to wasm bytes.
///
/// # Panics
///
/// When the fixture is missing or does not parse (the benches cannot run without it).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = repo_root().join("benches/fixtures").join(name);
    wat::parse_file(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The embedded libimage guest, as shipped (`modules/dist/libimage.wasm`).
pub static LIBIMAGE: &[u8] = include_bytes!("../../modules/dist/libimage.wasm");

/// The resize workload's input: a 1920x1080 RGB PNG photo.
pub static PHOTO_1920X1080_PNG: &[u8] = include_bytes!("../data/photo-1920x1080.png");

/// The resize workload's output size.
pub const RESIZE_TO: (u32, u32) = (800, 450);

/// The named arguments of the resize workload.
pub fn resize_args() -> [(&'static str, Value<'static>); 3] {
    [
        ("input", Value::Bytes(PHOTO_1920X1080_PNG)),
        ("width", Value::Int(i64::from(RESIZE_TO.0))),
        ("height", Value::Int(i64::from(RESIZE_TO.1))),
    ]
}

/// Width and height from a PNG's IHDR chunk, if `png` starts like a PNG.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let header = png.get(..24)?;
    if &header[..8] != b"\x89PNG\r\n\x1a\n" || &header[12..16] != b"IHDR" {
        return None;
    }
    let be = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    Some((be(16), be(20)))
}

/// Raw wasmi, used the way an embedder without our layer would: one engine and linker, a
/// fresh `Store` per call.
#[derive(Debug)]
pub struct RawWasmi {
    /// The engine (fuel on or off).
    pub engine: wasmi::Engine,
    /// A linker with do-nothing `fazt.log` and `fazt.read_file` (no file system).
    pub linker: wasmi::Linker<wasmi::StoreLimits>,
    /// The compiled module.
    pub module: wasmi::Module,
    fuel: bool,
}

/// Fuel each raw call gets when metering is on: far more than any bench call uses.
const RAW_FUEL: u64 = u64::MAX / 2;

impl RawWasmi {
    /// Compiles `wasm` on a default wasmi engine with fuel metering `fuel`.
    ///
    /// # Panics
    ///
    /// When `wasm` does not compile.
    pub fn new(wasm: &[u8], fuel: bool) -> Self {
        let mut config = wasmi::Config::default();
        config.consume_fuel(fuel);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, wasm).expect("fixture compiles");
        let mut linker = wasmi::Linker::new(&engine);
        linker
            .func_wrap(
                fazt_wasm_abi::IMPORT_MODULE,
                fazt_wasm_abi::LOG,
                |_level: i32, _ptr: i32, _len: i32| fazt_wasm_abi::STATUS_OK,
            )
            .expect("one log import");
        linker
            .func_wrap(
                fazt_wasm_abi::IMPORT_MODULE,
                fazt_wasm_abi::READ_FILE,
                |_path: i32, _path_len: i32, _buf: i32, _cap: i32| fazt_wasm_abi::READ_FILE_NO_ROOT,
            )
            .expect("one read_file import");
        Self {
            engine,
            linker,
            module,
            fuel,
        }
    }

    /// A fresh store: with fuel on, it also carries a 64 MiB `StoreLimits`, the minimum
    /// an embedder needs for the guarantees our layer gives.
    pub fn store(&self) -> wasmi::Store<wasmi::StoreLimits> {
        let limits = if self.fuel {
            wasmi::StoreLimitsBuilder::new()
                .memory_size(64 << 20)
                .build()
        } else {
            wasmi::StoreLimits::default()
        };
        let mut store = wasmi::Store::new(&self.engine, limits);
        if self.fuel {
            store.limiter(|limits| limits);
            store.set_fuel(RAW_FUEL).expect("fuel is on");
        }
        store
    }

    /// New store, `instantiate_and_start`, one typed call of `export`, drop.
    ///
    /// # Panics
    ///
    /// When the export is missing, has another type, or traps.
    pub fn call<P: wasmi::WasmParams, R: wasmi::WasmResults>(&self, export: &str, params: P) -> R {
        let mut store = self.store();
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .expect("instantiates");
        instance
            .get_typed_func::<P, R>(&store, export)
            .expect("export exists")
            .call(&mut store, params)
            .expect("call succeeds")
    }

    /// A service call under the ABI, by hand: fresh store, allocate, encode the arguments
    /// into guest memory, call, copy the payload of an ok envelope out, drop.
    ///
    /// # Panics
    ///
    /// When anything fails, or the guest answers with an error envelope.
    pub fn call_service(&self, export: &str, args: &[(&str, Value<'_>)]) -> Vec<u8> {
        let mut store = self.store();
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .expect("instantiates");
        let memory = instance.get_memory(&store, "memory").expect("memory");
        let alloc = instance
            .get_typed_func::<i32, i32>(&store, fazt_wasm_abi::ALLOC)
            .expect("fazt_alloc");
        let len = fazt_wasm_abi::args::encoded_len(args);
        let ptr = alloc.call(&mut store, len as i32).expect("fazt_alloc runs") as usize;
        fazt_wasm_abi::args::encode_to_slice(args, &mut memory.data_mut(&mut store)[ptr..][..len])
            .expect("arguments encode");
        let packed = instance
            .get_typed_func::<(i32, i32), i64>(&store, export)
            .expect("service export")
            .call(&mut store, (ptr as i32, len as i32))
            .expect("service call succeeds");
        let (out, out_len) = fazt_wasm_abi::unpack_ptr_len(packed);
        let region = &memory.data(&store)[out as usize..][..out_len as usize];
        match fazt_wasm_abi::output::parse(region).expect("a valid envelope") {
            fazt_wasm_abi::output::Envelope::Ok(payload) => payload.to_vec(),
            fazt_wasm_abi::output::Envelope::Err { message, .. } => {
                panic!("guest error: {}", String::from_utf8_lossy(message))
            }
        }
    }
}

/// The compute kernels of the metering bench, on one page of memory:
///
/// - `mix(n)`: `n` rounds of a murmur-style mix over the page (load, multiply, rotate,
///   xor-shift, store): straight-line arithmetic in long basic blocks, as hashing, codecs and
///   pixel loops are.
/// - `branchy(n)`: a xorshift generator with a data-dependent branch every few
///   instructions: short basic blocks, the worst case for wasmi's per-block fuel checks.
///
/// Both return a checksum, so the three paths can be compared.
pub const COMPUTE_WAT: &str = r#"(module
  (memory 1)
  (func (export "mix") (param $n i32) (result i32)
    (local $h i32) (local $w i32) (local $addr i32)
    (local.set $h (i32.const 0x9747b28c))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $addr (i32.and (i32.shl (local.get $n) (i32.const 2)) (i32.const 65532)))
        (local.set $w (i32.mul (i32.xor (i32.load (local.get $addr)) (local.get $n))
                               (i32.const 0xcc9e2d51)))
        (local.set $w (i32.mul (i32.rotl (local.get $w) (i32.const 15)) (i32.const 0x1b873593)))
        (local.set $h (i32.add (i32.mul (i32.rotl (i32.xor (local.get $h) (local.get $w))
                                                  (i32.const 13))
                                        (i32.const 5))
                               (i32.const 0xe6546b64)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16)))
                               (i32.const 0x85ebca6b)))
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13)))
                               (i32.const 0xc2b2ae35)))
        (i32.store (local.get $addr) (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $h))
  (func (export "branchy") (param $n i32) (result i32)
    (local $x i32) (local $sum i32) (local $addr i32)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $addr (i32.and (local.get $x) (i32.const 65532)))
        (i32.store (local.get $addr)
          (i32.add (i32.load (local.get $addr)) (local.get $x)))
        (if (i32.and (local.get $x) (i32.const 1))
          (then (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $addr)))))
          (else (local.set $sum (i32.xor (local.get $sum) (local.get $x)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $sum)))"#;

/// Rounds of each [`COMPUTE_WAT`] kernel per bench iteration: tens of milliseconds, several
/// fuel slices.
pub const COMPUTE_ROUNDS: i32 = 2_000_000;

/// Times `batch` runs of `f`.
fn time(batch: u32, f: &mut impl FnMut()) -> Duration {
    let started = Instant::now();
    for _ in 0..batch {
        f();
    }
    started.elapsed()
}

/// One paired figure: the median of the per-round ratios ours/baseline, and the median time
/// of one run of each side in nanoseconds.
#[derive(Debug, Clone, Copy)]
pub struct Paired {
    /// Median over rounds of (time of ours) / (time of the baseline).
    pub ratio: f64,
    /// Median time of one baseline run, in nanoseconds.
    pub baseline_ns: f64,
    /// Median time of one run of ours, in nanoseconds.
    pub ours_ns: f64,
}

/// The median of `values` (the upper one of an even count).
///
/// # Panics
///
/// When `values` is empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Alternates `baseline` and `ours` (`batch` runs each, the order swapped every round) for
/// `rounds` rounds after one warm-up round, so slow drift of a shared machine hits both
/// sides of every ratio alike; the median drops the rounds a neighbour disturbed.
pub fn paired(
    rounds: u32,
    batch: u32,
    mut baseline: impl FnMut(),
    mut ours: impl FnMut(),
) -> Paired {
    time(batch, &mut baseline);
    time(batch, &mut ours);
    let (mut ratios, mut base, mut mine) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds.max(1) {
        let (b, o) = if round % 2 == 0 {
            let b = time(batch, &mut baseline);
            (b, time(batch, &mut ours))
        } else {
            let o = time(batch, &mut ours);
            (time(batch, &mut baseline), o)
        };
        ratios.push(o.as_secs_f64() / b.as_secs_f64());
        base.push(b.as_secs_f64() * 1e9 / f64::from(batch));
        mine.push(o.as_secs_f64() * 1e9 / f64::from(batch));
    }
    Paired {
        ratio: median(ratios),
        baseline_ns: median(base),
        ours_ns: median(mine),
    }
}

/// Runs `iterations` calls of `call` on each of `threads` threads at once and returns the
/// wall time of the whole.
pub fn on_threads(threads: u32, iterations: u64, call: &(impl Fn() + Sync)) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..iterations {
                    call();
                }
            });
        }
    });
    started.elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_runs_both_sides_equally_and_reports_their_ratio() {
        use std::cell::Cell;
        // Counts, not timings: a unit test must not depend on how fast the machine is.
        let (baseline_runs, ours_runs) = (Cell::new(0u32), Cell::new(0u32));
        let result = paired(
            5,
            3,
            || baseline_runs.set(baseline_runs.get() + 1),
            || ours_runs.set(ours_runs.get() + 1),
        );
        // One warm-up round plus five measured rounds of three runs each, on both sides.
        assert_eq!(baseline_runs.get(), 18);
        assert_eq!(ours_runs.get(), 18);
        assert!(result.ratio.is_finite() && result.ratio > 0.0, "{result:?}");
        assert!(
            result.baseline_ns >= 0.0 && result.ours_ns >= 0.0,
            "{result:?}"
        );
    }

    #[test]
    fn median_takes_the_middle_value() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 3.0);
    }

    #[test]
    fn photo_is_1920_by_1080() {
        assert_eq!(png_size(PHOTO_1920X1080_PNG), Some((1920, 1080)));
    }

    #[test]
    fn raw_service_call_matches_the_fixture() {
        let raw = RawWasmi::new(&fixture("page.wat"), true);
        let out = raw.call_service("first16", &[("a", Value::Int(1))]);
        assert_eq!(out, b"abcdefghijklmnop");
        assert_eq!(raw.call::<_, i32>("add", (2, 3)), 5);
    }
}
