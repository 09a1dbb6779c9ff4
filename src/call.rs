//! A call as data (`CallRequest`: module, export, arguments, limits; `CallOutcome`: result
//! and receipt) and the `Executor` that runs requests on one runtime and its module cache.
//!
//! The same types travel in repro files and over the `serve` socket, so a call behaves the
//! same whether it runs in this process, in a server, or in a replay.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use fazt_wasm_runtime::{
    Args, CallOptions, CallStats, Error, Module, ModuleConfig, Runtime, RuntimeConfig, Value, wasmi,
};
use serde::{Deserialize, Serialize};

use crate::embedded::{self, EmbeddedModule};
use crate::exit::Failure;
use crate::inspect::{self, ModuleInfo};
use crate::metrics::{LoadOutcome, Metrics};
use crate::units;

/// Bytes that travel as standard base64 (with padding) in JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blob(pub Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Blob)
            .map_err(serde::de::Error::custom)
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// One named argument with its type, as the ABI types it.
///
/// In JSON: `{"type": "int", "name": "width", "value": 800}`; bytes are base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum NamedArg {
    /// An `i64`.
    Int {
        /// The argument name.
        name: String,
        /// The value.
        value: i64,
    },
    /// An `f64` (always finite).
    Float {
        /// The argument name.
        name: String,
        /// The value.
        value: f64,
    },
    /// A boolean.
    Bool {
        /// The argument name.
        name: String,
        /// The value.
        value: bool,
    },
    /// A UTF-8 string.
    String {
        /// The argument name.
        name: String,
        /// The value.
        value: String,
    },
    /// Raw bytes.
    Bytes {
        /// The argument name.
        name: String,
        /// The value.
        #[serde(with = "blob_vec")]
        value: Vec<u8>,
    },
}

mod blob_vec {
    use serde::{Deserialize as _, Serialize as _};

    pub fn serialize<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        super::Blob(bytes.to_vec()).serialize(serializer)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        super::Blob::deserialize(deserializer).map(|blob| blob.0)
    }
}

impl NamedArg {
    /// The argument name.
    pub fn name(&self) -> &str {
        match self {
            Self::Int { name, .. }
            | Self::Float { name, .. }
            | Self::Bool { name, .. }
            | Self::String { name, .. }
            | Self::Bytes { name, .. } => name,
        }
    }

    /// The value as the ABI encodes it.
    pub fn as_value(&self) -> Value<'_> {
        match self {
            Self::Int { value, .. } => Value::Int(*value),
            Self::Float { value, .. } => Value::Float(*value),
            Self::Bool { value, .. } => Value::Bool(*value),
            Self::String { value, .. } => Value::Str(value),
            Self::Bytes { value, .. } => Value::Bytes(value),
        }
    }
}

