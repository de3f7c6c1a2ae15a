//! `wx-server`: the signing backend's binary. Subcommands: `serve`, `fake-wechat`, `sign` / `check` (offline
//! debugging of signatures) and `qrcode` (a scene QR code, drawn locally). The library (`wx_server`) does the work.

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// A push in safe mode allocates a few dozen short-lived buffers (body, query, XML fields, ciphertext, reply);
/// on glibc's malloc that was a tenth of its CPU under load, on mimalloc about half that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::Cli::parse().run()
}
