//! Every metric family, checked through a real Prometheus text parser.

use fazt_wasm_runtime::{Args, CallOptions, ModuleConfig};

use crate::support::call;

fn parse(text: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(text.lines().map(|line| Ok(line.to_owned())))
        .expect("valid Prometheus text")
}

fn sample<'a>(
    scrape: &'a prometheus_parse::Scrape,
    name: &str,
    labels: &[(&str, &str)],
) -> &'a prometheus_parse::Sample {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .unwrap_or_else(|| panic!("no sample {name} {labels:?}"))
}

fn value(sample: &prometheus_parse::Sample) -> f64 {
    match sample.value {
        prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Untyped(v) => v,
        ref other => panic!("unexpected value {other:?}"),
    }
}

#[test]
fn every_family_is_rendered_and_parses() {
    let runtime = crate::support::runtime();
    let module = runtime
        .load(
            "echo",
            &crate::support::echo_wasm(),
            ModuleConfig {
                fuel_limit: 200_000,
                ..ModuleConfig::default()
            },
        )
        .unwrap();
    let ok = module
        .call("echo", &Args::new().int("n", 1), &CallOptions::default())
        .unwrap();
    let trap = call(&module, "panic").unwrap_err();
    let fuel = call(&module, "spin").unwrap_err();
    assert_eq!((trap.kind(), fuel.kind()), ("panic", "fuel"));
    let snapshot = runtime.metrics();
    let text = snapshot.to_prometheus();
    let scrape = parse(&text);
    let echo = [("module", "echo")];
    assert_eq!(
        value(sample(&scrape, "wasm_module_loads_total", &echo)),
        1.0
    );
    assert_eq!(
        value(sample(&scrape, "wasm_module_compiles_total", &echo)),
        1.0
    );
    let expected_fuel =
        ok.stats().fuel_consumed + trap.stats.fuel_consumed + fuel.stats.fuel_consumed;
    assert_eq!(
        value(sample(&scrape, "wasm_fuel_consumed_total", &echo)),
        expected_fuel as f64
    );
    assert_eq!(
        value(sample(&scrape, "wasm_memory_bytes", &echo)),
        fuel.stats.memory_peak_bytes as f64
    );
    assert_eq!(
        value(sample(
            &scrape,
            "wasm_errors_total",
            &[("module", "echo"), ("type", "panic")]
        )),
        1.0
    );
    assert_eq!(
        value(sample(
            &scrape,
            "wasm_errors_total",
            &[("module", "echo"), ("type", "fuel")]
        )),
        1.0
    );
    match &sample(
        &scrape,
        "wasm_call_duration_seconds",
        &[("module", "echo"), ("function", "echo")],
    )
    .value
    {
        prometheus_parse::Value::Histogram(buckets) => {
            assert_eq!(buckets.last().unwrap().count, 1.0);
            assert!(buckets.windows(2).all(|w| w[0].count <= w[1].count));
        }
        other => panic!("expected a histogram, got {other:?}"),
    }
    assert_eq!(value(sample(&scrape, "wasm_cache_entries", &[])), 1.0);
    assert_eq!(value(sample(&scrape, "wasm_cache_misses_total", &[])), 1.0);
    for reason in ["lru", "memory", "ttl", "clear"] {
        assert_eq!(
            value(sample(
                &scrape,
                "wasm_cache_evictions_total",
                &[("reason", reason)]
            )),
            0.0
        );
    }
    assert!(value(sample(&scrape, "wasm_engine_generations_total", &[])) >= 1.0);
}

#[test]
fn label_values_are_escaped() {
    let runtime = fazt_wasm_runtime::Runtime::new(Default::default()).unwrap();
    let wasm = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let module = runtime
        .load("we\"ird\\name\n", &wasm, ModuleConfig::default())
        .unwrap();
    module.call_raw("f", &[], &CallOptions::default()).unwrap();
    let text = runtime.metrics().to_prometheus();
    assert!(text.contains(r#"module="we\"ird\\name\n""#), "{text}");
    parse(&text);
}
