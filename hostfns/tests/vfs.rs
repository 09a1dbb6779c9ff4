//! VFS integration tests: hostile paths, symlinks, size limits and app isolation, run against both `MemVfs` and `DirVfs`.
#![cfg(feature = "std")]
// Building the fixture tree is the one thing here that must touch the host filesystem directly.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use fazt_wasm_hostfns::vfs::{
    DirVfs, MAX_COMPONENT_BYTES, MemVfs, PathRejection, Vfs, VfsError, VfsPath,
};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence, TestRunner};

/// Generous enough for every fixture file; the size tests pass their own limits.
const MAX_BYTES: u64 = 1 << 20;

/// The regular files inside app `alpha`'s root, mirrored into the `MemVfs`.
const ALPHA_FILES: &[(&str, &[u8])] = &[
    ("hello.txt", b"hello from alpha"),
    ("docs/readme.md", b"alpha readme"),
    ("docs/deep/x.txt", b"deep x"),
    ("empty.txt", b""),
    ("sixteen.bin", b"0123456789abcdef"),
    ("....", b"four dots"),
    ("%2e%2e/secret", b"percent dir"),
];

/// The regular files inside app `beta`'s root.
const BETA_FILES: &[(&str, &[u8])] = &[("beta.txt", b"beta only")];

/// A temporary tree holding two app roots, secrets outside them, and symlinks between the two.
///
/// ```text
/// tmp/outside.txt, tmp/apps/outside.txt, tmp/apps/outside_dir/secret   (all hold `secret`)
/// tmp/apps/alpha/...   ALPHA_FILES + symlinks (unix)
/// tmp/apps/beta/...    BETA_FILES
/// ```
struct Fixture {
    /// Keeps the tree alive; removed on drop.
    temp: tempfile::TempDir,
    /// Canonical path of alpha's root.
    alpha_root: PathBuf,
    /// A string unique to this run that only files outside the roots contain.
    secret: String,
    /// Alpha and beta served from explicit roots.
    dir: DirVfs,
    /// Alpha and beta served from the base directory `tmp/apps`.
    based: DirVfs,
    /// The same regular files as `dir`, in memory.
    mem: MemVfs,
}

impl Fixture {
    fn new() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let secret = format!("FAZT-SECRET-{}-{nanos}", std::process::id());
        let top = temp.path();
        let apps = top.join("apps");
        let alpha = apps.join("alpha");
        let beta = apps.join("beta");
        fs::create_dir_all(apps.join("outside_dir")).unwrap();
        fs::write(top.join("outside.txt"), &secret).unwrap();
        fs::write(apps.join("outside.txt"), &secret).unwrap();
        fs::write(apps.join("outside_dir/secret"), &secret).unwrap();
        let mut mem = MemVfs::new();
        for (app, root, files) in [("alpha", &alpha, ALPHA_FILES), ("beta", &beta, BETA_FILES)] {
            for (path, bytes) in files {
                let file = root.join(path);
                fs::create_dir_all(file.parent().unwrap()).unwrap();
                fs::write(&file, bytes).unwrap();
                mem.insert(app, path, *bytes).unwrap();
            }
        }
        #[cfg(unix)]
        make_symlinks(top, &alpha);

        let dir = DirVfs::new()
            .with_app("alpha", &alpha)
            .unwrap()
            .with_app("beta", &beta)
            .unwrap();
        let based = DirVfs::new().with_base_dir(&apps).unwrap();
        Self {
            alpha_root: fs::canonicalize(&alpha).unwrap(),
            temp,
            secret,
            dir,
            based,
            mem,
        }
    }

    /// Reads `path` as app `alpha` from all three backends, asserting that none of them returns
    /// the secret, and that both directory backends agree.
    fn read_alpha(&self, path: &str) -> (Result<Vec<u8>, VfsError>, Result<Vec<u8>, VfsError>) {
        let mem = self.mem.read("alpha", path, MAX_BYTES);
        let dir = self.dir.read("alpha", path, MAX_BYTES);
        let based = self.based.read("alpha", path, MAX_BYTES);
        for result in [&mem, &dir, &based] {
            self.assert_no_leak(path, result);
        }
        assert_eq!(
            dir, based,
            "explicit root and base dir disagree on {path:?}"
        );
        (mem, dir)
    }

    /// Asserts that `result` holds neither the secret nor, in its message, a host path.
    fn assert_no_leak(&self, path: &str, result: &Result<Vec<u8>, VfsError>) {
        match result {
            Ok(bytes) => assert!(
                !String::from_utf8_lossy(bytes).contains(&self.secret),
                "{path:?} read the secret outside the root"
            ),
            Err(error) => {
                let message = error.to_string();
                let temp = self.temp.path().to_string_lossy();
                assert!(!message.contains(temp.as_ref()), "{path:?}: {message}");
                assert!(!message.contains(&self.secret), "{path:?}: {message}");
            }
        }
    }
}

