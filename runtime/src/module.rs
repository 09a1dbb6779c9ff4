//! `Runtime` (engine, host functions, cache) and `Module` (a compiled module plus its limits).

use alloc::{string::String, sync::Arc, vec::Vec};
use core::fmt;

use bytes::Bytes;
use fazt_wasm_abi::args::Value;

use crate::cache::{CacheConfig, Lookup, ModuleCache};
use crate::call::{CallStats, Ptr, Session, format_vals, results_for};
use crate::clock::Clock;
use crate::error::{CallError, Error, ImportRefusal, format_func_type};
use crate::host::{Bridge, CallState};
use crate::limits::{CallOptions, ModuleConfig};
use crate::metrics::{Counter, Histogram, MetricsSnapshot, ModuleMetrics};
use crate::output::Output;
use crate::sync::Lock;

/// Default fuel per slice between deadline checks: 5 to 10 ms of guest work.
///
/// Measured with `cargo run --release -p fazt-wasm-runtime --example fuel_rate` on the 2-core
/// x86_64 machine (2026-11, other builds running): 1.3e9 fuel per second on an i64 compute
/// loop (the design's assumption is 1e9; an idle machine reaches about 1.8e9). 10M fuel is
/// therefore 5 to 8 ms, and a guest that never yields overshot its deadline by 0.02 to 11 ms.
/// A check costs one `Instant::now()`, so slices this size make metering overhead negligible.
pub const DEFAULT_FUEL_SLICE: u64 = 10_000_000;

/// Settings of a [`Runtime`]; a plain struct with `Default`.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Host functions guests may import (under `fazt.<name>`). Nothing else is importable.
    pub bridges: Vec<Arc<dyn Bridge>>,
    /// Fuel per slice between deadline and cancellation checks. Does not change how much
    /// fuel a call consumes, only how quickly a deadline is noticed.
    pub fuel_slice: u64,
    /// Bounds of the module cache.
    pub cache: CacheConfig,
    /// The clock behind cache TTLs and ages (the system clock with std; a clock that never
    /// moves without it, so entries then never expire).
    pub clock: Arc<dyn Clock>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            bridges: Vec::new(),
            fuel_slice: DEFAULT_FUEL_SLICE,
            cache: CacheConfig::default(),
            #[cfg(feature = "std")]
            clock: Arc::new(crate::clock::SystemClock::default()),
            #[cfg(not(feature = "std"))]
            clock: Arc::new(crate::clock::ManualClock::new()),
        }
    }
}

impl RuntimeConfig {
    /// Adds a host function.
    pub fn bridge(mut self, bridge: impl Bridge) -> Self {
        self.bridges.push(Arc::new(bridge));
        self
    }
}

/// Loads modules once and runs every call in a fresh store. Cheap to clone and share
/// between threads.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("bridges", &self.inner.config.bridges.len())
            .field("fuel_slice", &self.inner.config.fuel_slice)
            .finish_non_exhaustive()
    }
}

struct RuntimeInner {
    config: RuntimeConfig,
    /// The current engine (and linker) per distinct stack depth, since wasmi fixes the
    /// stack limits per engine. Almost always a single entry.
    engines: Lock<Vec<EngineSlot>>,
    cache: ModuleCache,
    /// Held while compiling, so two threads missing the same module compile it once.
    compile_lock: Lock<()>,
    /// Metrics by module name; they outlive evictions and reloads.
    metrics: Lock<Vec<(String, Arc<ModuleMetrics>)>>,
    engine_generations: Counter,
}

#[derive(Clone)]
struct EngineSlot {
    max_stack_depth: u32,
    engine: wasmi::Engine,
    linker: Arc<wasmi::Linker<CallState>>,
    /// Estimated bytes of code compiled on this engine whose modules left the cache.
    retired_bytes: u64,
}

