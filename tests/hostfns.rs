//! Host functions: `fazt.log` and `fazt.read_file` called from WAT guests, their statuses, budgets, events and failures.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fazt_wasm_abi as abi;
use fazt_wasm_hostfns::vfs::{DirVfs, MemVfs, Vfs, VfsError};
use fazt_wasm_hostfns::{Log, LogConfig, ReadFile, ReadFileConfig};
use fazt_wasm_runtime::{
    CallOptions, Error, ImportRefusal, Instance, Module, ModuleConfig, Runtime, RuntimeConfig,
    wasmi,
};

/// A guest with a bump allocator that passes its parameters straight to the host functions,
/// plus loops that flood them and a `cat` export that runs the two-step `read_file` protocol.
///
/// Data: "flood line" (10 bytes) at 0, "hello.txt" (9 bytes) at 16; 64-byte scratch buffer at
/// 512; the bump allocator starts at 1024.
const GUEST: &str = r#"(module
  (import "fazt" "log" (func $log (param i32 i32 i32) (result i32)))
  (import "fazt" "read_file" (func $read_file (param i32 i32 i32 i32) (result i64)))
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 1024))
  (data (i32.const 0) "flood line")
  (data (i32.const 16) "hello.txt")

  (func $alloc (export "fazt_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local $end i32)
    (local.set $p (global.get $bump))
    (local.set $end (i32.add (local.get $p) (local.get $len)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq
              (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $bump (local.get $end))
    (local.get $p))
  (func (export "fazt_dealloc") (param i32 i32))

  (func (export "log") (param i32 i32 i32) (result i32)
    (call $log (local.get 0) (local.get 1) (local.get 2)))
  (func (export "read") (param i32 i32 i32 i32) (result i64)
    (call $read_file (local.get 0) (local.get 1) (local.get 2) (local.get 3)))

  ;; Logs "flood line" at info $n times; returns how many were accepted.
  (func (export "log_flood") (param $n i32) (result i32)
    (local $ok i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (if (i32.eqz (call $log (i32.const 2) (i32.const 0) (i32.const 10)))
          (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $ok))

  ;; Reads "hello.txt" into the scratch buffer $n times; returns how many reads were not
  ;; refused for the budget.
  (func (export "read_flood") (param $n i32) (result i32)
    (local $served i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (if (i64.ne
              (call $read_file (i32.const 16) (i32.const 9) (i32.const 512) (i32.const 64))
              (i64.const -7))
          (then (local.set $served (i32.add (local.get $served) (i32.const 1)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $served))

  ;; The two-step protocol: ask with an empty buffer, allocate the size, ask again.
  ;; Returns the packed (ptr, len) of the file, a negative status, or -100 when the second
  ;; answer differs from the first.
  (func (export "cat") (param $path i32) (param $path_len i32) (result i64)
    (local $size i64)
    (local $buf i32)
    (local.set $size (call $read_file (local.get $path) (local.get $path_len) (i32.const 0) (i32.const 0)))
    (if (i64.lt_s (local.get $size) (i64.const 0)) (then (return (local.get $size))))
    (local.set $buf (call $alloc (i32.wrap_i64 (local.get $size))))
    (if (i64.ne
          (call $read_file (local.get $path) (local.get $path_len) (local.get $buf) (i32.wrap_i64 (local.get $size)))
          (local.get $size))
      (then (return (i64.const -100))))
    (i64.or (i64.shl (local.get $size) (i64.const 32)) (i64.extend_i32_u (local.get $buf))))
)"#;

/// The app every test calls as.
const APP: &str = "app-1";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One event a bridge emitted: its target, level and fields (the message under `message`).
#[derive(Debug, Clone)]
struct Captured {
    target: String,
    level: tracing::Level,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// A `tracing` subscriber that records every event; spans are accepted and ignored.
#[derive(Clone, Default)]
struct Capture {
    events: Arc<Mutex<Vec<Captured>>>,
    next_span: Arc<AtomicU64>,
}

struct FieldVisitor<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl tracing::Subscriber for Capture {
    fn register_callsite(
        &self,
        _metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::always()
    }
    fn enabled(&self, _metadata: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _attributes: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _span: &tracing::span::Id, _values: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _span: &tracing::span::Id, _follows: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = BTreeMap::new();
        event.record(&mut FieldVisitor(&mut fields));
        self.events.lock().unwrap().push(Captured {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields,
        });
    }
    fn enter(&self, _span: &tracing::span::Id) {}
    fn exit(&self, _span: &tracing::span::Id) {}
}

/// Runs `body` with a capturing subscriber on this thread; returns its result and the events.
fn capture<R>(body: impl FnOnce() -> R) -> (R, Vec<Captured>) {
    let subscriber = Capture::default();
    let events = subscriber.events.clone();
    let result = tracing::subscriber::with_default(subscriber, body);
    let events = events.lock().unwrap().clone();
    (result, events)
}

fn with_target<'a>(events: &'a [Captured], target: &str) -> Vec<&'a Captured> {
    events
        .iter()
        .filter(|event| event.target == target)
        .collect()
}

/// A VFS that counts reads and panics on the path `boom`.
#[derive(Debug)]
struct TestVfs {
    inner: Box<dyn Vfs>,
    reads: AtomicUsize,
}

impl TestVfs {
    fn new(inner: impl Vfs) -> Arc<Self> {
        Arc::new(Self {
            inner: Box::new(inner),
            reads: AtomicUsize::new(0),
        })
    }
    fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }
}

impl Vfs for TestVfs {
    fn read(&self, app: &str, path: &str, max_bytes: u64) -> Result<Vec<u8>, VfsError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        assert_ne!(path, "boom", "test VFS asked for boom");
        self.inner.read(app, path, max_bytes)
    }
}

/// `app-1` with `hello.txt` = "Hello, world" and the given extra files.
fn mem_vfs(files: &[(&str, &[u8])]) -> MemVfs {
    let mut vfs = MemVfs::new()
        .with_file(APP, "hello.txt", b"Hello, world".to_vec())
        .unwrap();
    for (path, bytes) in files {
        vfs.insert(APP, path, bytes.to_vec()).unwrap();
    }
    vfs
}

/// A runtime with `log` (and `read_file` over `vfs`, when given) under the given limits.
fn runtime_with(log: LogConfig, vfs: Option<Arc<dyn Vfs>>, read: ReadFileConfig) -> Runtime {
    let mut config = RuntimeConfig::default().bridge(Log::new(log));
    if let Some(vfs) = vfs {
        config = config.bridge(ReadFile::new(vfs).with_config(read));
    }
    Runtime::new(config).expect("runtime with hostfns")
}

/// [`GUEST`] loaded (with `read_file` granted) into `runtime` under the name `guest`.
fn guest_in(runtime: &Runtime, config: ModuleConfig) -> Module {
    let wasm = wat::parse_str(GUEST).expect("guest WAT parses");
    runtime
        .load("guest", &wasm, config.grant(abi::READ_FILE))
        .expect("guest loads")
}

/// [`GUEST`] with default limits, reading from `vfs`.
fn guest(vfs: Arc<dyn Vfs>) -> Module {
    let runtime = runtime_with(LogConfig::default(), Some(vfs), ReadFileConfig::default());
    guest_in(&runtime, ModuleConfig::default())
}

fn as_app() -> CallOptions {
    CallOptions::default().caller(APP)
}

/// Calls the guest's `log` export in a fresh instance with `message` in its memory.
fn log_status(module: &Module, level: i32, message: &[u8]) -> Result<i32, Error> {
    let mut instance = module.instantiate(&as_app())?;
    let ptr = instance.write_bytes(message)?;
    let results = instance.call_raw(
        "log",
        &[
            level.into(),
            (ptr.offset as i32).into(),
            (ptr.len as i32).into(),
        ],
    )?;
    Ok(results[0].i32().expect("log returns i32"))
}

/// Calls the guest's `read` export with `path` written into `instance` and a fresh buffer of
/// `buf_cap` bytes; returns the status and the buffer's contents afterwards.
fn read_in(instance: &mut Instance, path: &[u8], buf_cap: u32) -> Result<(i64, Vec<u8>), Error> {
    let path = instance.write_bytes(path)?;
    let buf = instance.write_bytes(&vec![0; buf_cap as usize])?;
    let results = instance.call_raw(
        "read",
        &[
            (path.offset as i32).into(),
            (path.len as i32).into(),
            (buf.offset as i32).into(),
            (buf_cap as i32).into(),
        ],
    )?;
    let status = results[0].i64().expect("read_file returns i64");
    Ok((status, instance.read_bytes(buf.offset, buf_cap)?.to_vec()))
}

/// Runs the guest's two-step `cat` on `path`; returns the file or the negative status.
fn cat_in(instance: &mut Instance, path: &[u8]) -> Result<Result<Vec<u8>, i64>, Error> {
    let path = instance.write_bytes(path)?;
    let results = instance.call_raw(
        "cat",
        &[(path.offset as i32).into(), (path.len as i32).into()],
    )?;
    let packed = results[0].i64().expect("cat returns i64");
    if packed < 0 {
        return Ok(Err(packed));
    }
    let (ptr, len) = abi::unpack_ptr_len(packed);
    Ok(Ok(instance.read_bytes(ptr, len)?.to_vec()))
}

/// Every byte value, repeated: content that would show any truncation or shift.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 256) as u8).collect()
}

// ---------------------------------------------------------------------------------------------
// log
// ---------------------------------------------------------------------------------------------

#[test]
fn log_at_each_level_reaches_the_subscriber_with_target_guest_and_call_fields() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let levels = [
        (abi::LEVEL_ERROR, tracing::Level::ERROR),
        (abi::LEVEL_WARN, tracing::Level::WARN),
        (abi::LEVEL_INFO, tracing::Level::INFO),
        (abi::LEVEL_DEBUG, tracing::Level::DEBUG),
        (abi::LEVEL_TRACE, tracing::Level::TRACE),
    ];
    for (guest_level, level) in levels {
        let message = format!("message at level {guest_level}");
        let (status, events) = capture(|| log_status(&module, guest_level, message.as_bytes()));
        assert_eq!(status.unwrap(), abi::STATUS_OK);
        let lines = with_target(&events, "guest");
        assert_eq!(lines.len(), 1, "{events:?}");
        let line = lines[0];
        assert_eq!(line.level, level);
        assert_eq!(line.field("message"), Some(message.as_str()));
        assert_eq!(line.field("module"), Some("guest"));
        assert_eq!(line.field("export"), Some("log"));
        assert_eq!(line.field("caller"), Some(APP));
    }
}

#[test]
fn log_is_granted_by_default_and_omits_the_caller_field_without_one() {
    let wasm = wat::parse_str(
        r#"(module
          (import "fazt" "log" (func $log (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "hi")
          (func (export "hi") (result i32) (call $log (i32.const 2) (i32.const 0) (i32.const 2))))"#,
    )
    .unwrap();
    let runtime = Runtime::new(fazt_wasm_hostfns::install(RuntimeConfig::default(), None)).unwrap();
    let module = runtime
        .load("log-only", &wasm, ModuleConfig::default())
        .unwrap();
    let (results, events) = capture(|| module.call_raw("hi", &[], &CallOptions::default()));
    assert_eq!(results.unwrap()[0].i32(), Some(abi::STATUS_OK));
    let lines = with_target(&events, "guest");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].field("message"), Some("hi"));
    assert_eq!(lines[0].field("caller"), None);
}

#[test]
fn log_escapes_control_characters_so_guests_cannot_forge_lines() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let (status, events) =
        capture(|| log_status(&module, abi::LEVEL_INFO, b"ok\nFAKE host line\x1b[31m"));
    assert_eq!(status.unwrap(), abi::STATUS_OK);
    let lines = with_target(&events, "guest");
    assert_eq!(
        lines[0].field("message"),
        Some("ok\\nFAKE host line\\u{1b}[31m")
    );
}

#[test]
fn log_of_invalid_utf8_returns_invalid_utf8_and_logs_nothing() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let (status, events) = capture(|| log_status(&module, abi::LEVEL_INFO, b"bad \xff\xfe text"));
    assert_eq!(status.unwrap(), abi::LOG_INVALID_UTF8);
    assert!(with_target(&events, "guest").is_empty(), "{events:?}");
}

