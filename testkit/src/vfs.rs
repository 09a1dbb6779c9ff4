//! `check_vfs`: no app id and no path make `DirVfs` return a byte from outside the app's root,
//! over a temporary tree whose symlinks lead out in every way we know.

use std::io;
use std::path::Path;

use fazt_wasm_hostfns::vfs::{DirVfs, Vfs, VfsError, VfsPath, check_app_id};
use tempfile::TempDir;

/// Every file outside the roots holds this text; no read may ever return it.
pub const OUTSIDE_MARKER: &[u8] = b"OUTSIDE-THE-ROOT";

/// The apps of the fixture: `app` has an explicit root, `based` and `escape` are found under
/// the base directory (`escape` is a symlink from there to outside), `missing` has no root.
pub const APPS: &[&str] = &["app", "based", "escape", "missing"];

/// Every name in the fixture tree, for building paths that reach it.
pub const NAMES: &[&str] = &[
    "a.txt",
    "dir",
    "b.txt",
    "sub",
    "c.txt",
    "link_in",
    "link_up",
    "link_sub",
    "link_out",
    "link_out_dir",
    "deep_out",
    "link_abs",
    "link_abs_in",
    "loop_a",
    "loop_b",
    "chain",
    "out_chain",
    "secret.txt",
    "outside",
    "file.txt",
    "out",
    "root",
    "base",
];

/// The regular files inside the roots, with their contents, by app (paths without symlinks).
const INSIDE_FILES: &[(&str, &str, &[u8])] = &[
    ("app", "a.txt", b"inside a"),
    ("app", "dir/b.txt", b"inside b"),
    ("app", "dir/sub/c.txt", b"inside c"),
    ("based", "file.txt", b"inside based"),
];

/// A temporary tree: two roots full of symlinks that stay inside or lead out, files outside
/// them holding [`OUTSIDE_MARKER`], and the `DirVfs` serving the roots.
#[derive(Debug)]
pub struct VfsFixture {
    /// Owns the tree; removed on drop.
    dir: TempDir,
    vfs: DirVfs,
}

impl VfsFixture {
    /// Builds the tree in a new temporary directory.
    ///
    /// # Errors
    ///
    /// When the temporary directory, a file or a symlink cannot be created.
    pub fn new() -> io::Result<Self> {
        let dir = tempfile::tempdir()?;
        let top = dir.path();
        let root = top.join("root");
        let base = top.join("base");
        for directory in ["outside", "root/dir/sub", "base/based"] {
            std::fs::create_dir_all(top.join(directory))?;
        }
        std::fs::write(top.join("secret.txt"), OUTSIDE_MARKER)?;
        std::fs::write(top.join("outside/secret.txt"), OUTSIDE_MARKER)?;
        for (app, path, contents) in INSIDE_FILES {
            let app_root = if *app == "app" {
                root.clone()
            } else {
                base.join(app)
            };
            std::fs::write(app_root.join(path), contents)?;
        }
        let links: &[(&Path, &str)] = &[
            (&root.join("link_in"), "a.txt"),
            (&root.join("dir/link_up"), "../a.txt"),
            (&root.join("dir/link_sub"), "sub"),
            (&root.join("link_out"), "../secret.txt"),
            (&root.join("link_out_dir"), "../outside"),
            (&root.join("dir/deep_out"), "../../outside/secret.txt"),
            (&root.join("loop_a"), "loop_b"),
            (&root.join("loop_b"), "loop_a"),
            (&root.join("chain"), "dir/out_chain"),
            (&root.join("dir/out_chain"), "../link_out"),
            (&base.join("based/out"), "../../secret.txt"),
            (&base.join("escape"), "../outside"),
        ];
        for (link, target) in links {
            symlink(target, link)?;
        }
        symlink(top.join("secret.txt"), &root.join("link_abs"))?;
        symlink(root.join("a.txt"), &root.join("link_abs_in"))?;
        let vfs = DirVfs::new()
            .with_app("app", &root)
            .and_then(|vfs| vfs.with_base_dir(&base))
            .map_err(|error| io::Error::other(error.to_string()))?;
        Ok(Self { dir, vfs })
    }

    /// The VFS under test.
    pub fn vfs(&self) -> &DirVfs {
        &self.vfs
    }

    /// The temporary directory holding the tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: impl AsRef<Path>, _link: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "the VFS fixture needs Unix symlinks",
    ))
}

/// An app id and a path for [`check_vfs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VfsCase {
    /// The app id (usually one of [`APPS`]).
    pub app: String,
    /// The path.
    pub path: String,
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for VfsCase {
    /// Paths are built mostly from the fixture's names, `/`, `.` and `..`, so they reach the
    /// symlinks; raw text sometimes.
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let app = if u.ratio(1, 16)? {
            u.arbitrary()?
        } else {
            String::from(*u.choose(APPS)?)
        };
        let mut path = String::new();
        for _ in 0..u.int_in_range(0..=12)? {
            match u.int_in_range(0..=9u8)? {
                0..=3 => path.push_str(u.choose(NAMES)?),
                4..=6 => path.push('/'),
                7 => path.push('.'),
                8 => path.push_str(".."),
                _ => path.push_str(u.arbitrary::<&str>()?),
            }
        }
        Ok(Self { app, path })
    }
}