/// Symlinks inside alpha's root: relative, absolute, chains and loops.
#[cfg(unix)]
fn make_symlinks(top: &std::path::Path, alpha: &std::path::Path) {
    use std::os::unix::fs::symlink;
    let links: &[(&str, PathBuf)] = &[
        // Inside the root: followed.
        ("link_in", "docs/readme.md".into()),
        ("docs/link_up", "../hello.txt".into()),
        ("link_docs", "docs".into()),
        ("chain_in1", "chain_in2".into()),
        ("chain_in2", "hello.txt".into()),
        ("dangling", "no-such-file".into()),
        // Leading outside: refused.
        ("link_out", "../outside_dir".into()),
        ("link_dotdot", "../outside.txt".into()),
        ("secret", "../../outside.txt".into()),
        ("link_abs", top.join("outside.txt")),
        ("link_abs_inside", alpha.join("hello.txt")),
        ("link_root", "/".into()),
        ("link_dev_null", "/dev/null".into()),
        ("link_beta", "../beta/beta.txt".into()),
        ("docs/link_escape", "../../outside.txt".into()),
        ("chain1", "chain2".into()),
        ("chain2", "docs/chain3".into()),
        ("docs/chain3", "../../outside.txt".into()),
        ("loop_a", "loop_b".into()),
        ("loop_b", "loop_a".into()),
        ("loop_self", "loop_self".into()),
    ];
    for (link, target) in links {
        symlink(target, alpha.join(link)).unwrap();
    }
}

/// Makes a FIFO at `path`.
#[cfg(unix)]
fn make_fifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo failed");
}

/// What one backend should answer for a path.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Bytes(&'static [u8]),
    Refused(PathRejection),
    Denied,
    NotFound,
    NotAFile,
}

impl Expect {
    fn check(self, backend: &str, path: &str, result: &Result<Vec<u8>, VfsError>) {
        let matched = match (self, result) {
            (Self::Bytes(expected), Ok(bytes)) => bytes == expected,
            (Self::Refused(reason), Err(error)) => {
                error.path_rejection() == Some(reason) && error.code() == -2
            }
            (Self::Denied, Err(error)) => error.is_denied() && error.code() == -2,
            (Self::NotFound, Err(error)) => error.is_not_found() && error.code() == -1,
            (Self::NotAFile, Err(error)) => error.is_not_a_file() && error.code() == -6,
            (_, _) => false,
        };
        assert!(
            matched,
            "{backend} {path:?}: expected {self:?}, got {result:?}"
        );
    }
}

/// One row of the hostile table: the path, then what `MemVfs` and `DirVfs` should answer.
struct Case {
    path: String,
    mem: Expect,
    dir: Expect,
}

fn both(path: impl Into<String>, expect: Expect) -> Case {
    Case {
        path: path.into(),
        mem: expect,
        dir: expect,
    }
}

