//! The command line. Each subcommand lives in its own module.

mod check;
mod sign;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// wxkit's signing backend for WeChat Official Account H5 pages.
#[derive(Debug, Parser)]
#[command(name = "wx-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Sign(sign::SignArgs),
    Check(check::CheckArgs),
}

impl Cli {
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Sign(args) => args.run(),
            Command::Check(args) => args.run(),
        }
    }
}
