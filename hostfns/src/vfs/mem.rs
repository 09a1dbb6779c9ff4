//! `MemVfs`, the in-memory backend: app id to (path to bytes), for tests and embedded hosts.

use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
use core::ops::Bound;

use super::{Vfs, VfsError, VfsPath, check_app_id};

/// An in-memory [`Vfs`]: each app owns a map from normalised path to file contents.
///
/// Lookups go through [`check_app_id`] and [`VfsPath::parse`], so hostile paths are refused
/// exactly as `DirVfs` (feature `std`) refuses them. Directories exist only implicitly:
/// a path that is a proper prefix of some file's path (`"posts"` when `"posts/a.md"` exists)
/// reads as [`VfsError::NotAFile`], and a path that continues past a file (`"a.md/x"`) reads as
/// [`VfsError::NotFound`], as on a real filesystem. There are no symlinks.
#[derive(Clone, Default)]
pub struct MemVfs {
    /// App id to (normalised path to contents).
    apps: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
}

impl MemVfs {
    /// An empty VFS with no apps.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `app` with no files, so reads report [`VfsError::NotFound`] rather than
    /// [`VfsError::UnknownApp`]. Registering an app twice keeps its files.
    ///
    /// # Errors
    ///
    /// Fails with [`VfsError::InvalidAppId`] when [`check_app_id`] refuses `app`.
    pub fn insert_app(&mut self, app: &str) -> Result<(), VfsError> {
        check_app_id(app)?;
        self.apps.entry(app.into()).or_default();
        Ok(())
    }

    /// Builder form of [`MemVfs::insert_app`].
    ///
    /// # Errors
    ///
    /// As [`MemVfs::insert_app`].
    pub fn with_app(mut self, app: &str) -> Result<Self, VfsError> {
        self.insert_app(app)?;
        Ok(self)
    }