/// Which module a call runs in: an embedded module by name, or a module's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleRef {
    /// The name it is loaded (and cached) under: the embedded name, or the file name.
    pub name: String,
    /// An embedded module of the binary that runs the call.
    #[serde(default)]
    pub embedded: bool,
    /// SHA-256 of the wasm bytes, hex; informational in requests (the runtime hashes what
    /// it loads), checked by `replay`.
    #[serde(default)]
    pub sha256: String,
    /// The wasm bytes, for modules that are not embedded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasm: Option<Blob>,
    /// The file it came from, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl ModuleRef {
    /// An embedded module.
    pub fn embedded(module: &EmbeddedModule) -> Self {
        Self {
            name: String::from(module.name),
            embedded: true,
            sha256: inspect::sha256_hex(module.wasm),
            wasm: None,
            path: None,
        }
    }

    /// What `<module>` on the command line names: an embedded module, or a `.wasm`/`.wat`
    /// file (text is compiled to binary here, so a server only ever sees wasm).
    ///
    /// # Errors
    ///
    /// `not_found`/`io` when the file cannot be read, `invalid_module` when the text does not
    /// parse.
    pub fn resolve(spec: &str) -> Result<Self, Failure> {
        if let Some(module) = embedded::find(spec) {
            return Ok(Self::embedded(module));
        }
        let path = Path::new(spec);
        let bytes = crate::files::read(path).map_err(|error| {
            let looks_like_a_name = !spec.contains(['/', '.']);
            if error.kind() == std::io::ErrorKind::NotFound && looks_like_a_name {
                Failure::new(
                    "not_found",
                    format!(
                        "no embedded module or file named {spec:?} (embedded modules: {})",
                        embedded::names()
                    ),
                )
            } else {
                Failure::io("cannot read module", path, &error)
            }
        })?;
        let wasm = wat::parse_bytes(&bytes)
            .map_err(|mut error| {
                error.set_path(path);
                Failure::new("invalid_module", one_line(&error.to_string()))
            })?
            .into_owned();
        let name = path.file_name().map_or_else(
            || String::from(spec),
            |name| name.to_string_lossy().into_owned(),
        );
        Ok(Self {
            name,
            embedded: false,
            sha256: inspect::sha256_hex(&wasm),
            wasm: Some(Blob(wasm)),
            path: Some(String::from(spec)),
        })
    }
}

/// `expected ( at m.wat:1:1` from wat's multi-line report.
fn one_line(report: &str) -> String {
    let mut lines = report.lines();
    let first = lines.next().unwrap_or_default().trim();
    match lines.find_map(|line| line.trim().strip_prefix("--> ")) {
        Some(location) => format!("{first} at {location}"),
        None => String::from(first),
    }
}

/// Limit overrides of a call; `None` keeps the module's setting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Fuel budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Linear-memory limit in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    /// Timeout as `--timeout` writes it (`10s`, `500ms`, `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Deepest guest call stack, in frames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_stack_depth: Option<u32>,
}

impl Limits {
    /// `config` with these overrides.
    ///
    /// # Errors
    ///
    /// `usage` for a timeout that does not parse.
    pub fn apply(&self, mut config: ModuleConfig) -> Result<ModuleConfig, Failure> {
        if let Some(fuel) = self.fuel {
            config.fuel_limit = fuel;
        }
        if let Some(memory_bytes) = self.memory_bytes {
            config.memory_limit_bytes = memory_bytes;
        }
        if let Some(timeout) = &self.timeout {
            config.timeout = units::parse_timeout(timeout)
                .map_err(|reason| Failure::usage(format!("invalid timeout: {reason}")))?
                .as_option();
        }
        if let Some(depth) = self.max_stack_depth {
            config.max_stack_depth = depth;
        }
        Ok(config)
    }

    /// Every limit of `config`, spelled out.
    pub fn of(config: &ModuleConfig) -> Self {
        let timeout = match config.timeout {
            Some(duration) => units::Timeout::After(duration),
            None => units::Timeout::Never,
        };
        Self {
            fuel: Some(config.fuel_limit),
            memory_bytes: Some(config.memory_limit_bytes),
            timeout: Some(timeout.to_arg()),
            max_stack_depth: Some(config.max_stack_depth),
        }
    }

    /// `fuel 1000000000, memory 64 MiB, timeout 10s, stack 1000 frames`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(fuel) = self.fuel {
            parts.push(format!("fuel {fuel}"));
        }
        if let Some(memory_bytes) = self.memory_bytes {
            parts.push(format!("memory {}", units::format_size(memory_bytes)));
        }
        if let Some(timeout) = &self.timeout {
            parts.push(format!("timeout {timeout}"));
        }
        if let Some(depth) = self.max_stack_depth {
            parts.push(format!("stack {depth} frames"));
        }
        parts.join(", ")
    }
}

