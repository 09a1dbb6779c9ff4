//! Soak (issue 7): a million calls on two threads, mixing good calls with every failure class,
//! counting outcomes other than the expected one and watching the process's resident memory.
//!
//! ```sh
//! cargo bench -p fazt-wasm-tests --bench soak                      # 1,000,000 calls
//! FAZT_SOAK_CALLS=20000 cargo bench -p fazt-wasm-tests --bench soak # a quick run
//! ```
//!
//! Prints calls per second, the unexpected outcomes (must be 0) and RSS at the start, after
//! warm-up and at the end. Exits 1 on an unexpected outcome or when RSS grew by more than
//! `FAZT_SOAK_RSS_SLACK_MIB` (default 32) between warm-up and the end.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fazt_wasm_hostfns::vfs::{MemVfs, Vfs, VfsError};
use fazt_wasm_runtime::{
    Args, CallOptions, CancelToken, Error, Module, ModuleConfig, Runtime, RuntimeConfig,
};

const THREADS: u64 = 2;
/// Calls before the warm-up RSS reading: caches, engines and allocator pools fill up by then.
const WARM_UP_CALLS: u64 = 20_000;

/// A VFS that panics for app `boom` (a buggy backend) and serves `app` from memory.
#[derive(Debug)]
struct PanickyVfs(MemVfs);

impl Vfs for PanickyVfs {
    fn read(&self, app: &str, path: &str, max_bytes: u64) -> Result<Vec<u8>, VfsError> {
        if app == "boom" {
            panic!("soak: deliberate backend panic");
        }
        self.0.read(app, path, max_bytes)
    }
}

/// Everything the mix calls, loaded once and shared by both threads.
struct Modules {
    runtime: Runtime,
    echo: Module,
    small_memory: Module,
    sdk: Module,
    libpdf: Module,
    /// The echo fixture on a runtime with a 100k-fuel slice, so deadlines and cancellation
    /// are noticed within a fraction of a millisecond.
    sliced_echo: Module,
}

