//! `check_service_input`: arbitrary input to the real service modules never crashes the host,
//! and the built modules in `modules/dist` by name.

use std::path::PathBuf;

use fazt_wasm_runtime::{Args, Module, ModuleConfig};

use crate::execute::check_outcome;
use crate::outcome::{Limits, fuzz_options, fuzz_runtime, service_call};

/// The error kinds a call of a real guest may end with on hostile input: the guest refusing
/// it, a guest panic (a trap), or a limit. An ABI violation or a host error would be a bug in
/// the guest SDK or in the host.
pub const SERVICE_INPUT_KINDS: &[&str] = &["guest", "panic", "fuel", "oom"];

/// A service export of a module in `modules/dist`, with the argument that carries its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceTarget {
    /// The module's file stem in `modules/dist`.
    pub module: &'static str,
    /// The service export.
    pub export: &'static str,
    /// The bytes argument the input goes in.
    pub input_arg: &'static str,
    /// An integer argument given a small size (1 to 64), if the service needs one to do work.
    pub size_arg: Option<&'static str>,
}

/// The services fuzzed with arbitrary input.
pub const SERVICE_TARGETS: &[ServiceTarget] = &[
    ServiceTarget {
        module: "libimage",
        export: "resize",
        input_arg: "input",
        size_arg: Some("width"),
    },
    ServiceTarget {
        module: "libxlsx",
        export: "parse",
        input_arg: "input",
        size_arg: None,
    },
    ServiceTarget {
        module: "libpdf",
        export: "render",
        input_arg: "html",
        size_arg: None,
    },
];

/// A fuzz input for [`check_service_input`]: byte 0 picks the [`SERVICE_TARGETS`] entry, byte 1
/// the size argument, the rest is the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInput<'a> {
    /// The service.
    pub target: &'static ServiceTarget,
    /// The value of its size argument (1 to 64).
    pub size: i64,
    /// The input bytes.
    pub input: &'a [u8],
}

impl<'a> ServiceInput<'a> {
    /// Splits a fuzz input as described on [`ServiceInput`]; short inputs use defaults.
    pub fn from_bytes(data: &'a [u8]) -> Self {
        let (selector, size, input) = match data {
            [selector, size, input @ ..] => (*selector, *size, input),
            [selector] => (*selector, 0, &[][..]),
            [] => (0, 0, &[][..]),
        };
        Self {
            target: &SERVICE_TARGETS[usize::from(selector) % SERVICE_TARGETS.len()],
            size: 1 + i64::from(size % 64),
            input,
        }
    }

    /// The call's arguments.
    pub fn args(&self) -> Args<'a> {
        let args = Args::new().bytes(self.target.input_arg, self.input);
        match self.target.size_arg {
            Some(name) => args.int(name, self.size),
            None => args,
        }
    }

    /// The fuzz input this was split from (the inverse of [`ServiceInput::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let selector = SERVICE_TARGETS
            .iter()
            .position(|target| target == self.target)
            .unwrap_or(0) as u8;
        let mut bytes = vec![selector, (self.size - 1).clamp(0, 63) as u8];
        bytes.extend_from_slice(self.input);
        bytes
    }
}

/// Limits for calls of the real guests on hostile input: enough fuel for real work on small
/// inputs, a cap that keeps a fuzzing process small.
pub fn service_limits() -> Limits {
    Limits {
        fuel: 200_000_000,
        memory_limit_bytes: 64 << 20,
        start_fuel: 10_000_000,
        fuel_slice: fazt_wasm_runtime::DEFAULT_FUEL_SLICE,
    }
}

/// The path of `modules/dist/<name>.wasm`.
pub fn dist_path(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../modules/dist"))
        .join(format!("{name}.wasm"))
}

/// Loads `modules/dist/<target.module>.wasm` under [`service_limits`], or `None` when that
/// module has not been built.
///
/// # Panics
///
/// When the file exists but does not load: a committed module must.
pub fn load_target(target: &ServiceTarget) -> Option<Module> {
    let path = dist_path(target.module);
    let wasm = std::fs::read(&path).ok()?;
    let limits = service_limits();
    let config = ModuleConfig {
        timeout: None,
        ..limits.module_config()
    };
    let module = fuzz_runtime(limits.fuel_slice)
        .load(target.module, &wasm, config)
        .unwrap_or_else(|error| panic!("{} does not load: {error}", path.display()));
    Some(module)
}

/// Calls `export` of a real guest with `args` and checks the host survives with an output or
/// an error of [`SERVICE_INPUT_KINDS`], within the module's fuel and memory limits.
///
/// # Errors
///
/// A description of the broken invariant.
pub fn check_service_input(module: &Module, export: &str, args: &Args<'_>) -> Result<(), String> {
    let config = module.config();
    let limits = Limits {
        fuel: config.fuel_limit,
        memory_limit_bytes: config.memory_limit_bytes,
        start_fuel: config.start_fuel_limit,
        fuel_slice: 1,
    };
    let (outcome, error) = service_call(module, export, args, &fuzz_options());
    let error = error.map(|error| error.error);
    check_outcome(&outcome, error.as_ref(), &limits, SERVICE_INPUT_KINDS)
        .map_err(|violation| format!("{}.{export}: {violation}", module.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_input_to_every_built_service_is_refused_cleanly() {
        for target in SERVICE_TARGETS {
            let Some(module) = load_target(target) else {
                continue;
            };
            for input in [
                &b""[..],
                b"\0\0\0\0",
                b"PK\x03\x04garbage",
                b"<p>unclosed <b>",
            ] {
                let service_input = ServiceInput {
                    target,
                    size: 8,
                    input,
                };
                let args = service_input.args();
                assert_eq!(
                    ServiceInput::from_bytes(&service_input.to_bytes()),
                    service_input
                );
                assert_eq!(
                    check_service_input(&module, target.export, &args),
                    Ok(()),
                    "{target:?} {input:?}"
                );
            }
        }
    }

    #[test]
    fn libpdf_is_always_built() {
        assert!(dist_path("libpdf").exists());
    }
}
