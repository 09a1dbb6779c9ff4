//! The raw boundary: allocator exports, the service trampoline and host imports.
//!
//! All of the SDK's unsafe code lives here. Not public API: the `export!` macro calls
//! [`call`].
#![allow(unsafe_code)]

use alloc::{boxed::Box, vec::Vec};

use crate::{Args, Error};

#[cfg(target_arch = "wasm32")]
mod imports {
    #[link(wasm_import_module = "fazt")]
    unsafe extern "C" {
        pub fn log(level: i32, ptr: i32, len: i32) -> i32;
        pub fn read_file(path_ptr: i32, path_len: i32, buf_ptr: i32, buf_cap: i32) -> i64;
    }
}

/// `fazt_alloc(len) -> ptr`: a buffer of `len` bytes with alignment 1, or 0 when the
/// allocator (and so `memory.grow`) fails.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn fazt_alloc(len: i32) -> i32 {
    let Ok(len) = usize::try_from(len) else {
        return 0;
    };
    let mut buffer = Vec::<u8>::new();
    if buffer.try_reserve_exact(len).is_err() {
        return 0;
    }
    // SAFETY: `len` bytes were reserved just above; u8 has no invalid bit patterns and the
    // host overwrites the whole buffer before the guest reads it.
    unsafe { buffer.set_len(len) };
    Box::into_raw(buffer.into_boxed_slice()) as *mut u8 as i32
}

/// `fazt_dealloc(ptr, len)`: releases a buffer from `fazt_alloc` or an output region.
#[cfg(target_arch = "wasm32")]
#[unsafe(no_mangle)]
pub extern "C" fn fazt_dealloc(ptr: i32, len: i32) {
    if ptr == 0 {
        return;
    }
    // SAFETY: the ABI says `ptr, len` came from `fazt_alloc` or an output region, both
    // `Box<[u8]>` of exactly `len` bytes leaked with `Box::into_raw`.
    unsafe {
        let slice = core::ptr::slice_from_raw_parts_mut(ptr as *mut u8, len as usize);
        drop(Box::from_raw(slice));
    }
}

/// The body of every exported service: decode, run, leak the envelope, return its location.
pub fn call(
    args_ptr: i32,
    args_len: i32,
    service: impl FnOnce(&Args<'_>) -> Result<Vec<u8>, Error>,
) -> i64 {
    let encoded: &[u8] = if args_len <= 0 {
        &[]
    } else {
        // SAFETY: the host wrote `args_len` bytes at `args_ptr`, a buffer from `fazt_alloc`
        // that this call now owns; it stays valid for the whole call.
        unsafe { core::slice::from_raw_parts(args_ptr as usize as *const u8, args_len as usize) }
    };
    let envelope = crate::serve(encoded, service).into_boxed_slice();
    let len = envelope.len() as u32;
    let ptr = Box::into_raw(envelope) as *mut u8 as usize as u32;
    fazt_wasm_abi::pack_ptr_len(ptr, len)
}

pub(crate) fn log(level: i32, message: &[u8]) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        // SAFETY: the pointer and length describe a live slice; the host only reads it.
        unsafe { imports::log(level, message.as_ptr() as i32, message.len() as i32) }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (level, message);
        fazt_wasm_abi::STATUS_OK
    }
}

pub(crate) fn read_file(path: &[u8], buffer: &mut [u8]) -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        // SAFETY: both slices are live for the call; the host reads `path` and writes at
        // most `buffer.len()` bytes into `buffer`.
        unsafe {
            imports::read_file(
                path.as_ptr() as i32,
                path.len() as i32,
                buffer.as_mut_ptr() as i32,
                buffer.len() as i32,
            )
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (path, buffer);
        fazt_wasm_abi::READ_FILE_NO_ROOT
    }
}
