//! One call: a fresh `wasmi::Store`, fuel in slices with deadline and cancellation checks
//! between them, argument transfer through the guest allocator, and the output copied out.

use alloc::{string::String, sync::Arc, vec::Vec};
use core::time::Duration;

use bytes::Bytes;
use fazt_wasm_abi::{args, output};

use crate::error::{ClassifyContext, Error, classify, format_func_type};
use crate::host::CallState;
use crate::limits::{CallOptions, CancelToken};
use crate::module::Module;

/// Resources one call used. Present on every output and on every `CallError`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Fuel the guest consumed (instantiation, allocator and export together).
    pub fuel_consumed: u64,
    /// Largest linear memory the guest had, in bytes. Wasm memory never shrinks, so this is
    /// also its size at the end of the call.
    pub memory_peak_bytes: u64,
    /// Wall-clock time of the call (zero without the `std` feature).
    pub duration: Duration,
}

/// Where a guest buffer lives in its linear memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ptr {
    /// Byte offset in linear memory.
    pub offset: u32,
    /// Length in bytes.
    pub len: u32,
}

/// A clock reading; zero-sized without std.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start {
    #[cfg(feature = "std")]
    at: std::time::Instant,
}

impl Start {
    pub(crate) fn now() -> Self {
        Self {
            #[cfg(feature = "std")]
            at: std::time::Instant::now(),
        }
    }

    pub(crate) fn elapsed(&self) -> Duration {
        #[cfg(feature = "std")]
        {
            self.at.elapsed()
        }
        #[cfg(not(feature = "std"))]
        {
            Duration::ZERO
        }
    }
}

/// Fuel accounting across slices, plus the checks made between slices.
#[derive(Debug)]
pub(crate) struct Meter {
    pub budget: u64,
    /// Fuel consumed before the current slice began.
    consumed_before_slice: u64,
    /// Fuel put in the store at the start of the current slice.
    slice_fuel: u64,
    /// The budget changed since the slice was set: the store may hold more than is left.
    budget_changed: bool,
    cancel: Option<CancelToken>,
    #[cfg(feature = "std")]
    deadline: Option<(std::time::Instant, Duration)>,
}

enum Stop {
    Continue,
    // Only the std clock can pass a deadline.
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    Timeout(Duration),
    Cancelled,
}