/// One call to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRequest {
    /// The module.
    pub module: ModuleRef,
    /// The export.
    pub function: String,
    /// Named arguments, for a service export.
    #[serde(default)]
    pub args: Vec<NamedArg>,
    /// Parameters as text, for a raw export; typed by the export's signature.
    #[serde(default)]
    pub params: Vec<String>,
    /// Call with plain wasm values even when the export has the service signature.
    #[serde(default)]
    pub raw: bool,
    /// Limit overrides.
    #[serde(default)]
    pub limits: Limits,
}

/// A wasm value as text, with its type: `{"type": "f32", "value": "1.5"}`. A NaN is
/// written `nan:0x<bits>` so its payload survives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawValue {
    /// `i32`, `i64`, `f32` or `f64`.
    #[serde(rename = "type")]
    pub ty: String,
    /// The value in decimal.
    pub value: String,
}

/// What a call produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallResult {
    /// A service export's output bytes.
    Output(Blob),
    /// A raw export's results.
    Results(Vec<RawValue>),
    /// Why there is no output.
    Error(Failure),
}

/// What a call used: fuel, peak memory and wall time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// Fuel consumed.
    pub fuel_consumed: u64,
    /// Largest linear memory, in bytes.
    pub memory_peak_bytes: u64,
    /// Wall-clock time of the call, in seconds.
    pub wall_seconds: f64,
}

impl From<CallStats> for Receipt {
    fn from(stats: CallStats) -> Self {
        Self {
            fuel_consumed: stats.fuel_consumed,
            memory_peak_bytes: stats.memory_peak_bytes,
            wall_seconds: stats.duration.as_secs_f64(),
        }
    }
}

impl Receipt {
    /// `fuel 1234, peak memory 64 KiB, wall 1.2ms`.
    pub fn summary(&self) -> String {
        format!(
            "fuel {}, peak memory {}, wall {}",
            self.fuel_consumed,
            units::format_size(self.memory_peak_bytes),
            units::format_duration(Duration::from_secs_f64(self.wall_seconds.max(0.0)))
        )
    }
}

/// How a call went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallOutcome {
    /// The module's name.
    pub module: String,
    /// The export.
    pub function: String,
    /// `service` or `raw`; absent when the call never started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The limits the call ran under (all spelled out once the module loaded).
    pub limits: Limits,
    /// The output, results or error.
    pub result: CallResult,
    /// What the call used.
    pub receipt: Receipt,
}

impl CallOutcome {
    /// The failure, if the call failed.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.result {
            CallResult::Error(failure) => Some(failure),
            CallResult::Output(_) | CallResult::Results(_) => None,
        }
    }
}

/// What `stats` reports about one module.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatsReport {
    /// Declarations and validation result.
    pub module: ModuleInfo,
    /// Time the load took (a compile, or a cache lookup on a hit), in seconds.
    pub load_seconds: f64,
    /// `compiled`, `hit` or `refused`.
    pub cache: String,
    /// Whose cache: `this process` or `server`.
    pub cache_owner: String,
    /// Modules in that cache after the load.
    pub cache_entries: usize,
    /// The module's default limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// The metrics of this module gathered by the cache's process, Prometheus text.
    pub prometheus: String,
}

/// Runs calls on one runtime, keeping its module cache and metrics.
#[derive(Debug)]
pub struct Executor {
    runtime: Runtime,
    metrics: Metrics,
    /// What is cached under each name, described at its compile.
    cached: Mutex<HashMap<String, ModuleInfo>>,
    owner: &'static str,
}

/// The runtime configuration of every command. Host functions ("bridges") are registered
/// here and nowhere else.
fn runtime_config() -> RuntimeConfig {
    // `log` for every module. `read_file` needs an app's file root, which the CLI has no
    // option for yet, so modules importing it are refused at load as importing an
    // unregistered host function.
    fazt_wasm_hostfns::install(RuntimeConfig::default(), None)
}