/// The engine configuration every module runs under; part of the determinism contract
/// (golden fuel figures depend on it).
pub fn engine_config(max_stack_depth: u32) -> wasmi::Config {
    let mut config = wasmi::Config::default();
    config
        .consume_fuel(true)
        // Lazy translation keeps loads fast; charging no fuel for translation and validation
        // keeps fuel independent of history (the first call of a module does not pay for
        // translating functions that later calls find ready).
        .compilation_mode(wasmi::CompilationMode::LazyTranslation)
        .fuel_cost(wasmi::CustomFuelCosts {
            bytes_copied_per_fuel: 64,
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        })
        .enforced_limits(wasmi::EnforcedLimits::strict())
        .set_max_recursion_depth(max_stack_depth as usize)
        .wasm_multi_memory(false)
        .wasm_custom_page_sizes(false);
    config
}

impl Runtime {
    /// Creates a runtime with the given host functions.
    ///
    /// # Errors
    ///
    /// [`Error::LimitMisconfigured`] for a zero fuel slice or two bridges with one name.
    pub fn new(config: RuntimeConfig) -> Result<Self, Error> {
        if config.fuel_slice == 0 {
            return Err(Error::LimitMisconfigured {
                name: "fuel_slice",
                reason: String::from("must be at least 1"),
            });
        }
        for (i, bridge) in config.bridges.iter().enumerate() {
            if config.bridges[..i]
                .iter()
                .any(|other| other.name() == bridge.name())
            {
                return Err(Error::LimitMisconfigured {
                    name: "bridges",
                    reason: alloc::format!("host function {:?} is registered twice", bridge.name()),
                });
            }
        }
        let cache = ModuleCache::new(config.cache, config.clock.clone());
        Ok(Self {
            inner: Arc::new(RuntimeInner {
                config,
                engines: Lock::new(Vec::new()),
                cache,
                compile_lock: Lock::new(()),
                metrics: Lock::new(Vec::new()),
                engine_generations: Counter::default(),
            }),
        })
    }

    fn new_engine_slot(&self, max_stack_depth: u32) -> Result<EngineSlot, Error> {
        let engine = wasmi::Engine::new(&engine_config(max_stack_depth));
        let mut linker = wasmi::Linker::new(&engine);
        for bridge in &self.inner.config.bridges {
            bridge
                .register(&mut linker)
                .map_err(|error| Error::LimitMisconfigured {
                    name: "bridges",
                    reason: alloc::format!(
                        "host function {:?} failed to register: {error}",
                        bridge.name()
                    ),
                })?;
        }
        self.inner.engine_generations.add(1);
        Ok(EngineSlot {
            max_stack_depth,
            engine,
            linker: Arc::new(linker),
            retired_bytes: 0,
        })
    }

    fn engine_slot(&self, max_stack_depth: u32) -> Result<EngineSlot, Error> {
        let mut engines = self.inner.engines.lock();
        if let Some(slot) = engines
            .iter()
            .find(|slot| slot.max_stack_depth == max_stack_depth)
        {
            return Ok(slot.clone());
        }
        let slot = self.new_engine_slot(max_stack_depth)?;
        engines.push(slot.clone());
        Ok(slot)
    }

    /// Accounts modules that left the cache against the engine that compiled them, and
    /// starts a fresh engine once too much dead code sits in the current one (or always,
    /// with `all`). wasmi frees the old engine when its last module and store are dropped.
    fn retire(&self, removed: Vec<(Module, u64)>, all: bool) {
        if removed.is_empty() && !all {
            return;
        }
        let threshold = self.inner.config.cache.engine_retire_bytes;
        let mut engines = self.inner.engines.lock();
        for (module, bytes) in &removed {
            if let Some(slot) = engines
                .iter_mut()
                .find(|slot| wasmi::Engine::same(&slot.engine, module.engine()))
            {
                slot.retired_bytes = slot.retired_bytes.saturating_add(*bytes);
            }
        }
        for slot in engines.iter_mut() {
            if (all || slot.retired_bytes >= threshold)
                && let Ok(fresh) = self.new_engine_slot(slot.max_stack_depth)
            {
                tracing::debug!(
                    retired_bytes = slot.retired_bytes,
                    "starting a fresh engine"
                );
                *slot = fresh;
            }
        }
        drop(engines);
        // The modules themselves drop here, outside every lock.
        drop(removed);
    }