impl Meter {
    pub(crate) fn new(
        budget: u64,
        options: &CallOptions,
        timeout: Option<Duration>,
        start: Start,
    ) -> Self {
        // Without a clock there is no deadline; fuel and cancellation still bound the call.
        #[cfg(not(feature = "std"))]
        let _ = (timeout, start);
        Self {
            budget,
            consumed_before_slice: 0,
            slice_fuel: 0,
            budget_changed: false,
            cancel: options.cancel.clone(),
            #[cfg(feature = "std")]
            deadline: {
                // The call's start, read once: no second clock read per call.
                let now = start.at;
                let from_timeout = timeout.and_then(|t| now.checked_add(t).map(|at| (at, t)));
                let from_deadline = options
                    .deadline
                    .map(|at| (at, at.saturating_duration_since(now)));
                match (from_timeout, from_deadline) {
                    (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
                    (a, b) => a.or(b),
                }
            },
        }
    }

    /// Fuel consumed so far, given the fuel left in the store.
    fn consumed(&self, fuel_left: u64) -> u64 {
        self.consumed_before_slice + self.slice_fuel.saturating_sub(fuel_left)
    }

    pub(crate) fn consumed_in(&self, store: &wasmi::Store<CallState>) -> u64 {
        self.consumed(store.get_fuel().unwrap_or(0))
    }

    pub(crate) fn remaining_in(&self, store: &wasmi::Store<CallState>) -> u64 {
        self.budget.saturating_sub(self.consumed_in(store))
    }

    /// Fills the store for a new slice of at most `cap` fuel, at least `required`.
    fn refill(&mut self, store: &mut wasmi::Store<CallState>, required: u64, cap: u64) {
        let consumed = self.consumed_in(store);
        let left = self.budget.saturating_sub(consumed);
        let next = left.min(cap.max(required));
        self.consumed_before_slice = consumed;
        self.slice_fuel = next;
        self.budget_changed = false;
        store
            .set_fuel(next)
            .expect("the runtime's engine always has fuel metering on");
    }

    fn check(&self) -> Stop {
        if self.cancel.as_ref().is_some_and(CancelToken::is_cancelled) {
            return Stop::Cancelled;
        }
        #[cfg(feature = "std")]
        if let Some((at, limit)) = self.deadline
            && std::time::Instant::now() >= at
        {
            return Stop::Timeout(limit);
        }
        Stop::Continue
    }

    pub(crate) fn add_budget(&mut self, fuel: u64) {
        self.budget = self.budget.saturating_add(fuel);
        self.budget_changed = true;
    }

    pub(crate) fn set_budget(&mut self, fuel: u64) {
        self.budget = fuel;
        self.budget_changed = true;
    }

    /// Whether the store needs fresh fuel before the next export runs: it is empty, holds
    /// more than a slice, or the budget moved under it.
    fn needs_refill(&self, left: u64, fuel_slice: u64) -> bool {
        left == 0 || left > fuel_slice || self.budget_changed
    }
}

/// A fresh store with an instance in it: the unit every call and every `Instance` runs in.
pub(crate) struct Session {
    pub store: wasmi::Store<CallState>,
    pub instance: wasmi::Instance,
    /// The exported `memory`, looked up on first use: raw calls never need it.
    memory: core::cell::OnceCell<Option<wasmi::Memory>>,
    pub meter: Meter,
    pub fuel_slice: u64,
    pub start: Start,
}

impl Session {
    /// Creates the store, installs the memory limiter and fuel, and instantiates (running the
    /// start function, if any, under its own small budget).
    /// `export` names the export the session is for (the host functions' log context) once
    /// the instance is started, or is `None` for a multi-step `Instance`.
    pub(crate) fn new(
        module: &Module,
        options: &CallOptions,
        export: Option<Arc<str>>,
    ) -> Result<Self, (Error, CallStats)> {
        let start = Start::now();
        let config = module.config();
        let budget = options.fuel_limit.unwrap_or(config.fuel_limit);
        let timeout = options.timeout.or(config.timeout);
        let fuel_slice = module.fuel_slice();
        let state = CallState::new(
            module.name_arc(),
            options.caller.clone(),
            config.memory_limit_bytes,
        );
        let mut store = wasmi::Store::new(module.engine(), state);
        store.limiter(|state| &mut state.limiter);
        let mut meter = Meter::new(budget, options, timeout, start);
        if budget == 0 {
            let error = Error::LimitMisconfigured {
                name: "fuel_limit",
                reason: String::from("must be at least 1"),
            };
            return Err((error, CallStats::default()));
        }
        meter.refill(&mut store, 0, config.start_fuel_limit.max(1));
        let instantiated = crate::sync::guarded(|| {
            module
                .linker()
                .instantiate_and_start(&mut store, module.wasmi_module())
        });
        let instance = match instantiated {
            Ok(Ok(instance)) => instance,
            Ok(Err(error)) => {
                let error = classify(error, &classify_context(&store, &meter));
                let stats = stats_of(&store, &meter, start);
                return Err((error, stats));
            }
            Err(panic) => {
                let stats = stats_of(&store, &meter, start);
                return Err((
                    Error::Internal(alloc::format!(
                        "wasmi panicked while instantiating: {panic}"
                    )),
                    stats,
                ));
            }
        };
        // Named only now: the start function runs with an empty export name.
        if let Some(export) = export {
            store.data_mut().set_export(export);
        }
        Ok(Self {
            store,
            instance,
            memory: core::cell::OnceCell::new(),
            meter,
            fuel_slice,
            start,
        })
    }

    pub(crate) fn stats(&self) -> CallStats {
        stats_of(&self.store, &self.meter, self.start)
    }

    /// Runs `func` to completion in fuel slices, checking the deadline and the cancellation
    /// token between slices. Total fuel is the same however the call is sliced.
    pub(crate) fn run(
        &mut self,
        func: &wasmi::Func,
        params: &[wasmi::Val],
        results: &mut [wasmi::Val],
    ) -> Result<(), Error> {
        // Functions are translated lazily, on first call: a wasmi bug reached through guest
        // bytes can panic here (issue 7 found one), and must fail this call only.
        crate::sync::guarded(|| self.run_unguarded(func, params, results)).unwrap_or_else(|panic| {
            Err(Error::Internal(alloc::format!(
                "wasmi panicked while running the guest: {panic}"
            )))
        })
    }

