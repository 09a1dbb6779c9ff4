//! The mediated, app-scoped virtual filesystem behind the `read_file` bridge.
//!
//! A guest names a file by an app id (chosen by the host, never by the guest) and a relative
//! path. Every backend first checks the app id with [`check_app_id`] and the path with
//! [`VfsPath::parse`], so the same hostile paths are refused the same way everywhere:
//!
//! - [`MemVfs`] keeps files in memory (`no_std` + `alloc`), for tests and embedded hosts.
//! - `DirVfs` (feature `std`) serves each app from a host directory through a capability
//!   handle, so neither `..`, absolute paths nor symlinks can lead outside that directory.
//!
//! Every failure is a [`VfsError`] with a stable guest-visible [`VfsError::code`].
//!
//! # Examples
//!
//! ```
//! use fazt_wasm_hostfns::vfs::{MemVfs, Vfs};
//!
//! let vfs = MemVfs::new().with_file("blog", "posts/hello.md", b"# hi".to_vec())?;
//! assert_eq!(vfs.read("blog", "posts/./hello.md", 1024)?, b"# hi");
//! assert!(vfs.read("blog", "../other/secret", 1024).unwrap_err().is_invalid_path());
//! assert!(vfs.read("blog", "posts/hello.md", 2).unwrap_err().is_too_large());
//! # Ok::<(), fazt_wasm_hostfns::vfs::VfsError>(())
//! ```

mod error;
mod mem;
mod path;

#[cfg(feature = "std")]
mod dir;

use alloc::{boxed::Box, sync::Arc, vec::Vec};

#[cfg(feature = "std")]
pub use dir::DirVfs;
pub use error::{PathRejection, VfsError};
pub use mem::MemVfs;
pub use path::{MAX_COMPONENT_BYTES, MAX_COMPONENTS, MAX_PATH_BYTES, VfsPath};

/// The longest app id [`check_app_id`] accepts, in bytes.
pub const MAX_APP_ID_BYTES: usize = 64;

/// A read-only, app-scoped filesystem that a guest reaches only through the `read_file` bridge.
///
/// Implementations must never return bytes from outside the app's own files, whatever `app`
/// and `path` contain, and must refuse `path` exactly where [`VfsPath::parse`] does.
pub trait Vfs: Send + Sync + core::fmt::Debug + 'static {
    /// Reads the whole file at `path` as seen by `app`, refusing files larger than `max_bytes`.
    ///
    /// # Errors
    ///
    /// - `is_unknown_app()` when `app` is malformed or has no root.
    /// - `is_invalid_path()` when [`VfsPath::parse`] refuses `path`, and `is_denied()` when the
    ///   backend refuses to resolve it (a symlink leading outside the root).
    /// - `is_not_found()` when there is no file there, `is_not_a_file()` when it is a directory
    ///   or another non-regular file.
    /// - `is_too_large()` when the file holds more than `max_bytes` bytes.
    /// - `is_io()` when the host filesystem fails otherwise.
    fn read(&self, app: &str, path: &str, max_bytes: u64) -> Result<Vec<u8>, VfsError>;
}

impl<V: Vfs + ?Sized> Vfs for Box<V> {
    fn read(&self, app: &str, path: &str, max_bytes: u64) -> Result<Vec<u8>, VfsError> {
        (**self).read(app, path, max_bytes)
    }
}

impl<V: Vfs + ?Sized> Vfs for Arc<V> {
    fn read(&self, app: &str, path: &str, max_bytes: u64) -> Result<Vec<u8>, VfsError> {
        (**self).read(app, path, max_bytes)
    }
}

