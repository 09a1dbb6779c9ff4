//! A mutex that works with and without std (std's on hosts, a spin lock on bare metal).

#[cfg(feature = "std")]
pub(crate) struct Lock<T>(std::sync::Mutex<T>);

#[cfg(feature = "std")]
impl<T> Lock<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(std::sync::Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, T> {
        // A panic while holding the lock cannot leave our maps half-updated (every update
        // is a single insert or remove), so a poisoned lock is still safe to use.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(not(feature = "std"))]
pub(crate) struct Lock<T>(spin::Mutex<T>);

#[cfg(not(feature = "std"))]
impl<T> Lock<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(spin::Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> spin::MutexGuard<'_, T> {
        self.0.lock()
    }
}

impl<T: Default> Default for Lock<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for Lock<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.lock().fmt(f)
    }
}

/// A reader-writer lock that works with and without std: cache hits read in parallel.
#[cfg(feature = "std")]
pub(crate) struct RwLock<T>(std::sync::RwLock<T>);

#[cfg(feature = "std")]
impl<T> RwLock<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(std::sync::RwLock::new(value))
    }

    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, T> {
        // As for `Lock`: every update is a single insert or remove, so poison is harmless.
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, T> {
        self.0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(not(feature = "std"))]
pub(crate) struct RwLock<T>(spin::RwLock<T>);

#[cfg(not(feature = "std"))]
impl<T> RwLock<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(spin::RwLock::new(value))
    }

    pub(crate) fn read(&self) -> spin::RwLockReadGuard<'_, T> {
        self.0.read()
    }

    pub(crate) fn write(&self) -> spin::RwLockWriteGuard<'_, T> {
        self.0.write()
    }
}

/// Runs `body`, turning a panic inside the wasm engine into `Err(message)` so a wasmi bug
/// reached through guest bytes fails one load or call instead of the host thread.
///
/// Without std (and under `panic = "abort"`) nothing can catch a panic; `body` just runs.
pub(crate) fn guarded<R>(body: impl FnOnce() -> R) -> Result<R, alloc::string::String> {
    #[cfg(feature = "std")]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).map_err(|payload| {
            payload
                .downcast_ref::<&str>()
                .map(|s| alloc::string::String::from(*s))
                .or_else(|| payload.downcast_ref::<alloc::string::String>().cloned())
                .unwrap_or_else(|| alloc::string::String::from("non-string panic payload"))
        })
    }
    #[cfg(not(feature = "std"))]
    {
        Ok(body())
    }
}
