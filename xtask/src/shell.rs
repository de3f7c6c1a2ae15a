//! Running commands from the repository root, with each step announced and timed.

use anyhow::{Context, Result, bail};
use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Where xtask keeps tools it installs per checkout (npm packages); never committed.
pub fn tools_dir() -> PathBuf {
    root().join("target").join("tools")
}

/// `node_modules/.bin` of the npm tools: first on PATH for trunk (wasm-opt) and tests.
pub fn npm_bin() -> PathBuf {
    tools_dir().join("node_modules").join(".bin")
}

/// PATH with the npm tools and cargo's bin directory in front.
pub fn tool_path() -> String {
    let mut parts = vec![npm_bin()];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".cargo")))
    {
        parts.push(home.join("bin"));
    }
    let old = std::env::var_os("PATH").unwrap_or_default();
    parts.extend(std::env::split_paths(&old));
    std::env::join_paths(parts)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// A command run from the repository root with the tool PATH.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args).current_dir(root()).env("PATH", tool_path());
    c
}

/// Runs a command to completion, printing it and how long it took; fails on a non-zero exit.
pub fn exec(mut c: Command) -> Result<()> {
    let shown = describe(&c);
    println!("==> {shown}");
    let start = Instant::now();
    let status = c.status().with_context(|| format!("could not start `{shown}`"))?;
    println!("    ({:.1}s) {shown}", start.elapsed().as_secs_f64());
    if !status.success() {
        bail!("`{shown}` failed with {status}");
    }
    Ok(())
}

/// Runs a command and returns its stdout, or None if it could not run or failed.
pub fn output(mut c: Command) -> Option<String> {
    let out = c.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Cargo's target directory (`CARGO_TARGET_DIR` when set).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// A child process that is killed when dropped, so no server outlives the task that started it.
pub struct ChildGuard(pub std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
