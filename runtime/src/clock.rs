//! Time for the module cache (TTL, LRU, ages), injectable so tests do not sleep.

use core::fmt::Debug;
use core::time::Duration;

use crate::sync::Lock;

/// A monotonic clock: time since an arbitrary, fixed origin.
pub trait Clock: Send + Sync + Debug + 'static {
    /// Time since the clock's origin; never decreases.
    fn now(&self) -> Duration;
}

/// The system's monotonic clock (`std::time::Instant`).
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    origin: std::time::Instant,
}

#[cfg(feature = "std")]
impl Default for SystemClock {
    fn default() -> Self {
        Self {
            origin: std::time::Instant::now(),
        }
    }
}

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A clock that only moves when told to: for tests, and for targets without a clock (where
/// it never moves, so cache entries never expire).
#[derive(Debug, Default)]
pub struct ManualClock {
    now: Lock<Duration>,
}

impl ManualClock {
    /// A clock at time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock();
        *now = now.saturating_add(by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        *self.now.lock()
    }
}