    /// Stores `bytes` at `path` for `app`, registering the app if needed and replacing any file
    /// already at that path.
    ///
    /// # Errors
    ///
    /// - [`VfsError::InvalidAppId`] when [`check_app_id`] refuses `app`.
    /// - [`VfsError::InvalidPath`] when [`VfsPath::parse`] refuses `path`.
    /// - [`VfsError::NotAFile`] when the file would also be a directory: `path` is a prefix of
    ///   another file's path, or another file's path is a prefix of `path`.
    pub fn insert(
        &mut self,
        app: &str,
        path: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<(), VfsError> {
        check_app_id(app)?;
        let path = VfsPath::parse(path)?;
        let files = self.apps.entry(app.into()).or_default();
        let mut prefix = String::new();
        for component in path.components() {
            if !prefix.is_empty() {
                // A proper prefix that is already a file cannot also be a directory.
                if files.contains_key(prefix.as_str()) {
                    return Err(VfsError::NotAFile);
                }
                prefix.push('/');
            }
            prefix.push_str(component);
        }
        if is_directory(files, &path) {
            return Err(VfsError::NotAFile);
        }
        files.insert(path.as_str().into(), bytes.into());
        Ok(())
    }

    /// Builder form of [`MemVfs::insert`].
    ///
    /// # Errors
    ///
    /// As [`MemVfs::insert`].
    ///
    /// # Examples
    ///
    /// ```
    /// use fazt_wasm_hostfns::vfs::{MemVfs, Vfs};
    ///
    /// let vfs = MemVfs::new()
    ///     .with_file("blog", "index.html", b"<h1>hi</h1>".to_vec())?
    ///     .with_file("shop", "index.html", b"<h1>buy</h1>".to_vec())?;
    /// assert_eq!(vfs.read("shop", "index.html", 64)?, b"<h1>buy</h1>");
    /// assert!(vfs.read("blog", "../shop/index.html", 64).unwrap_err().is_invalid_path());
    /// # Ok::<(), fazt_wasm_hostfns::vfs::VfsError>(())
    /// ```
    pub fn with_file(
        mut self,
        app: &str,
        path: &str,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<Self, VfsError> {
        self.insert(app, path, bytes)?;
        Ok(self)
    }
}

impl Vfs for MemVfs {
    fn read(&self, app: &str, path: &str, max_bytes: u64) -> Result<Vec<u8>, VfsError> {
        check_app_id(app)?;
        let path = VfsPath::parse(path)?;
        let files = self.apps.get(app).ok_or(VfsError::UnknownApp)?;
        match files.get(path.as_str()) {
            Some(bytes) if u64::try_from(bytes.len()).map_or(true, |len| len > max_bytes) => {
                Err(VfsError::TooLarge { max_bytes })
            }
            Some(bytes) => Ok(bytes.clone()),
            None if is_directory(files, &path) => Err(VfsError::NotAFile),
            None => Err(VfsError::NotFound),
        }
    }
}

impl core::fmt::Debug for MemVfs {
    /// Lists each app with its number of files, leaving the contents out.
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut apps = formatter.debug_map();
        for (app, files) in &self.apps {
            apps.entry(app, &files.len());
        }
        apps.finish()
    }
}

/// Whether some file lives under `path`, making `path` an implicit directory.
fn is_directory(files: &BTreeMap<String, Vec<u8>>, path: &VfsPath) -> bool {
    let dir_prefix = format!("{path}/");
    files
        .range::<str, _>((Bound::Included(dir_prefix.as_str()), Bound::Unbounded))
        .next()
        .is_some_and(|(file_path, _)| file_path.starts_with(&dir_prefix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::PathRejection;

    fn sample() -> MemVfs {
        MemVfs::new()
            .with_file("blog", "index.html", b"home".to_vec())
            .unwrap()
            .with_file("blog", "posts/a.md", b"post a".to_vec())
            .unwrap()
            .with_file("blog", "posts-old/b.md", b"post b".to_vec())
            .unwrap()
            .with_file("shop", "secret.txt", b"shop secret".to_vec())
            .unwrap()
            .with_app("empty")
            .unwrap()
    }

    #[test]
    fn reads_return_the_stored_bytes_through_normalised_paths() {
        let vfs = sample();
        assert_eq!(vfs.read("blog", "index.html", 4).unwrap(), b"home");
        assert_eq!(vfs.read("blog", "./posts//a.md", 100).unwrap(), b"post a");
        assert_eq!(vfs.read("blog", "posts/a.md/", 100).unwrap(), b"post a");
    }

    #[test]
    fn implicit_directories_are_not_files_and_paths_past_a_file_are_not_found() {
        let vfs = sample();
        assert_eq!(vfs.read("blog", "posts", 100), Err(VfsError::NotAFile));
        assert_eq!(vfs.read("blog", "posts-old", 100), Err(VfsError::NotAFile));
        assert_eq!(vfs.read("blog", "post", 100), Err(VfsError::NotFound));
        assert_eq!(
            vfs.read("blog", "index.html/x", 100),
            Err(VfsError::NotFound)
        );
        assert_eq!(vfs.read("empty", "anything", 100), Err(VfsError::NotFound));
    }

    #[test]
    fn size_limit_allows_exactly_max_bytes_and_refuses_one_more() {
        let vfs = sample();
        assert_eq!(vfs.read("blog", "posts/a.md", 6).unwrap(), b"post a");
        assert_eq!(
            vfs.read("blog", "posts/a.md", 5),
            Err(VfsError::TooLarge { max_bytes: 5 })
        );
        let empty = MemVfs::new().with_file("app", "zero", Vec::new()).unwrap();
        assert_eq!(empty.read("app", "zero", 0).unwrap(), b"");
    }

    #[test]
    fn apps_cannot_reach_each_other_and_unknown_apps_are_reported() {
        let vfs = sample();
        assert_eq!(vfs.read("blog", "secret.txt", 100), Err(VfsError::NotFound));
        assert_eq!(
            vfs.read("blog", "../shop/secret.txt", 100),
            Err(VfsError::InvalidPath {
                reason: PathRejection::ParentDir
            })
        );
        assert_eq!(
            vfs.read("nobody", "index.html", 100),
            Err(VfsError::UnknownApp)
        );
        assert_eq!(
            vfs.read("../shop", "secret.txt", 100),
            Err(VfsError::InvalidAppId)
        );
    }

    #[test]
    fn insert_refuses_bad_ids_bad_paths_and_file_directory_clashes() {
        let mut vfs = sample();
        assert_eq!(
            vfs.insert("../x", "f", b"".to_vec()),
            Err(VfsError::InvalidAppId)
        );
        assert!(
            vfs.insert("blog", "../f", b"".to_vec())
                .unwrap_err()
                .is_invalid_path()
        );
        assert_eq!(
            vfs.insert("blog", "posts", b"".to_vec()),
            Err(VfsError::NotAFile)
        );
        assert_eq!(
            vfs.insert("blog", "index.html/x", b"".to_vec()),
            Err(VfsError::NotAFile)
        );
        vfs.insert("blog", "index.html", b"new".to_vec()).unwrap();
        assert_eq!(vfs.read("blog", "index.html", 100).unwrap(), b"new");
    }

    #[test]
    fn debug_output_lists_file_counts_not_contents() {
        let text = format!("{:?}", sample());
        assert!(text.contains("\"blog\": 3"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}