/// Checks that `app` is a single safe name: 1 to [`MAX_APP_ID_BYTES`] bytes of ASCII letters,
/// digits, `-`, `_` and `.`, starting with a letter or digit (so never `.`, `..` or hidden).
///
/// Every backend applies this before looking the app up, so an app id can always be used as a
/// directory name under a base directory.
///
/// # Errors
///
/// Fails with [`VfsError::InvalidAppId`] (`is_unknown_app()`) when `app` breaks a rule above.
///
/// # Examples
///
/// ```
/// use fazt_wasm_hostfns::vfs::check_app_id;
///
/// assert!(check_app_id("blog-2.v1").is_ok());
/// assert!(check_app_id("..").unwrap_err().is_unknown_app());
/// assert!(check_app_id("a/b").is_err());
/// ```
pub fn check_app_id(app: &str) -> Result<(), VfsError> {
    let bytes = app.as_bytes();
    let starts_well = bytes.first().is_some_and(u8::is_ascii_alphanumeric);
    let all_safe = bytes
        .iter()
        .all(|&byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'));
    if starts_well && all_safe && bytes.len() <= MAX_APP_ID_BYTES {
        Ok(())
    } else {
        Err(VfsError::InvalidAppId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_that_are_single_safe_names_are_accepted() {
        for app in ["a", "blog", "Blog-2", "x_y.z", "0", "a..b"] {
            assert_eq!(check_app_id(app), Ok(()), "{app:?}");
        }
        let longest = "a".repeat(MAX_APP_ID_BYTES);
        assert_eq!(check_app_id(&longest), Ok(()));
    }

    #[test]
    fn app_ids_that_could_name_other_directories_are_refused() {
        let too_long = "a".repeat(MAX_APP_ID_BYTES + 1);
        for app in [
            "",
            ".",
            "..",
            ".hidden",
            "-flag",
            "_x",
            "a/b",
            "../b",
            "a\\b",
            "a\0b",
            "a b",
            "é",
            "C:",
            "/abs",
            too_long.as_str(),
        ] {
            assert_eq!(check_app_id(app), Err(VfsError::InvalidAppId), "{app:?}");
        }
    }

    #[test]
    fn boxed_and_shared_backends_read_like_the_backend_itself() {
        let mem = MemVfs::new().with_file("app", "f", b"x".to_vec()).unwrap();
        let boxed: Box<dyn Vfs> = Box::new(mem.clone());
        let shared: Arc<dyn Vfs> = Arc::new(mem);
        assert_eq!(boxed.read("app", "f", 1).unwrap(), b"x");
        assert_eq!(shared.read("app", "f", 1).unwrap(), b"x");
        assert!(shared.read("app", "g", 1).unwrap_err().is_not_found());
    }

    #[test]
    fn every_error_has_a_negative_code_matching_its_classifier() {
        let errors = [
            VfsError::NotFound,
            VfsError::InvalidPath {
                reason: PathRejection::ParentDir,
            },
            VfsError::Denied,
            VfsError::TooLarge { max_bytes: 1 },
            VfsError::UnknownApp,
            VfsError::InvalidAppId,
            VfsError::NotAFile,
            #[cfg(feature = "std")]
            VfsError::RootUnavailable {
                kind: std::io::ErrorKind::NotFound,
            },
            #[cfg(feature = "std")]
            VfsError::Io {
                kind: std::io::ErrorKind::Other,
            },
        ];
        for error in &errors {
            let expected = match error.code() {
                -1 => error.is_not_found(),
                -2 => error.is_refused_path(),
                -3 => error.is_too_large(),
                -4 => error.is_unknown_app(),
                -5 => error.is_io(),
                -6 => error.is_not_a_file(),
                other => panic!("unexpected code {other} for {error:?}"),
            };
            assert!(expected, "{error:?} does not classify as its code says");
            let classes = [
                error.is_not_found(),
                error.is_refused_path(),
                error.is_too_large(),
                error.is_unknown_app(),
                error.is_io(),
                error.is_not_a_file(),
            ];
            assert_eq!(
                classes.iter().filter(|&&class| class).count(),
                1,
                "{error:?}"
            );
            assert!(!error.kind().is_empty());
        }
    }

    #[test]
    fn error_messages_name_the_limit_and_never_a_host_path() {
        let message = alloc::format!("{}", VfsError::TooLarge { max_bytes: 4096 });
        assert!(message.contains("4096"), "{message}");
        let message = alloc::format!(
            "{}",
            VfsError::InvalidPath {
                reason: PathRejection::ParentDir
            }
        );
        assert_eq!(message, "invalid path: parent_dir");
    }
}