impl Executor {
    /// A runtime with an empty cache; `owner` names the process in reports.
    ///
    /// # Errors
    ///
    /// `internal` when the runtime refuses its configuration.
    pub fn new(owner: &'static str) -> Result<Self, Failure> {
        let runtime = Runtime::new(runtime_config()).map_err(|error| {
            Failure::new("internal", format!("cannot start the runtime: {error}"))
        })?;
        Ok(Self {
            runtime,
            metrics: Metrics::default(),
            cached: Mutex::new(HashMap::new()),
            owner,
        })
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, HashMap<String, ModuleInfo>> {
        self.cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Loads `module` with `limits` over its defaults; says whether the cache had it and
    /// how long the load took.
    fn load(
        &self,
        module: &ModuleRef,
        limits: &Limits,
    ) -> Result<(Module, LoadOutcome, Duration), Failure> {
        let (base, embedded) = if module.embedded {
            let embedded = embedded::find(&module.name).ok_or_else(|| {
                Failure::new(
                    "not_found",
                    format!(
                        "no embedded module named {:?} in this fazt-wasm (embedded modules: {})",
                        module.name,
                        embedded::names()
                    ),
                )
            })?;
            ((embedded.config)(), Some(embedded))
        } else {
            (ModuleConfig::default(), None)
        };
        let config = limits.apply(base)?;
        let wasm: &[u8] = match (embedded, &module.wasm) {
            (Some(embedded), _) => embedded.wasm,
            (None, Some(blob)) => &blob.0,
            (None, None) => {
                return Err(Failure::usage(format!(
                    "module {:?} is neither embedded nor given as bytes",
                    module.name
                )));
            }
        };
        let sha256 = if embedded.is_some() {
            None
        } else {
            Some(inspect::sha256_hex(wasm))
        };
        let was_cached = self
            .cached()
            .get(&module.name)
            .is_some_and(|info| match &sha256 {
                None => info.source == "embedded",
                Some(sha256) => info.source != "embedded" && info.sha256 == *sha256,
            });
        let start = Instant::now();
        let loaded = match embedded {
            Some(embedded) => self
                .runtime
                .load_static(&module.name, embedded.wasm, config),
            None => self.runtime.load(&module.name, wasm, config),
        };
        let elapsed = start.elapsed();
        match loaded {
            Ok(loaded) => {
                let outcome = if was_cached {
                    LoadOutcome::CacheHit
                } else {
                    let info = describe(module, wasm, embedded, None);
                    self.cached().insert(module.name.clone(), info);
                    LoadOutcome::Compiled
                };
                self.metrics.record_load(&module.name, outcome, elapsed);
                Ok((loaded, outcome, elapsed))
            }
            Err(error) => {
                self.metrics
                    .record_load(&module.name, LoadOutcome::Failed, elapsed);
                Err(Failure::from(error))
            }
        }
    }

    /// Runs `request` and reports how it went; every failure is in the outcome.
    pub fn execute(&self, request: &CallRequest) -> CallOutcome {
        let mut outcome = CallOutcome {
            module: request.module.name.clone(),
            function: request.function.clone(),
            mode: None,
            limits: request.limits.clone(),
            result: CallResult::Error(Failure::new("internal", "the call did not run")),
            receipt: Receipt::default(),
        };
        let module = match self.load(&request.module, &request.limits) {
            Ok((module, _, _)) => module,
            Err(failure) => {
                outcome.result = CallResult::Error(failure);
                return outcome;
            }
        };
        outcome.limits = Limits::of(module.config());
        let (result, stats, mode) = call_module(&module, request);
        outcome.mode = mode.map(String::from);
        let label = match &result {
            CallResult::Error(failure) => failure.kind.as_str(),
            CallResult::Output(_) | CallResult::Results(_) => "ok",
        };
        self.metrics
            .record_call(&request.module.name, &request.function, label, &stats);
        outcome.result = result;
        outcome.receipt = Receipt::from(stats);
        outcome
    }

    /// Loads `module` and reports on it, like `fazt-wasm stats`.
    ///
    /// # Errors
    ///
    /// `io` for an unknown embedded module; a module the runtime refuses is reported, not
    /// an error.
    pub fn stats(&self, module: &ModuleRef) -> Result<StatsReport, Failure> {
        let loaded = self.load(module, &Limits::default());
        let wasm: &[u8] = match (embedded::find(&module.name), &module.wasm) {
            (Some(embedded), _) if module.embedded => embedded.wasm,
            (_, Some(blob)) => &blob.0,
            _ => &[],
        };
        let (info, cache, load_seconds, limits) = match loaded {
            Ok((loaded, outcome, elapsed)) => (
                describe(
                    module,
                    wasm,
                    embedded::find(&module.name).filter(|_| module.embedded),
                    None,
                ),
                if outcome == LoadOutcome::CacheHit {
                    "hit"
                } else {
                    "compiled"
                },
                elapsed.as_secs_f64(),
                Some(Limits::of(loaded.config())),
            ),
            Err(failure) if matches!(failure.kind.as_str(), "not_found" | "usage") => {
                return Err(failure);
            }
            Err(failure) => (
                describe(module, wasm, None, Some(failure)),
                "refused",
                0.0,
                None,
            ),
        };
        Ok(StatsReport {
            module: info,
            load_seconds,
            cache: String::from(cache),
            cache_owner: String::from(self.owner),
            cache_entries: self.runtime.cache().len(),
            limits,
            prometheus: self.prometheus(Some(&module.name)),
        })
    }

    /// Describes `module` after checking that the runtime accepts it (for `list`).
    pub fn inspect(&self, module: &ModuleRef) -> ModuleInfo {
        match self.stats(module) {
            Ok(report) => report.module,
            Err(failure) => {
                let wasm = module.wasm.as_ref().map_or(&[][..], |blob| &blob.0);
                describe(module, wasm, None, Some(failure))
            }
        }
    }

    /// The modules in the cache.
    pub fn list_cached(&self) -> Vec<ModuleInfo> {
        let names = self.runtime.cache().names();
        let cached = self.cached();
        let mut infos: Vec<ModuleInfo> = names
            .iter()
            .filter_map(|name| cached.get(name))
            .cloned()
            .map(|mut info| {
                info.source = String::from("cached");
                info
            })
            .collect();
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        infos
    }

    /// Empties the cache; returns how many modules it held.
    pub fn clear_cache(&self) -> usize {
        let count = self.runtime.clear_cache();
        self.cached().clear();
        count
    }

    /// Metrics gathered so far, as Prometheus text: the CLI's own `fazt_wasm_*` families
    /// (filtered to `only_module`) followed by the runtime's `wasm_*` families.
    pub fn prometheus(&self, only_module: Option<&str>) -> String {
        let mut text = self
            .metrics
            .prometheus(self.runtime.cache().len(), only_module);
        text.push_str(&self.runtime.metrics().to_prometheus());
        text
    }
}

fn describe(
    module: &ModuleRef,
    wasm: &[u8],
    embedded: Option<&EmbeddedModule>,
    error: Option<Failure>,
) -> ModuleInfo {
    let source = if module.embedded { "embedded" } else { "file" };
    let mut info = inspect::describe(&module.name, source, wasm, error);
    info.path = module.path.clone();
    if let Some(embedded) = embedded {
        info.description = Some(String::from(embedded.description));
        for export in &mut info.exports {
            export.description = embedded
                .exports
                .iter()
                .find(|(name, _)| *name == export.name)
                .map(|(_, description)| String::from(*description));
        }
    }
    info
}

/// Calls the export in a fresh store: as a service export with named arguments, or raw
/// with typed positional values.
fn call_module(
    module: &Module,
    request: &CallRequest,
) -> (CallResult, CallStats, Option<&'static str>) {
    let refused = |failure: Failure| (CallResult::Error(failure), CallStats::default(), None);
    let func_type = match module.wasmi_module().get_export(&request.function) {
        Some(wasmi::ExternType::Func(func_type)) => func_type,
        _ => {
            return refused(Failure::from(Error::ExportNotFound {
                module: String::from(module.name()),
                export: request.function.clone(),
            }));
        }
    };
    let is_service = func_type.params() == [wasmi::ValType::I32, wasmi::ValType::I32]
        && func_type.results() == [wasmi::ValType::I64];
    let options = CallOptions::default();
    if is_service && !request.raw {
        if !request.params.is_empty() {
            return refused(Failure::bad_argument(format!(
                "export {:?} is a service export: pass named arguments (--NAME VALUE), not the values {:?} (or use --raw)",
                request.function, request.params
            )));
        }
        let mut args = Args::new();
        for arg in &request.args {
            args.set(arg.name(), arg.as_value());
        }
        return match module.call(&request.function, &args, &options) {
            Ok(output) => (
                CallResult::Output(Blob(output.bytes().to_vec())),
                output.stats(),
                Some("service"),
            ),
            Err(error) => (
                CallResult::Error(Failure::from(error.error)),
                error.stats,
                Some("service"),
            ),
        };
    }
    let signature = format_signature(&func_type);
    if !request.args.is_empty() {
        return refused(Failure::bad_argument(format!(
            "export {:?} is a raw export {signature}: pass its parameters as positional values, not --NAME VALUE",
            request.function
        )));
    }
    if request.params.len() != func_type.params().len() {
        return refused(Failure::bad_argument(format!(
            "export {:?} {signature} takes {} parameters, got {}",
            request.function,
            func_type.params().len(),
            request.params.len()
        )));
    }
    let mut params = Vec::with_capacity(request.params.len());
    for (i, (text, ty)) in request.params.iter().zip(func_type.params()).enumerate() {
        match parse_val(text, ty) {
            Some(value) => params.push(value),
            None => {
                return refused(Failure::bad_argument(format!(
                    "parameter {} of {:?} {signature}: {text:?} is not {}",
                    i + 1,
                    request.function,
                    type_name(ty)
                )));
            }
        }
    }
    // Dev note: through an `Instance` rather than `Module::call_raw`, because only the
    // instance reports the stats of a successful raw call (see the report of issue 6).
    let mut instance = match module.instantiate(&options) {
        Ok(instance) => instance,
        Err(error) => {
            return (
                CallResult::Error(Failure::from(error)),
                CallStats::default(),
                Some("raw"),
            );
        }
    };
    let result = instance.call_raw(&request.function, &params);
    let stats = instance.stats();
    match result {
        Ok(values) => (
            CallResult::Results(values.iter().map(raw_value).collect()),
            stats,
            Some("raw"),
        ),
        Err(error) => (CallResult::Error(Failure::from(error)), stats, Some("raw")),
    }
}

fn type_name(ty: &wasmi::ValType) -> String {
    format!("{ty:?}").to_lowercase()
}

fn format_signature(func_type: &wasmi::FuncType) -> String {
    let list =
        |types: &[wasmi::ValType]| types.iter().map(type_name).collect::<Vec<_>>().join(", ");
    match func_type.results() {
        [] => format!("({})", list(func_type.params())),
        [one] => format!("({}) -> {}", list(func_type.params()), type_name(one)),
        many => format!("({}) -> ({})", list(func_type.params()), list(many)),
    }
}

/// Parses a raw parameter: decimal (or `0x` hex) integers, where an unsigned value that
/// fits the width wraps; floats as Rust writes them, plus `nan:0x<bits>`.
fn parse_val(text: &str, ty: &wasmi::ValType) -> Option<wasmi::Val> {
    fn hex_bits(text: &str) -> Option<u64> {
        u64::from_str_radix(text.strip_prefix("0x")?, 16).ok()
    }
    let nan_bits = text.strip_prefix("nan:").and_then(hex_bits);
    match ty {
        wasmi::ValType::I32 => text
            .parse::<i32>()
            .ok()
            .or_else(|| text.parse::<u32>().ok().map(|v| v as i32))
            .or_else(|| u32::try_from(hex_bits(text)?).ok().map(|v| v as i32))
            .map(wasmi::Val::I32),
        wasmi::ValType::I64 => text
            .parse::<i64>()
            .ok()
            .or_else(|| text.parse::<u64>().ok().map(|v| v as i64))
            .or_else(|| hex_bits(text).map(|v| v as i64))
            .map(wasmi::Val::I64),
        wasmi::ValType::F32 => match nan_bits {
            Some(bits) => Some(f32::from_bits(u32::try_from(bits).ok()?)),
            None => text.parse::<f32>().ok(),
        }
        .map(wasmi::Val::from),
        wasmi::ValType::F64 => match nan_bits {
            Some(bits) => Some(f64::from_bits(bits)),
            None => text.parse::<f64>().ok(),
        }
        .map(wasmi::Val::from),
        _ => None,
    }
}

fn raw_value(value: &wasmi::Val) -> RawValue {
    let (ty, value) = match value {
        wasmi::Val::I32(v) => ("i32", v.to_string()),
        wasmi::Val::I64(v) => ("i64", v.to_string()),
        wasmi::Val::F32(v) => {
            let v = v.to_float();
            let text = if v.is_nan() {
                format!("nan:0x{:x}", v.to_bits())
            } else {
                v.to_string()
            };
            ("f32", text)
        }
        wasmi::Val::F64(v) => {
            let v = v.to_float();
            let text = if v.is_nan() {
                format!("nan:0x{:x}", v.to_bits())
            } else {
                v.to_string()
            };
            ("f64", text)
        }
        other => ("ref", format!("{other:?}")),
    };
    RawValue {
        ty: String::from(ty),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_round_trip_through_text() {
        let cases = [
            wasmi::Val::I32(-5),
            wasmi::Val::I64(i64::MAX),
            wasmi::Val::from(1.5f32),
            wasmi::Val::from(f64::from_bits(0x7ff8_0000_0000_0001)),
            wasmi::Val::from(f32::NEG_INFINITY),
        ];
        for value in cases {
            let raw = raw_value(&value);
            let back = parse_val(&raw.value, &value.ty()).unwrap();
            assert_eq!(raw_value(&back), raw);
        }
        assert_eq!(
            parse_val("4294967295", &wasmi::ValType::I32).map(|v| v.i32()),
            Some(Some(-1))
        );
        assert!(parse_val("x", &wasmi::ValType::I64).is_none());
    }

    #[test]
    fn named_args_serialise_with_their_type() {
        let args = vec![
            NamedArg::Int {
                name: "w".into(),
                value: 800,
            },
            NamedArg::Float {
                name: "s".into(),
                value: 0.1,
            },
            NamedArg::Bytes {
                name: "b".into(),
                value: vec![0, 255],
            },
        ];
        let json = serde_json::to_string(&args).unwrap();
        assert_eq!(
            json,
            r#"[{"type":"int","name":"w","value":800},{"type":"float","name":"s","value":0.1},{"type":"bytes","name":"b","value":"AP8="}]"#
        );
        assert_eq!(serde_json::from_str::<Vec<NamedArg>>(&json).unwrap(), args);
    }

    #[test]
    fn limits_apply_over_module_defaults_and_spell_out() {
        let limits = Limits {
            fuel: Some(5),
            timeout: Some(String::from("none")),
            ..Limits::default()
        };
        let config = limits.apply(ModuleConfig::default()).unwrap();
        assert_eq!(config.fuel_limit, 5);
        assert_eq!(config.timeout, None);
        let spelled = Limits::of(&config);
        assert_eq!(spelled.timeout.as_deref(), Some("none"));
        assert_eq!(spelled.apply(ModuleConfig::default()).unwrap(), config);
    }
}
