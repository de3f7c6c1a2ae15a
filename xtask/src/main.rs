//! `cargo xtask setup | dev | test | bench | size | package | dist | fuzz | example`: everything a fresh machine needs, from one entry point.

mod app_bench;
mod bench;
mod dev;
mod dist;
mod docs;
mod example;
mod fuzz;
mod package;
mod setup;
mod shell;
mod size;
mod test;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "wxkit's task runner")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what is missing (idempotent): wasm32 target, trunk, wasm-bindgen-cli, npm tools, chromium, redis.
    Setup,
    /// Run the demo on the built-in fake WeChat: no account needed.
    Dev,
    /// Setup, then fmt, clippy, host tests, wasm tests in headless Chromium, the examples' build, the app's size
    /// budget and end-to-end tests.
    Test,
    /// Benchmarks, each printed beside a baseline measured in the same run.
    Bench(bench::Args),
    /// The release app's size against the bare Yew counter (the budget `test` enforces), built into
    /// target/e2e-dist.
    Size,
    /// The packaging checks of `test`: `cargo package` of the published crates, and wx-jssdk in a page pinned
    /// to the oldest wasm-bindgen it supports.
    Package,
    /// The release build of the app (and its emulator module) into dist/, as wx-server serves it.
    Dist,
    /// Fuzz wx-push (push parser, safe-mode decryptor, verification) for a while; not in CI.
    Fuzz(fuzz::Args),
    /// Build an example and run it on the built-in fake WeChat: `cargo xtask example plain-page`.
    Example(example::Args),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Setup => setup::run(),
        Task::Dev => dev::run(),
        Task::Test => test::run(),
        Task::Bench(args) => bench::run(&args),
        Task::Size => size::run(),
        Task::Package => package::check_packages().and_then(|()| package::check_oldest_wasm_bindgen()),
        Task::Dist => dist::run(),
        Task::Fuzz(args) => fuzz::run(&args),
        Task::Example(args) => example::run(&args),
    }
}
