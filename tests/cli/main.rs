//! End-to-end tests of the `fazt-wasm` binary: every command, every error class's exit code
//! and message, argument typing, `@PATH`, repro/replay and the serve/socket round trip.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use fazt_wasm_abi::args::{self, Value};
use predicates::prelude::*;

fn fazt() -> Command {
    Command::cargo_bin("fazt-wasm").expect("the fazt-wasm binary is built")
}

fn fixture(name: &str) -> String {
    format!("{}/tests/cli/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The hand-written service module of the runtime tests (echo, traps, loops, bombs).
fn echo_wat() -> String {
    format!("{}/tests/fixtures/echo.wat", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `fazt-wasm <line>` and returns (exit code, stdout, stderr).
fn run(line: &[&str]) -> (i32, Vec<u8>, String) {
    let output = fazt().args(line).output().expect("fazt-wasm runs");
    (
        output.status.code().expect("exited normally"),
        output.stdout,
        String::from_utf8(output.stderr).expect("stderr is utf-8"),
    )
}

/// The named arguments `echo` echoed back, decoded.
fn echoed(stdout: &[u8]) -> Vec<(String, String)> {
    let decoded = args::decode(stdout).expect("echo returns the encoded arguments");
    decoded
        .entries()
        .iter()
        .map(|(name, value)| (String::from(*name), format!("{value:?}")))
        .collect()
}

#[test]
fn help_documents_options_typing_and_exit_codes() {
    fazt().args(["test", "--help"]).assert().success().stdout(
        predicate::str::contains("--input <FILE>")
            .and(predicate::str::contains("--output <FILE>"))
            .and(predicate::str::contains("--fuel <N>"))
            .and(predicate::str::contains("--memory <BYTES>"))
            .and(predicate::str::contains("--timeout <SECONDS>"))
            .and(predicate::str::contains("--json"))
            .and(predicate::str::contains("--save-repro <FILE>"))
            .and(predicate::str::contains("@PATH"))
            .and(predicate::str::contains("Exit status:"))
            .and(predicate::str::contains("20  fuel exhausted")),
    );
    fazt()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("24  trap"));
    fazt()
        .args(["serve", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Protocol:"));
}

#[test]
fn text_output_goes_to_stdout_and_the_receipt_to_stderr() {
    fazt()
        .args(["test", &fixture("service.wat"), "greet"])
        .assert()
        .success()
        .stdout("hello, world\n")
        .stderr(
            predicate::str::is_match(r"^receipt: fuel [1-9]\d*, peak memory 64 KiB, wall \S+\n$")
                .unwrap(),
        );
}

#[test]
fn raw_exports_take_positional_values_and_print_results() {
    fazt()
        .args(["test", &fixture("service.wat"), "add", "2", "-5"])
        .assert()
        .success()
        .stdout("-3\n");
    fazt()
        .args(["test", &fixture("service.wat"), "addf", "1.5", "2.25"])
        .assert()
        .success()
        .stdout("3.75\n");
    fazt()
        .args(["test", &fixture("service.wat"), "divmod", "7", "2"])
        .assert()
        .success()
        .stdout("3\n1\n");
}

#[test]
fn named_arguments_are_typed_from_their_text() {
    let (code, stdout, stderr) = run(&[
        "test",
        &echo_wat(),
        "echo",
        "--width",
        "800",
        "--scale",
        "0.5",
        "--exp",
        "-2e3",
        "--crop",
        "false",
        "--name",
        "cat",
        "--zip:str",
        "007",
        "--at",
        "@@home",
        "--nan",
        "NaN",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        echoed(&stdout),
        [
            (String::from("width"), format!("{:?}", Value::Int(800))),
            (String::from("scale"), format!("{:?}", Value::Float(0.5))),
            (String::from("exp"), format!("{:?}", Value::Float(-2000.0))),
            (String::from("crop"), format!("{:?}", Value::Bool(false))),
            (String::from("name"), format!("{:?}", Value::Str("cat"))),
            (String::from("zip"), format!("{:?}", Value::Str("007"))),
            (String::from("at"), format!("{:?}", Value::Str("@home"))),
            (String::from("nan"), format!("{:?}", Value::Str("NaN"))),
        ]
    );
}

#[test]
fn at_path_and_input_pass_file_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.bin");
    std::fs::write(&data, b"\x00\x01binary\xff").unwrap();
    let data = data.to_str().unwrap();
    let (code, stdout, stderr) = run(&[
        "test",
        &echo_wat(),
        "echo",
        "--input",
        data,
        "--blob",
        &format!("@{data}"),
        "--fuel",
        "10M",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let bytes = format!("{:?}", Value::Bytes(b"\x00\x01binary\xff"));
    assert_eq!(
        echoed(&stdout),
        [
            (String::from("blob"), bytes.clone()),
            (String::from("input"), bytes),
        ]
    );
    // Stdin through `@-`.
    let output = fazt()
        .args(["test", &echo_wat(), "echo", "--data", "@-"])
        .write_stdin("piped")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        echoed(&output.stdout),
        [(
            String::from("data"),
            format!("{:?}", Value::Bytes(b"piped"))
        )]
    );
}

#[test]
fn output_file_gets_the_bytes_and_json_describes_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.png");
    let (code, stdout, stderr) = run(&[
        "test",
        &fixture("service.wat"),
        "png",
        "--output",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
    );
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["output"]["type"], "png");
    assert_eq!(report["output"]["size_bytes"], 16);
    assert_eq!(report["output"]["written_to"], out.to_str().unwrap());
    assert!(report["receipt"]["fuel_consumed"].as_u64().unwrap() > 0);
    assert_eq!(report["limits"]["fuel"], 1_000_000_000);
}

#[test]
fn json_output_carries_results_errors_and_exit_codes() {
    let (code, stdout, _) = run(&["test", &fixture("service.wat"), "json", "--json"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(report["output"]["json"]["n"], 3);

    let (code, stdout, stderr) = run(&["test", &echo_wat(), "spin", "--json", "--fuel", "1M"]);
    assert_eq!(code, 20);
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["error"]["kind"], "fuel");
    assert_eq!(report["error"]["exit_code"], 20);
    assert_eq!(report["receipt"]["fuel_consumed"], 1_000_000);
    assert!(stderr.starts_with("error: fuel exhausted"), "{stderr}");
}

/// Every error class: (command line, exit code, start of the error line).
#[test]
fn every_error_class_has_its_exit_code_and_one_line_message() {
    let dir = tempfile::tempdir().unwrap();
    let invalid_binary = dir.path().join("invalid.wasm");
    std::fs::write(&invalid_binary, b"\0asm\x01\0\0\0\x05junk").unwrap();
    let missing_socket = dir.path().join("nobody.sock");
    let echo = echo_wat();
    let service = fixture("service.wat");
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &[&echo, "spin", "--fuel", "1M"],
            20,
            "error: fuel exhausted: guest used its whole fuel budget of 1000000",
        ),
        (
            &[&echo, "spin", "--timeout", "100ms", "--fuel", "1G"],
            21,
            "error: timeout: guest passed its deadline of 100ms",
        ),
        (
            &[&echo, "grow_bomb", "--memory", "1MiB"],
            23,
            "error: out of memory: ",
        ),
        (
            &[&echo, "panic"],
            24,
            "error: trap (UnreachableCodeReached): ",
        ),
        (
            &[&echo, "divide_by_zero"],
            24,
            "error: trap (IntegerDivisionByZero): ",
        ),
        (&[&echo, "recurse"], 24, "error: trap (StackOverflow): "),
        (
            &[&fixture("forbidden.wat"), "run"],
            11,
            "error: forbidden import (env.clock): ",
        ),
        (&[&echo, "nope"], 13, "error: missing export (nope): "),
        (
            &[&echo, "echo", "--w"],
            15,
            "error: bad argument: --w needs a value",
        ),
        (
            &[&echo, "echo", "--w", "1", "--w", "2"],
            15,
            "error: bad argument: argument \"w\" is given twice",
        ),
        (
            &[&echo, "echo", "1"],
            15,
            "error: bad argument: export \"echo\" is a service export",
        ),
        (
            &[&service, "add", "1"],
            15,
            "error: bad argument: export \"add\" (i32, i32) -> i32 takes 2 parameters, got 1",
        ),
        (
            &[&service, "add", "1", "x"],
            15,
            "error: bad argument: parameter 2 of \"add\"",
        ),
        (
            &[&service, "add", "--a", "1"],
            15,
            "error: bad argument: export \"add\" is a raw export",
        ),
        (
            &[&fixture("garbage.wasm"), "run"],
            10,
            "error: invalid module: ",
        ),
        (
            &[invalid_binary.to_str().unwrap(), "run"],
            10,
            "error: invalid module: module \"invalid.wasm\" is not valid wasm",
        ),
        (
            &["/nonexistent/m.wasm", "run"],
            3,
            "error: not found: cannot read module /nonexistent/m.wasm: no such file",
        ),
        (
            &["libnothing", "run"],
            3,
            "error: not found: no embedded module or file named \"libnothing\"",
        ),
        (
            &[&echo, "echo", "--data", "@/nonexistent/data"],
            3,
            "error: not found: cannot read /nonexistent/data",
        ),
        (
            &[&echo, "echo", "--memory", "1GiB"],
            12,
            "error: invalid limit memory_limit_bytes: ",
        ),
        (
            &[&echo, "echo", "--timeout", "0s"],
            12,
            "error: invalid limit timeout: ",
        ),
        (
            &[&echo, "refuse"],
            28,
            "error: guest refused the call (bad_argument): no",
        ),
        (&[&echo, "bad_envelope"], 26, "error: abi violation: "),
        (
            &[&echo, "echo", "--fuel", "lots"],
            2,
            "error: invalid value 'lots' for '--fuel <N>'",
        ),
        (
            &[&echo, "echo", "--w", "1", "--fuel", "lots"],
            2,
            "error: usage: invalid value for --fuel",
        ),
        (
            &[&echo, "echo", "--socket", missing_socket.to_str().unwrap()],
            4,
            "error: server: cannot connect",
        ),
    ];
    for (line, expected_code, expected_error) in cases {
        let mut full = vec!["test"];
        full.extend_from_slice(line);
        let (code, stdout, stderr) = run(&full);
        let error_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
        assert_eq!(code, *expected_code, "{full:?}: {stderr}");
        assert_eq!(error_lines.len(), 1, "{full:?}: {stderr}");
        assert!(
            error_lines[0].starts_with(expected_error),
            "{full:?}: {stderr}"
        );
        assert!(stdout.is_empty(), "{full:?}");
    }
    // Usage errors clap catches itself share the usage status.
    let (code, _, _) = run(&["test", &echo, "echo", "--fuel"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn list_shows_directory_modules_with_export_kinds() {
    let dir = fixture("");
    fazt()
        .args(["list", "--dir", &dir])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("service.wat (file, ")
                .and(predicate::str::contains(
                    "greet [service] (i32, i32) -> i64",
                ))
                .and(predicate::str::contains("add [raw] (i32, i32) -> i32"))
                .and(predicate::str::contains("fazt_alloc [abi]"))
                .and(predicate::str::contains(
                    "1 page (64 KiB), no max, exported as \"memory\"",
                ))
                .and(predicate::str::contains("table:    funcref, 2 elements"))
                .and(predicate::str::contains(
                    "valid:    no: forbidden import (env.clock)",
                ))
                .and(predicate::str::contains("env.clock () -> i64"))
                .and(predicate::str::contains("garbage.wasm (file, 29 B")),
        );
    let (code, stdout, _) = run(&["list", "--dir", &dir, "--json"]);
    assert_eq!(code, 0);
    let modules: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let service = modules
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "service.wat")
        .unwrap();
    assert_eq!(service["memories"][0]["initial_pages"], 1);
    assert!(service["error"].is_null());
}

#[test]
fn embedded_modules_are_listed_and_called_by_name() {
    fazt().arg("list").assert().success().stdout(
        predicate::str::contains("libpdf (embedded, ").and(predicate::str::contains(
            "render [service] (i32, i32) -> i64: `html`",
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("out.pdf");
    let repro = dir.path().join("pdf.json");
    fazt()
        .args([
            "test",
            "libpdf",
            "render",
            "--html",
            "<h1>Hi</h1>",
            "--output",
            pdf.to_str().unwrap(),
        ])
        .args(["--save-repro", repro.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains("(PDF document) to "));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&repro).unwrap()).unwrap();
    assert_eq!(saved["request"]["module"]["embedded"], true);
    assert!(saved["request"]["module"]["wasm"].is_null());
    assert_eq!(
        saved["request"]["module"]["sha256"].as_str().unwrap().len(),
        64
    );
    fazt()
        .args(["replay", repro.to_str().unwrap()])
        .assert()
        .success();
    fazt()
        .args([
            "test",
            "libpdf",
            "render",
            "--html",
            "x",
            "--page_size",
            "A5",
        ])
        .assert()
        .code(28)
        .stderr(predicate::str::contains(
            "error: guest refused the call (bad_argument): unknown page size",
        ));
    fazt().args(["stats", "libpdf"]).assert().success().stdout(
        predicate::str::contains("libpdf (embedded, ")
            .and(predicate::str::contains("valid:    yes")),
    );
}

#[test]
fn guest_log_lines_go_to_stderr() {
    fazt()
        .args(["test", &fixture("logger.wat"), "run"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::starts_with(
            "guest[INFO] logger.wat.run: hello from the guest\nreceipt: ",
        ));
}

#[test]
fn stats_reports_declarations_compile_time_and_metrics() {
    fazt()
        .args(["stats", &fixture("service.wat")])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("valid:    yes")
                .and(predicate::str::contains(
                    "limits:   fuel 1000000000, memory 64 MiB, timeout 10s",
                ))
                .and(predicate::str::contains("cache:    miss, compiled in "))
                .and(predicate::str::contains("metrics (this process):"))
                .and(predicate::str::contains(
                    "fazt_wasm_module_compiles_total{module=\"service.wat\"} 1",
                )),
        );
    fazt()
        .args(["stats", &fixture("service.wat"), "--prometheus"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# HELP fazt_wasm_calls_total"));
    let (code, stdout, stderr) = run(&["stats", &fixture("forbidden.wat"), "--json"]);
    assert_eq!(code, 11, "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(report["cache"], "refused");
    assert_eq!(report["module"]["error"]["detail"], "env.clock");
}

#[test]
fn cache_clear_without_a_server_says_there_is_nothing_to_clear() {
    fazt()
        .args(["cache", "clear"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("nothing to clear"));
}

#[test]
fn saved_repros_replay_identically() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.bin");
    std::fs::write(&input, [7u8; 300]).unwrap();
    let echo = echo_wat();
    for (name, line, code) in [
        (
            "ok.json",
            vec![
                "work",
                "--n",
                "5",
                "--blob",
                &format!("@{}", input.display()),
            ],
            0,
        ),
        ("fuel.json", vec!["spin", "--fuel", "1M"], 20),
        ("raw.json", vec!["add", "2", "3"], 0),
    ] {
        let repro = dir.path().join(name);
        let mut full = vec!["test", echo.as_str()];
        full.extend(line);
        full.extend(["--save-repro", repro.to_str().unwrap()]);
        let (actual, _, stderr) = run(&full);
        assert_eq!(actual, code, "{stderr}");
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&repro).unwrap()).unwrap();
        assert_eq!(saved["format"], "fazt-wasm-repro");
        assert_eq!(saved["wasmi"], "2.0.0");
        assert_eq!(saved["request"]["limits"]["memory_bytes"], 64 << 20);
        fazt()
            .args(["replay", repro.to_str().unwrap()])
            .assert()
            .success()
            .stdout(
                predicate::str::contains("fuel:         identical")
                    .and(predicate::str::ends_with("identical\n")),
            );
    }
}

#[test]
fn replay_reports_a_changed_outcome_and_refuses_malformed_files() {
    let dir = tempfile::tempdir().unwrap();
    let repro = dir.path().join("r.json");
    fazt()
        .args([
            "test",
            &echo_wat(),
            "work",
            "--n",
            "3",
            "--save-repro",
            repro.to_str().unwrap(),
        ])
        .assert()
        .success();
    let mut saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&repro).unwrap()).unwrap();
    saved["outcome"]["fuel_consumed"] = serde_json::json!(1);
    std::fs::write(&repro, saved.to_string()).unwrap();
    let (code, stdout, stderr) = run(&["replay", repro.to_str().unwrap(), "--json"]);
    assert_eq!(code, 5, "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(report["identical"], false);
    assert_eq!(report["fuel_identical"], false);
    assert_eq!(report["output_identical"], true);
    assert!(
        stderr.starts_with("error: replay differs: fuel differ"),
        "{stderr}"
    );

    std::fs::write(&repro, "{\"format\": 3}").unwrap();
    let (code, _, stderr) = run(&["replay", repro.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not a fazt-wasm repro file"), "{stderr}");
}

/// A `fazt-wasm serve` child, stopped when dropped.
struct Server {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), extra)
    }

    fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Self {
        let socket = dir.path().join("fazt.sock");
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("fazt-wasm"))
            .args(["serve", "--socket", socket.to_str().unwrap()])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        // A stale socket may be there before the server replaces it: wait for a listener.
        while UnixStream::connect(&socket).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            socket,
            _dir: dir,
        }
    }

    fn path(&self) -> &str {
        self.socket.to_str().unwrap()
    }

    fn raw_request(&self, line: &[u8]) -> serde_json::Value {
        let mut stream = UnixStream::connect(&self.socket).unwrap();
        stream.write_all(line).unwrap();
        let mut reply = String::new();
        BufReader::new(stream).read_line(&mut reply).unwrap();
        serde_json::from_str(&reply).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serve_round_trip_with_concurrent_clients() {
    let server = Server::start(&[]);
    let socket = server.path();
    let mode = std::fs::metadata(&server.socket)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    fazt()
        .args([
            "test",
            "libpdf",
            "render",
            "--html",
            "<p>served</p>",
            "--json",
            "--socket",
            socket,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"type\": \"pdf\""));
    fazt()
        .args(["test", &fixture("service.wat"), "greet", "--socket", socket])
        .assert()
        .success()
        .stdout("hello, world\n")
        .stderr(predicate::str::starts_with("receipt: fuel "));
    fazt()
        .args(["stats", &fixture("service.wat"), "--socket", socket])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("cache:    hit in ").and(predicate::str::contains(
                "fazt_wasm_calls_total{module=\"service.wat\",export=\"greet\",outcome=\"ok\"} 1",
            )),
        );

    // Concurrent clients get the same answers (and the same fuel).
    let echo = echo_wat();
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let echo = echo.clone();
            let socket = String::from(socket);
            std::thread::spawn(move || {
                let output = fazt()
                    .args([
                        "test", &echo, "work", "--n", "20", "--json", "--socket", &socket,
                    ])
                    .output()
                    .unwrap();
                assert!(output.status.success());
                let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
                report["receipt"]["fuel_consumed"].as_u64().unwrap()
            })
        })
        .collect();
    let fuel: Vec<u64> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    assert!(fuel.iter().all(|&f| f == fuel[0] && f > 0), "{fuel:?}");

    // Guest failures travel back with their class.
    let (code, _, stderr) = run(&["test", &echo, "spin", "--fuel", "1M", "--socket", socket]);
    assert_eq!(code, 20, "{stderr}");

    fazt()
        .args(["list", "--socket", socket])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("service.wat (cached, ")
                .and(predicate::str::contains("echo.wat (cached, ")),
        );
    fazt()
        .args(["stats", "--prometheus", "--socket", socket])
        .assert()
        .success()
        .stdout(predicate::str::contains("fazt_wasm_module_cache_entries 3"));

    // Repros recorded through the server replay identically in this process.
    let dir = tempfile::tempdir().unwrap();
    let repro = dir.path().join("r.json");
    fazt()
        .args([
            "test",
            &echo,
            "work",
            "--n",
            "2",
            "--socket",
            socket,
            "--save-repro",
            repro.to_str().unwrap(),
        ])
        .assert()
        .success();
    fazt()
        .args(["replay", repro.to_str().unwrap()])
        .assert()
        .success();

    fazt()
        .args(["cache", "clear", "--socket", socket])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "cleared 3 modules from the cache of the server",
        ));

    // A second server on a live socket is refused.
    fazt()
        .args(["serve", "--socket", socket])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already listening"));
}

