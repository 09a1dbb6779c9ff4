//! `DirVfs`, the directory-rooted backend: the one module that touches the real filesystem.

use alloc::{collections::BTreeMap, string::String, vec::Vec};
use std::io::{self, Read};
use std::path::Path;

use cap_std::fs::{Dir, OpenOptions};

use super::{Vfs, VfsError, VfsPath, check_app_id};

/// A [`Vfs`] that serves each app from a host directory, its root.
///
/// Roots come from [`DirVfs::with_app`] (an explicit directory per app, opened once) and/or
/// [`DirVfs::with_base_dir`] (the root of app `id` is `base/id`, opened on each read); an
/// explicit root wins over the base directory.
///
/// Every read resolves the path through a capability handle on the root (`cap_std::fs::Dir`:
/// `openat2(RESOLVE_BENEATH)` where the kernel has it, component-by-component resolution where it
/// does not, as under qemu-user), never by joining strings, so:
///
/// - `..`, absolute paths, `\`, NUL and the other lexical tricks are refused first by
///   [`VfsPath::parse`] ([`VfsError::InvalidPath`]).
/// - A symlink is followed only while it stays inside the root: a relative symlink to another
///   file inside the root reads that file, while one that leads outside (`../outside`, through
///   a chain, or any absolute target, even one that points back inside) is refused with
///   [`VfsError::Denied`], as is a symlink loop.
/// - Only regular files are read. On Unix the file is opened with `O_NONBLOCK | O_NOCTTY`, so
///   opening a FIFO never waits for a writer, then `fstat` refuses anything that is not a
///   regular file ([`VfsError::NotAFile`]); `O_NONBLOCK` does not affect reads of regular files.
/// - The size limit is checked against the opened file's metadata first, then enforced again
///   while reading (at most `max_bytes + 1` bytes are read), so a file that grows in between is
///   still refused with [`VfsError::TooLarge`].
///
/// What path resolution cannot see is the host's to avoid: a hard link or a bind mount inside a
/// root that leads to a file outside it is read like any other file.
///
/// Error messages carry at most an [`io::ErrorKind`], never a host path.
#[derive(Debug, Default)]
pub struct DirVfs {
    /// Explicit roots, opened when registered.
    apps: BTreeMap<String, Dir>,
    /// The directory holding one root per app, named by app id.
    base: Option<Dir>,
}

impl DirVfs {
    /// A VFS with no apps and no base directory: every read fails with
    /// [`VfsError::UnknownApp`] until roots are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `app` from the directory `root`, opened now: later renames of `root` on the host
    /// do not change which directory the app sees. Replaces any root already given for `app`.
    ///
    /// # Errors
    ///
    /// - [`VfsError::InvalidAppId`] when [`check_app_id`] refuses `app`.
    /// - [`VfsError::RootUnavailable`] when `root` cannot be opened as a directory.
    ///
    /// # Examples
    ///
    /// ```
    /// use fazt_wasm_hostfns::vfs::{DirVfs, Vfs};
    ///
    /// let root = tempfile::tempdir()?;
    /// std::fs::write(root.path().join("hello.txt"), "hi")?;
    /// let vfs = DirVfs::new().with_app("blog", root.path())?;
    /// assert_eq!(vfs.read("blog", "hello.txt", 16)?, b"hi");
    /// assert!(vfs.read("blog", "../hello.txt", 16).unwrap_err().is_invalid_path());
    /// assert!(vfs.read("blog", "missing.txt", 16).unwrap_err().is_not_found());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_app(mut self, app: &str, root: impl AsRef<Path>) -> Result<Self, VfsError> {
        check_app_id(app)?;
        let root = open_root(root.as_ref())?;
        self.apps.insert(app.into(), root);
        Ok(self)
    }

    /// Serves every app `id` without an explicit root from the directory `base/id`, opened
    /// now; each `base/id` is opened on each read, so apps can be added while the VFS is in use.
    /// App ids are checked by [`check_app_id`] and so are always a single name under `base`;
    /// `base/id` may be a symlink only if it stays inside `base`.
    ///
    /// # Errors
    ///
    /// Fails with [`VfsError::RootUnavailable`] when `base` cannot be opened as a directory.
    pub fn with_base_dir(mut self, base: impl AsRef<Path>) -> Result<Self, VfsError> {
        self.base = Some(open_root(base.as_ref())?);
        Ok(self)
    }
}

impl Vfs for DirVfs {
    fn read(&self, app: &str, path: &str, max_bytes: u64) -> Result<Vec<u8>, VfsError> {
        check_app_id(app)?;
        let path = VfsPath::parse(path)?;
        if let Some(root) = self.apps.get(app) {
            return read_beneath(root, &path, max_bytes);
        }
        let base = self.base.as_ref().ok_or(VfsError::UnknownApp)?;
        let root = base.open_dir(app).map_err(|error| match error.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => VfsError::UnknownApp,
            kind => VfsError::RootUnavailable { kind },
        })?;
        read_beneath(&root, &path, max_bytes)
    }
}

/// Opens a host-chosen directory with ambient authority: the only place this module names a
/// host path, which is why that path never appears in an error.
fn open_root(root: &Path) -> Result<Dir, VfsError> {
    Dir::open_ambient_dir(root, cap_std::ambient_authority())
        .map_err(|error| VfsError::RootUnavailable { kind: error.kind() })
}

