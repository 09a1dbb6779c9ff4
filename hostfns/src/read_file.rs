//! The `read_file` bridge: `fazt.read_file(path_ptr, path_len, buf_ptr, buf_cap) -> i64` reads the calling app's files through a [`Vfs`].

use alloc::{string::String, sync::Arc, vec::Vec};

use fazt_wasm_abi as abi;
use fazt_wasm_runtime::{Bridge, CallState, guest_range, memory_and_state, wasmi};

use crate::log::Escaped;
use crate::vfs::{MAX_PATH_BYTES, Vfs, VfsError};

/// Limits of the [`ReadFile`] bridge; a plain struct with `Default`.
///
/// Budgets count reads and bytes, never time, and live in the call's [`CallState`], so every
/// call starts with full ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadFileConfig {
    /// Largest file a guest may read, in bytes. The call's memory limit caps it further:
    /// the file has to fit in guest memory, so a file larger than
    /// `min(max_file_bytes, memory_limit_bytes)` gets [`abi::READ_FILE_TOO_LARGE`].
    /// Default 16 MiB.
    pub max_file_bytes: u64,
    /// `read_file` calls one call may make, counting refused ones and retries served from the
    /// pending file. Default 10 000.
    pub max_reads_per_call: u64,
    /// File bytes one call may read from the VFS in total (a retry served from the pending
    /// file costs nothing more). Default 256 MiB.
    pub max_bytes_per_call: u64,
}

impl Default for ReadFileConfig {
    fn default() -> Self {
        Self {
            max_file_bytes: 16 << 20,
            max_reads_per_call: 10_000,
            max_bytes_per_call: 256 << 20,
        }
    }
}

/// The `fazt.read_file(path_ptr: i32, path_len: i32, buf_ptr: i32, buf_cap: i32) -> i64`
/// host function. Not granted by default: a module needs `ModuleConfig::grant("read_file")`.
///
/// The guest names a path, relative to the root of the calling app (`CallState::caller`,
/// chosen by the host; a call without one gets [`abi::READ_FILE_NO_ROOT`]). The host reads the
/// whole file through its [`Vfs`] and returns its size in bytes:
///
/// - when the size is at most `buf_cap`, the file was copied to `buf_ptr`;
/// - otherwise nothing was written, and the host keeps the bytes for the rest of the call,
///   so the guest's retry with a buffer of that size is served without reading the file a
///   second time. At most one such pending file is kept: a later too-large read of another
///   path replaces it, and a retry that copies it releases it.
///
/// Negative returns are [`VfsError::code`] values (`READ_FILE_NOT_FOUND` to
/// `READ_FILE_NOT_A_FILE`; a path that is not UTF-8 is `READ_FILE_INVALID_PATH`) and
/// [`abi::READ_FILE_BUDGET_EXHAUSTED`]. A path or buffer outside guest memory fails the call as
/// an ABI violation (kind `abi`).
///
/// Every refusal is a `debug` event with target `fazt::read_file` and fields `module`,
/// `export`, `app`, `path` (the guest's text, control characters escaped), `error` (a kind such
/// as `not_found`) and `code`; only the first refusal for the read-count budget is reported in
/// each call. Events never carry a host path, only what the guest asked for.
#[derive(Debug, Clone)]
pub struct ReadFile {
    vfs: Arc<dyn Vfs>,
    config: ReadFileConfig,
}

impl ReadFile {
    /// The bridge serving files from `vfs`, with default limits.
    pub fn new(vfs: Arc<dyn Vfs>) -> Self {
        Self {
            vfs,
            config: ReadFileConfig::default(),
        }
    }

    /// The same bridge with other limits.
    pub fn with_config(mut self, config: ReadFileConfig) -> Self {
        self.config = config;
        self
    }

    /// Its limits.
    pub fn config(&self) -> &ReadFileConfig {
        &self.config
    }
}

impl Bridge for ReadFile {
    fn name(&self) -> &'static str {
        abi::READ_FILE
    }

    fn signature(&self) -> wasmi::FuncType {
        wasmi::FuncType::new([wasmi::ValType::I32; 4], [wasmi::ValType::I64])
    }

    fn granted_by_default(&self) -> bool {
        false
    }

    fn register(&self, linker: &mut wasmi::Linker<CallState>) -> Result<(), wasmi::Error> {
        let bridge = self.clone();
        linker.func_wrap(
            abi::IMPORT_MODULE,
            abi::READ_FILE,
            move |mut caller: wasmi::Caller<'_, CallState>,
                  path_ptr: i32,
                  path_len: i32,
                  buf_ptr: i32,
                  buf_cap: i32|
                  -> Result<i64, wasmi::Error> {
                crate::guard(abi::READ_FILE, || {
                    bridge.read(&mut caller, path_ptr, path_len, buf_ptr, buf_cap)
                })
            },
        )?;
        Ok(())
    }
}

/// The read budget and the pending file of one call, kept in its [`CallState`].
#[derive(Debug, Default)]
struct ReadFileState {
    reads: u64,
    bytes: u64,
    /// Whether the read-count refusal was reported already in this call.
    reads_exhausted_reported: bool,
    pending: Option<PendingFile>,
}

/// A file read for a buffer too small to hold it, kept for the guest's retry.
#[derive(Debug)]
struct PendingFile {
    path: String,
    bytes: Vec<u8>,
}

