//! Measures how much fuel one second of guest work is, and how far past its deadline a
//! guest that never yields runs: `cargo run --release -p fazt-wasm-runtime --example fuel_rate`.

use std::time::{Duration, Instant};

use fazt_wasm_runtime::{CallOptions, ModuleConfig, Runtime, RuntimeConfig};

const WORK: &str = r#"(module (func (export "work") (param $n i64) (result i64) (local $acc i64)
    (loop $l
      (local.set $acc (i64.add (local.get $acc) (i64.mul (local.get $n) (local.get $n))))
      (local.set $n (i64.sub (local.get $n) (i64.const 1)))
      (br_if $l (i64.gt_s (local.get $n) (i64.const 0))))
    (local.get $acc))
  (func (export "spin") (loop $l (br $l))))"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let wasm = wat::parse_str(WORK)?;
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let module = runtime.load(
        "work",
        &wasm,
        ModuleConfig {
            fuel_limit: u64::MAX,
            timeout: None,
            ..ModuleConfig::default()
        },
    )?;
    let mut rates = Vec::new();
    for _ in 0..5 {
        let instance_options = CallOptions::default();
        let mut instance = module.instantiate(&instance_options)?;
        let started = Instant::now();
        instance.call_raw("work", &[50_000_000i64.into()])?;
        let elapsed = started.elapsed().as_secs_f64();
        rates.push(instance.stats().fuel_consumed as f64 / elapsed);
    }
    rates.sort_by(f64::total_cmp);
    println!("fuel per second (median of 5): {:.3e}", rates[2]);
    for timeout_ms in [50u64, 200, 1000] {
        let options = CallOptions::default().timeout(Duration::from_millis(timeout_ms));
        let started = Instant::now();
        let error = module.call_raw("spin", &[], &options).unwrap_err();
        let overshoot = started
            .elapsed()
            .saturating_sub(Duration::from_millis(timeout_ms));
        println!(
            "timeout {timeout_ms} ms: {} after +{overshoot:?}",
            error.kind()
        );
    }
    Ok(())
}
