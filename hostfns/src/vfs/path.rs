//! `VfsPath`, a relative path that has passed every lexical rule of the VFS.

use alloc::{string::String, vec::Vec};

use super::{PathRejection, VfsError};

/// The longest path [`VfsPath::parse`] accepts, in bytes, before normalisation.
pub const MAX_PATH_BYTES: usize = 1024;

/// The most components a [`VfsPath`] may have after normalisation.
pub const MAX_COMPONENTS: usize = 64;

/// The longest single component [`VfsPath::parse`] accepts, in bytes (the usual `NAME_MAX`).
pub const MAX_COMPONENT_BYTES: usize = 255;

/// A validated, normalised relative path inside an app's root.
///
/// [`VfsPath::parse`] is the only way to build one, and every backend goes through it, so a
/// `VfsPath` never starts with `/` or a drive prefix and never contains `..`, `\`, `:`, NUL or
/// another control character. `.` components and repeated or trailing `/` are dropped, so
/// `"./a//b/"` becomes `"a/b"`. Names are otherwise taken literally: `"%2e%2e"`, `"...."`,
/// `"~"` and `"\u{2025}"` are ordinary file names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VfsPath {
    /// Components joined by single `/`, never empty.
    normalized: String,
}

impl VfsPath {
    /// Parses and normalises a guest-supplied path.
    ///
    /// Rules are checked in this order, and the first one broken is reported: non-empty; at most
    /// [`MAX_PATH_BYTES`] bytes; no NUL; no other control character (Unicode `Cc`); no `\`
    /// (refused rather than read as a separator, on every OS); not absolute (`/…`, `C:…`); no
    /// `:`; no `..` component; each component at most [`MAX_COMPONENT_BYTES`]; at most
    /// [`MAX_COMPONENTS`] components after dropping `.` and empty ones; at least one component
    /// left (so `"."` names no file).
    ///
    /// # Errors
    ///
    /// Fails with [`VfsError::InvalidPath`] carrying the [`PathRejection`] for the broken rule.
    ///
    /// # Examples
    ///
    /// ```
    /// use fazt_wasm_hostfns::vfs::{PathRejection, VfsPath};
    ///
    /// let path = VfsPath::parse("./posts//2024/hello.md")?;
    /// assert_eq!(path.as_str(), "posts/2024/hello.md");
    /// assert_eq!(path.components().collect::<Vec<_>>(), ["posts", "2024", "hello.md"]);
    /// let refused = VfsPath::parse("posts/../../etc/passwd").unwrap_err();
    /// assert_eq!(refused.path_rejection(), Some(PathRejection::ParentDir));
    /// # Ok::<(), fazt_wasm_hostfns::vfs::VfsError>(())
    /// ```
    pub fn parse(path: &str) -> Result<Self, VfsError> {
        let refuse = |reason| Err(VfsError::InvalidPath { reason });
        if path.is_empty() {
            return refuse(PathRejection::Empty);
        }
        if path.len() > MAX_PATH_BYTES {
            return refuse(PathRejection::TooLong);
        }
        if path.contains('\0') {
            return refuse(PathRejection::Nul);
        }
        if path.chars().any(char::is_control) {
            return refuse(PathRejection::ControlChar);
        }
        if path.contains('\\') {
            return refuse(PathRejection::Backslash);
        }
        if path.starts_with('/') || has_drive_prefix(path) {
            return refuse(PathRejection::Absolute);
        }
        if path.contains(':') {
            return refuse(PathRejection::Colon);
        }
        let mut components = Vec::new();
        for component in path.split('/') {
            match component {
                "" | "." => {}
                ".." => return refuse(PathRejection::ParentDir),
                name if name.len() > MAX_COMPONENT_BYTES => return refuse(PathRejection::TooLong),
                name => components.push(name),
            }
        }
        if components.len() > MAX_COMPONENTS {
            return refuse(PathRejection::TooManyComponents);
        }
        if components.is_empty() {
            return refuse(PathRejection::Empty);
        }
        Ok(Self {
            normalized: components.join("/"),
        })
    }

    /// The normalised path: components joined by single `/`.
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The components in order, none of them empty, `.` or `..`.
    pub fn components(&self) -> core::str::Split<'_, char> {
        self.normalized.split('/')
    }

    /// How many components the path has (at least 1).
    pub fn n_components(&self) -> usize {
        self.components().count()
    }

    /// The last component.
    pub fn file_name(&self) -> &str {
        self.normalized
            .rsplit('/')
            .next()
            .unwrap_or(self.normalized.as_str())
    }
}

impl core::fmt::Display for VfsPath {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        formatter.write_str(&self.normalized)
    }
}

impl AsRef<str> for VfsPath {
    fn as_ref(&self) -> &str {
        &self.normalized
    }
}

impl core::str::FromStr for VfsPath {
    type Err = VfsError;