    fn module_metrics(&self, name: &str) -> Arc<ModuleMetrics> {
        let mut registry = self.inner.metrics.lock();
        if let Some((_, metrics)) = registry.iter().find(|(n, _)| n == name) {
            return metrics.clone();
        }
        let metrics = Arc::new(ModuleMetrics::default());
        registry.push((String::from(name), metrics.clone()));
        metrics
    }

    /// Validates and compiles `wasm` under `name`, or returns the cached module when the same
    /// bytes were loaded under that name before. Loading other bytes under a known name
    /// replaces the cached module; calls already running on the old one finish normally.
    ///
    /// # Errors
    ///
    /// [`Error::LimitMisconfigured`] for limits above their ceilings,
    /// [`Error::InvalidModule`] for bytes that are not valid wasm, and
    /// [`Error::ForbiddenImport`] naming the first import no granted host function provides.
    ///
    /// # Examples
    ///
    /// ```
    /// use fazt_wasm_runtime::{Runtime, RuntimeConfig, ModuleConfig, CallOptions};
    ///
    /// let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
    ///     local.get 0 local.get 1 i32.add))"#)?;
    /// let runtime = Runtime::new(RuntimeConfig::default())?;
    /// let module = runtime.load("adder", &wasm, ModuleConfig::default())?;
    /// let sum = module.call_raw("add", &[2i32.into(), 3i32.into()], &CallOptions::default())?;
    /// assert_eq!(sum[0].i32(), Some(5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(&self, name: &str, wasm: &[u8], config: ModuleConfig) -> Result<Module, Error> {
        self.load_source(name, Source::Borrowed(wasm), config)
    }

    /// Like [`Runtime::load`] for bytes that live forever (an embedded module): a cache hit
    /// is recognised by address, without hashing the bytes.
    ///
    /// # Errors
    ///
    /// As [`Runtime::load`].
    pub fn load_static(
        &self,
        name: &str,
        wasm: &'static [u8],
        config: ModuleConfig,
    ) -> Result<Module, Error> {
        self.load_source(name, Source::Static(wasm), config)
    }

    fn load_source(
        &self,
        name: &str,
        source: Source<'_>,
        config: ModuleConfig,
    ) -> Result<Module, Error> {
        config.validate()?;
        let span = tracing::debug_span!(
            "load",
            module = name,
            bytes = source.bytes().len(),
            outcome = tracing::field::Empty,
        );
        let _entered = span.enter();
        let result = self.load_inner(name, &source, config, &span);
        match &result {
            Ok(module) => module.inner.metrics.loads.add(1),
            Err(error) => {
                span.record("outcome", error.kind());
                tracing::debug!(error = %error, kind = error.kind(), "load failed");
            }
        }
        result
    }

    fn load_inner(
        &self,
        name: &str,
        source: &Source<'_>,
        config: ModuleConfig,
        span: &tracing::Span,
    ) -> Result<Module, Error> {
        let mut removed = Vec::new();
        let lookup = self
            .inner
            .cache
            .lookup(name, source, &config, &mut removed, true);
        self.retire(removed, false);
        let reload = match lookup {
            Lookup::Hit(module) => {
                span.record("outcome", "hit");
                return Ok(module);
            }
            Lookup::Miss { reload } => reload,
        };
        let _compiling = self.inner.compile_lock.lock();
        // Another thread may have compiled the same bytes while this one waited.
        let mut removed = Vec::new();
        if let Lookup::Hit(module) =
            self.inner
                .cache
                .lookup(name, source, &config, &mut removed, false)
        {
            self.retire(removed, false);
            span.record("outcome", "hit");
            return Ok(module);
        }
        let slot = self.engine_slot(config.max_stack_depth)?;
        // wasmi 2.0.0 can panic on some malformed bytes (issue 7): a panic is a refusal.
        let compiled = crate::sync::guarded(|| wasmi::Module::new(&slot.engine, source.bytes()))
            .unwrap_or_else(|panic| {
                Err(wasmi::Error::new(alloc::format!(
                    "wasmi panicked while compiling: {panic}"
                )))
            });
        let wasm_module = compiled.map_err(|error| Error::InvalidModule {
            module: String::from(name),
            source: error,
        })?;
        self.check_imports(name, &wasm_module, &config)?;
        let metrics = self.module_metrics(name);
        metrics.compiles.add(1);
        let exports = wasm_module
            .exports()
            .filter_map(|export| match export.ty() {
                wasmi::ExternType::Func(ty) => Some(ExportEntry {
                    name: Arc::from(export.name()),
                    ty: ty.clone(),
                    histogram: metrics.function(export.name()),
                }),
                _ => None,
            })
            .collect();
        let module = Module {
            inner: Arc::new(ModuleInner {
                name: Arc::from(name),
                wasm_module,
                engine: slot.engine,
                linker: slot.linker,
                config,
                fuel_slice: self.inner.config.fuel_slice,
                metrics,
                exports,
            }),
        };
        self.inner
            .cache
            .insert(name, source, module.clone(), &mut removed);
        self.retire(removed, false);
        span.record("outcome", if reload { "reload" } else { "compiled" });
        Ok(module)
    }

    /// The import policy: every import is a function provided by a registered, granted
    /// host function with the same signature. Checked once, at load.
    fn check_imports(
        &self,
        name: &str,
        wasm_module: &wasmi::Module,
        config: &ModuleConfig,
    ) -> Result<(), Error> {
        for import in wasm_module.imports() {
            let refuse = |reason| Error::ForbiddenImport {
                module: String::from(name),
                import: alloc::format!("{}.{}", import.module(), import.name()),
                reason,
            };
            let wasmi::ExternType::Func(ty) = import.ty() else {
                return Err(refuse(ImportRefusal::NotAFunction));
            };
            let bridge = (import.module() == fazt_wasm_abi::IMPORT_MODULE)
                .then(|| {
                    self.inner
                        .config
                        .bridges
                        .iter()
                        .find(|b| b.name() == import.name())
                })
                .flatten()
                .ok_or_else(|| refuse(ImportRefusal::NotRegistered))?;
            if !bridge.granted_by_default() && !config.grants.iter().any(|g| g == bridge.name()) {
                return Err(refuse(ImportRefusal::NotGranted));
            }
            if *ty != bridge.signature() {
                return Err(refuse(ImportRefusal::WrongSignature));
            }
        }
        Ok(())
    }

    /// The module cached under `name`, without bytes (a cache hit, or `None`).
    pub fn cached(&self, name: &str) -> Option<Module> {
        let mut removed = Vec::new();
        let module = self.inner.cache.by_name(name, &mut removed);
        self.retire(removed, false);
        let module = module?;
        module.inner.metrics.loads.add(1);
        Some(module)
    }

    /// The module cache (listing and statistics).
    pub fn cache(&self) -> &ModuleCache {
        &self.inner.cache
    }

    /// Drops every cached module and starts fresh engines, so the compiled code is freed
    /// as soon as no caller holds a `Module` of it and no call runs on it. Returns how many
    /// modules were dropped.
    pub fn clear_cache(&self) -> usize {
        let mut removed = Vec::new();
        self.inner.cache.clear_into(&mut removed);
        let count = removed.len();
        self.retire(removed, true);
        count
    }

    /// A snapshot of every metric family; `to_prometheus()` renders it.
    pub fn metrics(&self) -> MetricsSnapshot {
        let registry = self.inner.metrics.lock().clone();
        MetricsSnapshot::collect(
            &registry,
            self.inner.cache.stats(),
            self.inner.engine_generations.get(),
        )
    }
}