    fn run_unguarded(
        &mut self,
        func: &wasmi::Func,
        params: &[wasmi::Val],
        results: &mut [wasmi::Val],
    ) -> Result<(), Error> {
        // Fuel is set once per slice: a slice left over from instantiation or the previous
        // export (at most `fuel_slice`) is used up first, so a trivial call sets fuel once.
        // Slicing never changes the fuel a call consumes, only where the checks fall.
        let left = self.store.get_fuel().unwrap_or(0);
        if self.meter.needs_refill(left, self.fuel_slice) {
            self.meter.refill(&mut self.store, 0, self.fuel_slice);
        }
        let mut call = func.call_resumable(&mut self.store, params, results);
        loop {
            match call {
                Ok(wasmi::ResumableCall::Finished) => return Ok(()),
                Ok(wasmi::ResumableCall::OutOfFuel(paused)) => {
                    match self.meter.check() {
                        Stop::Continue => {}
                        Stop::Timeout(limit) => return Err(Error::Timeout { limit }),
                        Stop::Cancelled => return Err(Error::Cancelled),
                    }
                    let required = paused.required_fuel();
                    if required > self.meter.remaining_in(&self.store) {
                        return Err(Error::OutOfFuel {
                            budget: self.meter.budget,
                        });
                    }
                    self.meter
                        .refill(&mut self.store, required, self.fuel_slice);
                    call = paused.resume(&mut self.store, results);
                }
                Ok(wasmi::ResumableCall::HostTrap(trap)) => {
                    let context = classify_context(&self.store, &self.meter);
                    return Err(classify(trap.into_host_error(), &context));
                }
                Err(error) => {
                    let context = classify_context(&self.store, &self.meter);
                    return Err(classify(error, &context));
                }
            }
        }
    }

    /// The guest's exported `memory`, if any.
    pub(crate) fn exported_memory(&self) -> Option<wasmi::Memory> {
        *self
            .memory
            .get_or_init(|| self.instance.get_memory(&self.store, "memory"))
    }

    pub(crate) fn memory(&self) -> Result<wasmi::Memory, Error> {
        self.exported_memory().ok_or_else(|| {
            Error::AbiViolation(String::from("guest exports no memory named \"memory\""))
        })
    }

    fn typed_export(
        &self,
        name: &str,
        params: &[wasmi::ValType],
        results: &[wasmi::ValType],
    ) -> Result<wasmi::Func, Error> {
        let func = self
            .instance
            .get_func(&self.store, name)
            .ok_or_else(|| Error::AbiViolation(alloc::format!("guest does not export {name:?}")))?;
        let ty = func.ty(&self.store);
        if ty.params() != params || ty.results() != results {
            return Err(Error::AbiViolation(alloc::format!(
                "guest export {name:?} has signature {}, expected {}",
                format_func_type(&ty),
                format_func_type(&wasmi::FuncType::new(
                    params.iter().copied(),
                    results.iter().copied()
                ))
            )));
        }
        Ok(func)
    }

    /// Allocates `len` bytes through the guest's `fazt_alloc`.
    pub(crate) fn alloc(&mut self, len: usize) -> Result<Ptr, Error> {
        let len = u32::try_from(len)
            .ok()
            .filter(|len| *len <= i32::MAX as u32)
            .ok_or_else(|| {
                Error::BadArguments(alloc::format!("{len} bytes do not fit in a 32-bit guest"))
            })?;
        let alloc = self.typed_export(
            fazt_wasm_abi::ALLOC,
            &[wasmi::ValType::I32],
            &[wasmi::ValType::I32],
        )?;
        let mut results = [wasmi::Val::I32(0)];
        self.run(&alloc, &[wasmi::Val::I32(len as i32)], &mut results)?;
        let offset = results[0].i32().unwrap_or(0) as u32;
        if offset == 0 && len > 0 {
            if let Some(denied) = self.store.data().limiter.denied_bytes {
                return Err(Error::OutOfMemory {
                    requested_bytes: denied,
                    limit_bytes: self.store.data().limiter.limit_bytes,
                });
            }
            return Err(Error::AbiViolation(alloc::format!(
                "fazt_alloc({len}) returned 0"
            )));
        }
        let ptr = Ptr { offset, len };
        self.check_range(ptr, "fazt_alloc result")?;
        Ok(ptr)
    }

    /// Releases a buffer through the guest's `fazt_dealloc`.
    pub(crate) fn dealloc(&mut self, ptr: Ptr) -> Result<(), Error> {
        let dealloc = self.typed_export(
            fazt_wasm_abi::DEALLOC,
            &[wasmi::ValType::I32, wasmi::ValType::I32],
            &[],
        )?;
        self.run(
            &dealloc,
            &[
                wasmi::Val::I32(ptr.offset as i32),
                wasmi::Val::I32(ptr.len as i32),
            ],
            &mut [],
        )
    }

