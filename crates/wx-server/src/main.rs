//! `wx-server`: the signing backend's binary. Subcommands: `serve`, `fake-wechat`, and `sign` / `check`
//! (offline debugging of signatures). The library (`wx_server`) does the work.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::Cli::parse().run()
}
