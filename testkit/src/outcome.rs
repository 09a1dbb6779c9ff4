//! `Outcome`, a comparable record of one call, and `Limits`, the small limits checkers run
//! generated modules under.

use std::sync::Arc;

use fazt_wasm_hostfns::vfs::MemVfs;
use fazt_wasm_runtime::{
    Args, CallError, CallOptions, Error, Module, ModuleConfig, Runtime, RuntimeConfig, wasmi,
};

/// The app id checkers call as; its `MemVfs` root holds [`FUZZ_FILES`].
pub const FUZZ_APP: &str = "fuzz";

/// Files generated guests may find with `read_file` (as app [`FUZZ_APP`]).
pub const FUZZ_FILES: &[(&str, &[u8])] = &[
    ("a.txt", b"hello"),
    ("dir/b.bin", &[0, 1, 2, 3, 255]),
    ("empty", b""),
];

/// Small limits for running generated modules: every call ends quickly, whatever the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fuel budget of each call.
    pub fuel: u64,
    /// Linear-memory cap of each call, in bytes.
    pub memory_limit_bytes: u64,
    /// Fuel the start function may use.
    pub start_fuel: u64,
    /// Fuel slice of the sliced run in `check_differential` (the plain runs use the default).
    pub fuel_slice: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: 100_000,
            memory_limit_bytes: 1 << 20,
            start_fuel: 10_000,
            fuel_slice: 997,
        }
    }
}

impl Limits {
    /// Most fuel a checker run may ask for; keeps one fuzz input well under a second.
    pub const MAX_FUEL: u64 = 2_000_000;
    /// Largest memory cap a checker run may ask for (generated memories go up to twice this).
    pub const MAX_MEMORY_BYTES: u64 = 8 << 20;

    /// The same limits brought into the ranges checkers support, so any value is usable.
    pub fn clamped(self) -> Self {
        let fuel = self.fuel.clamp(1, Self::MAX_FUEL);
        Self {
            fuel,
            memory_limit_bytes: self.memory_limit_bytes.min(Self::MAX_MEMORY_BYTES),
            start_fuel: self.start_fuel.clamp(1, fuel),
            // At most a few thousand slices per call, so a sliced run stays cheap.
            fuel_slice: self.fuel_slice.clamp((fuel / 2_000).max(1), fuel),
        }
    }

    /// The module config these limits describe: `read_file` granted, no wall-clock timeout
    /// (fuel alone must end every call).
    pub fn module_config(&self) -> ModuleConfig {
        ModuleConfig {
            memory_limit_bytes: self.memory_limit_bytes,
            fuel_limit: self.fuel,
            timeout: None,
            start_fuel_limit: self.start_fuel,
            ..ModuleConfig::default()
        }
        .grant(fazt_wasm_abi::READ_FILE)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Limits {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Self {
            fuel: u.int_in_range(1..=Self::MAX_FUEL)?,
            memory_limit_bytes: u64::from(u.int_in_range(0..=128u32)?) * 65_536,
            start_fuel: u.int_in_range(1..=100_000)?,
            fuel_slice: u.int_in_range(1..=50_000)?,
        }
        .clamped())
    }
}

/// A runtime with both host functions over a `MemVfs` holding [`FUZZ_FILES`] for
/// [`FUZZ_APP`].
///
/// # Panics
///
/// Never for a `fuel_slice` above zero (the fixed files and app id are valid).
pub fn fuzz_runtime(fuel_slice: u64) -> Runtime {
    let vfs = FUZZ_FILES
        .iter()
        .try_fold(MemVfs::new(), |vfs, (path, bytes)| {
            vfs.with_file(FUZZ_APP, path, bytes.to_vec())
        })
        .expect("the fuzz files are valid");
    let config = RuntimeConfig {
        fuel_slice,
        ..RuntimeConfig::default()
    };
    Runtime::new(fazt_wasm_hostfns::install(config, Some(Arc::new(vfs))))
        .expect("a runtime with a non-zero slice")
}

