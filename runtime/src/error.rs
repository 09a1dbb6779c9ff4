//! The runtime's error type and `classify`, the one place that reads wasmi errors.

use alloc::{boxed::Box, string::String, vec::Vec};
use core::{fmt, time::Duration};

use fazt_wasm_abi::output::ErrorCode;

use crate::call::CallStats;

/// Why loading a module or running a call produced no output.
///
/// Ask it questions (`is_timeout`, `is_panic`, `is_oom`, `kind`) rather than reading its text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a valid Wasm module (parse, validation or translation failed).
    #[error("module {module:?} is not valid wasm: {source}")]
    InvalidModule {
        /// The module's name.
        module: String,
        /// wasmi's reason.
        #[source]
        source: wasmi::Error,
    },
    /// The module imports something that no granted host function provides.
    #[error("module {module:?} imports {import}, which {reason}")]
    ForbiddenImport {
        /// The module's name.
        module: String,
        /// The import as `module.field`.
        import: String,
        /// Why it is refused.
        reason: ImportRefusal,
    },
    /// A configured limit is invalid (for example memory above the ceiling).
    #[error("invalid limit {name}: {reason}")]
    LimitMisconfigured {
        /// Which limit.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// No export of that name, or it is not a function.
    #[error("module {module:?} has no exported function {export:?}")]
    ExportNotFound {
        /// The module's name.
        module: String,
        /// The export that was asked for.
        export: String,
    },
    /// The export exists but its signature does not fit the way it was called.
    #[error("export {export:?} has signature {found}, expected {expected}")]
    SignatureMismatch {
        /// The export.
        export: String,
        /// What the calling convention requires.
        expected: String,
        /// What the module declares.
        found: String,
    },
    /// The arguments could not be encoded, or raw parameters do not fit.
    #[error("bad arguments: {0}")]
    BadArguments(String),
    /// The guest used its whole fuel budget.
    #[error("guest used its whole fuel budget of {budget}")]
    OutOfFuel {
        /// The budget that ran out.
        budget: u64,
    },
    /// The call passed its deadline.
    #[error("guest passed its deadline of {limit:?}")]
    Timeout {
        /// The timeout that was in force (time from the start of the call to the deadline).
        limit: Duration,
    },
    /// The call's cancellation token was triggered.
    #[error("call was cancelled")]
    Cancelled,
    /// The guest needed more linear memory than its limit allows.
    #[error(
        "guest needs {requested_bytes} bytes of linear memory, above its limit of {limit_bytes}"
    )]
    OutOfMemory {
        /// The memory size the guest asked for.
        requested_bytes: u64,
        /// The limit in force.
        limit_bytes: u64,
    },
    /// The guest needed a larger table than the runtime allows (tables cost host memory).
    #[error("guest needs {requested_elements} table elements, above the limit of {limit_elements}")]
    TableLimit {
        /// Table elements the guest asked for (all its tables together).
        requested_elements: u64,
        /// The limit in force.
        limit_elements: u64,
    },
    /// The wasm engine failed internally (a panic inside wasmi, caught at the boundary). A
    /// bug in the engine, not in the guest; the module is best not called again.
    #[error("the wasm engine failed internally: {0}")]
    Internal(String),
    /// The guest trapped: `unreachable` (a Rust panic), out-of-bounds access, divide by zero,
    /// stack exhaustion, ...
    #[error("guest trapped: {message}")]
    Trap {
        /// wasmi's trap code.
        code: wasmi::TrapCode,
        /// A human-readable description.
        message: String,
    },
    /// A host function failed (or panicked) while serving the guest.
    #[error("host function failed: {0}")]
    Host(Box<dyn HostFailure>),
    /// The guest broke the calling convention (bad pointers, malformed envelope, missing
    /// allocator).
    #[error("guest broke the calling convention: {0}")]
    AbiViolation(String),
    /// The output is not in the form it was read as (not UTF-8, not JSON of that type).
    #[error("{0}")]
    OutputFormat(String),
    /// The guest ran and reported an error of its own through the output envelope.
    #[error("guest refused the call ({code}): {message}")]
    Guest {
        /// The guest's error class.
        code: ErrorCode,
        /// The guest's message.
        message: String,
    },
}

/// Why an import was refused at load time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportRefusal {
    /// No host function of that name is registered on the runtime.
    NotRegistered,
    /// The host function exists but this module's `ModuleConfig` does not grant it.
    NotGranted,
    /// The import has the right name but the wrong function type.
    WrongSignature,
    /// The import is a memory, table or global: only host functions can be imported.
    NotAFunction,
}

impl fmt::Display for ImportRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotRegistered => {
                "no registered host function provides (no WASI, no ambient access)"
            }
            Self::NotGranted => "is a host function this module's config does not grant",
            Self::WrongSignature => "has a different signature than the host function",
            Self::NotAFunction => "is not a function (only host functions can be imported)",
        })
    }
}

