//! Reproducers: `test --save-repro FILE` writes one call and its outcome as JSON, and
//! `replay FILE` re-runs it and compares output, error class and fuel.
//!
//! The file is self-contained. Format `fazt-wasm-repro` version 1:
//!
//! ```text
//! {
//!   "format": "fazt-wasm-repro", "version": 1,
//!   "fazt_wasm": "0.1.0", "wasmi": "2.0.0",
//!   "request": {                                  // exactly what `serve` accepts as a call
//!     "module": {"name": "echo.wat", "sha256": "…", "wasm": "<base64>"}
//!            |  {"name": "libimage", "embedded": true, "sha256": "…"},
//!     "function": "echo",
//!     "args": [{"type": "int", "name": "width", "value": 800},
//!              {"type": "bytes", "name": "input", "value": "<base64>"}, …],
//!     "params": ["2", "3"],                       // raw exports, typed by the signature
//!     "raw": false,
//!     "limits": {"fuel": 1000000000, "memory_bytes": 67108864, "timeout": "10s",
//!                "max_stack_depth": 1000}          // the limits in force, spelled out
//!   },
//!   "outcome": {
//!     "mode": "service",
//!     "result": {"output": {"size_bytes": 5, "sha256": "…"}}
//!             | {"results": [{"type": "i32", "value": "5"}]}
//!             | {"error": {"kind": "fuel", "message": "…"}},
//!     "fuel_consumed": 1234, "memory_peak_bytes": 65536
//!   }
//! }
//! ```
//!
//! Bytes are standard base64. A module file travels whole; an embedded module by name and
//! content hash, so a replay notices when the binary embeds a different build.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::call::{CallOutcome, CallRequest, CallResult, RawValue};
use crate::embedded;
use crate::exit::Failure;
use crate::inspect::sha256_hex;

/// The `format` field of every repro file.
pub const FORMAT: &str = "fazt-wasm-repro";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The wasmi version the runtime is pinned to (`wasmi = "=2.0.0"` in the workspace);
/// fuel figures are only comparable on the same version.
pub const WASMI_VERSION: &str = "2.0.0";

/// A saved call and its outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Repro {
    /// Always [`FORMAT`].
    pub format: String,
    /// The format version.
    pub version: u32,
    /// The fazt-wasm version that recorded it.
    pub fazt_wasm: String,
    /// The wasmi version that recorded it.
    pub wasmi: String,
    /// The call, with every limit spelled out.
    pub request: CallRequest,
    /// What happened.
    pub outcome: Recorded,
}

/// The comparable part of an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// `service` or `raw`, absent when the call never started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Output digest, raw results or error class.
    pub result: RecordedResult,
    /// Fuel consumed.
    pub fuel_consumed: u64,
    /// Largest linear memory, in bytes.
    pub memory_peak_bytes: u64,
}

/// The result without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordedResult {
    /// A service export's output, by size and hash.
    Output {
        /// Size in bytes.
        size_bytes: u64,
        /// SHA-256, hex.
        sha256: String,
    },
    /// A raw export's results.
    Results(Vec<RawValue>),
    /// Why the call failed.
    Error(Failure),
}

impl Recorded {
    /// The comparable part of `outcome`.
    pub fn of(outcome: &CallOutcome) -> Self {
        Self {
            mode: outcome.mode.clone(),
            result: match &outcome.result {
                CallResult::Output(bytes) => RecordedResult::Output {
                    size_bytes: bytes.0.len() as u64,
                    sha256: sha256_hex(&bytes.0),
                },
                CallResult::Results(values) => RecordedResult::Results(values.clone()),
                CallResult::Error(failure) => RecordedResult::Error(failure.clone()),
            },
            fuel_consumed: outcome.receipt.fuel_consumed,
            memory_peak_bytes: outcome.receipt.memory_peak_bytes,
        }
    }

    fn error_kind(&self) -> Option<&str> {
        match &self.result {
            RecordedResult::Error(failure) => Some(&failure.kind),
            RecordedResult::Output { .. } | RecordedResult::Results(_) => None,
        }
    }

    fn output_summary(&self) -> String {
        match &self.result {
            RecordedResult::Output { size_bytes, sha256 } => {
                format!(
                    "{size_bytes} bytes, sha256 {}",
                    &sha256[..sha256.len().min(12)]
                )
            }
            RecordedResult::Results(values) => {
                let values: Vec<&str> = values.iter().map(|v| v.value.as_str()).collect();
                format!("results [{}]", values.join(", "))
            }
            RecordedResult::Error(_) => String::from("no output"),
        }
    }

    fn output_matches(&self, other: &Self) -> bool {
        match (&self.result, &other.result) {
            (RecordedResult::Error(_), RecordedResult::Error(_)) => true,
            (mine, theirs) => mine == theirs,
        }
    }
}

/// Writes the reproducer of `request` and its `outcome` to `path`.
///
/// # Errors
///
/// `io` when the file cannot be written.
pub fn save(path: &Path, request: &CallRequest, outcome: &CallOutcome) -> Result<(), Failure> {
    let mut request = request.clone();
    // Record the limits in force, not the overrides, so a change of defaults cannot change
    // the replay.
    request.limits = outcome.limits.clone();
    let repro = Repro {
        format: String::from(FORMAT),
        version: FORMAT_VERSION,
        fazt_wasm: String::from(env!("CARGO_PKG_VERSION")),
        wasmi: String::from(WASMI_VERSION),
        request,
        outcome: Recorded::of(outcome),
    };
    let mut text = serde_json::to_string_pretty(&repro)
        .map_err(|error| Failure::new("internal", format!("cannot encode the repro: {error}")))?;
    text.push('\n');
    crate::files::write(path, text.as_bytes())
        .map_err(|error| Failure::io("cannot write repro", path, &error))
}