    pub(crate) fn check_range(
        &self,
        ptr: Ptr,
        what: &str,
    ) -> Result<core::ops::Range<usize>, Error> {
        let memory_len = self.memory()?.data(&self.store).len();
        let start = ptr.offset as usize;
        match start.checked_add(ptr.len as usize) {
            Some(end) if end <= memory_len => Ok(start..end),
            _ => Err(Error::AbiViolation(alloc::format!(
                "{what} ({} bytes at {}) is outside guest memory of {memory_len} bytes",
                ptr.len,
                ptr.offset
            ))),
        }
    }

    pub(crate) fn read(&self, ptr: Ptr, what: &str) -> Result<&[u8], Error> {
        let range = self.check_range(ptr, what)?;
        Ok(&self.memory()?.data(&self.store)[range])
    }

    pub(crate) fn write(&mut self, ptr: Ptr, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() != ptr.len as usize {
            return Err(Error::BadArguments(alloc::format!(
                "writing {} bytes into a buffer of {}",
                bytes.len(),
                ptr.len
            )));
        }
        let range = self.check_range(ptr, "write target")?;
        let memory = self.memory()?;
        memory.data_mut(&mut self.store)[range].copy_from_slice(bytes);
        Ok(())
    }

    /// The service-call protocol: encode `args` straight into a guest buffer, call
    /// `export(ptr, len) -> i64`, parse the envelope, copy the output out once.
    pub(crate) fn call_service(
        &mut self,
        export: &wasmi::Func,
        args: &[(&str, args::Value<'_>)],
    ) -> Result<Bytes, Error> {
        let len = args::encoded_len(args);
        let ptr = self.alloc(len)?;
        let range = self.check_range(ptr, "argument buffer")?;
        let memory = self.memory()?;
        args::encode_to_slice(args, &mut memory.data_mut(&mut self.store)[range])
            .map_err(|error| Error::BadArguments(alloc::format!("{error}")))?;
        let mut results = [wasmi::Val::I64(0)];
        self.run(
            export,
            &[
                wasmi::Val::I32(ptr.offset as i32),
                wasmi::Val::I32(ptr.len as i32),
            ],
            &mut results,
        )?;
        let packed = results[0].i64().unwrap_or(0);
        let (offset, len) = fazt_wasm_abi::unpack_ptr_len(packed);
        let region = self.read(Ptr { offset, len }, "output")?;
        match output::parse(region) {
            Ok(output::Envelope::Ok(payload)) => Ok(Bytes::copy_from_slice(payload)),
            Ok(output::Envelope::Err {
                code: Some(code),
                message,
            }) => Err(Error::Guest {
                code,
                message: String::from_utf8_lossy(message).into_owned(),
            }),
            Ok(output::Envelope::Err { code: None, .. }) => {
                Err(Error::AbiViolation(alloc::format!(
                    "output envelope carries an unknown error code {}",
                    region.get(1).copied().unwrap_or(0)
                )))
            }
            Err(error) => Err(Error::AbiViolation(alloc::format!("{error}"))),
        }
    }
}

fn classify_context(store: &wasmi::Store<CallState>, meter: &Meter) -> ClassifyContext {
    let limiter = &store.data().limiter;
    ClassifyContext {
        fuel_budget: meter.budget,
        memory_limit_bytes: limiter.limit_bytes,
        denied_memory_bytes: limiter.denied_bytes,
        denied_table_elements: limiter.denied_table_elements,
        table_limit_elements: crate::host::MAX_TABLE_ELEMENTS as u64,
    }
}

fn stats_of(store: &wasmi::Store<CallState>, meter: &Meter, start: Start) -> CallStats {
    CallStats {
        fuel_consumed: meter.consumed_in(store),
        memory_peak_bytes: store.data().limiter.peak_bytes,
        duration: start.elapsed(),
    }
}

/// Converts wasm values for display in errors.
pub(crate) fn format_vals(vals: &[wasmi::Val]) -> String {
    let parts: Vec<String> = vals.iter().map(|v| alloc::format!("{v:?}")).collect();
    parts.join(", ")
}

/// Placeholder results of the right types for calling `ty`.
pub(crate) fn results_for(ty: &wasmi::FuncType) -> Vec<wasmi::Val> {
    ty.results()
        .iter()
        .map(|t| wasmi::Val::default_for_ty(*t))
        .collect()
}
