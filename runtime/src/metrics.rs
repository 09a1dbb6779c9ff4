//! Per-module metrics and their Prometheus text rendering.
//!
//! Metric names live here (snake_case with a unit suffix):
//!
//! | name | type | labels | meaning |
//! |---|---|---|---|
//! | `wasm_module_loads_total` | counter | module | successful loads (cache hits and compiles) |
//! | `wasm_module_compiles_total` | counter | module | loads that compiled the module |
//! | `wasm_call_duration_seconds` | histogram | module, function | wall time of calls |
//! | `wasm_fuel_consumed_total` | counter | module | fuel of all calls, failed ones included |
//! | `wasm_memory_bytes` | gauge | module | peak linear memory of the module's last call |
//! | `wasm_errors_total` | counter | module, type | failed calls by `Error::kind()` |
//! | `wasm_cache_entries` | gauge | | modules in the cache |
//! | `wasm_cache_memory_bytes` | gauge | | estimated memory the cached modules hold |
//! | `wasm_cache_hits_total`, `wasm_cache_misses_total`, `wasm_cache_reloads_total` | counter | | cache lookups |
//! | `wasm_cache_evictions_total` | counter | reason | evictions: `lru`, `memory`, `ttl`, `clear` |
//! | `wasm_engine_generations_total` | counter | | engines started (a new one replaces code-heavy old ones) |
//!
//! Counters use 64-bit atomics where the target has them and a lock elsewhere (Cortex-M4).

use alloc::{string::String, sync::Arc, vec::Vec};
use core::fmt::Write as _;
use core::time::Duration;

use crate::cache::CacheStats;
use crate::sync::Lock;

/// Upper bounds of the call-duration histogram buckets, in seconds.
pub const DURATION_BUCKETS_SECONDS: [f64; 8] =
    [0.000_01, 0.000_1, 0.001, 0.01, 0.1, 1.0, 10.0, 60.0];

/// A monotonically increasing (or settable, for gauges) 64-bit value.
#[derive(Debug, Default)]
pub(crate) struct Counter {
    #[cfg(target_has_atomic = "64")]
    value: core::sync::atomic::AtomicU64,
    #[cfg(not(target_has_atomic = "64"))]
    value: Lock<u64>,
}

impl Counter {
    pub(crate) fn add(&self, n: u64) {
        #[cfg(target_has_atomic = "64")]
        self.value
            .fetch_add(n, core::sync::atomic::Ordering::Relaxed);
        #[cfg(not(target_has_atomic = "64"))]
        {
            let mut value = self.value.lock();
            *value = value.wrapping_add(n);
        }
    }

    pub(crate) fn set(&self, n: u64) {
        #[cfg(target_has_atomic = "64")]
        self.value.store(n, core::sync::atomic::Ordering::Relaxed);
        #[cfg(not(target_has_atomic = "64"))]
        {
            *self.value.lock() = n;
        }
    }

    pub(crate) fn get(&self) -> u64 {
        #[cfg(target_has_atomic = "64")]
        return self.value.load(core::sync::atomic::Ordering::Relaxed);
        #[cfg(not(target_has_atomic = "64"))]
        return *self.value.lock();
    }
}

/// A call-duration histogram. Each observation touches one bucket (the first whose bound
/// it fits; the last slot is +Inf); snapshots make the counts cumulative.
#[derive(Debug, Default)]
pub(crate) struct Histogram {
    buckets: [Counter; DURATION_BUCKETS_SECONDS.len() + 1],
    sum_nanos: Counter,
}

impl Histogram {
    fn observe(&self, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let slot = DURATION_BUCKETS_SECONDS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(DURATION_BUCKETS_SECONDS.len());
        self.buckets[slot].add(1);
        self.sum_nanos
            .add(u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX));
    }

    fn snapshot(&self, function: &str) -> FunctionSnapshot {
        let mut running = 0;
        let cumulative: Vec<u64> = self
            .buckets
            .iter()
            .map(|bucket| {
                running += bucket.get();
                running
            })
            .collect();
        FunctionSnapshot {
            function: String::from(function),
            count: running,
            sum_seconds: self.sum_nanos.get() as f64 / 1e9,
            buckets: cumulative[..DURATION_BUCKETS_SECONDS.len()].to_vec(),
        }
    }
}