fn hostile_cases() -> Vec<Case> {
    use Expect::{Bytes, Denied, NotAFile, NotFound, Refused};
    use PathRejection::{
        Absolute, Backslash, Colon, ControlChar, Empty, Nul, ParentDir, TooLong, TooManyComponents,
    };
    let mut cases = vec![
        both("../secret", Refused(ParentDir)),
        both("../outside.txt", Refused(ParentDir)),
        both("../../outside.txt", Refused(ParentDir)),
        both("a/../../secret", Refused(ParentDir)),
        both("a/b/../../../secret", Refused(ParentDir)),
        both("a/./../..", Refused(ParentDir)),
        both("./../outside.txt", Refused(ParentDir)),
        both("docs/../../outside.txt", Refused(ParentDir)),
        both("docs/..", Refused(ParentDir)),
        both("..", Refused(ParentDir)),
        both("../beta/beta.txt", Refused(ParentDir)),
        both("/etc/passwd", Refused(Absolute)),
        both("//etc/passwd", Refused(Absolute)),
        both("/", Refused(Absolute)),
        both("C:/Windows/win.ini", Refused(Absolute)),
        both("c:", Refused(Absolute)),
        both(".", Refused(Empty)),
        both("", Refused(Empty)),
        both(".//./", Refused(Empty)),
        both("a\\..\\..\\secret", Refused(Backslash)),
        both("..\\outside.txt", Refused(Backslash)),
        both("C:\\Windows", Refused(Backslash)),
        both("\\\\server\\share", Refused(Backslash)),
        both("a\0b", Refused(Nul)),
        both("hello.txt\0.png", Refused(Nul)),
        both("hello.txt\n", Refused(ControlChar)),
        both("\u{1b}[2J", Refused(ControlChar)),
        both("hello.txt:$DATA", Refused(Colon)),
        both("a/".repeat(600), Refused(TooLong)),
        both("n".repeat(MAX_COMPONENT_BYTES + 1), Refused(TooLong)),
        both(format!("{}x", "a/".repeat(64)), Refused(TooManyComponents)),
        // Weird but legal names: looked up literally, never decoded or folded.
        both("%2e%2e/outside.txt", NotFound),
        both("%2e%2e%2foutside.txt", NotFound),
        both("%2e%2e/secret", Bytes(b"percent dir")),
        both("....//secret", NotFound),
        both("....", Bytes(b"four dots")),
        both("~/.ssh/id_rsa", NotFound),
        both("\u{2025}/outside.txt", NotFound),
        both("\u{ff0e}\u{ff0e}/outside.txt", NotFound),
        both("..\u{2215}outside.txt", NotFound),
        both("hello\u{200b}.txt", NotFound),
        both("HELLO.TXT", NotFound),
        both("hello.txt/x", NotFound),
        both("outside.txt", NotFound),
        both("beta.txt", NotFound),
        // Directories are not files.
        both("docs", NotAFile),
        both("docs/", NotAFile),
        both("docs/deep", NotAFile),
        // Normalisation reaches the real file.
        both("./docs//deep/./x.txt", Bytes(b"deep x")),
    ];
    #[cfg(unix)]
    cases.extend([
        // Symlinks exist only on disk: MemVfs has no such names.
        Case {
            path: "link_in".into(),
            mem: NotFound,
            dir: Bytes(b"alpha readme"),
        },
        Case {
            path: "docs/link_up".into(),
            mem: NotFound,
            dir: Bytes(b"hello from alpha"),
        },
        Case {
            path: "link_docs/deep/x.txt".into(),
            mem: NotFound,
            dir: Bytes(b"deep x"),
        },
        Case {
            path: "chain_in1".into(),
            mem: NotFound,
            dir: Bytes(b"hello from alpha"),
        },
        Case {
            path: "link_docs".into(),
            mem: NotFound,
            dir: NotAFile,
        },
        both("dangling", NotFound),
        both("link_docs/../hello.txt", Refused(ParentDir)),
        both("link_out/../hello.txt", Refused(ParentDir)),
        Case {
            path: "link_out/secret".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "link_out".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "link_dotdot".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "secret".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "link_abs".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            // Absolute symlinks are refused even when they point back inside the root.
            path: "link_abs_inside".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "link_root/etc/passwd".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "link_dev_null".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "link_beta".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "docs/link_escape".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "chain1".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "loop_a".into(),
            mem: NotFound,
            dir: Denied,
        },
        Case {
            path: "loop_self".into(),
            mem: NotFound,
            dir: Denied,
        },
    ]);
    cases
}

#[test]
fn hostile_paths_get_the_expected_error_class_from_both_backends_and_never_the_secret() {
    let fixture = Fixture::new();
    let cases = hostile_cases();
    assert!(cases.len() >= 30);
    for case in &cases {
        let (mem, dir) = fixture.read_alpha(&case.path);
        case.mem.check("MemVfs", &case.path, &mem);
        case.dir.check("DirVfs", &case.path, &dir);
    }
}

#[test]
fn lexically_refused_paths_are_refused_identically_by_every_backend() {
    let fixture = Fixture::new();
    for case in hostile_cases() {
        let (mem, dir) = fixture.read_alpha(&case.path);
        if let Err(parse_error) = VfsPath::parse(&case.path) {
            assert_eq!(mem, Err(parse_error.clone()), "{:?}", case.path);
            assert_eq!(dir, Err(parse_error), "{:?}", case.path);
        }
    }
}