/// Why a `read_file` call was refused, for the host's event.
#[derive(Clone, Copy)]
enum Refusal {
    Vfs(&'static str, i32),
    InvalidUtf8Path,
    NoRoot,
    ReadBudget,
    ByteBudget,
}

impl Refusal {
    fn kind(self) -> &'static str {
        match self {
            Self::Vfs(kind, _) => kind,
            Self::InvalidUtf8Path => "invalid_utf8_path",
            Self::NoRoot => "no_caller",
            Self::ReadBudget => "read_budget_exhausted",
            Self::ByteBudget => "byte_budget_exhausted",
        }
    }

    fn code(self) -> i64 {
        match self {
            Self::Vfs(_, code) => i64::from(code),
            Self::InvalidUtf8Path => abi::READ_FILE_INVALID_PATH,
            Self::NoRoot => abi::READ_FILE_NO_ROOT,
            Self::ReadBudget | Self::ByteBudget => abi::READ_FILE_BUDGET_EXHAUSTED,
        }
    }
}

impl From<&VfsError> for Refusal {
    fn from(error: &VfsError) -> Self {
        Self::Vfs(error.kind(), error.code())
    }
}

/// Reports a refusal to the host and returns its guest-visible code.
fn refuse(call_state: &CallState, path: Option<&str>, refusal: Refusal) -> i64 {
    let code = refusal.code();
    tracing::debug!(
        target: "fazt::read_file",
        module = call_state.module(),
        export = call_state.export(),
        app = call_state.caller(),
        path = path.map(|path| tracing::field::display(Escaped(path))),
        error = refusal.kind(),
        code,
        "read_file refused"
    );
    code
}

impl ReadFile {
    fn read(
        &self,
        caller: &mut wasmi::Caller<'_, CallState>,
        path_ptr: i32,
        path_len: i32,
        buf_ptr: i32,
        buf_cap: i32,
    ) -> Result<i64, wasmi::Error> {
        let (memory, call_state) = memory_and_state(caller)?;
        let path_range = guest_range(memory.len(), path_ptr, path_len, "read_file path")?;
        let buf_range = guest_range(memory.len(), buf_ptr, buf_cap, "read_file buffer")?;

        let state = call_state.extension::<ReadFileState>();
        if state.reads >= self.config.max_reads_per_call {
            if state.reads_exhausted_reported {
                return Ok(abi::READ_FILE_BUDGET_EXHAUSTED);
            }
            state.reads_exhausted_reported = true;
            return Ok(refuse(call_state, None, Refusal::ReadBudget));
        }
        state.reads = state.reads.saturating_add(1);

        // Paths longer than any the VFS accepts are refused before they are even decoded, so
        // the host never scans more than `MAX_PATH_BYTES` of guest memory per read.
        let path_bytes = &memory[path_range];
        if path_bytes.len() > MAX_PATH_BYTES {
            let error = VfsError::InvalidPath {
                reason: crate::vfs::PathRejection::TooLong,
            };
            return Ok(refuse(call_state, None, Refusal::from(&error)));
        }
        let Ok(path) = core::str::from_utf8(path_bytes) else {
            return Ok(refuse(call_state, None, Refusal::InvalidUtf8Path));
        };
        let path = String::from(path);

        let state = call_state.extension::<ReadFileState>();
        let bytes = match state.pending.take() {
            Some(pending) if pending.path == path => pending.bytes,
            other => {
                state.pending = other;
                match self.read_from_vfs(call_state, &path) {
                    Ok(bytes) => bytes,
                    Err(refusal) => return Ok(refuse(call_state, Some(&path), refusal)),
                }
            }
        };

        // A Vec never holds more than isize::MAX bytes, so its length always fits an i64.
        let size = bytes.len() as i64;
        if bytes.len() <= buf_range.len() {
            let start = buf_range.start;
            memory[start..start + bytes.len()].copy_from_slice(&bytes);
            tracing::trace!(
                target: "fazt::read_file",
                module = call_state.module(),
                app = call_state.caller(),
                path = %Escaped(&path),
                size,
                "read_file copied the file"
            );
        } else {
            tracing::trace!(
                target: "fazt::read_file",
                module = call_state.module(),
                app = call_state.caller(),
                path = %Escaped(&path),
                size,
                buf_cap = buf_range.len(),
                "read_file kept the file for a retry with a larger buffer"
            );
            call_state.extension::<ReadFileState>().pending = Some(PendingFile { path, bytes });
        }
        Ok(size)
    }

    /// Reads `path` for the calling app within the file limit and the call's byte budget.
    fn read_from_vfs(&self, call_state: &mut CallState, path: &str) -> Result<Vec<u8>, Refusal> {
        let spent = call_state.extension::<ReadFileState>().bytes;
        let remaining = self.config.max_bytes_per_call.saturating_sub(spent);
        let file_limit = self
            .config
            .max_file_bytes
            .min(call_state.memory_limit_bytes());
        // Asking the VFS for no more than the budget allows keeps a refused read cheap too.
        let max_bytes = file_limit.min(remaining);
        let Some(app) = call_state.caller() else {
            return Err(Refusal::NoRoot);
        };
        let result = self.vfs.read(app, path, max_bytes);
        let refusal_for_size = || {
            if remaining < file_limit {
                Refusal::ByteBudget
            } else {
                Refusal::from(&VfsError::TooLarge {
                    max_bytes: file_limit,
                })
            }
        };
        let bytes = match result {
            Ok(bytes) => bytes,
            Err(error) if error.is_too_large() => return Err(refusal_for_size()),
            Err(error) => return Err(Refusal::from(&error)),
        };
        // A backend that ignores `max_bytes` is held to it here.
        let len_bytes = bytes.len() as u64;
        if len_bytes > max_bytes {
            return Err(refusal_for_size());
        }
        let state = call_state.extension::<ReadFileState>();
        state.bytes = state.bytes.saturating_add(len_bytes);
        Ok(bytes)
    }
}