/// The metrics of one module name (they survive reloads and evictions of the module).
#[derive(Debug, Default)]
pub(crate) struct ModuleMetrics {
    pub loads: Counter,
    pub compiles: Counter,
    fuel_consumed: Counter,
    memory_bytes: Counter,
    functions: Lock<Vec<(String, Arc<Histogram>)>>,
    errors: Lock<Vec<(&'static str, u64)>>,
}

impl ModuleMetrics {
    /// The histogram of `function`, created on first use. A module resolves its exports'
    /// histograms once, at load, so calls take no lock for them.
    pub(crate) fn function(&self, function: &str) -> Arc<Histogram> {
        let mut functions = self.functions.lock();
        match functions.iter().find(|(name, _)| name == function) {
            Some((_, histogram)) => histogram.clone(),
            None => {
                let histogram = Arc::new(Histogram::default());
                functions.push((String::from(function), histogram.clone()));
                histogram
            }
        }
    }

    /// Records one call's outcome; `histogram` is the called export's, when it exists.
    pub(crate) fn record_call(
        &self,
        histogram: Option<&Histogram>,
        stats: &crate::CallStats,
        error_kind: Option<&'static str>,
    ) {
        self.fuel_consumed.add(stats.fuel_consumed);
        self.memory_bytes.set(stats.memory_peak_bytes);
        if let Some(histogram) = histogram {
            histogram.observe(stats.duration);
        }
        if let Some(kind) = error_kind {
            let mut errors = self.errors.lock();
            match errors.iter_mut().find(|(k, _)| *k == kind) {
                Some(entry) => entry.1 += 1,
                None => errors.push((kind, 1)),
            }
        }
    }
}

/// All metric families of a runtime at one moment, ready to render.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsSnapshot {
    /// Per module name, sorted by name.
    pub modules: Vec<ModuleSnapshot>,
    /// The module cache's counters.
    pub cache: CacheStats,
    /// Engines started so far.
    pub engine_generations: u64,
}

/// One module's metrics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModuleSnapshot {
    /// The module name.
    pub module: String,
    /// Successful loads.
    pub loads: u64,
    /// Loads that compiled.
    pub compiles: u64,
    /// Fuel of all calls.
    pub fuel_consumed: u64,
    /// Peak linear memory of the last call.
    pub memory_bytes: u64,
    /// Per function: call count, total seconds, and cumulative bucket counts aligned with
    /// [`DURATION_BUCKETS_SECONDS`].
    pub functions: Vec<FunctionSnapshot>,
    /// Failed calls by error kind.
    pub errors: Vec<(String, u64)>,
}

/// One function's call-duration histogram.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionSnapshot {
    /// The export name.
    pub function: String,
    /// Number of calls.
    pub count: u64,
    /// Total wall time in seconds.
    pub sum_seconds: f64,
    /// Calls at or under each bound of [`DURATION_BUCKETS_SECONDS`].
    pub buckets: Vec<u64>,
}

impl MetricsSnapshot {
    pub(crate) fn collect(
        registry: &[(String, Arc<ModuleMetrics>)],
        cache: CacheStats,
        engine_generations: u64,
    ) -> Self {
        let mut modules: Vec<ModuleSnapshot> = registry
            .iter()
            .map(|(name, metrics)| ModuleSnapshot {
                module: name.clone(),
                loads: metrics.loads.get(),
                compiles: metrics.compiles.get(),
                fuel_consumed: metrics.fuel_consumed.get(),
                memory_bytes: metrics.memory_bytes.get(),
                functions: metrics
                    .functions
                    .lock()
                    .iter()
                    .map(|(function, histogram)| histogram.snapshot(function))
                    .filter(|snapshot| snapshot.count > 0)
                    .collect(),
                errors: metrics
                    .errors
                    .lock()
                    .iter()
                    .map(|(kind, n)| (String::from(*kind), *n))
                    .collect(),
            })
            .collect();
        modules.sort_by(|a, b| a.module.cmp(&b.module));
        Self {
            modules,
            cache,
            engine_generations,
        }
    }

