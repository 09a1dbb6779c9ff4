//! `VfsError`, what the VFS refuses or fails with, and the guest-visible code of each variant.

/// What the VFS refuses or fails with.
///
/// Each variant has a stable, negative, guest-visible code (see [`VfsError::code`]); whoever
/// wires the `read_file` bridge passes that code to the guest. Codes are shared on purpose where
/// telling two causes apart would only tell the guest something about the host:
///
/// | code | variants | meaning |
/// | ---: | --- | --- |
/// | -1 | `NotFound` | no file at that path |
/// | -2 | `InvalidPath`, `Denied` | the path is malformed, or leads where the app may not go |
/// | -3 | `TooLarge` | the file is larger than the caller's `max_bytes` |
/// | -4 | `UnknownApp`, `InvalidAppId`, `RootUnavailable` | there is no root for that app |
/// | -5 | `Io` | the host filesystem failed |
/// | -6 | `NotAFile` | the path names a directory, FIFO, device or socket |
///
/// Messages never contain a host path: at most the error's `std::io::ErrorKind`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VfsError {
    /// No file exists at that path inside the app's root (also when a component of the path is
    /// a file rather than a directory).
    #[error("file not found")]
    NotFound,
    /// The path was refused before touching any storage (see [`PathRejection`]).
    #[error("invalid path: {reason}")]
    InvalidPath {
        /// Which rule the path broke.
        reason: PathRejection,
    },
    /// The host refused to resolve the path: a symlink leads outside the app's root, symlinks
    /// loop, or the host's own permissions forbid reading the file.
    #[error("access denied")]
    Denied,
    /// The file holds more than the caller allowed.
    #[error("file is larger than the limit of {max_bytes} bytes")]
    TooLarge {
        /// The limit the caller passed to [`Vfs::read`](super::Vfs::read).
        max_bytes: u64,
    },
    /// No root is registered for this app.
    #[error("no such app")]
    UnknownApp,
    /// The app id is not a single safe name (see [`check_app_id`](super::check_app_id)).
    #[error("invalid app id")]
    InvalidAppId,
    /// The path names something other than a regular file: a directory, FIFO, device or socket.
    #[error("not a regular file")]
    NotAFile,
    /// An app's root directory could not be opened.
    #[cfg(feature = "std")]
    #[error("app root unavailable: {kind:?}")]
    RootUnavailable {
        /// What kind of error opening the root gave.
        kind: std::io::ErrorKind,
    },
    /// The host filesystem failed in a way not listed above.
    #[cfg(feature = "std")]
    #[error("i/o error: {kind:?}")]
    Io {
        /// What kind of I/O error the host reported.
        kind: std::io::ErrorKind,
    },
}

