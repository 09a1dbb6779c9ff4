//! The module cache: compiled modules by name in a hashbrown map, bounded by count, by
//! estimated memory and by time since last use.

use alloc::{string::String, sync::Arc, vec::Vec};
use core::hash::BuildHasher;
use core::time::Duration;

use hashbrown::HashMap;

use crate::clock::Clock;
use crate::limits::ModuleConfig;
use crate::metrics::Counter;
use crate::module::{Module, Source};
use crate::sync::RwLock;

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

/// Bounds of the module cache. Defaults: 10 modules, 512 MiB, 1 hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// Most modules kept; loading one more evicts the least recently used.
    pub max_modules: usize,
    /// Most estimated memory the cached modules may hold (see [`estimate_module_bytes`]);
    /// loading past it evicts least recently used modules first.
    pub max_memory_bytes: u64,
    /// A module unused for this long is dropped at the next cache operation. `None` keeps
    /// modules until evicted by the other bounds.
    pub ttl: Option<Duration>,
    /// When code compiled on the current engine and since evicted or replaced passes this,
    /// new loads go to a fresh engine; the old one is freed when its last module and call
    /// are gone. wasmi keeps compiled code in its engine until the engine is dropped, so
    /// this is what makes eviction free memory. Default 64 MiB.
    pub engine_retire_bytes: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            max_modules: 10,
            max_memory_bytes: 512 << 20,
            ttl: Some(Duration::from_secs(3600)),
            engine_retire_bytes: 64 << 20,
        }
    }
}

/// The memory a compiled module is estimated to hold: the bytes we keep plus wasmi's
/// compiled form.
///
/// Dev note: calibrated with `cargo run --release -p fazt-wasm-runtime --example module_cost`
/// on the embedded guests (2026-11): wasmi holds 1.2x to 1.5x the wasm size after a lazy
/// load and 3.9x to 4.5x once every function is translated (which calls do, one function
/// at a time). The estimate charges 5x plus our own copy of the bytes: an upper bound, so
/// the cache errs toward evicting early rather than toward holding more than
/// `max_memory_bytes`. Its error is therefore at most +5x the wasm size (a module loaded
/// and never called) and never below the real figure for the modules measured.
pub fn estimate_module_bytes(wasm_len: usize, keeps_copy: bool) -> u64 {
    let wasm_len = wasm_len as u64;
    wasm_len * 5 + if keeps_copy { wasm_len } else { 0 } + 4096
}

/// Counters of the cache since the runtime started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Modules cached now.
    pub entries: usize,
    /// Their estimated memory.
    pub memory_bytes: u64,
    /// Loads answered from the cache.
    pub hits: u64,
    /// Loads of names not in the cache.
    pub misses: u64,
    /// Loads that replaced a cached module with other bytes.
    pub reloads: u64,
    /// Evictions because `max_modules` was reached.
    pub evicted_lru: u64,
    /// Evictions because `max_memory_bytes` was reached.
    pub evicted_memory: u64,
    /// Evictions because a module was unused for `ttl`.
    pub evicted_ttl: u64,
    /// Modules dropped by [`Runtime::clear_cache`](crate::Runtime::clear_cache).
    pub cleared: u64,
}

/// One cached module, as [`ModuleCache::list`] shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntryInfo {
    /// The name it was loaded under.
    pub name: String,
    /// Size of the wasm bytes.
    pub wasm_bytes: usize,
    /// Estimated memory held (see [`estimate_module_bytes`]).
    pub estimated_bytes: u64,
    /// Cache hits since it was compiled.
    pub hits: u64,
    /// Time since its last use.
    pub idle: Duration,
    /// Time since it was compiled.
    pub age: Duration,
}

struct Entry {
    key: ModuleKey,
    /// The bytes, kept to confirm hits: borrowed for embedded modules, owned otherwise.
    source: EntrySource,
    module: Module,
    estimated_bytes: u64,
    /// Updated under the read lock on hits, hence counters.
    hits: Counter,
    loaded_at: Duration,
    last_used_nanos: Counter,
}

impl Entry {
    fn last_used(&self) -> Duration {
        Duration::from_nanos(self.last_used_nanos.get())
    }

    fn touch(&self, now: Duration) {
        self.hits.add(1);
        self.last_used_nanos.set(nanos(now));
    }

    fn is_expired(&self, now: Duration, ttl: Option<Duration>) -> bool {
        ttl.is_some_and(|ttl| now.saturating_sub(self.last_used()) >= ttl)
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[derive(Clone)]
enum EntrySource {
    Static(&'static [u8]),
    Owned(Arc<[u8]>),
}

impl EntrySource {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Static(bytes) => bytes,
            Self::Owned(bytes) => bytes,
        }
    }
}

/// Why a module left the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Removal {
    Lru,
    Memory,
    Ttl,
    Reload,
    Clear,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    memory_bytes: u64,
    evicted_lru: u64,
    evicted_memory: u64,
    evicted_ttl: u64,
    cleared: u64,
}