/// Reads the regular file at `path` beneath `root`, capped at `max_bytes`.
fn read_beneath(root: &Dir, path: &VfsPath, max_bytes: u64) -> Result<Vec<u8>, VfsError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use cap_std::fs::OpenOptionsExt;
        use rustix::fs::OFlags;
        // Without O_NONBLOCK, opening a FIFO for reading blocks until a writer appears, and a
        // guest could hang its call on it; O_NOCTTY keeps a terminal device from becoming ours.
        let flags = (OFlags::NONBLOCK | OFlags::NOCTTY).bits();
        options.custom_flags(i32::try_from(flags).map_err(|_| VfsError::Io {
            kind: io::ErrorKind::Unsupported,
        })?);
    }
    let file = root
        .open_with(path.as_str(), &options)
        .map_err(classify_io)?;
    let metadata = file.metadata().map_err(classify_io)?;
    if !metadata.is_file() {
        return Err(VfsError::NotAFile);
    }
    if metadata.len() > max_bytes {
        return Err(VfsError::TooLarge { max_bytes });
    }
    read_capped(file, metadata.len(), max_bytes)
}

/// Reads `reader` to its end, refusing it once it yields more than `max_bytes`, whatever
/// `expected_len` (the size metadata reported) said.
fn read_capped(reader: impl Read, expected_len: u64, max_bytes: u64) -> Result<Vec<u8>, VfsError> {
    let mut bytes = Vec::new();
    // One spare byte lets `read_to_end` see EOF without growing the buffer.
    let capacity = usize::try_from(expected_len.min(max_bytes).saturating_add(1))
        .map_err(|_| VfsError::TooLarge { max_bytes })?;
    bytes
        .try_reserve_exact(capacity)
        .map_err(|_| VfsError::Io {
            kind: io::ErrorKind::OutOfMemory,
        })?;
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(classify_io)?;
    if u64::try_from(bytes.len()).map_or(true, |len| len > max_bytes) {
        return Err(VfsError::TooLarge { max_bytes });
    }
    Ok(bytes)
}

/// Turns an I/O error from resolving or reading a path into a `VfsError`, keeping only its kind.
fn classify_io(error: io::Error) -> VfsError {
    // ELOOP (a symlink loop, or a symlink where none may be) has no stable `ErrorKind` yet.
    #[cfg(unix)]
    if error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
        return VfsError::Denied;
    }
    match error.kind() {
        // ENOTDIR: a component before the last is a file, so nothing exists at the path.
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => VfsError::NotFound,
        // cap-std reports every attempt to leave the root as PermissionDenied.
        io::ErrorKind::PermissionDenied => VfsError::Denied,
        io::ErrorKind::IsADirectory => VfsError::NotAFile,
        kind => VfsError::Io { kind },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that yields `len` bytes of `b'x'`, whatever the metadata said beforehand.
    fn growing_file(len: usize) -> io::Cursor<Vec<u8>> {
        io::Cursor::new(alloc::vec![b'x'; len])
    }

    #[test]
    fn read_capped_refuses_a_file_that_grew_past_the_limit_after_the_metadata_check() {
        // Metadata said 4 bytes; by the time we read, the file holds 11.
        assert_eq!(
            read_capped(growing_file(11), 4, 10),
            Err(VfsError::TooLarge { max_bytes: 10 })
        );
        assert_eq!(read_capped(growing_file(10), 4, 10).unwrap().len(), 10);
    }

    #[test]
    fn read_capped_never_reads_more_than_one_byte_past_the_limit() {
        struct Endless(usize);
        impl Read for Endless {
            fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
                self.0 += buffer.len();
                buffer.fill(b'y');
                Ok(buffer.len())
            }
        }
        let mut endless = Endless(0);
        assert_eq!(
            read_capped(&mut endless, 0, 1000),
            Err(VfsError::TooLarge { max_bytes: 1000 })
        );
        assert_eq!(endless.0, 1001);
    }

    #[test]
    fn read_capped_accepts_a_file_that_shrank() {
        assert_eq!(read_capped(growing_file(2), 8, 8).unwrap(), b"xx");
        assert_eq!(read_capped(growing_file(0), 0, 0).unwrap(), b"");
    }

    #[test]
    fn io_errors_keep_only_their_kind() {
        let not_found = io::Error::new(io::ErrorKind::NotFound, "/host/secret/path");
        assert_eq!(classify_io(not_found), VfsError::NotFound);
        let escape = io::Error::new(io::ErrorKind::PermissionDenied, "a path led outside");
        assert_eq!(classify_io(escape), VfsError::Denied);
        let not_dir = io::Error::from(io::ErrorKind::NotADirectory);
        assert_eq!(classify_io(not_dir), VfsError::NotFound);
        let is_dir = io::Error::from(io::ErrorKind::IsADirectory);
        assert_eq!(classify_io(is_dir), VfsError::NotAFile);
        let other = io::Error::new(io::ErrorKind::TimedOut, "/host/secret/path");
        let error = classify_io(other);
        assert_eq!(
            error,
            VfsError::Io {
                kind: io::ErrorKind::TimedOut
            }
        );
        assert_eq!(error.to_string(), "i/o error: TimedOut");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_denied() {
        let error = io::Error::from_raw_os_error(rustix::io::Errno::LOOP.raw_os_error());
        assert_eq!(classify_io(error), VfsError::Denied);
    }
}