#[test]
fn log_of_a_message_over_the_cap_returns_too_long() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let at_cap = vec![b'a'; 64 << 10];
    let over_cap = vec![b'a'; (64 << 10) + 1];
    assert_eq!(
        log_status(&module, abi::LEVEL_INFO, &at_cap).unwrap(),
        abi::STATUS_OK
    );
    let (status, events) = capture(|| log_status(&module, abi::LEVEL_INFO, &over_cap));
    assert_eq!(status.unwrap(), abi::LOG_TOO_LONG);
    assert!(with_target(&events, "guest").is_empty());

    let small = LogConfig {
        max_message_bytes: 4,
        ..LogConfig::default()
    };
    let runtime = runtime_with(
        small,
        Some(Arc::new(mem_vfs(&[]))),
        ReadFileConfig::default(),
    );
    let module = guest_in(&runtime, ModuleConfig::default());
    assert_eq!(
        log_status(&module, abi::LEVEL_INFO, b"abcd").unwrap(),
        abi::STATUS_OK
    );
    assert_eq!(
        log_status(&module, abi::LEVEL_INFO, b"abcde").unwrap(),
        abi::LOG_TOO_LONG
    );
}

#[test]
fn log_at_an_unknown_level_returns_invalid_level() {
    let module = guest(Arc::new(mem_vfs(&[])));
    for level in [-1, abi::LEVEL_TRACE + 1, i32::MIN, i32::MAX] {
        let (status, events) = capture(|| log_status(&module, level, b"hello"));
        assert_eq!(status.unwrap(), abi::LOG_INVALID_LEVEL, "level {level}");
        assert!(with_target(&events, "guest").is_empty());
    }
}

