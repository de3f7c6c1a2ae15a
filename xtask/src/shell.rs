//! Running commands from the repository root, with each step announced and timed.

use anyhow::{Context, Result, bail};
use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
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

/// `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".cargo")))
}

/// PATH with the npm tools and cargo's bin directory in front.
pub fn tool_path() -> String {
    let mut parts = vec![npm_bin()];
    if let Some(home) = cargo_home() {
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
pub fn exec(c: Command) -> Result<()> {
    run(c, None)
}

/// [`exec`] with a time limit: past it the command and every process it started are killed and the step fails,
/// so a hung test stops its own step (named in the error) instead of running until CI's limit.
pub fn exec_within(c: Command, limit: Duration) -> Result<()> {
    run(c, Some(limit))
}

fn run(mut c: Command, limit: Option<Duration>) -> Result<()> {
    let shown = describe(&c);
    match limit {
        Some(limit) => println!("==> {shown}   (limit {} min)", limit.as_secs() / 60),
        None => println!("==> {shown}"),
    }
    let start = Instant::now();
    let mut child = c.spawn().with_context(|| format!("could not start `{shown}`"))?;
    let status = loop {
        let Some(limit) = limit else {
            break child.wait()?;
        };
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() >= limit {
            kill_descendants(child.id());
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "`{shown}` did not finish within {} min and was stopped: a test hangs (run the step alone to see which)",
                limit.as_secs() / 60
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    println!("    ({:.1}s) {shown}", start.elapsed().as_secs_f64());
    if !status.success() {
        bail!("`{shown}` failed with {status}");
    }
    Ok(())
}

/// Kills every process descended from `pid` (found through /proc's parent links), deepest first, so none is left
/// behind when `pid` itself is killed: cargo does not pass a kill on to the test binaries it runs.
fn kill_descendants(pid: u32) {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let child: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid …`: the command name may contain spaces, so read after its closing `)`.
            let parent = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            Some((child, parent))
        })
        .collect();
    let mut found = vec![pid];
    let mut i = 0;
    while let Some(&p) = found.get(i) {
        found.extend(
            parents
                .iter()
                .filter(|(_, parent)| *parent == p)
                .map(|(child, _)| *child),
        );
        i += 1;
    }
    for victim in found.iter().skip(1).rev() {
        let _ = Command::new("kill").args(["-KILL", &victim.to_string()]).status();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Gone, or a zombie waiting for whoever adopted it to reap it.
    fn is_dead(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
    }

    #[test]
    fn a_step_past_its_limit_is_stopped_with_everything_it_started() {
        let pid_file = std::env::temp_dir().join(format!("wxkit-xtask-limit-{}", std::process::id()));
        let mut step = Command::new("sh");
        step.arg("-c")
            .arg(format!("sleep 600 & echo $! > {}; wait", pid_file.display()));
        let started = Instant::now();
        let error = exec_within(step, Duration::from_secs(1)).expect_err("the step outlives its limit");
        assert!(error.to_string().contains("did not finish within"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(30));
        let grandchild = std::fs::read_to_string(&pid_file).expect("the step wrote its child's pid");
        let _ = std::fs::remove_file(&pid_file);
        let grandchild = grandchild.trim();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !is_dead(grandchild) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            is_dead(grandchild),
            "the step's own child {grandchild} was left running"
        );
    }
}