// The FIFO lives outside the shared fixture: if a read of it ever blocked, only this test, which
// reads it on a thread under a timeout, should notice, instead of every test hanging.
#[cfg(unix)]
#[test]
fn opening_a_fifo_returns_not_a_file_without_waiting_for_a_writer() {
    let fixture = Fixture::new();
    let fifo = fixture.alpha_root.join("fifo");
    make_fifo(&fifo);
    assert_eq!(
        fixture.mem.read("alpha", "fifo", MAX_BYTES),
        Err(VfsError::NotFound)
    );
    let alpha_root = fixture.alpha_root.clone();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let vfs = DirVfs::new().with_app("alpha", &alpha_root).unwrap();
        sender.send(vfs.read("alpha", "fifo", MAX_BYTES)).unwrap();
    });
    let result = receiver.recv_timeout(std::time::Duration::from_secs(30));
    if result.is_err() {
        // Opening the write end releases the blocked reader, so the test binary can exit.
        drop(fs::OpenOptions::new().write(true).open(&fifo));
    }
    let error = result.expect("reading a FIFO blocked").unwrap_err();
    assert!(error.is_not_a_file(), "{error:?}");
    assert_eq!(error.code(), -6);
}

#[test]
fn both_backends_agree_on_legal_paths() {
    let fixture = Fixture::new();
    let legal = [
        "hello.txt",
        "./hello.txt",
        "hello.txt/",
        "docs//readme.md",
        "docs/deep/x.txt",
        "docs/./deep/./x.txt/",
        "empty.txt",
        "sixteen.bin",
        "missing.txt",
        "docs/missing",
        "missing/dir/file",
        "docs",
        "docs/deep",
        "hello.txt/x",
        "docs/readme.md/deeper",
        "....",
        "%2e%2e/secret",
    ];
    for path in legal {
        let (mem, dir) = fixture.read_alpha(path);
        assert_eq!(mem, dir, "{path:?}");
    }
    assert_eq!(
        fixture.read_alpha("hello.txt").1.unwrap(),
        b"hello from alpha"
    );
}

#[test]
fn size_limit_allows_exactly_max_bytes_and_refuses_one_more_in_both_backends() {
    let fixture = Fixture::new();
    let backends: [&dyn Vfs; 3] = [&fixture.mem, &fixture.dir, &fixture.based];
    for vfs in backends {
        assert_eq!(
            vfs.read("alpha", "sixteen.bin", 16).unwrap(),
            b"0123456789abcdef"
        );
        assert_eq!(
            vfs.read("alpha", "sixteen.bin", 15),
            Err(VfsError::TooLarge { max_bytes: 15 })
        );
        assert_eq!(vfs.read("alpha", "sixteen.bin", 0).unwrap_err().code(), -3);
        assert_eq!(vfs.read("alpha", "empty.txt", 0).unwrap(), b"");
        assert_eq!(
            vfs.read("alpha", "sixteen.bin", u64::MAX).unwrap().len(),
            16
        );
    }
}

#[test]
fn a_large_file_is_read_whole_at_its_exact_size_and_refused_one_byte_below() {
    let temp = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..=255u8).cycle().take(3 * 65536 + 7).collect();
    fs::write(temp.path().join("big"), &bytes).unwrap();
    let vfs = DirVfs::new().with_app("app", temp.path()).unwrap();
    let len = bytes.len() as u64;
    assert_eq!(vfs.read("app", "big", len).unwrap(), bytes);
    assert!(vfs.read("app", "big", len - 1).unwrap_err().is_too_large());
}

#[test]
fn apps_cannot_read_each_others_files() {
    let fixture = Fixture::new();
    let backends: [&dyn Vfs; 3] = [&fixture.mem, &fixture.dir, &fixture.based];
    for vfs in backends {
        assert_eq!(
            vfs.read("beta", "beta.txt", MAX_BYTES).unwrap(),
            b"beta only"
        );
        assert!(
            vfs.read("alpha", "beta.txt", MAX_BYTES)
                .unwrap_err()
                .is_not_found()
        );
        assert!(
            vfs.read("alpha", "../beta/beta.txt", MAX_BYTES)
                .unwrap_err()
                .is_invalid_path()
        );
        assert!(
            vfs.read("beta", "hello.txt", MAX_BYTES)
                .unwrap_err()
                .is_not_found()
        );
        assert!(
            vfs.read("beta", "../alpha/hello.txt", MAX_BYTES)
                .unwrap_err()
                .is_invalid_path()
        );
        assert_eq!(
            vfs.read("alpha/../beta", "beta.txt", MAX_BYTES),
            Err(VfsError::InvalidAppId)
        );
    }
}