#[test]
fn log_flood_of_a_million_lines_is_cut_at_the_budget_with_one_warning() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let (results, events) =
        capture(|| module.call_raw("log_flood", &[1_000_000i32.into()], &as_app()));
    let results = results.expect("the flood finishes within its fuel");
    let accepted = LogConfig::default().max_lines_per_call;
    assert_eq!(results[0].i32(), Some(accepted as i32));
    assert_eq!(with_target(&events, "guest").len() as u64, accepted);
    let warnings = with_target(&events, "fazt::log");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].level, tracing::Level::WARN);
    assert_eq!(warnings[0].field("caller"), Some(APP));
}

#[test]
fn log_budget_counts_bytes_and_lines_and_resets_with_each_call() {
    let wasm = wat::parse_str(GUEST).unwrap();
    let vfs: Arc<dyn Vfs> = Arc::new(mem_vfs(&[]));
    // "flood line" is 10 bytes: a 35-byte budget takes 3 of them.
    let by_bytes = LogConfig {
        max_bytes_per_call: 35,
        ..LogConfig::default()
    };
    let by_lines = LogConfig {
        max_lines_per_call: 5,
        ..LogConfig::default()
    };
    for (config, accepted) in [(by_bytes, 3), (by_lines, 5)] {
        let runtime = runtime_with(config, Some(vfs.clone()), ReadFileConfig::default());
        let module = runtime
            .load(
                "guest",
                &wasm,
                ModuleConfig::default().grant(abi::READ_FILE),
            )
            .unwrap();
        for _ in 0..2 {
            let (results, events) =
                capture(|| module.call_raw("log_flood", &[100i32.into()], &as_app()));
            assert_eq!(results.unwrap()[0].i32(), Some(accepted));
            assert_eq!(with_target(&events, "guest").len(), accepted as usize);
            assert_eq!(with_target(&events, "fazt::log").len(), 1);
        }
    }
}

