//! `cargo xtask fuzz`: runs wx-push's cargo-fuzz targets (push parser, safe-mode decryptor, verification) for a
//! bounded time each. Not part of `cargo xtask test` or CI, which only lint the targets ([`lint`]) so they keep
//! compiling.
//!
//! cargo-fuzz wants a nightly toolchain for its `-Z` flags; this machine has only stable, so the run sets
//! `RUSTC_BOOTSTRAP=1` (stable rustc then accepts them) and disables the sanitizer (`-s none`): wx-push
//! forbids `unsafe`, so AddressSanitizer has nothing to add, while coverage-guided search and panics still work.

use crate::shell::{cmd, exec, output, root, target_dir};
use anyhow::{Result, bail};

/// The cargo-fuzz version installed on demand.
const CARGO_FUZZ: &str = "0.13.2";
/// The fuzz crate (its own workspace, never a member of the main one).
const FUZZ_DIR: &str = "crates/wx-push/fuzz";
const TARGETS: &[&str] = &["parse_push", "decrypt", "verify_push"];

#[derive(clap::Args)]
pub struct Args {
    /// Seconds to fuzz each target.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Targets to run (default: all of parse_push, decrypt, verify_push).
    targets: Vec<String>,
}

pub fn run(args: &Args) -> Result<()> {
    let targets: Vec<&str> = if args.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        args.targets.iter().map(String::as_str).collect()
    };
    if let Some(unknown) = targets.iter().find(|t| !TARGETS.contains(t)) {
        bail!("unknown fuzz target `{unknown}`: choose from {}", TARGETS.join(", "));
    }
    ensure_cargo_fuzz()?;
    let target_dir = root().join("target").join("fuzz");
    let target_dir = target_dir.to_string_lossy();
    for target in targets {
        let corpus = format!("{FUZZ_DIR}/corpus/{target}");
        let seeds = format!("{FUZZ_DIR}/seeds/{target}");
        std::fs::create_dir_all(root().join(&corpus))?;
        let max_time = format!("-max_total_time={}", args.seconds);
        // XML tokens, so the XML targets reach the fast path's and the guard's decisions in minutes, not hours.
        let dict = format!("-dict={FUZZ_DIR}/xml.dict");
        let mut c = cmd(
            "cargo",
            &[
                "fuzz",
                "run",
                "--fuzz-dir",
                FUZZ_DIR,
                "--target-dir",
                &target_dir,
                "-s",
                "none",
                target,
                &corpus,
                &seeds,
                "--",
                &max_time,
                "-max_len=8192",
                &dict,
            ],
        );
        c.env("RUSTC_BOOTSTRAP", "1");
        exec(c)?;
    }
    println!("fuzz: no crash; new inputs are kept in {FUZZ_DIR}/corpus (git-ignored)");
    Ok(())
}

/// Clippy over the fuzz targets, for `cargo xtask test`: their crate is its own workspace, which the main
/// workspace's checks never see, so without this a change to wx-push could leave them unbuildable until the next
/// fuzz run. Stable cargo, no cargo-fuzz and no sanitizer flags: this builds, it does not fuzz.
pub fn lint() -> Result<()> {
    let manifest = format!("{FUZZ_DIR}/Cargo.toml");
    let target_dir = target_dir().join("fuzz-lint");
    let mut c = cmd(
        "cargo",
        &["clippy", "--manifest-path", &manifest, "--bins", "--", "-D", "warnings"],
    );
    c.env("CARGO_TARGET_DIR", target_dir);
    exec(c)
}

fn ensure_cargo_fuzz() -> Result<()> {
    let have = output(cmd("cargo", &["fuzz", "--version"])).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(CARGO_FUZZ) {
        return Ok(());
    }
    exec(cmd(
        "cargo",
        &["install", "--locked", "cargo-fuzz", "--version", CARGO_FUZZ, "--force"],
    ))
}