/// Where the bytes of a load come from.
pub(crate) enum Source<'a> {
    Borrowed(&'a [u8]),
    Static(&'static [u8]),
}

impl Source<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Self::Borrowed(bytes) => bytes,
            Self::Static(bytes) => bytes,
        }
    }
}

/// A validated, compiled module with its limits. Cheap to clone; share it between threads.
/// Every call runs in a store of its own, so nothing one call does is visible to the next.
#[derive(Clone)]
pub struct Module {
    inner: Arc<ModuleInner>,
}

struct ModuleInner {
    name: Arc<str>,
    wasm_module: wasmi::Module,
    engine: wasmi::Engine,
    linker: Arc<wasmi::Linker<CallState>>,
    config: ModuleConfig,
    fuel_slice: u64,
    metrics: Arc<ModuleMetrics>,
    /// Function exports with their types and duration histograms, resolved once at load so
    /// a call neither allocates the export name, looks its type up nor locks the metrics
    /// registry.
    exports: Vec<ExportEntry>,
}

/// One function export, as calls need it.
struct ExportEntry {
    name: Arc<str>,
    ty: wasmi::FuncType,
    histogram: Arc<Histogram>,
}

impl ExportEntry {
    fn is_service(&self) -> bool {
        self.ty.params() == [wasmi::ValType::I32, wasmi::ValType::I32]
            && self.ty.results() == [wasmi::ValType::I64]
    }
}

