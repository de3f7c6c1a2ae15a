//! `cargo xtask bench`: each figure is printed beside a baseline measured in the same run, as a ratio,
//! because these machines are noisy.

use crate::shell::{cmd, exec, root};
use anyhow::{Context, Result};

pub fn run() -> Result<()> {
    sign_bench()
}

/// One `wx.config` signature vs the bare SHA-1 of the same canonical string.
fn sign_bench() -> Result<()> {
    exec(cmd(
        "cargo",
        &[
            "bench",
            "-p",
            "wx-sign",
            "--bench",
            "config_signature",
            "--",
            "--noplot",
        ],
    ))?;
    let sign = criterion_mean_ns("sign_config")?;
    let base = criterion_mean_ns("baseline_sha1_same_bytes")?;
    println!(
        "bench wx-sign: sign_config {sign:.0} ns/op; baseline bare SHA-1+hex of the same bytes {base:.0} ns/op; ratio {:.2}",
        sign / base
    );
    if sign > 2000.0 {
        println!("bench wx-sign: WARNING sign_config is over 2 µs/op, which points to a bug");
    }
    Ok(())
}

fn criterion_mean_ns(bench: &str) -> Result<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), std::path::PathBuf::from);
    let path = target.join("criterion").join(bench).join("new/estimates.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("criterion wrote no {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    v["mean"]["point_estimate"]
        .as_f64()
        .context("estimates.json has no mean")
}