/// Call options for checker runs: caller [`FUZZ_APP`].
pub fn fuzz_options() -> CallOptions {
    CallOptions::default().caller(FUZZ_APP)
}

/// A wasm value in a comparable form: floats by bits, references only by null-ness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueBits {
    /// `i32`.
    I32(i32),
    /// `i64`.
    I64(i64),
    /// `f32` bits.
    F32(u32),
    /// `f64` bits.
    F64(u64),
    /// `v128` bits.
    V128(u128),
    /// A function reference.
    FuncRef {
        /// Whether it is null.
        is_null: bool,
    },
    /// An external reference.
    ExternRef {
        /// Whether it is null.
        is_null: bool,
    },
}

impl From<&wasmi::Val> for ValueBits {
    fn from(value: &wasmi::Val) -> Self {
        match value {
            wasmi::Val::I32(value) => Self::I32(*value),
            wasmi::Val::I64(value) => Self::I64(*value),
            wasmi::Val::F32(value) => Self::F32(value.to_bits()),
            wasmi::Val::F64(value) => Self::F64(value.to_bits()),
            wasmi::Val::V128(value) => Self::V128(value.as_u128()),
            wasmi::Val::FuncRef(value) => Self::FuncRef {
                is_null: value.is_null(),
            },
            wasmi::Val::ExternRef(value) => Self::ExternRef {
                is_null: value.is_null(),
            },
        }
    }
}

/// What a call returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// The results of a raw call.
    Values(Vec<ValueBits>),
    /// The output bytes of a service call.
    Bytes(Vec<u8>),
}

/// How a call failed, as far as callers can observe it without reading messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `Error::kind()`.
    pub kind: &'static str,
    /// The trap code, for traps.
    pub trap_code: Option<wasmi::TrapCode>,
    /// The guest's error code, for `Error::Guest`.
    pub guest_code: Option<u8>,
}

impl From<&Error> for Failure {
    fn from(error: &Error) -> Self {
        Self {
            kind: error.kind(),
            trap_code: error.trap_code(),
            guest_code: match error {
                Error::Guest { code, .. } => Some(*code as u8),
                _ => None,
            },
        }
    }
}

/// Everything deterministic about one call: what it returned or how it failed, the fuel it
/// consumed and its peak memory. Two runs of the same module, export, arguments and limits
/// must produce equal outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The result.
    pub result: Result<Returned, Failure>,
    /// `CallStats::fuel_consumed`.
    pub fuel_consumed: u64,
    /// `CallStats::memory_peak_bytes`.
    pub memory_peak_bytes: u64,
}

/// Runs `export` with plain values in a fresh store and records the outcome, together with
/// the error itself for checks that need more than the outcome.
///
/// Goes through `Module::instantiate` and `Instance::call_raw`, the path `Module::call_raw`
/// takes, because only an instance reports the statistics of a successful raw call.
pub fn raw_call(
    module: &Module,
    export: &str,
    params: &[wasmi::Val],
    options: &CallOptions,
) -> (Outcome, Option<Error>) {
    let mut instance = match module.instantiate(options) {
        Ok(instance) => instance,
        Err(error) => {
            // `Module::call_raw` reports a failed instantiation with empty statistics too.
            let outcome = Outcome {
                result: Err(Failure::from(&error)),
                fuel_consumed: 0,
                memory_peak_bytes: 0,
            };
            return (outcome, Some(error));
        }
    };
    let result = instance.call_raw(export, params);
    let stats = instance.stats();
    let outcome = Outcome {
        result: match &result {
            Ok(values) => Ok(Returned::Values(
                values.iter().map(ValueBits::from).collect(),
            )),
            Err(error) => Err(Failure::from(error)),
        },
        fuel_consumed: stats.fuel_consumed,
        memory_peak_bytes: stats.memory_peak_bytes,
    };
    (outcome, result.err())
}

