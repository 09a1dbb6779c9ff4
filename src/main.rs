//! The `fazt-wasm` admin CLI: parse the command line, run the command, turn its failure
//! into a one-line error and an exit status (`exit::EXIT_CLASSES`).

mod args;
mod call;
mod cli;
mod commands;
mod exit;
mod files;
mod guest_log;
mod inspect;
mod metrics;
mod report;
mod repro;
mod serve;
mod units;

use std::process::ExitCode;

// The embedded module table lives in the library half of this package.
use fazt_wasm::embedded;

use clap::Parser as _;

use crate::cli::{CacheCmd, Cli, Command};

fn main() -> ExitCode {
    // Usage errors exit with clap's status 2, the `usage` class.
    let cli = Cli::parse();
    guest_log::install();
    let result = match cli.command {
        Command::List(cmd) => commands::list(&cmd),
        Command::Stats(cmd) => commands::stats(&cmd),
        Command::Cache(CacheCmd::Clear(cmd)) => commands::cache_clear(&cmd),
        Command::Test(cmd) => commands::test(cmd),
        Command::Replay(cmd) => commands::replay(&cmd),
        Command::Serve(cmd) => serve::serve(&cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
