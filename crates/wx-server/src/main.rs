//! `wx-server`: the signing backend's binary. Subcommands: `sign`, `check` (offline debugging of signatures).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::Cli::parse().run()
}
