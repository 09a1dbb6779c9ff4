//! A temporary C-ABI export (feature `probe-export`) to check the wasm32 build: no imports, size.
//!
//! The real exports come from the guest SDK glue; this one only lets a host run `parse` end to end.
#![allow(unsafe_code)]

/// Allocates `len` zeroed bytes for the caller to fill with an `.xlsx` file and pass to
/// [`probe_parse`].
#[unsafe(no_mangle)]
pub extern "C" fn probe_alloc(len: u32) -> *mut u8 {
    let buffer = vec![0u8; len as usize].into_boxed_slice();
    Box::into_raw(buffer).cast::<u8>()
}

/// Parses the first sheet of the workbook at `ptr` and returns `(out_ptr << 32) | out_len` of
/// its rows as JSON, or of `error: <message>`. The output is leaked; the probe is short-lived.
#[unsafe(no_mangle)]
pub extern "C" fn probe_parse(ptr: *mut u8, len: u32) -> u64 {
    // SAFETY: `ptr` and `len` come from `probe_alloc`, which leaked a boxed slice of exactly
    // `len` bytes; ownership returns here exactly once.
    let input = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len as usize)) };
    let output = match crate::parse(&input, None) {
        Ok(rows) => crate::to_json(&rows),
        Err(error) => format!("error: {error}"),
    };
    let output = output.into_bytes().leak();
    ((output.as_ptr() as u64) << 32) | output.len() as u64
}
