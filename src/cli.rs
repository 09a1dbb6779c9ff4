//! The command line, as clap derive types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::units::{self, Timeout};

/// Admin tool for the fazt-wasm runtime: inspect modules, run exports, replay calls.
#[derive(Debug, Parser)]
#[command(
    name = "fazt-wasm",
    version,
    after_help = crate::exit::help_table(),
    max_term_width = 100
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the embedded modules and the modules in --dir: exports, imports, memory.
    List(ListCmd),
    /// Validate a module and show its declarations, compile time, cache state and metrics.
    Stats(StatsCmd),
    /// Manage the module cache of a running `fazt-wasm serve`.
    #[command(subcommand)]
    Cache(CacheCmd),
    /// Call an export of a module and print its output and a receipt.
    #[command(after_help = test_help())]
    Test(TestCmd),
    /// Re-run a call saved with `test --save-repro` and compare the outcome.
    Replay(ReplayCmd),
    /// Keep a runtime with its module cache alive behind a Unix socket.
    #[command(after_help = crate::serve::PROTOCOL_HELP)]
    Serve(ServeCmd),
}

/// `fazt-wasm list`.
#[derive(Debug, Args)]
pub struct ListCmd {
    /// Also list the .wasm and .wat files in DIR.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also list the modules cached by the `fazt-wasm serve` at PATH.
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

/// `fazt-wasm stats`.
#[derive(Debug, Args)]
pub struct StatsCmd {
    /// An embedded module name or a path to a .wasm/.wat file; with --prometheus and no
    /// module, every metric.
    #[arg(required_unless_present = "prometheus")]
    pub module: Option<String>,
    /// Print the metrics in the Prometheus text format only.
    #[arg(long, conflicts_with = "json")]
    pub prometheus: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Ask the `fazt-wasm serve` at PATH (its cache and metrics) instead of this process.
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

/// `fazt-wasm cache ...`.
#[derive(Debug, Subcommand)]
pub enum CacheCmd {
    /// Drop every compiled module from the cache of the `fazt-wasm serve` at --socket.
    Clear(CacheClearCmd),
}

/// `fazt-wasm cache clear`.
#[derive(Debug, Args)]
pub struct CacheClearCmd {
    /// The `fazt-wasm serve` whose cache to clear. Without it there is no cache to clear:
    /// every other command starts with an empty cache and drops it when it exits.
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

/// `fazt-wasm test`.
#[derive(Debug, Args)]
pub struct TestCmd {
    /// An embedded module name (see `fazt-wasm list`) or a path to a .wasm/.wat file.
    pub module: String,
    /// The export to call.
    pub function: String,
    /// The options, which may also come after the arguments.
    #[command(flatten)]
    pub options: TestOptions,
    /// Named arguments (`--NAME VALUE`) for a service export, or positional values for a
    /// raw export. See the typing rules below.
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true,
        num_args = 0..
    )]
    pub args: Vec<String>,
}

/// The options of `test`. `args::parse` fills in those written after the function name.
#[derive(Debug, Default, Args)]
pub struct TestOptions {
    /// Pass the bytes of FILE as the argument `input` (`-` reads stdin).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Write the output bytes to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fuel budget of the call (`10M`, `1_000_000`) [default: the module's]
    #[arg(long, value_name = "N", value_parser = units::parse_fuel)]
    pub fuel: Option<u64>,
    /// Linear-memory limit (`64MiB`, `1GB`) [default: the module's]
    #[arg(long, value_name = "BYTES", value_parser = units::parse_size)]
    pub memory: Option<u64>,
    /// Wall-clock timeout (`500ms`, `2s`, `none`) [default: the module's]
    #[arg(long, value_name = "SECONDS", value_parser = units::parse_timeout)]
    pub timeout: Option<Timeout>,
    /// Print the result metadata and the receipt as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Call the export with plain wasm values even when it has the service signature.
    #[arg(long)]
    pub raw: bool,
    /// Write a self-contained reproducer of the call (module, arguments, limits, outcome).
    #[arg(long, value_name = "FILE")]
    pub save_repro: Option<PathBuf>,
    /// Run the call in the `fazt-wasm serve` at PATH (with its warm cache).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

/// `fazt-wasm replay`.
#[derive(Debug, Args)]
pub struct ReplayCmd {
    /// A file written by `fazt-wasm test --save-repro`.
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Re-run the call in the `fazt-wasm serve` at PATH.
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

/// `fazt-wasm serve`.
#[derive(Debug, Args)]
pub struct ServeCmd {
    /// The Unix socket to listen on; created owner-only (0600). A stale socket left by a
    /// server that died is replaced; a live one is an error.
    #[arg(long, value_name = "PATH")]
    pub socket: PathBuf,
    /// Largest request line accepted; longer requests get an error reply.
    #[arg(long, value_name = "BYTES", value_parser = units::parse_size, default_value = "64MiB")]
    pub max_request: u64,
}

fn test_help() -> String {
    format!(
        "\
Argument typing:
  --NAME VALUE        true/false is a bool, 12 an integer, 1.5 or 2e3 a float,
                      @PATH the bytes of a file (@- is stdin), @@x the string @x,
                      anything else a string
  --NAME:TYPE VALUE   force a type: int, float, bool, str (literal) or bytes;
                      also passes names the options above would take (--output:str x)
  VALUE...            for a raw export (numeric parameters), its parameters in order;
                      the results are printed one per line

Output goes to --output FILE, or to stdout when it is text; binary output is summarised
(size, detected type) on a terminal. A receipt (fuel, peak memory, wall time) goes to
stderr. Sizes take KiB/MiB/GiB or kB/MB/GB, durations ns/us/ms/s/min/h.

Examples:
  fazt-wasm test libpdf render --html @page.html --page_size Letter --output page.pdf
  fazt-wasm test add.wat add 2 3
  fazt-wasm test ./guest.wasm run --fuel 10M --memory 16MiB --timeout 500ms --json

{}",
        crate::exit::help_table()
    )
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
