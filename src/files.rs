//! The CLI's own file access: module files, `@PATH` arguments, outputs and repro files.
//!
//! Guests never reach these functions; their only file access is `read_file` through the
//! mediated VFS. Keeping every `std::fs` call of the CLI here makes that easy to check.

use std::io;
use std::path::{Path, PathBuf};

/// The bytes of `path`.
///
/// # Errors
///
/// As `std::fs::read`.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// Writes `bytes` to `path`, replacing it.
///
/// # Errors
///
/// As `std::fs::write`.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    std::fs::write(path, bytes)
}

/// The `.wasm` and `.wat` files directly in `dir`, sorted by name.
///
/// # Errors
///
/// As `std::fs::read_dir`.
pub fn modules_in(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_module = matches!(
            path.extension().and_then(|ext| ext.to_str()),
            Some("wasm" | "wat")
        );
        if is_module && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}