impl Modules {
    fn load() -> Self {
        let echo_wasm = wat::parse_file(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/echo.wat"))
            .expect("echo.wat");
        let vfs = MemVfs::new()
            .with_file("app", "notes.txt", b"soak notes".to_vec())
            .expect("valid file");
        let runtime = Runtime::new(fazt_wasm_hostfns::install(
            RuntimeConfig::default(),
            Some(Arc::new(PanickyVfs(vfs))),
        ))
        .expect("runtime");
        let echo = runtime
            .load("echo", &echo_wasm, ModuleConfig::default())
            .expect("echo loads");
        let small_memory = echo
            .with_config(ModuleConfig {
                memory_limit_bytes: 1 << 20,
                ..ModuleConfig::default()
            })
            .expect("same stack depth");
        let sdk = runtime
            .load_static(
                "sdk-echo",
                include_bytes!("../../modules/dist/echo.wasm"),
                ModuleConfig::default().grant("read_file"),
            )
            .expect("SDK echo loads");
        let libpdf = runtime
            .load_static(
                "libpdf",
                include_bytes!("../../modules/dist/libpdf.wasm"),
                ModuleConfig::default(),
            )
            .expect("libpdf loads");
        let sliced_runtime = Runtime::new(RuntimeConfig {
            fuel_slice: 100_000,
            ..RuntimeConfig::default()
        })
        .expect("runtime");
        let sliced_echo = sliced_runtime
            .load(
                "echo",
                &echo_wasm,
                ModuleConfig {
                    fuel_limit: u64::MAX,
                    ..ModuleConfig::default()
                },
            )
            .expect("echo loads");
        Self {
            runtime,
            echo,
            small_memory,
            sdk,
            libpdf,
            sliced_echo,
        }
    }
}

/// One kind of call in the mix: its name, how often it comes (per 1000 calls) and the run.
struct Class {
    name: &'static str,
    per_mille: u64,
    /// Runs the call; `Ok` when the outcome is the expected one, or a description.
    run: fn(&Modules, u64) -> Result<(), String>,
}

/// Checks a call ended with error `kind`.
fn expect_kind<T>(result: Result<T, impl Into<Error>>, kind: &str) -> Result<(), String> {
    match result {
        Ok(_) => Err(format!("expected {kind}, the call succeeded")),
        Err(error) => {
            let error = error.into();
            if error.kind() == kind {
                Ok(())
            } else {
                Err(format!("expected {kind}, got {}: {error}", error.kind()))
            }
        }
    }
}

fn expect_bytes(
    result: Result<fazt_wasm_runtime::Output, fazt_wasm_runtime::CallError>,
    expected: &[u8],
) -> Result<(), String> {
    match result {
        Ok(output) if output.bytes() == expected => Ok(()),
        Ok(output) => Err(format!("unexpected output {:?}", output.bytes())),
        Err(error) => Err(format!("expected output, got {}: {error}", error.kind())),
    }
}

fn app() -> CallOptions {
    CallOptions::default().caller("app")
}

const PDF_HTML: &[u8] = b"<h1>Soak</h1><p>one <b>small</b> page</p>";

/// The mix; per-mille weights add up to 1000.
const CLASSES: &[Class] = &[
    Class {
        name: "ok: echo fixture",
        per_mille: 420,
        run: |m, i| {
            let n = i as i64;
            let args = Args::new().int("n", n).str("s", "soak");
            let mut expected = Vec::new();
            fazt_wasm_abi::args::encode(args.entries(), &mut expected)
                .map_err(|e| e.to_string())?;
            expect_bytes(
                m.echo.call("echo", &args, &CallOptions::default()),
                &expected,
            )
        },
    },
    Class {
        name: "ok: isolation (count)",
        per_mille: 100,
        run: |m, _| {
            expect_bytes(
                m.echo.call("count", &Args::new(), &CallOptions::default()),
                b"11",
            )
        },
    },
    Class {
        name: "ok: SDK echo",
        per_mille: 150,
        run: |m, i| {
            let input = i.to_le_bytes();
            expect_bytes(
                m.sdk
                    .call("echo", &Args::new().bytes("input", &input), &app()),
                &input,
            )
        },
    },
    Class {
        name: "ok: SDK read_file + log",
        per_mille: 50,
        run: |m, _| {
            expect_bytes(
                m.sdk
                    .call("read", &Args::new().str("path", "notes.txt"), &app()),
                b"soak notes",
            )?;
            expect_bytes(
                m.sdk
                    .call("greet", &Args::new().str("name", "soak"), &app()),
                b"hello, soak",
            )
        },
    },
    Class {
        name: "ok: libpdf render",
        per_mille: 1,
        run: |m, _| match m
            .libpdf
            .call("render", &Args::new().bytes("html", PDF_HTML), &app())
        {
            Ok(output) if output.bytes().starts_with(b"%PDF-") => Ok(()),
            Ok(_) => Err(String::from("libpdf output is not a PDF")),
            Err(error) => Err(format!("libpdf failed: {error}")),
        },
    },
    Class {
        name: "fuel",
        per_mille: 40,
        run: |m, _| {
            expect_kind(
                m.echo.call(
                    "spin",
                    &Args::new(),
                    &CallOptions::default().fuel_limit(20_000),
                ),
                "fuel",
            )
        },
    },
    Class {
        name: "timeout",
        per_mille: 4,
        run: |m, _| {
            let options = CallOptions::default().timeout(Duration::from_millis(1));
            expect_kind(
                m.sliced_echo.call("spin", &Args::new(), &options),
                "timeout",
            )
        },
    },
    Class {
        name: "cancelled",
        per_mille: 10,
        run: |m, _| {
            let token = CancelToken::new();
            token.cancel();
            let options = CallOptions::default().cancel(token);
            expect_kind(
                m.sliced_echo.call("spin", &Args::new(), &options),
                "cancelled",
            )
        },
    },
    Class {
        name: "oom",
        per_mille: 20,
        run: |m, _| {
            expect_kind(
                m.small_memory
                    .call("grow_bomb", &Args::new(), &CallOptions::default()),
                "oom",
            )
        },
    },
    Class {
        name: "panic: traps",
        per_mille: 40,
        run: |m, i| {
            let export = ["panic", "divide_by_zero", "out_of_bounds", "recurse"][(i % 4) as usize];
            expect_kind(
                m.echo.call(export, &Args::new(), &CallOptions::default()),
                "panic",
            )
        },
    },
    Class {
        name: "panic: SDK guest panic",
        per_mille: 20,
        run: |m, _| {
            expect_kind(
                m.sdk
                    .call("panic", &Args::new().str("message", "soak"), &app()),
                "panic",
            )
        },
    },
    Class {
        name: "panic: host function (VFS backend)",
        per_mille: 10,
        run: |m, _| {
            let options = CallOptions::default().caller("boom");
            expect_kind(
                m.sdk.call("read", &Args::new().str("path", "x"), &options),
                "panic",
            )
        },
    },
    Class {
        name: "abi",
        per_mille: 30,
        run: |m, i| {
            let export = if i % 2 == 0 {
                "bad_output"
            } else {
                "bad_envelope"
            };
            expect_kind(
                m.echo.call(export, &Args::new(), &CallOptions::default()),
                "abi",
            )
        },
    },
    Class {
        name: "guest",
        per_mille: 30,
        run: |m, _| {
            expect_kind(
                m.echo.call("refuse", &Args::new(), &CallOptions::default()),
                "guest",
            )
        },
    },
    Class {
        name: "export_not_found",
        per_mille: 20,
        run: |m, _| {
            expect_kind(
                m.echo.call("nope", &Args::new(), &CallOptions::default()),
                "export_not_found",
            )
        },
    },
    Class {
        name: "signature",
        per_mille: 10,
        run: |m, _| {
            expect_kind(
                m.echo
                    .call("wrong_signature", &Args::new(), &CallOptions::default()),
                "signature",
            )
        },
    },
    Class {
        name: "bad_arguments",
        per_mille: 10,
        run: |m, _| {
            let names: Vec<String> = (0..=fazt_wasm_abi::args::MAX_ARGS)
                .map(|i| format!("k{i}"))
                .collect();
            let args = names
                .iter()
                .fold(Args::new(), |args, name| args.bool(name, true));
            expect_kind(
                m.echo.call("echo", &args, &CallOptions::default()),
                "bad_arguments",
            )
        },
    },
    Class {
        name: "limit_config",
        per_mille: 10,
        run: |m, _| {
            expect_kind(
                m.echo
                    .call("echo", &Args::new(), &CallOptions::default().fuel_limit(0)),
                "limit_config",
            )
        },
    },
    Class {
        name: "invalid_module",
        per_mille: 10,
        run: |m, i| {
            expect_kind(
                m.runtime
                    .load("garbage", &i.to_le_bytes(), ModuleConfig::default()),
                "invalid_module",
            )
        },
    },
    Class {
        name: "forbidden_import",
        per_mille: 15,
        run: |m, _| {
            // "\0asm" v1, a type section with `() -> ()`, and an import of wasi_snapshot_preview1.proc_exit.
            const WASI: &[u8] = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x02\x24\x01\x16wasi_snapshot_preview1\x09proc_exit\x00\x00";
            expect_kind(
                m.runtime.load("wasi", WASI, ModuleConfig::default()),
                "forbidden_import",
            )
        },
    },
];

/// The class of call number `i`: a fixed schedule of 1000 slots spread by a multiplicative
/// step, so each thread sees the whole mix in every thousand calls.
fn schedule() -> Vec<usize> {
    let mut slots: Vec<usize> = CLASSES
        .iter()
        .enumerate()
        .flat_map(|(index, class)| std::iter::repeat_n(index, class.per_mille as usize))
        .collect();
    assert_eq!(slots.len(), 1000, "the weights must add up to 1000");
    // Interleave: slot k goes to position k * 7919 mod 1000 (7919 is prime, so a permutation).
    let mut spread = vec![0; 1000];
    for (k, class) in slots.drain(..).enumerate() {
        spread[(k * 7919) % 1000] = class;
    }
    spread
}

/// Resident set size of this process, in bytes (Linux); 0 where /proc is missing.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| {
                    value
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .map_or(0, |kib| kib * 1024)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let total_calls = env_u64("FAZT_SOAK_CALLS", 1_000_000);
    let rss_slack_bytes = env_u64("FAZT_SOAK_RSS_SLACK_MIB", 32) << 20;
    // The deliberate bridge panics are caught by the runtime; keep them off stderr.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let deliberate = info
            .payload()
            .downcast_ref::<&str>()
            .is_some_and(|message| message.starts_with("soak: deliberate"));
        if !deliberate {
            default_hook(info);
        }
    }));

    let modules = Modules::load();
    let schedule = schedule();
    let rss_start = rss_bytes();
    let done = AtomicU64::new(0);
    let rss_warm = AtomicU64::new(0);
    let per_thread = total_calls / THREADS;
    let started = Instant::now();
    let results: Vec<(Vec<u64>, Vec<u64>, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|thread| {
                let (modules, schedule, done, rss_warm) = (&modules, &schedule, &done, &rss_warm);
                scope.spawn(move || {
                    let mut calls = vec![0u64; CLASSES.len()];
                    let mut unexpected = vec![0u64; CLASSES.len()];
                    let mut messages = Vec::new();
                    for i in 0..per_thread {
                        let call = thread * per_thread + i;
                        let class = schedule[(call % 1000) as usize];
                        calls[class] += 1;
                        if let Err(message) = (CLASSES[class].run)(modules, call) {
                            unexpected[class] += 1;
                            if messages.len() < 5 {
                                messages.push(format!("{}: {message}", CLASSES[class].name));
                            }
                        }
                        if done.fetch_add(1, Ordering::Relaxed) + 1 == WARM_UP_CALLS {
                            rss_warm.store(rss_bytes(), Ordering::Relaxed);
                        }
                    }
                    (calls, unexpected, messages)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a soak thread panicked"))
            .collect()
    });
    let elapsed = started.elapsed();
    let rss_end = rss_bytes();
    let rss_warm = match rss_warm.load(Ordering::Relaxed) {
        0 => rss_start,
        warm => warm,
    };

    let mut by_class: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut messages = Vec::new();
    for (calls, unexpected, thread_messages) in &results {
        for (index, class) in CLASSES.iter().enumerate() {
            let entry = by_class.entry(class.name).or_default();
            entry.0 += calls[index];
            entry.1 += unexpected[index];
        }
        messages.extend(thread_messages.iter().cloned());
    }
    let calls: u64 = by_class.values().map(|(calls, _)| calls).sum();
    let unexpected: u64 = by_class.values().map(|(_, unexpected)| unexpected).sum();
    println!("soak: {calls} calls on {THREADS} threads in {elapsed:.1?}");
    println!("{:<36} {:>9} {:>10}", "class", "calls", "unexpected");
    for (name, (class_calls, class_unexpected)) in &by_class {
        println!("{name:<36} {class_calls:>9} {class_unexpected:>10}");
    }
    for message in &messages {
        println!("  unexpected: {message}");
    }
    let growth = rss_end.saturating_sub(rss_warm);
    println!(
        "soak: rss start {:.1} MiB, after {WARM_UP_CALLS} calls {:.1} MiB, end {:.1} MiB (growth {:+.1} MiB)",
        mib(rss_start),
        mib(rss_warm),
        mib(rss_end),
        mib(rss_end) - mib(rss_warm),
    );
    println!(
        "soak: {:.0} calls/s, unexpected outcomes: {unexpected}",
        calls as f64 / elapsed.as_secs_f64()
    );
    if unexpected > 0 || growth > rss_slack_bytes {
        println!(
            "soak: FAILED ({unexpected} unexpected, rss growth {:.1} MiB, slack {} MiB)",
            mib(growth),
            rss_slack_bytes >> 20
        );
        std::process::exit(1);
    }
    println!("soak: ok");
}
