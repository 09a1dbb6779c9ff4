//! The subcommands: each takes its parsed arguments, prints its result and returns the
//! failure that decides the exit status.

use std::path::Path;

use crate::args::{self, FileReader};
use crate::call::{CallOutcome, CallRequest, Executor, Limits, ModuleRef, NamedArg, StatsReport};
use crate::cli::{CacheClearCmd, ListCmd, ReplayCmd, StatsCmd, TestCmd};
use crate::embedded::{self, EMBEDDED};
use crate::exit::Failure;
use crate::inspect::{self, ModuleInfo};
use crate::repro::{self, Comparison};
use crate::serve::Client;
use crate::{report, units};

/// Where calls run: in this process, or in a `fazt-wasm serve` behind `--socket`.
#[derive(Debug)]
enum Backend {
    Local(Executor),
    Remote(Client),
}

impl Backend {
    fn new(socket: Option<&Path>) -> Result<Self, Failure> {
        match socket {
            Some(socket) => Ok(Self::Remote(Client::new(socket))),
            None => Executor::new("this process").map(Self::Local),
        }
    }

    fn call(&self, request: &CallRequest) -> Result<CallOutcome, Failure> {
        match self {
            Self::Local(executor) => Ok(executor.execute(request)),
            Self::Remote(client) => client.call(request),
        }
    }

    fn stats(&self, module: &ModuleRef) -> Result<StatsReport, Failure> {
        match self {
            Self::Local(executor) => executor.stats(module),
            Self::Remote(client) => client.stats(module),
        }
    }

    fn prometheus(&self) -> Result<String, Failure> {
        match self {
            Self::Local(executor) => Ok(executor.prometheus(None)),
            Self::Remote(client) => client.metrics(),
        }
    }
}

/// `fazt-wasm list`.
///
/// # Errors
///
/// `io` when --dir cannot be read, `server` when --socket cannot be reached.
pub fn list(cmd: &ListCmd) -> Result<(), Failure> {
    let executor = Executor::new("this process")?;
    let mut infos: Vec<ModuleInfo> = EMBEDDED
        .iter()
        .map(|module| executor.inspect(&ModuleRef::embedded(module)))
        .collect();
    if let Some(dir) = &cmd.dir {
        let paths = crate::files::modules_in(dir)
            .map_err(|error| Failure::io("cannot list", dir, &error))?;
        for path in paths {
            let spec = path.to_string_lossy();
            infos.push(match ModuleRef::resolve(&spec) {
                Ok(module) => executor.inspect(&module),
                Err(failure) => {
                    let name = path
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                    // Describe what is there even when it does not parse: its size and hash.
                    let bytes = crate::files::read(&path).unwrap_or_default();
                    let mut info = inspect::describe(&name, "file", &bytes, Some(failure));
                    info.path = Some(spec.into_owned());
                    info
                }
            });
        }
    }
    if let Some(socket) = &cmd.socket {
        infos.extend(Client::new(socket).list()?);
    }
    if cmd.json {
        println!("{}", to_json(&infos)?);
        return Ok(());
    }
    if infos.is_empty() {
        println!(
            "no modules: none are embedded in this build{}",
            if cmd.dir.is_some() {
                " and --dir has no .wasm or .wat files"
            } else {
                "; pass --dir DIR to list a directory"
            }
        );
    }
    for (i, info) in infos.iter().enumerate() {
        if i > 0 {
            println!();
        }
        inspect::print_block(info);
    }
    Ok(())
}

/// `fazt-wasm stats`.
///
/// # Errors
///
/// The runtime's refusal of the module (after the report is printed), `io` for a module
/// that cannot be read, `server` when --socket cannot be reached.
pub fn stats(cmd: &StatsCmd) -> Result<(), Failure> {
    let backend = Backend::new(cmd.socket.as_deref())?;
    let Some(spec) = &cmd.module else {
        print!("{}", backend.prometheus()?);
        return Ok(());
    };
    let module = ModuleRef::resolve(spec)?;
    let report = backend.stats(&module)?;
    if cmd.prometheus {
        print!("{}", report.prometheus);
    } else if cmd.json {
        println!("{}", to_json(&report)?);
    } else {
        print_stats(&report);
    }
    match &report.module.error {
        Some(failure) => Err(failure.clone()),
        None => Ok(()),
    }
}