impl State {
    fn remove(&mut self, name: &str, reason: Removal, removed: &mut Vec<(Module, u64)>) {
        if let Some(entry) = self.entries.remove(name) {
            self.memory_bytes -= entry.estimated_bytes;
            match reason {
                Removal::Lru => self.evicted_lru += 1,
                Removal::Memory => self.evicted_memory += 1,
                Removal::Ttl => self.evicted_ttl += 1,
                Removal::Clear => self.cleared += 1,
                Removal::Reload => {}
            }
            removed.push((entry.module, entry.estimated_bytes));
        }
    }

    fn expire(&mut self, now: Duration, ttl: Option<Duration>, removed: &mut Vec<(Module, u64)>) {
        let Some(ttl) = ttl else { return };
        let expired: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, entry)| entry.is_expired(now, Some(ttl)))
            .map(|(name, _)| name.clone())
            .collect();
        for name in expired {
            self.remove(&name, Removal::Ttl, removed);
        }
    }

    fn least_recently_used(&self) -> Option<String> {
        self.entries
            .iter()
            .min_by_key(|(_, entry)| entry.last_used())
            .map(|(name, _)| name.clone())
    }
}

/// Compiled modules by name, bounded by [`CacheConfig`].
///
/// Lookups take one short lock (no byte hashing inside it); compiles happen outside it.
pub struct ModuleCache {
    config: CacheConfig,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    hits: Counter,
    misses: Counter,
    reloads: Counter,
    /// Clock reading (nanoseconds) at or after which some entry may be past the TTL:
    /// `u64::MAX` when none can be. Hits move entries' last use forward, so this may be
    /// early (a sweep that finds nothing) but never late; it lets hits check the TTL with
    /// one atomic load instead of a sweep.
    next_expiry: Counter,
}

impl core::fmt::Debug for ModuleCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ModuleCache")
            .field("config", &self.config)
            .field("stats", &self.stats())
            .finish()
    }
}

/// What a lookup found.
pub(crate) enum Lookup {
    Hit(Module),
    /// The name is cached with other bytes (a reload) or not at all.
    Miss {
        reload: bool,
    },
}

