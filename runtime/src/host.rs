//! The registration surface for host functions ("bridges") and the per-call state they see.
//!
//! The runtime knows no bridge by name: an embedder (or the `hostfns` crate) hands it
//! [`Bridge`] values, and the import policy admits exactly those, and only when a module's
//! config grants them.

use alloc::{boxed::Box, string::String, sync::Arc, vec::Vec};
use core::any::{Any, TypeId};
use core::fmt;

use crate::error::{HostFailure, host_error};

/// A host function the runtime can offer to guests under the `fazt` import module.
pub trait Bridge: Send + Sync + fmt::Debug + 'static {
    /// The import field, e.g. `log` for `fazt.log`.
    fn name(&self) -> &'static str;
    /// The wasm signature guests must import it with; checked at load.
    fn signature(&self) -> wasmi::FuncType;
    /// Whether every module may import it without an explicit grant.
    fn granted_by_default(&self) -> bool;
    /// Defines the function in `linker` under `fazt.<name>`.
    ///
    /// # Errors
    ///
    /// Whatever `wasmi::Linker::func_wrap` reports (a duplicate definition).
    fn register(&self, linker: &mut wasmi::Linker<CallState>) -> Result<(), wasmi::Error>;
}

/// What host functions can see of the call they serve. One exists per call and is dropped
/// with the call's store.
pub struct CallState {
    pub(crate) limiter: MemoryLimiter,
    module: Arc<str>,
    /// `None` while instantiating (no allocation for the empty name).
    export: Option<Arc<str>>,
    caller: Option<Arc<str>>,
    extensions: Vec<(TypeId, Box<dyn Any + Send + Sync>)>,
}

impl fmt::Debug for CallState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallState")
            .field("module", &self.module)
            .field("export", &self.export)
            .field("caller", &self.caller)
            .field("memory_limit_bytes", &self.limiter.limit_bytes)
            .finish_non_exhaustive()
    }
}

impl CallState {
    pub(crate) fn new(module: Arc<str>, caller: Option<Arc<str>>, memory_limit_bytes: u64) -> Self {
        Self {
            limiter: MemoryLimiter::new(memory_limit_bytes),
            module,
            export: None,
            caller,
            extensions: Vec::new(),
        }
    }

    pub(crate) fn set_export(&mut self, export: Arc<str>) {
        self.export = Some(export);
    }

    /// The name the module was loaded under.
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The export being called (empty while the module is being instantiated).
    pub fn export(&self) -> &str {
        self.export.as_deref().unwrap_or("")
    }

    /// The caller identity from `CallOptions::caller`, if any.
    pub fn caller(&self) -> Option<&str> {
        self.caller.as_deref()
    }

    /// The call's linear-memory limit in bytes.
    pub fn memory_limit_bytes(&self) -> u64 {
        self.limiter.limit_bytes
    }

    /// The largest linear-memory size granted so far in this call, in bytes.
    pub fn memory_peak_bytes(&self) -> u64 {
        self.limiter.peak_bytes
    }

    /// Per-call scratch state of type `T`, created with `T::default()` on first use.
    ///
    /// Bridges keep budgets and buffers here, so nothing they track survives the call.
    pub fn extension<T: Default + Send + Sync + 'static>(&mut self) -> &mut T {
        let id = TypeId::of::<T>();
        let index = match self.extensions.iter().position(|(t, _)| *t == id) {
            Some(index) => index,
            None => {
                self.extensions.push((id, Box::new(T::default())));
                self.extensions.len() - 1
            }
        };
        self.extensions[index]
            .1
            .downcast_mut::<T>()
            .expect("extensions are keyed by their TypeId")
    }
}

/// Enforces the call's memory limit and remembers the peak and any refusal.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    pub limit_bytes: u64,
    pub peak_bytes: u64,
    pub denied_bytes: Option<u64>,
    /// Elements of all tables together, which cost host memory outside the linear-memory
    /// cap; capped at `MAX_TABLE_ELEMENTS`.
    pub table_elements: u64,
    pub denied_table_elements: Option<u64>,
}