    /// Renders the Prometheus text exposition format (version 0.0.4).
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let section = |out: &mut String,
                       name: &str,
                       kind: &str,
                       help: &str,
                       lines: &mut dyn FnMut(&mut String)| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            lines(out);
        };
        section(
            &mut out,
            "wasm_module_loads_total",
            "counter",
            "Successful loads of a module (cache hits and compiles).",
            &mut |out| {
                for m in &self.modules {
                    let _ = writeln!(
                        out,
                        "wasm_module_loads_total{{module=\"{}\"}} {}",
                        Escaped(&m.module),
                        m.loads
                    );
                }
            },
        );
        section(
            &mut out,
            "wasm_module_compiles_total",
            "counter",
            "Loads that compiled the module.",
            &mut |out| {
                for m in &self.modules {
                    let _ = writeln!(
                        out,
                        "wasm_module_compiles_total{{module=\"{}\"}} {}",
                        Escaped(&m.module),
                        m.compiles
                    );
                }
            },
        );
        section(
            &mut out,
            "wasm_call_duration_seconds",
            "histogram",
            "Wall time of calls.",
            &mut |out| {
                for m in &self.modules {
                    for f in &m.functions {
                        let labels = alloc::format!(
                            "module=\"{}\",function=\"{}\"",
                            Escaped(&m.module),
                            Escaped(&f.function)
                        );
                        for (bound, count) in DURATION_BUCKETS_SECONDS.iter().zip(&f.buckets) {
                            let _ = writeln!(
                                out,
                                "wasm_call_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                            );
                        }
                        let _ = writeln!(
                            out,
                            "wasm_call_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                            f.count
                        );
                        let _ = writeln!(
                            out,
                            "wasm_call_duration_seconds_sum{{{labels}}} {}",
                            f.sum_seconds
                        );
                        let _ = writeln!(
                            out,
                            "wasm_call_duration_seconds_count{{{labels}}} {}",
                            f.count
                        );
                    }
                }
            },
        );
        section(
            &mut out,
            "wasm_fuel_consumed_total",
            "counter",
            "Fuel consumed by calls, failed ones included.",
            &mut |out| {
                for m in &self.modules {
                    let _ = writeln!(
                        out,
                        "wasm_fuel_consumed_total{{module=\"{}\"}} {}",
                        Escaped(&m.module),
                        m.fuel_consumed
                    );
                }
            },
        );
        section(
            &mut out,
            "wasm_memory_bytes",
            "gauge",
            "Peak linear memory of the module's last call.",
            &mut |out| {
                for m in &self.modules {
                    let _ = writeln!(
                        out,
                        "wasm_memory_bytes{{module=\"{}\"}} {}",
                        Escaped(&m.module),
                        m.memory_bytes
                    );
                }
            },
        );
        section(
            &mut out,
            "wasm_errors_total",
            "counter",
            "Failed calls by error kind.",
            &mut |out| {
                for m in &self.modules {
                    for (kind, n) in &m.errors {
                        let _ = writeln!(
                            out,
                            "wasm_errors_total{{module=\"{}\",type=\"{}\"}} {n}",
                            Escaped(&m.module),
                            Escaped(kind)
                        );
                    }
                }
            },
        );
        let cache = &self.cache;
        for (name, kind, help, value) in [
            (
                "wasm_cache_entries",
                "gauge",
                "Modules in the cache.",
                cache.entries as u64,
            ),
            (
                "wasm_cache_memory_bytes",
                "gauge",
                "Estimated memory held by cached modules.",
                cache.memory_bytes,
            ),
            (
                "wasm_cache_hits_total",
                "counter",
                "Loads answered from the cache.",
                cache.hits,
            ),
            (
                "wasm_cache_misses_total",
                "counter",
                "Loads that compiled a module not in the cache.",
                cache.misses,
            ),
            (
                "wasm_cache_reloads_total",
                "counter",
                "Loads that replaced a cached module with new bytes.",
                cache.reloads,
            ),
            (
                "wasm_engine_generations_total",
                "counter",
                "Engines started, including replacements of code-heavy ones.",
                self.engine_generations,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP wasm_cache_evictions_total Modules evicted from the cache, by reason.\n# TYPE wasm_cache_evictions_total counter"
        );
        for (reason, n) in [
            ("lru", cache.evicted_lru),
            ("memory", cache.evicted_memory),
            ("ttl", cache.evicted_ttl),
            ("clear", cache.cleared),
        ] {
            let _ = writeln!(out, "wasm_cache_evictions_total{{reason=\"{reason}\"}} {n}");
        }
        out
    }
}

/// A label value escaped for the text format (backslash, double quote, newline).
struct Escaped<'a>(&'a str);

impl core::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for c in self.0.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '"' => f.write_str("\\\"")?,
                '\n' => f.write_str("\\n")?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}