impl fmt::Debug for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.inner.name)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Named arguments of a service call. Borrows strings and bytes: nothing is copied until the
/// arguments are encoded straight into guest memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args<'a> {
    entries: Vec<(&'a str, Value<'a>)>,
}

impl<'a> Args<'a> {
    /// No arguments.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an argument (a later value under the same name replaces an earlier one).
    pub fn with(mut self, name: &'a str, value: Value<'a>) -> Self {
        self.set(name, value);
        self
    }

    /// Sets an argument in place.
    pub fn set(&mut self, name: &'a str, value: Value<'a>) {
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name, value)),
        }
    }

    /// Adds an integer argument.
    pub fn int(self, name: &'a str, value: i64) -> Self {
        self.with(name, Value::Int(value))
    }

    /// Adds a float argument.
    pub fn float(self, name: &'a str, value: f64) -> Self {
        self.with(name, Value::Float(value))
    }

    /// Adds a boolean argument.
    pub fn bool(self, name: &'a str, value: bool) -> Self {
        self.with(name, Value::Bool(value))
    }

    /// Adds a string argument.
    pub fn str(self, name: &'a str, value: &'a str) -> Self {
        self.with(name, Value::Str(value))
    }

    /// Adds a bytes argument.
    pub fn bytes(self, name: &'a str, value: &'a [u8]) -> Self {
        self.with(name, Value::Bytes(value))
    }

    /// The arguments in order.
    pub fn entries(&self) -> &[(&'a str, Value<'a>)] {
        &self.entries
    }
}

