//! `fazt-wasm serve`: a runtime with its module cache behind a Unix socket, and the client
//! the other commands use with `--socket`.
//!
//! See [`PROTOCOL_HELP`] for the protocol.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, FileTypeExt as _, PermissionsExt as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::call::{CallOutcome, CallRequest, Executor, ModuleRef, StatsReport};
use crate::cli::ServeCmd;
use crate::exit::Failure;
use crate::inspect::ModuleInfo;

/// The protocol, as `fazt-wasm serve --help` shows it.
pub const PROTOCOL_HELP: &str = "\
Protocol:
  One JSON object per line ('\\n'-terminated UTF-8) each way; a connection may send several
  requests and gets the replies in order. Bytes are standard base64.
    {\"op\": \"call\", \"module\": MODULE, \"function\": \"resize\", \"args\": [ARG...],
     \"params\": [\"1\", ...], \"raw\": false, \"limits\": {\"fuel\": N, \"memory_bytes\": N,
     \"timeout\": \"2s\"}}                       run a call (the fields of a repro's request)
    {\"op\": \"list\"}                           the cached modules
    {\"op\": \"stats\", \"module\": MODULE}        load a module and report on it
    {\"op\": \"cache_clear\"}                    drop every cached module
    {\"op\": \"metrics\"}                        the metrics, as Prometheus text
  MODULE is {\"name\": \"libpdf\", \"embedded\": true} or {\"name\": \"m.wasm\",
  \"wasm\": BASE64}; ARG is {\"type\": \"int\"|\"float\"|
  \"bool\"|\"string\"|\"bytes\", \"name\": \"width\", \"value\": 800}.
  Replies are {\"ok\": true, \"result\": ...} or {\"ok\": false, \"error\": {\"kind\": ...,
  \"message\": ...}}; a call that fails in the guest is an ok reply whose result says so.
  Malformed JSON, an unknown op or a request over --max-request gets an error reply of
  kind bad_request (an over-long request also closes the connection).
  Example: echo '{\"op\":\"metrics\"}' | socat - UNIX-CONNECT:/run/fazt.sock";

/// Connections served at once; more get a `busy` reply.
const MAX_CONNECTIONS: usize = 64;
/// How long a connection may sit idle (or a client take to send a request).
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest reply a client reads (outputs travel in replies).
const MAX_REPLY_BYTES: u64 = 1 << 30;

/// A request line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Run a call.
    Call(CallRequest),
    /// List the cached modules.
    List,
    /// Load a module and report on it.
    Stats {
        /// The module.
        module: ModuleRef,
    },
    /// Empty the cache.
    CacheClear,
    /// Prometheus text.
    Metrics,
}

#[derive(Debug, Deserialize)]
struct Reply<T> {
    ok: bool,
    result: Option<T>,
    error: Option<Failure>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Cleared {
    cleared: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct Prometheus {
    prometheus: String,
}

/// Runs the server until the process is stopped.
///
/// # Errors
///
/// `usage` when the socket path is taken, `io` when it cannot be created.
pub fn serve(cmd: &ServeCmd) -> Result<(), Failure> {
    let executor = Arc::new(Executor::new("server")?);
    let listener = bind_owner_only(&cmd.socket)?;
    eprintln!(
        "listening on {} (owner only; protocol in `fazt-wasm serve --help`)",
        cmd.socket.display()
    );
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let mut stream = match stream {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("warning: accept failed: {error}");
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let reply = error_reply(&Failure::new(
                "busy",
                format!("the server is serving {MAX_CONNECTIONS} connections; try again"),
            ));
            let _ = stream.write_all(reply.as_bytes());
            continue;
        }
        let executor = Arc::clone(&executor);
        let active = Arc::clone(&active);
        let max_request = cmd.max_request;
        std::thread::spawn(move || {
            handle(stream, &executor, max_request);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

/// Binds `path` so that only the owner can ever connect: the socket is created inside a
/// fresh 0700 directory, made 0600, and only then renamed into place.
fn bind_owner_only(path: &Path) -> Result<UnixListener, Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_socket() => {
            if UnixStream::connect(path).is_ok() {
                return Err(Failure::usage(format!(
                    "a server is already listening on {}",
                    path.display()
                )));
            }
            // A socket nobody listens on is left over from a server that died.
            std::fs::remove_file(path)
                .map_err(|error| Failure::io("cannot remove stale socket", path, &error))?;
        }
        Ok(_) => {
            return Err(Failure::usage(format!(
                "{} exists and is not a socket",
                path.display()
            )));
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(Failure::io("cannot use socket path", path, &error)),
    }
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let staging = parent.join(format!(".fazt-wasm-{}", std::process::id()));
    let staged = staging.join("s");
    let _ = std::fs::remove_file(&staged);
    let _ = std::fs::remove_dir(&staging);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&staging)
        .map_err(|error| Failure::io("cannot create", &staging, &error))?;
    let bound = (|| {
        let listener = UnixListener::bind(&staged)?;
        std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&staged, path)?;
        Ok(listener)
    })();
    let _ = std::fs::remove_file(&staged);
    let _ = std::fs::remove_dir(&staging);
    bound.map_err(|error: std::io::Error| Failure::io("cannot listen on", path, &error))
}

fn handle(stream: UnixStream, executor: &Executor, max_request: u64) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let mut line = Vec::new();
        let read = (&mut reader)
            .take(max_request.saturating_add(1))
            .read_until(b'\n', &mut line);
        match read {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if line.len() as u64 > max_request {
            let failure = Failure::new(
                "bad_request",
                format!("request is longer than {max_request} bytes"),
            );
            let _ = writer.write_all(error_reply(&failure).as_bytes());
            return;
        }
        let reply =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| answer(&line, executor)))
                .unwrap_or_else(|_| {
                    error_reply(&Failure::new(
                        "internal",
                        "the server failed on this request",
                    ))
                });
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// The reply line (with its newline) to one request line.
fn answer(line: &[u8], executor: &Executor) -> String {
    let request: Request = match serde_json::from_slice(line) {
        Ok(request) => request,
        Err(error) => {
            return error_reply(&Failure::new(
                "bad_request",
                format!("malformed request: {error}"),
            ));
        }
    };
    let result = match request {
        Request::Call(request) => serde_json::to_value(executor.execute(&request)),
        Request::List => serde_json::to_value(executor.list_cached()),
        Request::Stats { module } => match executor.stats(&module) {
            Ok(report) => serde_json::to_value(report),
            Err(failure) => return error_reply(&failure),
        },
        Request::CacheClear => serde_json::to_value(Cleared {
            cleared: executor.clear_cache(),
        }),
        Request::Metrics => serde_json::to_value(Prometheus {
            prometheus: executor.prometheus(None),
        }),
    };
    match result {
        Ok(result) => format!("{}\n", json!({ "ok": true, "result": result })),
        Err(error) => error_reply(&Failure::new(
            "internal",
            format!("cannot encode the reply: {error}"),
        )),
    }
}

fn error_reply(failure: &Failure) -> String {
    format!("{}\n", json!({ "ok": false, "error": failure }))
}

/// Talks to a `fazt-wasm serve`, one connection per request.
#[derive(Debug, Clone)]
pub struct Client {
    socket: PathBuf,
}

impl Client {
    /// A client of the server at `socket`.
    pub fn new(socket: &Path) -> Self {
        Self {
            socket: socket.to_path_buf(),
        }
    }

    fn request<T: DeserializeOwned>(&self, request: &Request) -> Result<T, Failure> {
        let server = |message: String| Failure::new("server", message);
        let mut stream = UnixStream::connect(&self.socket).map_err(|error| {
            server(format!(
                "cannot connect to a fazt-wasm server at {}: {}",
                self.socket.display(),
                error.to_string().to_lowercase()
            ))
        })?;
        let mut line = serde_json::to_vec(request).map_err(|error| {
            Failure::new("internal", format!("cannot encode the request: {error}"))
        })?;
        line.push(b'\n');
        stream
            .write_all(&line)
            .map_err(|error| server(format!("cannot send the request: {error}")))?;
        let mut reply = Vec::new();
        BufReader::new(stream)
            .take(MAX_REPLY_BYTES)
            .read_until(b'\n', &mut reply)
            .map_err(|error| server(format!("cannot read the reply: {error}")))?;
        let reply: Reply<T> = serde_json::from_slice(&reply)
            .map_err(|error| server(format!("the server sent a malformed reply: {error}")))?;
        match (reply.ok, reply.result, reply.error) {
            (true, Some(result), _) => Ok(result),
            (false, _, Some(failure))
                if matches!(failure.kind.as_str(), "bad_request" | "busy") =>
            {
                Err(server(format!(
                    "the server refused the request: {}",
                    failure.message
                )))
            }
            (false, _, Some(failure)) => Err(failure),
            _ => Err(server(String::from(
                "the server sent a reply without result or error",
            ))),
        }
    }

    /// Runs a call in the server.
    ///
    /// # Errors
    ///
    /// `server` when the server cannot be reached or misbehaves.
    pub fn call(&self, request: &CallRequest) -> Result<CallOutcome, Failure> {
        self.request(&Request::Call(request.clone()))
    }

    /// The server's cached modules.
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub fn list(&self) -> Result<Vec<ModuleInfo>, Failure> {
        self.request(&Request::List)
    }

    /// The server's report on `module`.
    ///
    /// # Errors
    ///
    /// As [`Client::call`], and `io` for a module the server does not embed.
    pub fn stats(&self, module: &ModuleRef) -> Result<StatsReport, Failure> {
        self.request(&Request::Stats {
            module: module.clone(),
        })
    }

    /// Clears the server's cache; returns how many modules it held.
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub fn cache_clear(&self) -> Result<usize, Failure> {
        self.request::<Cleared>(&Request::CacheClear)
            .map(|cleared| cleared.cleared)
    }

    /// The server's metrics as Prometheus text.
    ///
    /// # Errors
    ///
    /// As [`Client::call`].
    pub fn metrics(&self) -> Result<String, Failure> {
        self.request::<Prometheus>(&Request::Metrics)
            .map(|metrics| metrics.prometheus)
    }
}