#[test]
fn log_with_pointers_outside_memory_is_an_abi_violation_and_the_module_still_works() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let memory_bytes = 65536i32;
    for (ptr, len) in [
        (memory_bytes - 4, 10),
        (memory_bytes + 1, 0),
        (0, -1),
        (-1, 2),
    ] {
        let error = module
            .call_raw(
                "log",
                &[abi::LEVEL_INFO.into(), ptr.into(), len.into()],
                &as_app(),
            )
            .unwrap_err();
        assert_eq!(error.kind(), "abi", "({ptr}, {len}): {error}");
        assert!(!error.is_panic());
    }
    let results = module
        .call_raw(
            "log",
            &[abi::LEVEL_INFO.into(), 0i32.into(), 10i32.into()],
            &as_app(),
        )
        .unwrap();
    assert_eq!(results[0].i32(), Some(abi::STATUS_OK));
}

// ---------------------------------------------------------------------------------------------
// read_file
// ---------------------------------------------------------------------------------------------

#[test]
fn read_file_copies_a_file_that_fits_the_buffer() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let mut instance = module.instantiate(&as_app()).unwrap();
    let (status, buffer) = read_in(&mut instance, b"hello.txt", 16).unwrap();
    assert_eq!(status, 12);
    assert_eq!(&buffer[..12], b"Hello, world");
    assert_eq!(&buffer[12..], [0; 4]);
    let (status, buffer) = read_in(&mut instance, b"hello.txt", 12).unwrap();
    assert_eq!((status, buffer.as_slice()), (12, &b"Hello, world"[..]));
}

