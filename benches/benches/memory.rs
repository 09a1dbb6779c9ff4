//! Heap held per in-flight call beyond the guest's linear memory (issue 9, `memory`), with a
//! counting global allocator: one session, and 1,000 sessions alive at once, on the 1-page
//! fixture and on libimage. Not a timing: it prints `name=value` lines that
//! `scripts/perf-report.sh` collects.
//!
//! `cargo bench -p fazt-wasm-benches --bench memory`

use std::alloc::System;

use fazt_wasm_benches::{LIBIMAGE, fixture};
use fazt_wasm_runtime::{CallOptions, Instance, ModuleConfig, Runtime, RuntimeConfig};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap bytes now.
fn live() -> i64 {
    let stats = GLOBAL.stats();
    stats.bytes_allocated as i64 - stats.bytes_deallocated as i64 + stats.bytes_reallocated as i64
}

/// Heap held by `count` live sessions beyond their linear memories, per session.
fn per_session(module: &fazt_wasm_runtime::Module, count: usize) -> (i64, u64) {
    let options = CallOptions::default();
    // One session first, so lazily built engine state is not charged to the measured ones.
    drop(module.instantiate(&options).expect("instantiates"));
    let region = Region::new(GLOBAL);
    let before = live();
    let sessions: Vec<Instance> = (0..count)
        .map(|_| module.instantiate(&options).expect("instantiates"))
        .collect();
    let linear: u64 = sessions.iter().map(Instance::memory_used).sum();
    let held = live() - before - linear as i64 - (count * size_of::<Instance>()) as i64;
    let per = held / count as i64;
    drop(sessions);
    let _ = region;
    (per, linear / count as u64)
}

fn main() {
    // `cargo bench` passes `--bench`; criterion-style filters are not used here.
    let runtime = Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), None))
        .expect("runtime starts");
    let page = runtime
        .load("page", &fixture("page.wat"), ModuleConfig::default())
        .expect("page loads");
    let libimage = runtime
        .load_static("libimage", LIBIMAGE, ModuleConfig::default())
        .expect("libimage loads");
    let (one, linear) = per_session(&page, 1);
    let (thousand, _) = per_session(&page, 1000);
    let (image_one, image_linear) = per_session(&libimage, 1);
    let (image_thousand, _) = per_session(&libimage, 1000);
    println!("memory: heap per live session beyond linear memory (counting allocator)");
    println!("  page.wat (linear {linear} B): 1 session {one} B, 1000 sessions {thousand} B each");
    println!(
        "  libimage (linear {image_linear} B): 1 session {image_one} B, 1000 sessions {image_thousand} B each"
    );
    println!("heap_bytes_per_call={thousand}");
    println!("heap_bytes_per_call_libimage={image_thousand}");
}