#[test]
fn serve_replaces_the_stale_socket_of_a_dead_server() {
    let mut first = Server::start(&[]);
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert!(first.socket.exists());
    let dir = std::mem::replace(&mut first._dir, tempfile::tempdir().unwrap());
    let second = Server::start_in(dir, &[]);
    let reply = second.raw_request(b"{\"op\":\"cache_clear\"}\n");
    assert_eq!(
        reply,
        serde_json::json!({"ok": true, "result": {"cleared": 0}})
    );
}

#[test]
fn serve_answers_malformed_requests_with_errors_and_keeps_going() {
    let server = Server::start(&["--max-request", "1KiB"]);
    for line in [
        &b"not json\n"[..],
        b"{\"op\":\"launch\"}\n",
        b"{\"op\":\"call\",\"function\":3}\n",
    ] {
        let reply = server.raw_request(line);
        assert_eq!(reply["ok"], false, "{reply}");
        assert_eq!(reply["error"]["kind"], "bad_request", "{reply}");
    }
    // One connection, a bad request, then a good one.
    let mut stream = UnixStream::connect(&server.socket).unwrap();
    stream.write_all(b"{]\n{\"op\":\"metrics\"}\n").unwrap();
    let mut replies = BufReader::new(stream).lines();
    let first: serde_json::Value = serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
    let second: serde_json::Value =
        serde_json::from_str(&replies.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["ok"], false);
    assert_eq!(second["ok"], true);
    assert!(
        second["result"]["prometheus"]
            .as_str()
            .unwrap()
            .contains("fazt_wasm_module_cache_entries 0")
    );

    // An over-long request gets an error and the connection closes.
    let mut long = vec![b'x'; 4096];
    long.push(b'\n');
    let reply = server.raw_request(&long);
    assert_eq!(reply["error"]["kind"], "bad_request");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 1024 bytes")
    );

    // The server is still there, and a request in the documented form works.
    let call = serde_json::json!({
        "op": "call",
        "module": {"name": "libpdf", "embedded": true},
        "function": "render",
        "args": [{"type": "string", "name": "html", "value": "<p>x</p>"}],
        "limits": {"fuel": 10_000_000},
    });
    let reply = server.raw_request(format!("{call}\n").as_bytes());
    assert_eq!(reply["ok"], true, "{reply}");
    assert!(
        reply["result"]["result"]["output"]
            .as_str()
            .unwrap()
            .starts_with("JVBERi")
    ); // %PDF
    assert_eq!(reply["result"]["limits"]["fuel"], 10_000_000);
    let reply = server.raw_request(b"{\"op\":\"list\"}\n");
    assert_eq!(reply["result"][0]["name"], "libpdf");
    assert!(Path::new(server.path()).exists());
}

#[test]
fn readme_quick_start_resizes_the_sample_and_output_extension_picks_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let sample = format!(
        "{}/tests/data/libimage/sample.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    for (file, magic, extra) in [
        ("thumb.jpg", &b"\xff\xd8\xff"[..], None),
        ("thumb.png", &b"\x89PNG"[..], None),
        // An explicit --format wins over the extension.
        ("forced.png", &b"\xff\xd8\xff"[..], Some("jpeg")),
    ] {
        let output = dir.path().join(file);
        let mut command = fazt();
        command
            .args([
                "test", "libimage", "resize", "--input", &sample, "--width", "100", "--output",
            ])
            .arg(&output);
        if let Some(format) = extra {
            command.args(["--format", format]);
        }
        command
            .assert()
            .success()
            .stderr(predicate::str::contains("receipt: fuel"));
        let bytes = std::fs::read(&output).unwrap();
        assert!(bytes.starts_with(magic), "{file}: {:?}", &bytes[..4]);
    }
}