impl Module {
    /// The name it was loaded under.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub(crate) fn name_arc(&self) -> Arc<str> {
        self.inner.name.clone()
    }

    /// Its limits and grants.
    pub fn config(&self) -> &ModuleConfig {
        &self.inner.config
    }

    pub(crate) fn engine(&self) -> &wasmi::Engine {
        &self.inner.engine
    }

    pub(crate) fn linker(&self) -> &wasmi::Linker<CallState> {
        &self.inner.linker
    }

    pub(crate) fn fuel_slice(&self) -> u64 {
        self.inner.fuel_slice
    }

    /// The compiled wasmi module (for inspection: imports, exports, memory declarations).
    pub fn wasmi_module(&self) -> &wasmi::Module {
        &self.inner.wasm_module
    }

    /// The same compiled module under other limits (no recompilation).
    ///
    /// # Errors
    ///
    /// [`Error::LimitMisconfigured`] when `config` is invalid or asks for a different stack
    /// depth (which needs a reload).
    pub fn with_config(&self, config: ModuleConfig) -> Result<Self, Error> {
        config.validate()?;
        if config.max_stack_depth != self.inner.config.max_stack_depth {
            return Err(Error::LimitMisconfigured {
                name: "max_stack_depth",
                reason: String::from("changing the stack depth needs a reload of the module"),
            });
        }
        Ok(Self {
            inner: Arc::new(ModuleInner {
                name: self.inner.name.clone(),
                wasm_module: self.inner.wasm_module.clone(),
                engine: self.inner.engine.clone(),
                linker: self.inner.linker.clone(),
                config,
                fuel_slice: self.inner.fuel_slice,
                metrics: self.inner.metrics.clone(),
                exports: self
                    .inner
                    .exports
                    .iter()
                    .map(|entry| ExportEntry {
                        name: entry.name.clone(),
                        ty: entry.ty.clone(),
                        histogram: entry.histogram.clone(),
                    })
                    .collect(),
            }),
        })
    }

    fn export_entry(&self, export: &str) -> Result<&ExportEntry, Error> {
        self.inner
            .exports
            .iter()
            .find(|entry| &*entry.name == export)
            .ok_or_else(|| self.not_found(export))
    }

    fn not_found(&self, export: &str) -> Error {
        Error::ExportNotFound {
            module: String::from(self.name()),
            export: String::from(export),
        }
    }

    fn record_call(
        &self,
        entry: Option<&ExportEntry>,
        stats: &CallStats,
        error_kind: Option<&'static str>,
    ) {
        let histogram = entry.map(|entry| &*entry.histogram);
        self.inner.metrics.record_call(histogram, stats, error_kind);
    }

    /// `entry` if it has the service signature `(i32, i32) -> i64`.
    fn check_service<'a>(&self, entry: &'a ExportEntry) -> Result<&'a ExportEntry, Error> {
        if entry.is_service() {
            return Ok(entry);
        }
        Err(Error::SignatureMismatch {
            export: String::from(&*entry.name),
            expected: String::from("(i32, i32) -> i64"),
            found: format_func_type(&entry.ty),
        })
    }

    /// Calls the service export `export` with named `args` under the ABI of `docs/abi.md`,
    /// in a store that exists only for this call.
    ///
    /// # Errors
    ///
    /// A [`CallError`] carrying the call's [`CallStats`]: `is_timeout()` when fuel, the
    /// deadline or cancellation stopped it, `is_oom()` when it needed more memory than its
    /// limit, `is_panic()` when it trapped, and refusals (`ExportNotFound`,
    /// `SignatureMismatch`, `BadArguments`) before any guest code ran.
    pub fn call(
        &self,
        export: &str,
        args: &Args<'_>,
        options: &CallOptions,
    ) -> Result<Output, CallError> {
        let span = tracing::info_span!(
            "call",
            module = %self.inner.name,
            export,
            fuel = tracing::field::Empty,
            memory_peak_bytes = tracing::field::Empty,
            duration_seconds = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let _entered = span.enter();
        let entry = self.export_entry(export).ok();
        let result = self.call_inner(entry, export, args, options);
        match &result {
            Ok(output) => self.record_call(entry, &output.stats(), None),
            Err(error) => self.record_call(entry, &error.stats, Some(error.kind())),
        }
        record_outcome(&span, &result);
        result
    }

    fn call_inner(
        &self,
        entry: Option<&ExportEntry>,
        export: &str,
        args: &Args<'_>,
        options: &CallOptions,
    ) -> Result<Output, CallError> {
        let refused = |error| CallError {
            error,
            stats: CallStats::default(),
        };
        let entry = match entry {
            Some(entry) => self.check_service(entry).map_err(refused)?,
            None => return Err(refused(self.not_found(export))),
        };
        let (mut session, func) = self.start_session(entry, options)?;
        match session.call_service(&func, args.entries()) {
            Ok(bytes) => Ok(Output::new(bytes, session.stats())),
            Err(error) => Err(CallError {
                error,
                stats: session.stats(),
            }),
        }
    }

    /// Calls an export with plain wasm values (no ABI) in a fresh store, returning its
    /// results.
    ///
    /// # Errors
    ///
    /// As [`Module::call`]; [`Error::SignatureMismatch`] when `params` do not fit.
    pub fn call_raw(
        &self,
        export: &str,
        params: &[wasmi::Val],
        options: &CallOptions,
    ) -> Result<Vec<wasmi::Val>, CallError> {
        let span = tracing::info_span!(
            "call",
            module = %self.inner.name,
            export,
            fuel = tracing::field::Empty,
            memory_peak_bytes = tracing::field::Empty,
            duration_seconds = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let _entered = span.enter();
        let (entry, result) = match self.export_entry(export) {
            Ok(entry) => (
                Some(entry),
                self.call_raw_inner(entry, export, params, options),
            ),
            Err(error) => (
                None,
                Err(CallError {
                    error,
                    stats: CallStats::default(),
                }),
            ),
        };
        match &result {
            Ok((_, stats)) => self.record_call(entry, stats, None),
            Err(error) => self.record_call(entry, &error.stats, Some(error.kind())),
        }
        match result {
            Ok((values, stats)) => {
                span.record("fuel", stats.fuel_consumed);
                span.record("memory_peak_bytes", stats.memory_peak_bytes);
                span.record("duration_seconds", stats.duration.as_secs_f64());
                span.record("outcome", "ok");
                Ok(values)
            }
            Err(error) => {
                record_error(&span, &error);
                Err(error)
            }
        }
    }

    /// A fresh store with the module instantiated and started, and the export `entry`.
    fn start_session(
        &self,
        entry: &ExportEntry,
        options: &CallOptions,
    ) -> Result<(Session, wasmi::Func), CallError> {
        let session = Session::new(self, options, Some(entry.name.clone()))
            .map_err(|(error, stats)| CallError { error, stats })?;
        let func = session
            .instance
            .get_func(&session.store, &entry.name)
            .expect("the export was checked on the module");
        Ok((session, func))
    }

    fn call_raw_inner(
        &self,
        entry: &ExportEntry,
        export: &str,
        params: &[wasmi::Val],
        options: &CallOptions,
    ) -> Result<(Vec<wasmi::Val>, CallStats), CallError> {
        if !params_fit(&entry.ty, params) {
            return Err(CallError {
                error: signature_mismatch(export, &entry.ty, params),
                stats: CallStats::default(),
            });
        }
        let (mut session, func) = self.start_session(entry, options)?;
        let mut results = results_for(&entry.ty);
        let outcome = session.run(&func, params, &mut results);
        let stats = session.stats();
        match outcome {
            Ok(()) => Ok((results, stats)),
            Err(error) => Err(CallError { error, stats }),
        }
    }

    /// Instantiates the module in a fresh store for a multi-step session (write buffers,
    /// call several exports, read results). The store lives as long as the `Instance`.
    ///
    /// # Errors
    ///
    /// As instantiation in [`Module::call`]: `is_oom()` for an initial memory above the
    /// limit, a trap or fuel error from the start function.
    pub fn instantiate(&self, options: &CallOptions) -> Result<Instance, Error> {
        Session::new(self, options, None)
            .map(|session| Instance {
                session,
                module: self.clone(),
            })
            .map_err(|(error, _)| error)
    }
}

/// Whether `params` have the types `ty` takes.
fn params_fit(ty: &wasmi::FuncType, params: &[wasmi::Val]) -> bool {
    ty.params().len() == params.len() && ty.params().iter().zip(params).all(|(t, v)| *t == v.ty())
}

fn signature_mismatch(export: &str, ty: &wasmi::FuncType, params: &[wasmi::Val]) -> Error {
    Error::SignatureMismatch {
        export: String::from(export),
        expected: format_func_type(ty),
        found: alloc::format!("parameters ({})", format_vals(params)),
    }
}

fn record_outcome(span: &tracing::Span, result: &Result<Output, CallError>) {
    match result {
        Ok(output) => {
            let stats = output.stats();
            span.record("fuel", stats.fuel_consumed);
            span.record("memory_peak_bytes", stats.memory_peak_bytes);
            span.record("duration_seconds", stats.duration.as_secs_f64());
            span.record("outcome", "ok");
        }
        Err(error) => record_error(span, error),
    }
}

fn record_error(span: &tracing::Span, error: &CallError) {
    span.record("fuel", error.stats.fuel_consumed);
    span.record("memory_peak_bytes", error.stats.memory_peak_bytes);
    span.record("duration_seconds", error.stats.duration.as_secs_f64());
    span.record("outcome", error.kind());
    // Errors are logged once, here at the boundary.
    tracing::debug!(error = %error.error, kind = error.kind(), "call failed");
}

/// A live instance in its own store, for the low-level memory-transfer flow. Dropping it
/// drops the store and everything the guest held.
pub struct Instance {
    session: Session,
    module: Module,
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("module", &self.module.name())
            .field("fuel_consumed", &self.session.stats().fuel_consumed)
            .finish_non_exhaustive()
    }
}