impl MemoryLimiter {
    fn new(limit_bytes: u64) -> Self {
        Self {
            limit_bytes,
            peak_bytes: 0,
            denied_bytes: None,
            table_elements: 0,
            denied_table_elements: None,
        }
    }
}

impl wasmi::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        let desired_bytes = desired as u64;
        if desired_bytes > self.limit_bytes {
            self.denied_bytes = Some(
                self.denied_bytes
                    .map_or(desired_bytes, |d| d.max(desired_bytes)),
            );
            return Ok(false);
        }
        if maximum.is_some_and(|max| desired > max) {
            return Ok(false);
        }
        self.peak_bytes = self.peak_bytes.max(desired_bytes);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        if maximum.is_some_and(|max| desired > max) {
            return Ok(false);
        }
        let total = self
            .table_elements
            .saturating_add(desired.saturating_sub(current) as u64);
        if total > MAX_TABLE_ELEMENTS as u64 {
            self.denied_table_elements = Some(total);
            return Ok(false);
        }
        self.table_elements = total;
        Ok(true)
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn memories(&self) -> usize {
        1
    }
}

/// Most tables a guest may define.
pub const MAX_TABLES: usize = 16;

/// Most elements all of a guest's tables may hold together (each costs the host a few bytes).
pub const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// A guest broke the calling convention while calling a host function (for example a
/// pointer past the end of its memory). Surfaces as `Error::AbiViolation`.
#[derive(Debug)]
pub struct AbiViolation(pub String);

impl fmt::Display for AbiViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl HostFailure for AbiViolation {
    fn is_abi_violation(&self) -> bool {
        true
    }
}

/// The guest's exported memory and the call state, for a host function to read and write.
///
/// # Errors
///
/// An [`AbiViolation`] when the guest exports no memory named `memory`.
pub fn memory_and_state<'a>(
    caller: &'a mut wasmi::Caller<'_, CallState>,
) -> Result<(&'a mut [u8], &'a mut CallState), wasmi::Error> {
    let Some(wasmi::Extern::Memory(memory)) = caller.get_export("memory") else {
        return Err(host_error(AbiViolation(String::from(
            "guest calls a host function but exports no memory named \"memory\"",
        ))));
    };
    Ok(memory.data_and_store_mut(caller))
}

/// The `len` bytes at `ptr` in guest memory, bounds-checked.
///
/// # Errors
///
/// An [`AbiViolation`] naming `what` when the range is negative or past the end of memory.
pub fn guest_range(
    memory_len: usize,
    ptr: i32,
    len: i32,
    what: &str,
) -> Result<core::ops::Range<usize>, wasmi::Error> {
    let start = ptr as u32 as usize;
    let len = len as u32 as usize;
    match start.checked_add(len) {
        Some(end) if end <= memory_len => Ok(start..end),
        _ => Err(host_error(AbiViolation(alloc::format!(
            "{what} ({len} bytes at {start}) is outside guest memory of {memory_len} bytes"
        )))),
    }
}

/// A panic caught at a bridge boundary.
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct BridgePanic {
    /// The bridge that panicked.
    pub bridge: &'static str,
    /// The panic message, when it was a string.
    pub message: String,
}

#[cfg(feature = "std")]
impl fmt::Display for BridgePanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "host function {} panicked: {}",
            self.bridge, self.message
        )
    }
}

#[cfg(feature = "std")]
impl HostFailure for BridgePanic {
    fn is_panic(&self) -> bool {
        true
    }
}

/// Runs a bridge body, turning a panic into a trap of this call instead of unwinding
/// through wasmi.
///
/// Under `panic = "abort"` nothing can catch a panic, so bridges must not panic on any
/// guest-controlled path in the first place; this is the second line of defence.
///
/// # Errors
///
/// Whatever `body` returns, or a [`BridgePanic`] host error when it panicked.
#[cfg(feature = "std")]
pub fn catch_bridge_panic<R>(
    bridge: &'static str,
    body: impl FnOnce() -> Result<R, wasmi::Error>,
) -> Result<R, wasmi::Error> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| String::from(*s))
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| String::from("non-string panic payload"));
            Err(host_error(BridgePanic { bridge, message }))
        }
    }
}