/// Reads and checks a repro file.
///
/// # Errors
///
/// `io` when it cannot be read, `usage` when it is not a repro this build understands or
/// its module bytes do not match their hash.
pub fn load(path: &Path) -> Result<Repro, Failure> {
    let bytes =
        crate::files::read(path).map_err(|error| Failure::io("cannot read repro", path, &error))?;
    let repro: Repro = serde_json::from_slice(&bytes).map_err(|error| {
        Failure::usage(format!(
            "{} is not a fazt-wasm repro file: {error}",
            path.display()
        ))
    })?;
    if repro.format != FORMAT || repro.version != FORMAT_VERSION {
        return Err(Failure::usage(format!(
            "{} is {} version {}; this fazt-wasm reads {FORMAT} version {FORMAT_VERSION}",
            path.display(),
            repro.format,
            repro.version
        )));
    }
    if let Some(wasm) = &repro.request.module.wasm
        && sha256_hex(&wasm.0) != repro.request.module.sha256
    {
        return Err(Failure::usage(format!(
            "{} is corrupt: the module bytes do not match their sha256",
            path.display()
        )));
    }
    Ok(repro)
}

/// How a replay compares with its recording.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The recorded outcome.
    pub recorded: Recorded,
    /// The outcome of the replay.
    pub replayed: Recorded,
    /// Same output bytes (or results), or no output on both sides.
    pub output_identical: bool,
    /// Same error class, or success on both sides.
    pub error_class_identical: bool,
    /// Same fuel consumed.
    pub fuel_identical: bool,
    /// The embedded module's bytes differ from the recorded hash.
    pub module_changed: bool,
    /// The recording's wasmi version, when it is not this build's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_wasmi: Option<String>,
}

impl Comparison {
    /// Compares `replayed` with the recording in `repro`.
    pub fn new(repro: &Repro, replayed: &CallOutcome) -> Self {
        let recorded = repro.outcome.clone();
        let replayed = Recorded::of(replayed);
        let module = &repro.request.module;
        let module_changed = module.embedded
            && embedded::find(&module.name)
                .is_some_and(|embedded| sha256_hex(embedded.wasm) != module.sha256);
        Self {
            output_identical: recorded.output_matches(&replayed),
            error_class_identical: recorded.error_kind() == replayed.error_kind(),
            fuel_identical: recorded.fuel_consumed == replayed.fuel_consumed,
            module_changed,
            recorded_wasmi: (repro.wasmi != WASMI_VERSION).then(|| repro.wasmi.clone()),
            recorded,
            replayed,
        }
    }

    /// Output, error class and fuel are all identical.
    pub fn is_identical(&self) -> bool {
        self.output_identical
            && self.error_class_identical
            && self.fuel_identical
            && !self.module_changed
    }

    /// Prints the comparison, as text or JSON.
    pub fn print(&self, repro: &Repro, as_json: bool) {
        if as_json {
            let mut report = serde_json::to_value(self).unwrap_or_default();
            report["identical"] = json!(self.is_identical());
            println!("{report:#}");
            return;
        }
        let request = &repro.request;
        println!(
            "replay of {} {} (recorded by fazt-wasm {} on wasmi {})",
            request.module.name, request.function, repro.fazt_wasm, repro.wasmi
        );
        if self.module_changed {
            println!(
                "  module:       differs: this binary embeds another build of {}",
                request.module.name
            );
        }
        if let Some(wasmi) = &self.recorded_wasmi {
            println!("  wasmi:        differs: recorded on {wasmi}, replayed on {WASMI_VERSION}");
        }
        let line = |what: &str, same: bool, recorded: String, replayed: String| {
            if same {
                println!("  {what:<13} identical ({recorded})");
            } else {
                println!("  {what:<13} differs: recorded {recorded}, now {replayed}");
            }
        };
        line(
            "output:",
            self.output_identical,
            self.recorded.output_summary(),
            self.replayed.output_summary(),
        );
        let class = |recorded: &Recorded| String::from(recorded.error_kind().unwrap_or("success"));
        line(
            "error class:",
            self.error_class_identical,
            class(&self.recorded),
            class(&self.replayed),
        );
        line(
            "fuel:",
            self.fuel_identical,
            self.recorded.fuel_consumed.to_string(),
            self.replayed.fuel_consumed.to_string(),
        );
        println!(
            "{}",
            if self.is_identical() {
                "identical"
            } else {
                "differs"
            }
        );
    }

    /// `replay_mismatch` naming what differs, or `Ok`.
    ///
    /// # Errors
    ///
    /// When anything differs.
    pub fn verdict(&self) -> Result<(), Failure> {
        if self.is_identical() {
            return Ok(());
        }
        let mut differs = Vec::new();
        if self.module_changed {
            differs.push("module");
        }
        if !self.output_identical {
            differs.push("output");
        }
        if !self.error_class_identical {
            differs.push("error class");
        }
        if !self.fuel_identical {
            differs.push("fuel");
        }
        Err(Failure::new(
            "replay_mismatch",
            format!("{} differ from the recording", differs.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasmi_version_matches_the_workspace_pin() {
        let manifest = include_str!("../Cargo.toml");
        let pin = format!("wasmi = {{ version = \"={WASMI_VERSION}\"");
        assert!(
            manifest.contains(&pin),
            "update WASMI_VERSION to the pin in Cargo.toml"
        );
    }
}
