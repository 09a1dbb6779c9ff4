//! The module cache: compiled modules by name, in a hashbrown map.

use alloc::{string::String, vec::Vec};
use core::hash::BuildHasher;

use hashbrown::HashMap;

use crate::limits::ModuleConfig;
use crate::module::{Module, Source};
use crate::sync::Lock;

static HASHER: spin::Lazy<hashbrown::DefaultHashBuilder> = spin::Lazy::new(Default::default);

/// Identifies module bytes by content: length and a 64-bit hash, confirmed by comparing the
/// bytes themselves before a cache hit is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModuleKey {
    /// Length of the module in bytes.
    pub len: usize,
    /// Content hash (not cryptographic; collisions are caught by a byte comparison).
    pub hash: u64,
}

impl ModuleKey {
    /// The key of `wasm`.
    pub fn of(wasm: &[u8]) -> Self {
        // The key only lives in this process's cache, so the hasher's per-process seed is
        // fine; it is not a stable content address.
        Self {
            len: wasm.len(),
            hash: HASHER.hash_one(wasm),
        }
    }
}

struct Entry {
    key: ModuleKey,
    /// The bytes, kept to confirm hits: borrowed for embedded modules, owned otherwise.
    source: EntrySource,
    module: Module,
}

enum EntrySource {
    Static(&'static [u8]),
    Owned(Vec<u8>),
}

impl EntrySource {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Static(bytes) => bytes,
            Self::Owned(bytes) => bytes,
        }
    }
}

/// Compiled modules by name.
#[derive(Default)]
pub struct ModuleCache {
    entries: Lock<HashMap<String, Entry>>,
}

impl core::fmt::Debug for ModuleCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ModuleCache")
            .field("entries", &self.entries.lock().len())
            .finish()
    }
}

impl ModuleCache {
    pub(crate) fn get(
        &self,
        name: &str,
        source: &Source<'_>,
        config: &ModuleConfig,
    ) -> Option<Module> {
        let entries = self.entries.lock();
        let entry = entries.get(name)?;
        let same = match (source, &entry.source) {
            (Source::Static(new), EntrySource::Static(old)) if core::ptr::eq(*new, *old) => true,
            _ => {
                let bytes = source.bytes();
                ModuleKey::of(bytes) == entry.key && entry.source.bytes() == bytes
            }
        };
        if !same {
            return None;
        }
        if entry.module.config() == config {
            Some(entry.module.clone())
        } else {
            entry.module.with_config(config.clone()).ok()
        }
    }

    pub(crate) fn insert(&self, name: &str, source: &Source<'_>, module: Module) {
        let entry = Entry {
            key: ModuleKey::of(source.bytes()),
            source: match source {
                Source::Static(bytes) => EntrySource::Static(bytes),
                Source::Borrowed(bytes) => EntrySource::Owned(bytes.to_vec()),
            },
            module,
        };
        self.entries.lock().insert(String::from(name), entry);
    }

    pub(crate) fn by_name(&self, name: &str) -> Option<Module> {
        self.entries
            .lock()
            .get(name)
            .map(|entry| entry.module.clone())
    }

    /// Names of the cached modules.
    pub fn names(&self) -> Vec<String> {
        self.entries.lock().keys().cloned().collect()
    }

    /// Number of cached modules.
    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every cached module (calls running on them finish normally).
    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}