#[test]
fn read_file_two_step_protocol_reads_the_file_once_through_mem_vfs() {
    let content = pattern(100_000);
    let vfs = TestVfs::new(mem_vfs(&[("data/big.bin", &content)]));
    let module = guest(vfs.clone());
    let mut instance = module.instantiate(&as_app()).unwrap();

    let (status, buffer) = read_in(&mut instance, b"data/big.bin", 0).unwrap();
    assert_eq!((status, buffer.len()), (100_000, 0));
    let (status, buffer) = read_in(&mut instance, b"data/big.bin", 100_000).unwrap();
    assert_eq!(status, 100_000);
    assert!(buffer == content, "content arrives intact");
    assert_eq!(vfs.reads(), 1, "the retry is served from the pending file");

    assert_eq!(cat_in(&mut instance, b"data/big.bin").unwrap(), Ok(content));
    assert_eq!(vfs.reads(), 2);
}

#[test]
fn read_file_two_step_protocol_works_through_dir_vfs_in_a_tempdir() {
    let root = tempfile::tempdir().unwrap();
    let content = pattern(200_000);
    write_fixture(root.path(), "nested/file.bin", &content);
    write_fixture(root.path(), "small.txt", b"small");
    let vfs = TestVfs::new(DirVfs::new().with_app(APP, root.path()).unwrap());
    let module = guest(vfs.clone());
    let mut instance = module.instantiate(&as_app()).unwrap();

    assert_eq!(
        cat_in(&mut instance, b"nested/file.bin").unwrap(),
        Ok(content)
    );
    assert_eq!(vfs.reads(), 1);
    let (status, buffer) = read_in(&mut instance, b"./small.txt", 8).unwrap();
    assert_eq!((status, &buffer[..5]), (5, &b"small"[..]));
    assert_eq!(
        read_in(&mut instance, b"missing.txt", 8).unwrap().0,
        abi::READ_FILE_NOT_FOUND
    );
    assert_eq!(
        read_in(&mut instance, b"nested", 8).unwrap().0,
        abi::READ_FILE_NOT_A_FILE
    );
}

#[test]
fn read_file_keeps_only_one_pending_file() {
    let vfs = TestVfs::new(mem_vfs(&[("a.txt", b"aaaa"), ("b.txt", b"bbbb")]));
    let module = guest(vfs.clone());
    let mut instance = module.instantiate(&as_app()).unwrap();
    assert_eq!(read_in(&mut instance, b"a.txt", 0).unwrap().0, 4);
    assert_eq!(read_in(&mut instance, b"b.txt", 0).unwrap().0, 4);
    assert_eq!(vfs.reads(), 2);
    // b.txt replaced a.txt as the pending file, so a.txt is read again.
    let (status, buffer) = read_in(&mut instance, b"a.txt", 4).unwrap();
    assert_eq!((status, buffer.as_slice()), (4, &b"aaaa"[..]));
    assert_eq!(vfs.reads(), 3);
}

#[test]
fn read_file_is_refused_at_load_unless_granted() {
    let runtime = runtime_with(
        LogConfig::default(),
        Some(Arc::new(mem_vfs(&[]))),
        ReadFileConfig::default(),
    );
    let wasm = wat::parse_str(GUEST).unwrap();
    let error = runtime
        .load("guest", &wasm, ModuleConfig::default())
        .unwrap_err();
    match error {
        Error::ForbiddenImport { import, reason, .. } => {
            assert_eq!(import, "fazt.read_file");
            assert_eq!(reason, ImportRefusal::NotGranted);
        }
        other => panic!("expected ForbiddenImport, got {other}"),
    }
}

