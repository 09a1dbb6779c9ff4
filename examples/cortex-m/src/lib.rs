//! Board support shared by both images, so they differ only in what they run: the heap, the
//! panic handler and the semihosting exit.
//!
//! The images print through semihosting and exit with its status, which QEMU (and a debug
//! probe) turns into output and an exit code; on a board without a debugger attached the
//! semihosting calls would halt.
#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// The heap, with its high-water mark (the RAM a call really needs).
struct PeakHeap {
    heap: LlffHeap,
    peak_bytes: AtomicUsize,
}

// SAFETY: every call is forwarded unchanged to `LlffHeap`, a `GlobalAlloc`; the peak is only
// bookkeeping.
unsafe impl GlobalAlloc for PeakHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on.
        let ptr = unsafe { self.heap.alloc(layout) };
        self.peak_bytes
            .fetch_max(self.heap.used(), Ordering::Relaxed);
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static HEAP: PeakHeap = PeakHeap {
    heap: LlffHeap::empty(),
    peak_bytes: AtomicUsize::new(0),
};

/// Heap for the engine, the compiled module and the guest's linear memory (the echo guest
/// starts at two 64 KiB pages). Reported separately from the image's static RAM.
pub const HEAP_BYTES: usize = 1024 * 1024;

/// Gives the allocator the RAM after the image's statics (`__sheap`, from cortex-m-rt).
/// Call once, first thing in `main`.
pub fn init_heap() {
    let start = cortex_m_rt::heap_start() as usize;
    // SAFETY: called once before any allocation; memory.x gives 4 MiB of RAM and the statics
    // plus this heap plus the stack (growing down from the top) fit in it.
    unsafe { HEAP.heap.init(start, HEAP_BYTES) }
}

/// Heap bytes in use.
pub fn heap_used() -> usize {
    HEAP.heap.used()
}

/// The most heap bytes ever in use at once.
pub fn heap_peak() -> usize {
    HEAP.peak_bytes.load(Ordering::Relaxed)
}

/// Reports success or failure through semihosting and stops.
pub fn exit(success: bool) -> ! {
    use cortex_m_semihosting::debug;
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    cortex_m_semihosting::hprintln!("panic: {}", info);
    exit(false)
}
