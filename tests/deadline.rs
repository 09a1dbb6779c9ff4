//! Deadlines and cancellation stop guests that never yield.

use std::time::{Duration, Instant};

use fazt_wasm_runtime::{Args, CallOptions, CancelToken, Error, ModuleConfig};

use crate::support::echo_module;

#[test]
fn timeout_stops_an_endless_loop_near_its_deadline() {
    let module = echo_module(ModuleConfig {
        fuel_limit: u64::MAX,
        ..ModuleConfig::default()
    });
    let started = Instant::now();
    let options = CallOptions::default().timeout(Duration::from_millis(200));
    let error = module.call("spin", &Args::new(), &options).unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error.error, Error::Timeout { limit } if limit == Duration::from_millis(200)),
        "{error}"
    );
    assert!(error.is_timeout() && !error.is_out_of_fuel());
    assert!(elapsed >= Duration::from_millis(200));
    // Wide margin for a busy CI machine: a slice is ~5 ms of work.
    assert!(
        elapsed < Duration::from_secs(3),
        "stopped after {elapsed:?}"
    );
    assert!(error.stats.fuel_consumed > 0);
}

#[test]
fn absolute_deadline_is_honoured() {
    let module = echo_module(ModuleConfig {
        fuel_limit: u64::MAX,
        timeout: None,
        ..ModuleConfig::default()
    });
    let options = CallOptions {
        deadline: Some(Instant::now() + Duration::from_millis(100)),
        ..CallOptions::default()
    };
    let error = module.call("spin", &Args::new(), &options).unwrap_err();
    assert_eq!(error.kind(), "timeout");
}

#[test]
fn cancellation_from_another_thread_stops_the_call() {
    let module = echo_module(ModuleConfig {
        fuel_limit: u64::MAX,
        timeout: None,
        ..ModuleConfig::default()
    });
    let token = CancelToken::new();
    let canceller = {
        let token = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            token.cancel();
        })
    };
    let error = module
        .call("spin", &Args::new(), &CallOptions::default().cancel(token))
        .unwrap_err();
    canceller.join().unwrap();
    assert!(matches!(error.error, Error::Cancelled), "{error}");
    assert_eq!(error.kind(), "cancelled");
}