#[test]
fn read_file_without_a_caller_returns_no_root() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let mut instance = module.instantiate(&CallOptions::default()).unwrap();
    let (status, events) = capture(|| read_in(&mut instance, b"hello.txt", 64).unwrap().0);
    assert_eq!(status, abi::READ_FILE_NO_ROOT);
    let refusals = with_target(&events, "fazt::read_file");
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].field("app"), None);
    // An app the VFS does not know has no root either.
    let mut instance = module
        .instantiate(&CallOptions::default().caller("stranger"))
        .unwrap();
    assert_eq!(
        read_in(&mut instance, b"hello.txt", 64).unwrap().0,
        abi::READ_FILE_NO_ROOT
    );
}

#[test]
fn read_file_refuses_escapes_and_bad_paths_with_invalid_path_and_a_debug_event() {
    let root = tempfile::tempdir().unwrap();
    write_fixture(root.path(), "app/hello.txt", b"inside");
    write_fixture(root.path(), "secret.txt", b"outside");
    let vfs = DirVfs::new()
        .with_app(APP, root.path().join("app"))
        .unwrap();
    let module = guest(Arc::new(vfs));
    let mut instance = module.instantiate(&as_app()).unwrap();
    let too_long = vec![b'a'; 5000];
    for path in [
        &b"../secret.txt"[..],
        b"/etc/passwd",
        b"a/../../secret.txt",
        b"\xff\xfe",
        b"",
        &too_long,
    ] {
        let ((status, buffer), events) = capture(|| read_in(&mut instance, path, 16).unwrap());
        assert_eq!(status, abi::READ_FILE_INVALID_PATH, "{path:?}");
        assert_eq!(buffer, [0; 16]);
        let refusals = with_target(&events, "fazt::read_file");
        assert_eq!(refusals.len(), 1, "{events:?}");
        let refusal = refusals[0];
        assert_eq!(refusal.level, tracing::Level::DEBUG);
        assert_eq!(refusal.field("module"), Some("guest"));
        assert_eq!(refusal.field("app"), Some(APP));
        assert_eq!(
            refusal.field("code"),
            Some(abi::READ_FILE_INVALID_PATH.to_string().as_str())
        );
        assert!(refusal.field("error").is_some());
        let text = format!("{:?}", refusal.fields);
        assert!(
            !text.contains(&*root.path().to_string_lossy()),
            "host path leaked: {text}"
        );
    }
    let ((status, _), events) = capture(|| read_in(&mut instance, b"../secret.txt", 16).unwrap());
    assert_eq!(status, abi::READ_FILE_INVALID_PATH);
    assert_eq!(
        with_target(&events, "fazt::read_file")[0].field("path"),
        Some("../secret.txt")
    );
}

#[test]
fn read_file_refuses_files_over_the_configured_maximum_with_too_large() {
    let vfs: Arc<dyn Vfs> = Arc::new(mem_vfs(&[
        ("at.bin", &pattern(1024)),
        ("over.bin", &pattern(1025)),
    ]));
    let runtime = runtime_with(
        LogConfig::default(),
        Some(vfs),
        ReadFileConfig {
            max_file_bytes: 1024,
            ..ReadFileConfig::default()
        },
    );
    let module = guest_in(&runtime, ModuleConfig::default());
    let mut instance = module.instantiate(&as_app()).unwrap();
    assert_eq!(read_in(&mut instance, b"at.bin", 0).unwrap().0, 1024);
    let (status, events) = capture(|| read_in(&mut instance, b"over.bin", 0).unwrap().0);
    assert_eq!(status, abi::READ_FILE_TOO_LARGE);
    let refusals = with_target(&events, "fazt::read_file");
    assert_eq!(refusals[0].field("error"), Some("too_large"));
}

#[test]
fn read_file_refuses_a_file_larger_than_the_call_memory_limit() {
    let memory_limit_bytes = 1 << 20;
    let vfs: Arc<dyn Vfs> = Arc::new(mem_vfs(&[
        ("fits.bin", &pattern(memory_limit_bytes / 2)),
        ("huge.bin", &pattern(memory_limit_bytes + 1)),
    ]));
    let runtime = runtime_with(LogConfig::default(), Some(vfs), ReadFileConfig::default());
    let module = guest_in(
        &runtime,
        ModuleConfig {
            memory_limit_bytes: memory_limit_bytes as u64,
            ..ModuleConfig::default()
        },
    );
    let mut instance = module.instantiate(&as_app()).unwrap();
    assert_eq!(
        read_in(&mut instance, b"huge.bin", 0).unwrap().0,
        abi::READ_FILE_TOO_LARGE
    );
    assert_eq!(
        cat_in(&mut instance, b"fits.bin")
            .unwrap()
            .map(|bytes| bytes.len()),
        Ok(memory_limit_bytes / 2)
    );
}

