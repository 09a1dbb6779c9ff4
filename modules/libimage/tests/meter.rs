//! A per-thread allocation meter, installed as the test binary's global allocator, so tests can
//! show that limits are enforced before pixel buffers are allocated.
// Implementing `GlobalAlloc` needs `unsafe`; this module only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// A global allocator that tracks, per thread, the bytes currently allocated and their peak.
pub struct MeteredAllocator;

thread_local! {
    static CURRENT_BYTES: Cell<usize> = const { Cell::new(0) };
    static PEAK_BYTES: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` unchanged and only updates thread-local counters,
// which neither allocate nor unwind.
unsafe impl GlobalAlloc for MeteredAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: forwarded caller contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: forwarded caller contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_free(layout.size());
        // SAFETY: forwarded caller contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_free(layout.size());
        note_alloc(new_size);
        // SAFETY: forwarded caller contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn note_alloc(size: usize) {
    let _ = CURRENT_BYTES.try_with(|current| {
        let now = current.get().saturating_add(size);
        current.set(now);
        let _ = PEAK_BYTES.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn note_free(size: usize) {
    let _ = CURRENT_BYTES.try_with(|current| current.set(current.get().saturating_sub(size)));
}

#[global_allocator]
static ALLOCATOR: MeteredAllocator = MeteredAllocator;

/// Runs `f` and returns its result with the peak bytes this thread allocated on top of what it
/// held before.
pub fn peak_alloc_bytes<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT_BYTES.with(Cell::get);
    PEAK_BYTES.with(|peak| peak.set(base));
    let result = f();
    let peak = PEAK_BYTES.with(Cell::get);
    (result, peak.saturating_sub(base))
}