impl Instance {
    /// Copies `bytes` into a buffer from the guest's `fazt_alloc`.
    ///
    /// # Errors
    ///
    /// [`Error::AbiViolation`] when the guest has no allocator or it returns a bad pointer;
    /// fuel, memory and trap errors from running the allocator.
    pub fn write_bytes(&mut self, bytes: &[u8]) -> Result<Ptr, Error> {
        let ptr = self.session.alloc(bytes.len())?;
        self.session.write(ptr, bytes)?;
        Ok(ptr)
    }

    /// Releases a buffer through the guest's `fazt_dealloc`.
    ///
    /// # Errors
    ///
    /// As [`Instance::write_bytes`].
    pub fn free(&mut self, ptr: Ptr) -> Result<(), Error> {
        self.session.dealloc(ptr)
    }

    /// Reads `len` bytes at `offset` of guest memory.
    ///
    /// # Errors
    ///
    /// [`Error::AbiViolation`] when the range is outside guest memory.
    pub fn read_bytes(&self, offset: u32, len: u32) -> Result<Bytes, Error> {
        self.session
            .read(Ptr { offset, len }, "read range")
            .map(Bytes::copy_from_slice)
    }

    /// Calls an export with plain wasm values.
    ///
    /// # Errors
    ///
    /// [`Error::ExportNotFound`], [`Error::SignatureMismatch`] when `params` do not fit the
    /// export's type, and any runtime error of the call.
    pub fn call_raw(
        &mut self,
        export: &str,
        params: &[wasmi::Val],
    ) -> Result<Vec<wasmi::Val>, Error> {
        let entry = self.module.export_entry(export)?;
        if !params_fit(&entry.ty, params) {
            return Err(signature_mismatch(export, &entry.ty, params));
        }
        let func = self
            .session
            .instance
            .get_func(&self.session.store, export)
            .expect("the export was checked on the module");
        self.session.store.data_mut().set_export(entry.name.clone());
        let mut results = results_for(&entry.ty);
        self.session.run(&func, params, &mut results)?;
        Ok(results)
    }