    fn from_str(path: &str) -> Result<Self, Self::Err> {
        Self::parse(path)
    }
}

/// Whether `path` starts like a Windows drive (`C:`), on any OS.
fn has_drive_prefix(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{format, string::ToString};

    fn rejection(path: &str) -> PathRejection {
        match VfsPath::parse(path) {
            Ok(parsed) => panic!("{path:?} was accepted as {parsed:?}"),
            Err(error) => error
                .path_rejection()
                .unwrap_or_else(|| panic!("{path:?} failed with {error:?}, not InvalidPath")),
        }
    }

    #[test]
    fn normalisation_drops_dot_and_repeated_slashes() {
        for (raw, normalized) in [
            ("a", "a"),
            ("a/b", "a/b"),
            ("./a", "a"),
            ("a/./b", "a/b"),
            ("a//b", "a/b"),
            ("a/b/", "a/b"),
            ("././a/.//b/.", "a/b"),
            ("....", "...."),
            ("...", "..."),
            (".hidden", ".hidden"),
            ("a..b", "a..b"),
            ("%2e%2e/secret", "%2e%2e/secret"),
            ("~/.ssh/id_rsa", "~/.ssh/id_rsa"),
            ("\u{2025}/secret", "\u{2025}/secret"),
            ("\u{ff0f}etc", "\u{ff0f}etc"),
        ] {
            assert_eq!(VfsPath::parse(raw).unwrap().as_str(), normalized, "{raw:?}");
        }
    }

    #[test]
    fn components_file_name_and_display_agree_with_the_normalised_text() {
        let path: VfsPath = "x//y/./z.txt".parse().unwrap();
        assert_eq!(path.components().collect::<Vec<_>>(), ["x", "y", "z.txt"]);
        assert_eq!(path.n_components(), 3);
        assert_eq!(path.file_name(), "z.txt");
        assert_eq!(path.to_string(), "x/y/z.txt");
        assert_eq!(path.as_ref(), "x/y/z.txt");
        assert_eq!(VfsPath::parse("only").unwrap().file_name(), "only");
    }

    #[test]
    fn hostile_paths_are_refused_for_the_first_rule_they_break() {
        for (path, expected) in [
            ("", PathRejection::Empty),
            (".", PathRejection::Empty),
            ("./", PathRejection::Empty),
            ("//", PathRejection::Absolute),
            ("..", PathRejection::ParentDir),
            ("../secret", PathRejection::ParentDir),
            ("a/../b", PathRejection::ParentDir),
            ("a/b/..", PathRejection::ParentDir),
            ("a/./../..", PathRejection::ParentDir),
            ("....//../x", PathRejection::ParentDir),
            ("/etc/passwd", PathRejection::Absolute),
            ("//etc/passwd", PathRejection::Absolute),
            ("C:/Windows", PathRejection::Absolute),
            ("c:", PathRejection::Absolute),
            ("C:\\Windows", PathRejection::Backslash),
            ("\\\\server\\share", PathRejection::Backslash),
            ("a\\..\\..\\secret", PathRejection::Backslash),
            ("a\\b", PathRejection::Backslash),
            ("a\0b", PathRejection::Nul),
            ("\0", PathRejection::Nul),
            ("a\nb", PathRejection::ControlChar),
            ("a\tb", PathRejection::ControlChar),
            ("a\u{7f}b", PathRejection::ControlChar),
            ("a\u{85}b", PathRejection::ControlChar),
            ("file.txt:stream", PathRejection::Colon),
            ("a/C:", PathRejection::Colon),
        ] {
            assert_eq!(rejection(path), expected, "{path:?}");
        }
    }

    #[test]
    fn length_limits_are_inclusive() {
        let longest_component = "c".repeat(MAX_COMPONENT_BYTES);
        assert!(VfsPath::parse(&longest_component).is_ok());
        assert_eq!(
            rejection(&format!("{longest_component}c")),
            PathRejection::TooLong
        );

        let most_components = ["d"; MAX_COMPONENTS].join("/");
        assert_eq!(VfsPath::parse(&most_components).unwrap().n_components(), 64);
        assert_eq!(
            rejection(&format!("{most_components}/d")),
            PathRejection::TooManyComponents
        );
        // Dropped `.` components do not count towards the limit.
        assert!(VfsPath::parse(&format!("./././{most_components}")).is_ok());

        let too_long = "e".repeat(MAX_PATH_BYTES + 1);
        assert_eq!(rejection(&too_long), PathRejection::TooLong);
        let exactly = format!("{}/{}", "f".repeat(MAX_COMPONENT_BYTES), "./".repeat(384));
        assert_eq!(exactly.len(), MAX_PATH_BYTES);
        assert_eq!(
            VfsPath::parse(&exactly).unwrap().as_str(),
            "f".repeat(MAX_COMPONENT_BYTES)
        );
    }
}
