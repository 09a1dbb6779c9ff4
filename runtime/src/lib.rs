//! A WebAssembly execution primitive: load a module once, run every call in a fresh, metered
//! `wasmi::Store`.
//!
//! - [`Runtime`] owns the wasmi engine, the host functions ([`Bridge`]s) and the module cache.
//! - [`Module`] is a validated, compiled module with its [`ModuleConfig`] limits; share it.
//! - [`Module::call`] runs a service export under the ABI of `docs/abi.md`: named
//!   [`Args`] in, [`Output`] bytes out, [`CallStats`] on success and failure alike.
//! - [`Module::instantiate`] gives an [`Instance`] for the low-level memory-transfer flow.
//!
//! Every call gets a fresh store: fresh memory, fuel, memory limit and deadline. Nothing one
//! call does is visible to the next. Errors are [`Error`] values with classifiers
//! (`is_timeout`, `is_panic`, `is_oom`, `kind`); a guest can never crash the host.
//!
//! The crate is `no_std` + `alloc` at heart; the default `std` feature adds deadlines,
//! wall-clock durations and catching host-function panics.
//!
//! # Examples
//!
//! ```
//! use fazt_wasm_runtime::{CallOptions, ModuleConfig, Runtime, RuntimeConfig};
//!
//! let wasm = wat::parse_str(r#"(module (func (export "spin") (loop br 0)))"#)?;
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let module = runtime.load("spin", &wasm, ModuleConfig::default())?;
//! let error = module.call_raw("spin", &[], &CallOptions::default().fuel_limit(1_000_000)).unwrap_err();
//! assert!(error.is_timeout());
//! // Fuel is charged per basic block up front, so the last block may not fit exactly.
//! assert!((999_000..=1_000_000).contains(&error.stats.fuel_consumed));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

mod cache;
mod call;
mod clock;
mod error;
mod host;
mod limits;
mod metrics;
mod module;
mod output;
mod sync;

pub use cache::{
    CacheConfig, CacheEntryInfo, CacheStats, ModuleCache, ModuleKey, estimate_module_bytes,
};
pub use call::{CallStats, Ptr};
#[cfg(feature = "std")]
pub use clock::SystemClock;
pub use clock::{Clock, ManualClock};
pub use error::{CallError, Error, HostFailure, ImportRefusal, host_error};
pub use host::{
    AbiViolation, Bridge, CallState, MAX_TABLE_ELEMENTS, guest_range, memory_and_state,
};
#[cfg(feature = "std")]
pub use host::{BridgePanic, catch_bridge_panic};
pub use limits::{
    CallOptions, CancelToken, DEFAULT_FUEL_LIMIT, DEFAULT_MAX_STACK_DEPTH,
    DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT, MAX_STACK_DEPTH_CEILING, MEMORY_CEILING_BYTES,
    ModuleConfig,
};
pub use metrics::{DURATION_BUCKETS_SECONDS, FunctionSnapshot, MetricsSnapshot, ModuleSnapshot};
pub use module::{
    Args, DEFAULT_FUEL_SLICE, Instance, Module, Runtime, RuntimeConfig, engine_config,
};
pub use output::Output;

/// The argument value type of the ABI.
pub use fazt_wasm_abi::args::Value;
/// The guest error classes of the ABI's output envelope.
pub use fazt_wasm_abi::output::ErrorCode;
/// The wasmi version this runtime is built on, re-exported so bridges use the same types.
pub use wasmi;

/// The README's Rust example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