#[test]
fn read_file_flood_of_a_million_reads_is_bounded_by_the_read_budget() {
    let vfs = TestVfs::new(mem_vfs(&[]));
    let module = guest(vfs.clone());
    let (results, events) =
        capture(|| module.call_raw("read_flood", &[1_000_000i32.into()], &as_app()));
    let max_reads = ReadFileConfig::default().max_reads_per_call;
    assert_eq!(
        results.expect("the flood finishes within its fuel")[0].i32(),
        Some(max_reads as i32)
    );
    assert_eq!(vfs.reads() as u64, max_reads);
    let refusals = with_target(&events, "fazt::read_file")
        .into_iter()
        .filter(|event| event.level == tracing::Level::DEBUG)
        .collect::<Vec<_>>();
    assert_eq!(refusals.len(), 1, "the read budget is reported once");
    assert_eq!(refusals[0].field("error"), Some("read_budget_exhausted"));
}

#[test]
fn read_file_budgets_count_reads_and_bytes_and_reset_with_each_call() {
    let vfs: Arc<dyn Vfs> = Arc::new(mem_vfs(&[]));
    // hello.txt is 12 bytes: a 30-byte budget serves 2 reads.
    let by_bytes = ReadFileConfig {
        max_bytes_per_call: 30,
        ..ReadFileConfig::default()
    };
    let by_reads = ReadFileConfig {
        max_reads_per_call: 5,
        ..ReadFileConfig::default()
    };
    for (config, served) in [(by_bytes, 2), (by_reads, 5)] {
        let runtime = runtime_with(LogConfig::default(), Some(vfs.clone()), config);
        let module = guest_in(&runtime, ModuleConfig::default());
        for _ in 0..2 {
            let results = module
                .call_raw("read_flood", &[100i32.into()], &as_app())
                .unwrap();
            assert_eq!(results[0].i32(), Some(served));
        }
    }
}

#[test]
fn read_file_with_pointers_outside_memory_is_an_abi_violation_and_the_module_still_works() {
    let module = guest(Arc::new(mem_vfs(&[])));
    let memory_bytes = 65536i32;
    for params in [
        [memory_bytes - 4, 9, 512, 64],
        [16, 9, memory_bytes - 10, 64],
        [16, 9, 512, -1],
        [-1, 9, 512, 64],
        [16, i32::MAX, 512, 64],
    ] {
        let params: Vec<wasmi::Val> = params.iter().map(|&value| value.into()).collect();
        let error = module.call_raw("read", &params, &as_app()).unwrap_err();
        assert_eq!(error.kind(), "abi", "{params:?}: {error}");
    }
    let results = module
        .call_raw(
            "read",
            &[16i32.into(), 9i32.into(), 512i32.into(), 64i32.into()],
            &as_app(),
        )
        .unwrap();
    assert_eq!(results[0].i64(), Some(12));
}

#[test]
fn read_file_panic_in_the_vfs_fails_the_call_with_is_panic_and_the_module_stays_usable() {
    let vfs = TestVfs::new(mem_vfs(&[]));
    let module = guest(vfs);
    let mut instance = module.instantiate(&as_app()).unwrap();
    let error = read_in(&mut instance, b"boom", 16).unwrap_err();
    assert!(error.is_panic(), "{error}");
    assert_eq!(error.kind(), "panic");
    let mut instance = module.instantiate(&as_app()).unwrap();
    let (status, buffer) = read_in(&mut instance, b"hello.txt", 16).unwrap();
    assert_eq!((status, &buffer[..12]), (12, &b"Hello, world"[..]));
}

/// Writes a fixture file under a tempdir root, creating its parent directories.
// Building fixtures is the one thing here that must touch the host filesystem directly.
#[allow(clippy::disallowed_methods)]
fn write_fixture(root: &std::path::Path, path: &str, bytes: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}