impl VfsError {
    /// The stable, negative, guest-visible code for this error (see the table on [`VfsError`]).
    pub fn code(&self) -> i32 {
        match self {
            Self::NotFound => -1,
            Self::InvalidPath { .. } | Self::Denied => -2,
            Self::TooLarge { .. } => -3,
            Self::UnknownApp | Self::InvalidAppId => -4,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } => -4,
            #[cfg(feature = "std")]
            Self::Io { .. } => -5,
            Self::NotAFile => -6,
        }
    }

    /// A short snake_case name for the variant, for logs and metric labels.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::InvalidPath { .. } => "invalid_path",
            Self::Denied => "denied",
            Self::TooLarge { .. } => "too_large",
            Self::UnknownApp => "unknown_app",
            Self::InvalidAppId => "invalid_app_id",
            Self::NotAFile => "not_a_file",
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } => "root_unavailable",
            #[cfg(feature = "std")]
            Self::Io { .. } => "io",
        }
    }

    /// No file exists at the path (code -1).
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::NotFound => true,
            Self::InvalidPath { .. }
            | Self::Denied
            | Self::TooLarge { .. }
            | Self::UnknownApp
            | Self::InvalidAppId
            | Self::NotAFile => false,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } | Self::Io { .. } => false,
        }
    }

    /// The path was refused: malformed, or leading outside the root, or denied by the host
    /// (code -2). True for both `InvalidPath` and `Denied`.
    pub fn is_refused_path(&self) -> bool {
        match self {
            Self::InvalidPath { .. } | Self::Denied => true,
            Self::NotFound
            | Self::TooLarge { .. }
            | Self::UnknownApp
            | Self::InvalidAppId
            | Self::NotAFile => false,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } | Self::Io { .. } => false,
        }
    }

    /// The path was refused by its text alone, before any storage was touched.
    pub fn is_invalid_path(&self) -> bool {
        self.path_rejection().is_some()
    }

    /// Which lexical rule the path broke, for `InvalidPath`.
    pub fn path_rejection(&self) -> Option<PathRejection> {
        match self {
            Self::InvalidPath { reason } => Some(*reason),
            Self::NotFound
            | Self::Denied
            | Self::TooLarge { .. }
            | Self::UnknownApp
            | Self::InvalidAppId
            | Self::NotAFile => None,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } | Self::Io { .. } => None,
        }
    }

    /// The host refused to resolve the path, typically a symlink leading outside the root.
    pub fn is_denied(&self) -> bool {
        match self {
            Self::Denied => true,
            Self::NotFound
            | Self::InvalidPath { .. }
            | Self::TooLarge { .. }
            | Self::UnknownApp
            | Self::InvalidAppId
            | Self::NotAFile => false,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } | Self::Io { .. } => false,
        }
    }

    /// The file is larger than the caller's limit (code -3).
    pub fn is_too_large(&self) -> bool {
        match self {
            Self::TooLarge { .. } => true,
            Self::NotFound
            | Self::InvalidPath { .. }
            | Self::Denied
            | Self::UnknownApp
            | Self::InvalidAppId
            | Self::NotAFile => false,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } | Self::Io { .. } => false,
        }
    }

    /// There is no root for the app: unknown, malformed id, or root unavailable (code -4).
    pub fn is_unknown_app(&self) -> bool {
        match self {
            Self::UnknownApp | Self::InvalidAppId => true,
            Self::NotFound
            | Self::InvalidPath { .. }
            | Self::Denied
            | Self::TooLarge { .. }
            | Self::NotAFile => false,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } => true,
            #[cfg(feature = "std")]
            Self::Io { .. } => false,
        }
    }

    /// The path names a directory, FIFO, device or socket rather than a regular file (code -6).
    pub fn is_not_a_file(&self) -> bool {
        match self {
            Self::NotAFile => true,
            Self::NotFound
            | Self::InvalidPath { .. }
            | Self::Denied
            | Self::TooLarge { .. }
            | Self::UnknownApp
            | Self::InvalidAppId => false,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } | Self::Io { .. } => false,
        }
    }

    /// The host filesystem failed (code -5).
    pub fn is_io(&self) -> bool {
        match self {
            Self::NotFound
            | Self::InvalidPath { .. }
            | Self::Denied
            | Self::TooLarge { .. }
            | Self::UnknownApp
            | Self::InvalidAppId
            | Self::NotAFile => false,
            #[cfg(feature = "std")]
            Self::RootUnavailable { .. } => false,
            #[cfg(feature = "std")]
            Self::Io { .. } => true,
        }
    }
}

/// Which rule a path broke when [`VfsPath::parse`](super::VfsPath::parse) refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PathRejection {
    /// The path is empty, or names the root itself (`"."`, `"./"`).
    Empty,
    /// The path is longer than [`MAX_PATH_BYTES`](super::MAX_PATH_BYTES).
    TooLong,
    /// The path has more than [`MAX_COMPONENTS`](super::MAX_COMPONENTS) components.
    TooManyComponents,
    /// The path is absolute: it starts with `/` or a drive prefix such as `C:`.
    Absolute,
    /// A component is `..`.
    ParentDir,
    /// The path contains a NUL byte.
    Nul,
    /// The path contains a control character other than NUL.
    ControlChar,
    /// The path contains `\`, which is refused rather than read as a separator.
    Backslash,
    /// The path contains `:` (a drive prefix or a Windows alternate data stream).
    Colon,
}

impl PathRejection {
    /// A short snake_case name for the rule, for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong => "too_long",
            Self::TooManyComponents => "too_many_components",
            Self::Absolute => "absolute",
            Self::ParentDir => "parent_dir",
            Self::Nul => "nul",
            Self::ControlChar => "control_char",
            Self::Backslash => "backslash",
            Self::Colon => "colon",
        }
    }
}

impl core::fmt::Display for PathRejection {
    fn fmt(&self, formatter: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        formatter.write_str(self.as_str())
    }
}