impl ModuleCache {
    pub(crate) fn new(config: CacheConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
            config,
            clock,
            state: RwLock::new(State::default()),
            hits: Counter::default(),
            misses: Counter::default(),
            reloads: Counter::default(),
            next_expiry: {
                let never = Counter::default();
                never.set(u64::MAX);
                never
            },
        }
    }

    /// Drops entries past the TTL if any can be, so every operation (hits included) honours
    /// it: the common case is one atomic load.
    fn sweep_if_due(&self, now: Duration, removed: &mut Vec<(Module, u64)>) {
        if nanos(now) >= self.next_expiry.get() {
            let mut state = self.state.write();
            state.expire(now, self.config.ttl, removed);
            self.refresh_next_expiry(&state);
        }
    }

    /// Recomputes [`ModuleCache::next_expiry`]; called under the write lock after the
    /// entries changed.
    fn refresh_next_expiry(&self, state: &State) {
        let next = self.config.ttl.map_or(u64::MAX, |ttl| {
            state
                .entries
                .values()
                .map(|entry| nanos(entry.last_used().saturating_add(ttl)))
                .min()
                .unwrap_or(u64::MAX)
        });
        self.next_expiry.set(next);
    }

    /// Its bounds.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// Looks `name` up for these bytes. `count` says whether the lookup counts in the
    /// statistics (the re-check after waiting for another thread's compile does not).
    pub(crate) fn lookup(
        &self,
        name: &str,
        source: &Source<'_>,
        config: &ModuleConfig,
        removed: &mut Vec<(Module, u64)>,
        count: bool,
    ) -> Lookup {
        // Hash borrowed bytes before taking the lock; embedded ones are compared by address.
        let key = match source {
            Source::Static(_) => None,
            Source::Borrowed(bytes) => Some(ModuleKey::of(bytes)),
        };
        let now = self.clock.now();
        self.sweep_if_due(now, removed);
        // Fast path under the read lock: hits from several threads proceed in parallel.
        let candidate = {
            let state = self.state.read();
            let entry = state
                .entries
                .get(name)
                .filter(|entry| !entry.is_expired(now, self.config.ttl));
            if let Some(entry) = entry
                && let (Source::Static(new), EntrySource::Static(old)) = (source, &entry.source)
                && core::ptr::eq(*new, *old)
                && entry.module.config() == config
            {
                // An embedded module under its own limits: the whole hit is this one lookup.
                entry.touch(now);
                if count {
                    self.hits.add(1);
                }
                return Lookup::Hit(entry.module.clone());
            }
            entry.and_then(|entry| {
                let same = match (source, &entry.source) {
                    (Source::Static(new), EntrySource::Static(old)) => core::ptr::eq(*new, *old),
                    _ => key.unwrap_or_else(|| ModuleKey::of(source.bytes())) == entry.key,
                };
                same.then(|| (entry.source.clone(), entry.module.clone()))
            })
        };
        let Some((cached_source, module)) = candidate else {
            let mut state = self.state.write();
            state.expire(now, self.config.ttl, removed);
            self.refresh_next_expiry(&state);
            let reload = state.entries.contains_key(name);
            if count {
                if reload { &self.reloads } else { &self.misses }.add(1);
            }
            return Lookup::Miss { reload };
        };
        // Equal keys: confirm with the bytes (outside the lock) unless compared by address.
        if matches!(cached_source, EntrySource::Owned(_)) && cached_source.bytes() != source.bytes()
        {
            if count {
                self.reloads.add(1);
            }
            return Lookup::Miss { reload: true };
        }
        let module = if module.config() == config {
            module
        } else {
            match module.with_config(config.clone()) {
                Ok(module) => module,
                Err(_) => return Lookup::Miss { reload: true },
            }
        };
        if count {
            self.hits.add(1);
        }
        if let Some(entry) = self.state.read().entries.get(name) {
            entry.touch(now);
        }
        Lookup::Hit(module)
    }

    /// Inserts a freshly compiled module, replacing any entry of that name and evicting as the
    /// bounds require. Evicted and replaced modules are appended to `removed`.
    pub(crate) fn insert(
        &self,
        name: &str,
        source: &Source<'_>,
        module: Module,
        removed: &mut Vec<(Module, u64)>,
    ) {
        let now = self.clock.now();
        let (entry_source, keeps_copy) = match source {
            Source::Static(bytes) => (EntrySource::Static(bytes), false),
            Source::Borrowed(bytes) => (EntrySource::Owned(Arc::from(*bytes)), true),
        };
        let estimated_bytes = estimate_module_bytes(source.bytes().len(), keeps_copy);
        let entry = Entry {
            key: ModuleKey::of(source.bytes()),
            source: entry_source,
            module,
            estimated_bytes,
            hits: Counter::default(),
            loaded_at: now,
            last_used_nanos: Counter::default(),
        };
        entry.last_used_nanos.set(nanos(now));
        let mut state = self.state.write();
        state.remove(name, Removal::Reload, removed);
        state.expire(now, self.config.ttl, removed);
        while state.entries.len() >= self.config.max_modules.max(1) {
            let Some(victim) = state.least_recently_used() else {
                break;
            };
            state.remove(&victim, Removal::Lru, removed);
        }
        while !state.entries.is_empty()
            && state.memory_bytes + estimated_bytes > self.config.max_memory_bytes
        {
            let Some(victim) = state.least_recently_used() else {
                break;
            };
            state.remove(&victim, Removal::Memory, removed);
        }
        state.memory_bytes += estimated_bytes;
        state.entries.insert(String::from(name), entry);
        self.refresh_next_expiry(&state);
    }

    pub(crate) fn by_name(&self, name: &str, removed: &mut Vec<(Module, u64)>) -> Option<Module> {
        let now = self.clock.now();
        self.sweep_if_due(now, removed);
        {
            let state = self.state.read();
            let entry = state.entries.get(name)?;
            if !entry.is_expired(now, self.config.ttl) {
                entry.touch(now);
                self.hits.add(1);
                return Some(entry.module.clone());
            }
        }
        let mut state = self.state.write();
        state.expire(now, self.config.ttl, removed);
        self.refresh_next_expiry(&state);
        None
    }

    pub(crate) fn clear_into(&self, removed: &mut Vec<(Module, u64)>) {
        let mut state = self.state.write();
        let names: Vec<String> = state.entries.keys().cloned().collect();
        for name in names {
            state.remove(&name, Removal::Clear, removed);
        }
    }

    /// Names of the cached modules.
    pub fn names(&self) -> Vec<String> {
        self.state.read().entries.keys().cloned().collect()
    }

    /// The cached modules, least recently used first.
    pub fn list(&self) -> Vec<CacheEntryInfo> {
        let now = self.clock.now();
        let state = self.state.read();
        let mut list: Vec<CacheEntryInfo> = state
            .entries
            .iter()
            .map(|(name, entry)| CacheEntryInfo {
                name: name.clone(),
                wasm_bytes: entry.key.len,
                estimated_bytes: entry.estimated_bytes,
                hits: entry.hits.get(),
                idle: now.saturating_sub(entry.last_used()),
                age: now.saturating_sub(entry.loaded_at),
            })
            .collect();
        list.sort_by(|a, b| b.idle.cmp(&a.idle).then_with(|| a.name.cmp(&b.name)));
        list
    }

    /// Counters and current size.
    pub fn stats(&self) -> CacheStats {
        let state = self.state.read();
        CacheStats {
            entries: state.entries.len(),
            memory_bytes: state.memory_bytes,
            hits: self.hits.get(),
            misses: self.misses.get(),
            reloads: self.reloads.get(),
            evicted_lru: state.evicted_lru,
            evicted_memory: state.evicted_memory,
            evicted_ttl: state.evicted_ttl,
            cleared: state.cleared,
        }
    }

    /// Number of cached modules.
    pub fn len(&self) -> usize {
        self.state.read().entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