/// Reads `case.path` as `case.app` and checks: the app id and path are refused exactly where
/// `check_app_id` and `VfsPath::parse` refuse them; a read that succeeds returns the contents
/// of a file inside that app's root, never [`OUTSIDE_MARKER`]; a symlink-free path to a file
/// inside the root reads that file.
///
/// # Errors
///
/// A description of the broken invariant.
pub fn check_vfs(fixture: &VfsFixture, case: &VfsCase) -> Result<(), String> {
    let result = fixture.vfs.read(&case.app, &case.path, 1 << 16);
    let parsed = check_app_id(&case.app).and_then(|()| VfsPath::parse(&case.path));
    let path = match parsed {
        Ok(path) => path,
        Err(expected) => {
            return match result {
                Err(found) if found == expected => Ok(()),
                other => Err(format!("{case:?}: expected {expected:?}, got {other:?}")),
            };
        }
    };
    let inside = || INSIDE_FILES.iter().filter(|(app, _, _)| *app == case.app);
    match result {
        Ok(bytes) => {
            if bytes
                .windows(OUTSIDE_MARKER.len())
                .any(|w| w == OUTSIDE_MARKER)
            {
                return Err(format!("{case:?} read a file from outside the root"));
            }
            if !inside().any(|(_, _, contents)| *contents == bytes.as_slice()) {
                return Err(format!(
                    "{case:?} returned {bytes:?}, which no file inside the root holds"
                ));
            }
            Ok(())
        }
        Err(error) => match inside().find(|(_, file, _)| *file == path.as_str()) {
            Some(_) => Err(format!(
                "{case:?} names a file inside the root, got {error:?}"
            )),
            None => check_refusal(&error, case),
        },
    }
}

/// A read that failed for a valid app id and path failed for a reason a path can have.
fn check_refusal(error: &VfsError, case: &VfsCase) -> Result<(), String> {
    if error.is_not_found()
        || error.is_denied()
        || error.is_not_a_file()
        || error.is_unknown_app()
        || error.is_invalid_path()
    {
        Ok(())
    } else {
        Err(format!("{case:?} failed unexpectedly: {error:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(fixture: &VfsFixture, app: &str, path: &str) -> Result<Vec<u8>, VfsError> {
        let case = VfsCase {
            app: app.into(),
            path: path.into(),
        };
        assert_eq!(check_vfs(fixture, &case), Ok(()), "{case:?}");
        fixture.vfs().read(app, path, 1 << 16)
    }

    #[test]
    fn symlinks_inside_the_root_are_followed() {
        let fixture = VfsFixture::new().unwrap();
        assert_eq!(check(&fixture, "app", "link_in").unwrap(), b"inside a");
        assert_eq!(check(&fixture, "app", "dir/link_up").unwrap(), b"inside a");
        assert_eq!(
            check(&fixture, "app", "dir/link_sub/c.txt").unwrap(),
            b"inside c"
        );
        assert_eq!(
            check(&fixture, "based", "file.txt").unwrap(),
            b"inside based"
        );
    }

    #[test]
    fn every_way_out_is_refused() {
        let fixture = VfsFixture::new().unwrap();
        for (app, path) in [
            ("app", "link_out"),
            ("app", "link_out_dir/secret.txt"),
            ("app", "dir/deep_out"),
            ("app", "link_abs"),
            ("app", "link_abs_in"),
            ("app", "chain"),
            ("app", "loop_a"),
            ("app", "../secret.txt"),
            ("app", "/etc/passwd"),
            ("based", "out"),
            ("escape", "secret.txt"),
            ("..", "secret.txt"),
            ("missing", "a.txt"),
        ] {
            assert!(check(&fixture, app, path).is_err(), "{app} {path}");
        }
    }

    #[test]
    fn a_lying_backend_would_be_caught() {
        let fixture = VfsFixture::new().unwrap();
        let case = VfsCase {
            app: "app".into(),
            path: "a.txt".into(),
        };
        assert_eq!(check_vfs(&fixture, &case), Ok(()));
        // The same path as another app must not read app's file: `based` has no a.txt.
        let other = VfsCase {
            app: "based".into(),
            path: "a.txt".into(),
        };
        assert_eq!(check_vfs(&fixture, &other), Ok(()));
        assert!(
            fixture
                .vfs()
                .read("based", "a.txt", 64)
                .unwrap_err()
                .is_not_found()
        );
    }
}
