//! Per-module limits (`ModuleConfig`), per-call overrides (`CallOptions`) and their defaults.

use alloc::{string::String, sync::Arc, vec::Vec};
use core::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use crate::Error;

/// Default linear-memory limit of a call: 64 MiB.
pub const DEFAULT_MEMORY_LIMIT_BYTES: u64 = 64 << 20;
/// Highest memory limit a module may be configured with: 256 MiB.
pub const MEMORY_CEILING_BYTES: u64 = 256 << 20;
/// Default fuel budget of a call (about half a second of guest work on a 2026 x86 core).
pub const DEFAULT_FUEL_LIMIT: u64 = 1_000_000_000;
/// Default wall-clock timeout of a call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default maximum call depth of the guest (wasm function frames).
pub const DEFAULT_MAX_STACK_DEPTH: u32 = 1_000;
/// Highest call depth a module may be configured with.
pub const MAX_STACK_DEPTH_CEILING: u32 = 100_000;

/// Limits and grants of one loaded module; every call starts from these.
///
/// A plain settings struct: fill in what you need and keep `..Default::default()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleConfig {
    /// Cap on the guest's linear memory, in bytes. Default 64 MiB; above
    /// [`MEMORY_CEILING_BYTES`] is an error, never silently clamped. The guest's declared
    /// initial memory counts, so a module whose initial memory is above the cap fails every
    /// call with `is_oom()`.
    pub memory_limit_bytes: u64,
    /// Fuel budget of each call. Default 1e9. Fuel left over from one call is never carried
    /// into the next.
    pub fuel_limit: u64,
    /// Wall-clock limit of each call, or `None` for no deadline (fuel still bounds the call).
    /// Default 10 s. Checked between fuel slices, see `RuntimeConfig::fuel_slice`.
    pub timeout: Option<Duration>,
    /// Deepest guest call stack, in wasm frames; deeper recursion traps with
    /// `TrapCode::StackOverflow`. Default 1000.
    pub max_stack_depth: u32,
    /// Host functions this module may import, by name, beyond those the runtime grants by
    /// default. An import of a registered but ungranted host function is refused at load.
    pub grants: Vec<String>,
    /// Fuel a `start` function may use. A start function runs during instantiation, where
    /// the deadline cannot interrupt it, so it gets a small budget of its own (default 10M,
    /// under 10 ms). Its consumption counts toward the call's fuel.
    pub start_fuel_limit: u64,
}

impl Default for ModuleConfig {
    fn default() -> Self {
        Self {
            memory_limit_bytes: DEFAULT_MEMORY_LIMIT_BYTES,
            fuel_limit: DEFAULT_FUEL_LIMIT,
            timeout: Some(DEFAULT_TIMEOUT),
            max_stack_depth: DEFAULT_MAX_STACK_DEPTH,
            grants: Vec::new(),
            start_fuel_limit: 10_000_000,
        }
    }
}

impl ModuleConfig {
    /// Grants the host function `name` to this module.
    pub fn grant(mut self, name: impl Into<String>) -> Self {
        self.grants.push(name.into());
        self
    }

    /// Checks the limits against their ceilings.
    ///
    /// # Errors
    ///
    /// [`Error::LimitMisconfigured`] naming the offending limit.
    pub fn validate(&self) -> Result<(), Error> {
        if self.memory_limit_bytes > MEMORY_CEILING_BYTES {
            return Err(Error::LimitMisconfigured {
                name: "memory_limit_bytes",
                reason: alloc::format!(
                    "{} bytes is above the ceiling of {MEMORY_CEILING_BYTES} bytes (256 MiB)",
                    self.memory_limit_bytes
                ),
            });
        }
        if self.fuel_limit == 0 {
            return Err(Error::LimitMisconfigured {
                name: "fuel_limit",
                reason: String::from("must be at least 1"),
            });
        }
        if self.max_stack_depth == 0 || self.max_stack_depth > MAX_STACK_DEPTH_CEILING {
            return Err(Error::LimitMisconfigured {
                name: "max_stack_depth",
                reason: alloc::format!(
                    "{} is outside 1..={MAX_STACK_DEPTH_CEILING}",
                    self.max_stack_depth
                ),
            });
        }
        if self.timeout == Some(Duration::ZERO) {
            return Err(Error::LimitMisconfigured {
                name: "timeout",
                reason: String::from("must be above zero (use None for no deadline)"),
            });
        }
        Ok(())
    }
}

/// Per-call overrides and context.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Fuel budget for this call instead of the module's `fuel_limit`.
    pub fuel_limit: Option<u64>,
    /// Timeout for this call instead of the module's `timeout`.
    pub timeout: Option<Duration>,
    /// An absolute deadline; the earlier of this and the timeout wins.
    #[cfg(feature = "std")]
    pub deadline: Option<std::time::Instant>,
    /// A token another thread can trigger to stop the call at the next fuel slice.
    pub cancel: Option<CancelToken>,
    /// Who is calling (an app id). Host functions see it; `read_file` picks the app's root
    /// from it.
    pub caller: Option<Arc<str>>,
}

impl CallOptions {
    /// Sets the caller identity.
    pub fn caller(mut self, caller: impl Into<Arc<str>>) -> Self {
        self.caller = Some(caller.into());
        self
    }

    /// Sets a fuel budget for this call.
    pub fn fuel_limit(mut self, fuel: u64) -> Self {
        self.fuel_limit = Some(fuel);
        self
    }

    /// Sets a timeout for this call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Attaches a cancellation token.
    pub fn cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }
}

/// A flag that stops a running call at its next fuel slice; cheap to clone and share.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that has not been triggered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops every call that carries this token (now or later).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_above_ceiling_is_refused_not_clamped() {
        let config = ModuleConfig {
            memory_limit_bytes: MEMORY_CEILING_BYTES + 1,
            ..ModuleConfig::default()
        };
        let error = config.validate().unwrap_err();
        assert!(matches!(
            error,
            Error::LimitMisconfigured {
                name: "memory_limit_bytes",
                ..
            }
        ));
        let at_ceiling = ModuleConfig {
            memory_limit_bytes: MEMORY_CEILING_BYTES,
            ..ModuleConfig::default()
        };
        assert!(at_ceiling.validate().is_ok());
    }

    #[test]
    fn zero_fuel_zero_timeout_and_stack_bounds_are_refused() {
        for config in [
            ModuleConfig {
                fuel_limit: 0,
                ..ModuleConfig::default()
            },
            ModuleConfig {
                timeout: Some(Duration::ZERO),
                ..ModuleConfig::default()
            },
            ModuleConfig {
                max_stack_depth: 0,
                ..ModuleConfig::default()
            },
            ModuleConfig {
                max_stack_depth: MAX_STACK_DEPTH_CEILING + 1,
                ..ModuleConfig::default()
            },
        ] {
            assert_eq!(config.validate().unwrap_err().kind(), "limit_config");
        }
    }

    #[test]
    fn cancel_token_is_shared_between_clones() {
        let token = CancelToken::new();
        let clone = token.clone();
        assert!(!clone.is_cancelled());
        token.cancel();
        assert!(clone.is_cancelled());
    }
}