/// Runs the service export `export` with named `args` and records the outcome.
pub fn service_call(
    module: &Module,
    export: &str,
    args: &Args<'_>,
    options: &CallOptions,
) -> (Outcome, Option<CallError>) {
    match module.call(export, args, options) {
        Ok(output) => {
            let stats = output.stats();
            let outcome = Outcome {
                result: Ok(Returned::Bytes(output.bytes().to_vec())),
                fuel_consumed: stats.fuel_consumed,
                memory_peak_bytes: stats.memory_peak_bytes,
            };
            (outcome, None)
        }
        Err(error) => {
            let outcome = Outcome {
                result: Err(Failure::from(&error.error)),
                fuel_consumed: error.stats.fuel_consumed,
                memory_peak_bytes: error.stats.memory_peak_bytes,
            };
            (outcome, Some(error))
        }
    }
}

/// Values for `params` taken from `seed` (zero, or null references, once it runs out).
pub fn params_from_seed(params: &[wasmi::ValType], seed: &[u8]) -> Vec<wasmi::Val> {
    let mut bytes =
        seed.iter()
            .copied()
            .cycle()
            .take(if seed.is_empty() { 0 } else { params.len() * 8 });
    let mut next = |n: usize| -> u64 {
        (0..n).fold(0u64, |acc, _| {
            acc << 8 | u64::from(bytes.next().unwrap_or(0))
        })
    };
    params
        .iter()
        .map(|ty| match ty {
            wasmi::ValType::I32 => wasmi::Val::I32(next(4) as u32 as i32),
            wasmi::ValType::I64 => wasmi::Val::I64(next(8) as i64),
            wasmi::ValType::F32 => wasmi::Val::F32(wasmi::F32::from_bits(next(4) as u32)),
            wasmi::ValType::F64 => wasmi::Val::F64(wasmi::F64::from_bits(next(8))),
            other => wasmi::Val::default_for_ty(*other),
        })
        .collect()
}

/// Whether `ty` is the service signature `(i32, i32) -> i64` of docs/abi.md.
pub fn is_service(ty: &wasmi::FuncType) -> bool {
    ty.params() == [wasmi::ValType::I32, wasmi::ValType::I32]
        && ty.results() == [wasmi::ValType::I64]
}

/// The function exports of `module`, in declaration order, with their types.
pub fn function_exports(module: &Module) -> Vec<(String, wasmi::FuncType)> {
    module
        .wasmi_module()
        .exports()
        .filter_map(|export| match export.ty() {
            wasmi::ExternType::Func(ty) => Some((export.name().to_owned(), ty.clone())),
            _ => None,
        })
        .collect()
}

/// Loads `wasm` on a fresh [`fuzz_runtime`] under `limits`.
///
/// # Errors
///
/// The load error, for the caller to classify.
pub fn load_with(wasm: &[u8], limits: &Limits, fuel_slice: u64) -> Result<Module, Error> {
    fuzz_runtime(fuel_slice).load("fuzz", wasm, limits.module_config())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_come_from_the_seed_and_default_once_it_is_empty() {
        let types = [wasmi::ValType::I32, wasmi::ValType::I64];
        let values = params_from_seed(&types, &[0, 0, 0, 7]);
        assert_eq!(values[0].i32(), Some(7));
        let values = params_from_seed(&types, &[]);
        assert_eq!(values[0].i32(), Some(0));
        assert_eq!(values[1].i64(), Some(0));
    }

    #[test]
    fn clamped_limits_stay_within_the_checker_ranges() {
        let limits = Limits {
            fuel: u64::MAX,
            memory_limit_bytes: u64::MAX,
            start_fuel: 0,
            fuel_slice: 0,
        }
        .clamped();
        assert_eq!(limits.fuel, Limits::MAX_FUEL);
        assert_eq!(limits.memory_limit_bytes, Limits::MAX_MEMORY_BYTES);
        assert_eq!(limits.start_fuel, 1);
        assert!(limits.fuel / limits.fuel_slice <= 2_000);
        assert!(limits.module_config().validate().is_ok());
    }
}