/// A failure inside a host function, carried through wasmi back to the caller.
///
/// Bridges return their own error types through `wasmi::Error::host`; the runtime only needs
/// to display them and to know whether the failure was a caught panic.
pub trait HostFailure: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// The host function panicked and the panic was caught at the bridge boundary.
    fn is_panic(&self) -> bool {
        false
    }
    /// The host function refused because the guest broke the calling convention.
    fn is_abi_violation(&self) -> bool {
        false
    }
}

impl Error {
    /// The guest ran too long: fuel exhausted, deadline passed or cancelled.
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::OutOfFuel { .. } | Self::Timeout { .. } | Self::Cancelled => true,
            Self::InvalidModule { .. }
            | Self::ForbiddenImport { .. }
            | Self::LimitMisconfigured { .. }
            | Self::ExportNotFound { .. }
            | Self::SignatureMismatch { .. }
            | Self::BadArguments(_)
            | Self::OutOfMemory { .. }
            | Self::TableLimit { .. }
            | Self::Internal(_)
            | Self::Trap { .. }
            | Self::Host(_)
            | Self::AbiViolation(_)
            | Self::OutputFormat(_)
            | Self::Guest { .. } => false,
        }
    }

    /// The guest used its whole fuel budget.
    pub fn is_out_of_fuel(&self) -> bool {
        matches!(self, Self::OutOfFuel { .. })
    }

    /// The guest crashed: a trap (including a Rust panic compiled to `unreachable`) or a
    /// panic in a host function serving it.
    pub fn is_panic(&self) -> bool {
        match self {
            Self::Trap { .. } => true,
            Self::Host(failure) => failure.is_panic(),
            Self::InvalidModule { .. }
            | Self::ForbiddenImport { .. }
            | Self::LimitMisconfigured { .. }
            | Self::ExportNotFound { .. }
            | Self::SignatureMismatch { .. }
            | Self::BadArguments(_)
            | Self::OutOfFuel { .. }
            | Self::Timeout { .. }
            | Self::Cancelled
            | Self::OutOfMemory { .. }
            | Self::TableLimit { .. }
            | Self::Internal(_)
            | Self::AbiViolation(_)
            | Self::OutputFormat(_)
            | Self::Guest { .. } => false,
        }
    }

    /// The guest needed more memory (linear memory or table elements) than its limit.
    pub fn is_oom(&self) -> bool {
        matches!(self, Self::OutOfMemory { .. } | Self::TableLimit { .. })
    }

    /// The module or the request was refused before any guest code ran.
    pub fn is_refused(&self) -> bool {
        match self {
            Self::InvalidModule { .. }
            | Self::ForbiddenImport { .. }
            | Self::LimitMisconfigured { .. }
            | Self::ExportNotFound { .. }
            | Self::SignatureMismatch { .. }
            | Self::BadArguments(_) => true,
            Self::OutOfFuel { .. }
            | Self::Timeout { .. }
            | Self::Cancelled
            | Self::OutOfMemory { .. }
            | Self::TableLimit { .. }
            | Self::Internal(_)
            | Self::Trap { .. }
            | Self::Host(_)
            | Self::AbiViolation(_)
            | Self::OutputFormat(_)
            | Self::Guest { .. } => false,
        }
    }

    /// A short, stable label for metrics and exit codes.
    ///
    /// One of `invalid_module`, `forbidden_import`, `limit_config`, `export_not_found`,
    /// `signature`, `bad_arguments`, `fuel`, `timeout`, `cancelled`, `oom`, `panic`,
    /// `host`, `abi`, `output`, `guest`, `internal`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidModule { .. } => "invalid_module",
            Self::ForbiddenImport { .. } => "forbidden_import",
            Self::LimitMisconfigured { .. } => "limit_config",
            Self::ExportNotFound { .. } => "export_not_found",
            Self::SignatureMismatch { .. } => "signature",
            Self::BadArguments(_) => "bad_arguments",
            Self::OutOfFuel { .. } => "fuel",
            Self::Timeout { .. } => "timeout",
            Self::Cancelled => "cancelled",
            Self::OutOfMemory { .. } | Self::TableLimit { .. } => "oom",
            Self::Internal(_) => "internal",
            Self::Trap { .. } => "panic",
            Self::Host(failure) if failure.is_panic() => "panic",
            Self::Host(_) => "host",
            Self::AbiViolation(_) => "abi",
            Self::OutputFormat(_) => "output",
            Self::Guest { .. } => "guest",
        }
    }

    /// The trap code, when the guest trapped.
    pub fn trap_code(&self) -> Option<wasmi::TrapCode> {
        match self {
            Self::Trap { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// An error from a call, with the resources the call used before it failed.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct CallError {
    /// What went wrong.
    #[source]
    pub error: Error,
    /// Fuel, memory and time the call used up to the failure.
    pub stats: CallStats,
}

impl CallError {
    /// See [`Error::is_timeout`].
    pub fn is_timeout(&self) -> bool {
        self.error.is_timeout()
    }
    /// See [`Error::is_out_of_fuel`].
    pub fn is_out_of_fuel(&self) -> bool {
        self.error.is_out_of_fuel()
    }
    /// See [`Error::is_panic`].
    pub fn is_panic(&self) -> bool {
        self.error.is_panic()
    }
    /// See [`Error::is_oom`].
    pub fn is_oom(&self) -> bool {
        self.error.is_oom()
    }
    /// See [`Error::kind`].
    pub fn kind(&self) -> &'static str {
        self.error.kind()
    }
}

impl From<CallError> for Error {
    fn from(call_error: CallError) -> Self {
        call_error.error
    }
}

/// What `classify` knows beyond the wasmi error: the limits in force and what the call saw.
pub(crate) struct ClassifyContext {
    pub fuel_budget: u64,
    pub memory_limit_bytes: u64,
    /// The largest memory size the limiter refused during this call, if any.
    pub denied_memory_bytes: Option<u64>,
    /// The table elements (all tables together) the limiter refused, if any.
    pub denied_table_elements: Option<u64>,
    /// The table-element limit in force.
    pub table_limit_elements: u64,
}

/// Turns a `wasmi::Error` from instantiating or running a guest into ours.
///
/// This is the only function that inspects wasmi errors.
pub(crate) fn classify(error: wasmi::Error, context: &ClassifyContext) -> Error {
    if let Some(failure) = error.downcast_ref::<BoxedHostFailure>() {
        let _ = failure;
        let failure = error
            .downcast::<BoxedHostFailure>()
            .map(|boxed| boxed.0)
            .expect("downcast_ref succeeded just above");
        return if failure.is_abi_violation() {
            Error::AbiViolation(alloc::format!("{failure}"))
        } else {
            Error::Host(failure)
        };
    }
    if let Some(requested_elements) = context.denied_table_elements {
        return Error::TableLimit {
            requested_elements,
            limit_elements: context.table_limit_elements,
        };
    }
    // An element segment that does not fit its table fails instantiation rather than
    // trapping, but the Wasm spec calls it a table out-of-bounds trap.
    if let wasmi::errors::ErrorKind::Instantiation(
        wasmi::errors::InstantiationError::ElementSegmentDoesNotFit { .. },
    ) = error.kind()
    {
        return Error::Trap {
            code: wasmi::TrapCode::TableOutOfBounds,
            message: alloc::format!("{error}"),
        };
    }
    if let Some(code) = error.as_trap_code() {
        return match code {
            wasmi::TrapCode::OutOfFuel => Error::OutOfFuel {
                budget: context.fuel_budget,
            },
            wasmi::TrapCode::GrowthOperationLimited | wasmi::TrapCode::OutOfSystemMemory => {
                out_of_memory(context)
            }
            // A guest whose `memory.grow` was refused usually aborts right after (Rust's
            // allocation error handler is `unreachable`): report the cause, not the symptom.
            _ if context.denied_memory_bytes.is_some() => out_of_memory(context),
            code => Error::Trap {
                code,
                message: String::from(code.trap_message()),
            },
        };
    }
    if context.denied_memory_bytes.is_some() {
        // Instantiation fails this way when the initial memory is above the limit.
        return out_of_memory(context);
    }
    Error::Trap {
        code: wasmi::TrapCode::UnreachableCodeReached,
        message: alloc::format!("{error}"),
    }
}

fn out_of_memory(context: &ClassifyContext) -> Error {
    Error::OutOfMemory {
        requested_bytes: context
            .denied_memory_bytes
            .unwrap_or(context.memory_limit_bytes),
        limit_bytes: context.memory_limit_bytes,
    }
}

/// The box bridges' failures travel in through `wasmi::Error::host`.
#[derive(Debug)]
pub struct BoxedHostFailure(pub Box<dyn HostFailure>);

impl fmt::Display for BoxedHostFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl wasmi::errors::HostError for BoxedHostFailure {}

/// Wraps a bridge's failure so it can be returned from a host function and recovered by
/// `classify` as [`Error::Host`] (or [`Error::AbiViolation`]).
pub fn host_error(failure: impl HostFailure) -> wasmi::Error {
    wasmi::Error::host(BoxedHostFailure(Box::new(failure)))
}

/// Formats a wasmi function type as `(i32, i32) -> i64`.
pub(crate) fn format_func_type(ty: &wasmi::FuncType) -> String {
    fn list(types: &[wasmi::ValType]) -> String {
        let names: Vec<String> = types
            .iter()
            .map(|t| alloc::format!("{t:?}").to_lowercase())
            .collect();
        names.join(", ")
    }
    let results = ty.results();
    if results.len() == 1 {
        alloc::format!("({}) -> {}", list(ty.params()), list(results))
    } else {
        alloc::format!("({}) -> ({})", list(ty.params()), list(results))
    }
}
