//! The command line. Each subcommand lives in its own module.

mod account;
mod chat;
mod check;
mod fake;
mod push;
#[cfg(feature = "qrcode")]
mod qrcode;
mod serve;
mod sign;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// wxkit's signing backend for WeChat Official Account H5 pages.
///
/// `serve` runs the backend (configure it with WX_* environment variables, the same-named flags, or a
/// TOML file); `serve --mock` runs it on a built-in fake WeChat with no configuration at all.
#[derive(Debug, Parser)]
#[command(name = "wx-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    // Boxed: its many options would make every other command as large.
    Serve(Box<serve::ServeCommand>),
    FakeWechat(fake::FakeArgs),
    Sign(sign::SignArgs),
    Check(check::CheckArgs),
    Push(push::PushArgs),
    Chat(chat::ChatArgs),
    #[cfg(feature = "qrcode")]
    Qrcode(qrcode::QrcodeArgs),
    Menu(account::MenuArgs),
    Send(account::SendArgs),
    Template(account::TemplateArgs),
    Media(account::MediaArgs),
    Users(account::UsersArgs),
    Tags(account::TagsArgs),
}

impl Cli {
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Serve(args) => args.run(),
            Command::FakeWechat(args) => args.run(),
            Command::Sign(args) => args.run(),
            Command::Check(args) => args.run(),
            Command::Push(args) => args.run(),
            Command::Chat(args) => args.run(),
            #[cfg(feature = "qrcode")]
            Command::Qrcode(args) => args.run(),
            Command::Menu(args) => args.run(),
            Command::Send(args) => args.run(),
            Command::Template(args) => args.run(),
            Command::Media(args) => args.run(),
            Command::Users(args) => args.run(),
            Command::Tags(args) => args.run(),
        }
    }
}

/// Logs to stderr; `RUST_LOG` overrides the default `info`.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: could not start the async runtime: {e}");
            ExitCode::from(1)
        })
}