#[test]
fn unknown_and_malformed_app_ids_are_reported_as_no_such_app() {
    let fixture = Fixture::new();
    let backends: [&dyn Vfs; 3] = [&fixture.mem, &fixture.dir, &fixture.based];
    for vfs in backends {
        assert_eq!(
            vfs.read("gamma", "hello.txt", MAX_BYTES),
            Err(VfsError::UnknownApp)
        );
        for app in [
            "", ".", "..", "../alpha", "alpha/", "/alpha", "al\0pha", "alpha\\x",
        ] {
            let error = vfs.read(app, "hello.txt", MAX_BYTES).unwrap_err();
            assert_eq!(error, VfsError::InvalidAppId, "{app:?}");
            assert_eq!(error.code(), -4);
        }
    }
    // In base-dir mode, names that exist under the base but are not directories are not apps.
    assert_eq!(
        fixture.based.read("outside.txt", "x", MAX_BYTES),
        Err(VfsError::UnknownApp)
    );
    assert_eq!(
        DirVfs::new().read("alpha", "hello.txt", MAX_BYTES),
        Err(VfsError::UnknownApp)
    );
}

#[test]
fn registering_a_root_checks_the_app_id_and_that_the_root_is_a_directory() {
    let fixture = Fixture::new();
    let apps = fixture.temp.path().join("apps");
    assert_eq!(
        DirVfs::new()
            .with_app("../alpha", apps.join("alpha"))
            .unwrap_err(),
        VfsError::InvalidAppId
    );
    let missing = DirVfs::new()
        .with_app("gamma", apps.join("gamma"))
        .unwrap_err();
    assert!(missing.is_unknown_app(), "{missing:?}");
    assert!(!missing.to_string().contains("gamma"), "{missing}");
    let file = DirVfs::new()
        .with_app("gamma", apps.join("outside.txt"))
        .unwrap_err();
    assert!(file.is_unknown_app(), "{file:?}");
    assert!(
        DirVfs::new()
            .with_base_dir(apps.join("none"))
            .unwrap_err()
            .is_unknown_app()
    );
}

#[cfg(unix)]
#[test]
fn an_app_directory_symlinked_outside_the_base_is_not_served() {
    let fixture = Fixture::new();
    let top = fixture.temp.path();
    std::os::unix::fs::symlink(top, top.join("apps/escape")).unwrap();
    let error = fixture
        .based
        .read("escape", "outside.txt", MAX_BYTES)
        .unwrap_err();
    assert!(error.is_unknown_app(), "{error:?}");
}

/// Small by default; `PROPTEST_CASES` raises it. Failures are saved to
/// `hostfns/proptest-regressions/vfs.txt` (cargo runs tests from the package directory).
fn proptest_config() -> ProptestConfig {
    let cases = match std::env::var_os("PROPTEST_CASES") {
        Some(_) => ProptestConfig::default().cases,
        None => 64,
    };
    ProptestConfig {
        cases,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/vfs.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// Paths built from pieces that name the fixture's files, links and traps.
fn hostile_path() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "a",
        "b",
        "..",
        ".",
        "/",
        "/",
        "/",
        "\\",
        "\0",
        ":",
        "C:",
        "~",
        "%2e",
        "\u{2025}",
        "link_out",
        "link_in",
        "link_dotdot",
        "link_abs",
        "link_docs",
        "link_beta",
        "chain1",
        "loop_a",
        "secret",
        "outside.txt",
        "outside_dir",
        "hello.txt",
        "docs",
        "deep",
        "x.txt",
        "readme.md",
        "beta",
        "beta.txt",
        "alpha",
        "....",
    ];
    let piece = proptest::sample::select(PIECES);
    prop_oneof![
        proptest::collection::vec(piece.clone(), 0..12).prop_map(|pieces| pieces.concat()),
        proptest::collection::vec(piece, 1..8).prop_map(|pieces| pieces.join("/")),
    ]
}

#[test]
fn no_generated_path_reads_anything_outside_the_root() {
    let fixture = Fixture::new();
    let mut runner = TestRunner::new(proptest_config());
    runner
        .run(&hostile_path(), |path| {
            let (mem, dir) = fixture.read_alpha(&path);
            match VfsPath::parse(&path) {
                Err(parse_error) => {
                    prop_assert_eq!(&mem, &Err(parse_error.clone()));
                    prop_assert_eq!(&dir, &Err(parse_error));
                }
                Ok(normalized) => {
                    if let Ok(bytes) = &dir {
                        // Whatever was read is a file whose real location is inside the root.
                        let real =
                            fs::canonicalize(fixture.alpha_root.join(normalized.as_str())).unwrap();
                        prop_assert!(real.starts_with(&fixture.alpha_root), "{:?}", real);
                        prop_assert_eq!(&fs::read(&real).unwrap(), bytes);
                    }
                    // MemVfs mirrors the regular files, so whatever it reads DirVfs reads too.
                    if mem.is_ok() {
                        prop_assert_eq!(&mem, &dir);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}
