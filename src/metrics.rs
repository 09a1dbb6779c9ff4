//! Metrics this process gathered (calls, fuel, compiles), rendered as Prometheus text.
//!
//! Dev note: the runtime does not expose metrics yet; this recorder sees what the CLI sees
//! (the outcome and `CallStats` of each call, each load) and should give way to the
//! runtime's own registry (`runtime/src/metrics.rs`) once that lands.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use fazt_wasm_runtime::CallStats;

/// Counters by module, export and outcome.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    /// By (module, export, outcome kind or `ok`).
    calls: BTreeMap<(String, String, String), CallCounters>,
    /// By module.
    loads: BTreeMap<String, LoadCounters>,
}

#[derive(Debug, Default, Clone, Copy)]
struct CallCounters {
    count: u64,
    fuel_consumed: u64,
    duration_seconds: f64,
    memory_peak_bytes: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct LoadCounters {
    compiles: u64,
    cache_hits: u64,
    failures: u64,
    compile_seconds: f64,
}

/// How a load went, for [`Metrics::record_load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The module was compiled.
    Compiled,
    /// The cache had it.
    CacheHit,
    /// The runtime refused it.
    Failed,
}

impl Metrics {
    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        // A panic while holding the lock leaves plain counters behind; they stay usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records one call of `module`'s `export`; `outcome` is `ok` or an error kind.
    pub fn record_call(&self, module: &str, export: &str, outcome: &str, stats: &CallStats) {
        let mut counters = self.counters();
        let entry = counters
            .calls
            .entry((
                String::from(module),
                String::from(export),
                String::from(outcome),
            ))
            .or_default();
        entry.count += 1;
        entry.fuel_consumed += stats.fuel_consumed;
        entry.duration_seconds += stats.duration.as_secs_f64();
        entry.memory_peak_bytes = entry.memory_peak_bytes.max(stats.memory_peak_bytes);
    }

    /// Records one load of `module`.
    pub fn record_load(&self, module: &str, outcome: LoadOutcome, duration: Duration) {
        let mut counters = self.counters();
        let entry = counters.loads.entry(String::from(module)).or_default();
        match outcome {
            LoadOutcome::Compiled => {
                entry.compiles += 1;
                entry.compile_seconds += duration.as_secs_f64();
            }
            LoadOutcome::CacheHit => entry.cache_hits += 1,
            LoadOutcome::Failed => entry.failures += 1,
        }
    }

    /// The Prometheus text exposition (format 0.0.4) of everything recorded, plus the
    /// number of cached modules; `only_module` keeps the samples of one module.
    pub fn prometheus(&self, cache_entries: usize, only_module: Option<&str>) -> String {
        let counters = self.counters();
        let keep = |module: &str| only_module.is_none_or(|only| only == module);
        let mut text = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, String)>| {
            let _ = writeln!(text, "# HELP fazt_wasm_{name} {help}");
            let _ = writeln!(text, "# TYPE fazt_wasm_{name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(text, "fazt_wasm_{name}{labels} {value}");
            }
        };
        let calls: Vec<_> = counters
            .calls
            .iter()
            .filter(|((module, _, _), _)| keep(module))
            .collect();
        let by_call = |value: &dyn Fn(&CallCounters) -> String| {
            calls
                .iter()
                .map(|((module, export, outcome), counters)| {
                    (
                        labels(&[("module", module), ("export", export), ("outcome", outcome)]),
                        value(counters),
                    )
                })
                .collect::<Vec<_>>()
        };
        family(
            "calls_total",
            "counter",
            "Calls by module, export and outcome (ok or the error kind).",
            by_call(&|c| c.count.to_string()),
        );
        family(
            "fuel_consumed_total",
            "counter",
            "Fuel consumed by calls.",
            by_call(&|c| c.fuel_consumed.to_string()),
        );
        family(
            "call_duration_seconds_total",
            "counter",
            "Wall-clock time spent in calls.",
            by_call(&|c| c.duration_seconds.to_string()),
        );
        family(
            "memory_peak_bytes",
            "gauge",
            "Largest linear memory a call reached.",
            by_call(&|c| c.memory_peak_bytes.to_string()),
        );
        let loads: Vec<_> = counters
            .loads
            .iter()
            .filter(|(module, _)| keep(module))
            .collect();
        let by_load = |value: &dyn Fn(&LoadCounters) -> String| {
            loads
                .iter()
                .map(|(module, counters)| (labels(&[("module", module)]), value(counters)))
                .collect::<Vec<_>>()
        };
        family(
            "module_compiles_total",
            "counter",
            "Modules compiled (cache misses).",
            by_load(&|c| c.compiles.to_string()),
        );
        family(
            "module_cache_hits_total",
            "counter",
            "Loads answered from the module cache.",
            by_load(&|c| c.cache_hits.to_string()),
        );
        family(
            "module_load_failures_total",
            "counter",
            "Loads the runtime refused.",
            by_load(&|c| c.failures.to_string()),
        );
        family(
            "module_compile_seconds_total",
            "counter",
            "Time spent compiling modules.",
            by_load(&|c| c.compile_seconds.to_string()),
        );
        family(
            "module_cache_entries",
            "gauge",
            "Modules in the cache.",
            vec![(String::new(), cache_entries.to_string())],
        );
        text
    }
}

fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(name, value)| {
            let escaped = value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{name}=\"{escaped}\"")
        })
        .collect();
    format!("{{{}}}", inner.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_text_has_escaped_labels_and_filters_by_module() {
        let metrics = Metrics::default();
        let stats = CallStats {
            fuel_consumed: 7,
            memory_peak_bytes: 65536,
            duration: Duration::from_millis(2),
        };
        metrics.record_call("a\"b", "run", "ok", &stats);
        metrics.record_call("a\"b", "run", "ok", &stats);
        metrics.record_call("other", "run", "fuel", &stats);
        metrics.record_load("a\"b", LoadOutcome::Compiled, Duration::from_millis(1));
        let text = metrics.prometheus(1, Some("a\"b"));
        assert!(
            text.contains(
                "fazt_wasm_calls_total{module=\"a\\\"b\",export=\"run\",outcome=\"ok\"} 2"
            )
        );
        assert!(text.contains(
            "fazt_wasm_fuel_consumed_total{module=\"a\\\"b\",export=\"run\",outcome=\"ok\"} 14"
        ));
        assert!(text.contains("fazt_wasm_module_compiles_total{module=\"a\\\"b\"} 1"));
        assert!(text.contains("fazt_wasm_module_cache_entries 1"));
        assert!(!text.contains("other"));
    }
}