    /// Calls a service export with named arguments, like [`Module::call`] but in this
    /// instance's store (so state persists between calls on the same `Instance`).
    ///
    /// # Errors
    ///
    /// As [`Module::call`].
    pub fn call(&mut self, export: &str, args: &Args<'_>) -> Result<Bytes, Error> {
        let entry = self.module.export_entry(export)?;
        let entry = self.module.check_service(entry)?;
        let func = self
            .session
            .instance
            .get_func(&self.session.store, export)
            .expect("the export was checked on the module");
        self.session.store.data_mut().set_export(entry.name.clone());
        self.session.call_service(&func, args.entries())
    }

    /// Replaces the fuel budget (counted from the start of the instance).
    pub fn set_fuel_limit(&mut self, fuel: u64) {
        self.session.meter.set_budget(fuel);
    }

    /// Fuel left in the budget.
    pub fn fuel_remaining(&self) -> u64 {
        self.session.meter.remaining_in(&self.session.store)
    }

    /// Adds fuel to the budget.
    pub fn add_fuel(&mut self, fuel: u64) {
        self.session.meter.add_budget(fuel);
    }

    /// Current size of the guest's linear memory in bytes (0 when it exports none).
    pub fn memory_used(&self) -> u64 {
        self.session
            .exported_memory()
            .map_or(0, |memory| memory.data(&self.session.store).len() as u64)
    }

    /// Fuel, memory and time used so far.
    pub fn stats(&self) -> CallStats {
        self.session.stats()
    }
}