fn print_stats(report: &StatsReport) {
    inspect::print_block(&report.module);
    if let Some(limits) = &report.limits {
        println!("  limits:   {}", limits.summary());
    }
    let load = units::format_duration(std::time::Duration::from_secs_f64(report.load_seconds));
    let entries = match report.cache_entries {
        1 => String::from("1 module"),
        n => format!("{n} modules"),
    };
    match report.cache.as_str() {
        "hit" => println!(
            "  cache:    hit in {load} (cache of the {}: {entries})",
            report.cache_owner
        ),
        "compiled" if report.cache_owner == "server" => {
            println!("  cache:    miss, compiled in {load} (cache of the server: {entries})");
        }
        "compiled" => println!(
            "  cache:    miss, compiled in {load} (this process's cache ends with it; `fazt-wasm serve` keeps one)"
        ),
        other => println!("  cache:    {other}"),
    }
    println!("metrics ({}):", report.cache_owner);
    for line in report
        .prometheus
        .lines()
        .filter(|line| !line.starts_with('#'))
    {
        println!("  {line}");
    }
}

/// `fazt-wasm cache clear`.
///
/// # Errors
///
/// `server` when --socket cannot be reached.
pub fn cache_clear(cmd: &CacheClearCmd) -> Result<(), Failure> {
    match &cmd.socket {
        Some(socket) => {
            let cleared = Client::new(socket).cache_clear()?;
            println!(
                "cleared {cleared} module{} from the cache of the server at {}",
                if cleared == 1 { "" } else { "s" },
                socket.display()
            );
        }
        None => println!(
            "nothing to clear: without --socket there is no running process; every other fazt-wasm command starts with an empty cache and drops it when it exits"
        ),
    }
    Ok(())
}

/// `fazt-wasm test`.
///
/// # Errors
///
/// The call's failure, or what kept it from running.
pub fn test(cmd: TestCmd) -> Result<(), Failure> {
    let TestCmd {
        module,
        function,
        mut options,
        args,
    } = cmd;
    let mut free = args::parse(&args, &mut options, &mut FileReader::default())?;
    let module = ModuleRef::resolve(&module)?;
    // `--output thumb.png` asks for PNG when the module takes an output format and none was
    // given; an explicit `--format` always wins.
    if let (true, Some(arg), Some(format)) = (
        module.embedded,
        embedded::output_format_arg(&module.name, &function),
        options
            .output
            .as_deref()
            .and_then(embedded::format_of_output),
    ) && !free.named.iter().any(|named| named.name() == arg)
    {
        free.named.push(NamedArg::String {
            name: String::from(arg),
            value: String::from(format),
        });
    }
    let request = CallRequest {
        module,
        function,
        args: free.named,
        params: free.positional,
        raw: options.raw,
        limits: Limits {
            fuel: options.fuel,
            memory_bytes: options.memory,
            timeout: options.timeout.map(units::Timeout::to_arg),
            max_stack_depth: None,
        },
    };
    let outcome = Backend::new(options.socket.as_deref())?.call(&request)?;
    let presented = report::present(&outcome, options.output.as_deref(), options.json);
    let saved = match &options.save_repro {
        Some(path) => repro::save(path, &request, &outcome).map(|()| {
            eprintln!("saved reproducer to {}", path.display());
        }),
        None => Ok(()),
    };
    match (presented, saved) {
        (Err(call_failure), Err(save_failure)) => {
            eprintln!("error: {save_failure}");
            Err(call_failure)
        }
        (Err(failure), Ok(())) | (Ok(()), Err(failure)) => Err(failure),
        (Ok(()), Ok(())) => Ok(()),
    }
}

/// `fazt-wasm replay`.
///
/// # Errors
///
/// `replay_mismatch` when the outcome differs, `io`/`usage` for an unreadable repro.
pub fn replay(cmd: &ReplayCmd) -> Result<(), Failure> {
    let repro = repro::load(&cmd.file)?;
    let outcome = Backend::new(cmd.socket.as_deref())?.call(&repro.request)?;
    let comparison = Comparison::new(&repro, &outcome);
    comparison.print(&repro, cmd.json);
    comparison.verdict()
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map_err(|error| Failure::new("internal", format!("cannot encode json: {error}")))
}
