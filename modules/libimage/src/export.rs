//! Raw `extern "C"` exports (feature `probe-export`) for checking the wasm32 build's imports,
//! size and speed before the guest SDK glue exists. Not the module's real ABI.
//!
//! Protocol: the host calls `libimage_alloc(len)`, writes the input there, then calls
//! `libimage_probe` or `libimage_resize` with that pointer. A negative result is
//! `-(1 + ErrorKind as i64)`. `libimage_resize` returns the output length; the output stays at
//! `libimage_output_ptr()` until the next call. The input buffer is freed by the call.

use std::sync::Mutex;

use crate::{ErrorKind, Format, ImageError, ResizeOptions};

/// The last `libimage_resize` output, kept alive for the host to copy out.
static OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

fn error_code(err: &ImageError) -> i64 {
    -1 - match err.kind() {
        ErrorKind::BadArgument => 0,
        ErrorKind::InvalidInput => 1,
        ErrorKind::Unsupported => 2,
        ErrorKind::Limit => 3,
    }
}

/// Allocates `len` bytes for the host to write an input into.
#[unsafe(no_mangle)]
pub extern "C" fn libimage_alloc(len: usize) -> *mut u8 {
    let mut buffer = vec![0u8; len].into_boxed_slice();
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Takes back a buffer from `libimage_alloc`.
///
/// # Safety
///
/// `ptr` and `len` must come from one `libimage_alloc` call that was not yet taken back.
unsafe fn take_input(ptr: *mut u8, len: usize) -> Box<[u8]> {
    // SAFETY: the caller passes a pointer and length from `libimage_alloc`, which leaked exactly
    // such a boxed slice, and gives up ownership with this call.
    unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) }
}

/// Probes the input; returns `width << 32 | height` (stored size) or a negative error code.
///
/// # Safety
///
/// `ptr` and `len` must come from one `libimage_alloc` call; the buffer is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libimage_probe(ptr: *mut u8, len: usize) -> i64 {
    // SAFETY: forwarded from this function's own contract.
    let input = unsafe { take_input(ptr, len) };
    match crate::probe(&input) {
        Ok(info) => (i64::from(info.width) << 32) | i64::from(info.height),
        Err(err) => error_code(&err),
    }
}

/// Resizes the input; `format` is 0 (same as input), 1 (PNG) or 2 (JPEG). Returns the output
/// length or a negative error code.
///
/// # Safety
///
/// `ptr` and `len` must come from one `libimage_alloc` call; the buffer is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn libimage_resize(
    ptr: *mut u8,
    len: usize,
    width: u32,
    height: u32,
    quality: u32,
    format: u32,
) -> i64 {
    // SAFETY: forwarded from this function's own contract.
    let input = unsafe { take_input(ptr, len) };
    let options = ResizeOptions {
        width,
        height,
        quality: u8::try_from(quality).unwrap_or(0),
        format: match format {
            1 => Some(Format::Png),
            2 => Some(Format::Jpeg),
            _ => None,
        },
        ..ResizeOptions::default()
    };
    let result = crate::resize(&input, &options);
    drop(input);
    match result {
        Ok(bytes) => {
            let len = bytes.len() as i64;
            *OUTPUT
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = bytes;
            len
        }
        Err(err) => error_code(&err),
    }
}

/// Where the last successful `libimage_resize` output starts.
#[unsafe(no_mangle)]
pub extern "C" fn libimage_output_ptr() -> *const u8 {
    OUTPUT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_ptr()
}
