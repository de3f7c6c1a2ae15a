//! `cargo xtask bench`: each figure is printed beside a baseline measured in the same run, as a ratio,
//! because these machines are noisy.

use crate::{
    shell::{cmd, exec, root},
    size::gzipped_len,
};
use anyhow::{Context, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Only the app's figures (its size and navigation → wx.ready), e.g. to repeat the noisy browser bench.
    #[arg(long)]
    app: bool,
}

pub fn run(args: &Args) -> Result<()> {
    // The size and browser benches need trunk, wasm-bindgen, wasm-opt and Chromium like `test` does.
    crate::setup::run()?;
    if args.app {
        crate::app_bench::size()?;
        return crate::app_bench::ready();
    }
    sign_bench()?;
    push_bench()?;
    push_dedupe_bench()?;
    server_bench()?;
    rules_bench()?;
    jssdk_size_bench()?;
    crate::app_bench::size()?;
    crate::app_bench::ready()
}

/// `/api/jssdk/config` under load (warm cache, 64 and 256 connections) vs a bare axum route doing the same
/// SHA-1 + JSON work, both as child processes; the bench prints req/s, p50/p99, RSS and the ratios.
fn server_bench() -> Result<()> {
    exec(cmd("cargo", &["bench", "-p", "wx-server", "--bench", "server_load"]))
}

/// De-duplication across instances: `PushService::handle` with Redis claims vs this process's cache alone, in the
/// same run (the bench starts its own redis-server); it prints both and the ratio.
fn push_dedupe_bench() -> Result<()> {
    exec(cmd("cargo", &["bench", "-p", "wx-server", "--bench", "push_dedupe"]))
}

/// `POST /wechat` answered by the demo rule file's `wx_rules::Router` vs the plain echo handler, both as child
/// processes in the same run; prints both req/s and the throughput ratio (target >= 0.80).
fn rules_bench() -> Result<()> {
    exec(cmd("cargo", &["bench", "-p", "wx-server", "--bench", "rules_load"]))
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

/// `PushService::handle` in process (verify, parse, de-duplicate, echo, reply; AES both ways in safe mode) vs
/// the bare parse of the same XML: where a push's time goes before HTTP is involved (the load test has that).
fn push_bench() -> Result<()> {
    exec(cmd(
        "cargo",
        &["bench", "-p", "wx-push", "--bench", "push", "--", "--noplot"],
    ))?;
    let base = criterion_mean_ns("push_baseline parse")?;
    let plain = criterion_mean_ns("push_plain echo")?;
    let aes = criterion_mean_ns("push_aes echo")?;
    println!(
        "bench wx-push: PushService::handle in process: plain echo {plain:.0} ns, AES echo {aes:.0} ns; baseline \
         Push::parse of the same XML {base:.0} ns; ratios {:.2} / {:.2}",
        plain / base,
        aes / base
    );
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

/// What wx-jssdk adds to a page: the plain web-sys example (config + share + chooseImage) built for production
/// (wasm-release: opt-level z, LTO; wasm-bindgen; wasm-opt -Oz, which reads the target_features section, never
/// stripped), gzipped, vs the same page built without wx-jssdk in the same run; and with the emulator too.
fn jssdk_size_bench() -> Result<()> {
    let without = page_size("without-jssdk", &["--no-default-features"])?;
    let with = page_size("with-jssdk", &["--no-default-features", "--features", "jssdk"])?;
    let emulated = page_size("with-jssdk-and-emulator", &["--features", "jssdk,emulator"])?;
    for (label, size) in [
        ("page without wx-jssdk", &without),
        ("page with wx-jssdk (config + share + chooseImage)", &with),
        ("same page + emulator", &emulated),
    ] {
        println!(
            "bench wx-jssdk size: {label}: {} B gz (wasm {} B gz / {} B raw, JS glue {} B gz)",
            size.total_gz(),
            size.wasm_gz,
            size.wasm_raw,
            size.js_gz
        );
    }
    let base = without.total_gz();
    println!(
        "bench wx-jssdk size: wx-jssdk adds {} B gz (ratio {:.2} vs the page without it); the emulator adds {} B gz more",
        with.total_gz().saturating_sub(base),
        with.total_gz() as f64 / base.max(1) as f64,
        emulated.total_gz().saturating_sub(with.total_gz()),
    );
    println!("bench wx-jssdk size: not counted: jweixin itself, which the page loads from res.wx.qq.com at runtime");
    Ok(())
}

struct PageSize {
    wasm_raw: u64,
    wasm_gz: u64,
    js_gz: u64,
}

impl PageSize {
    fn total_gz(&self) -> u64 {
        self.wasm_gz + self.js_gz
    }
}

fn page_size(label: &str, features: &[&str]) -> Result<PageSize> {
    let mut args = vec![
        "build",
        "-p",
        "wx-jssdk-plain-page",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ];
    args.extend_from_slice(features);
    exec(cmd("cargo", &args))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), std::path::PathBuf::from);
    let wasm = target.join("wasm32-unknown-unknown/wasm-release/wx_jssdk_plain_page.wasm");
    let out = target.join("size-bench").join(label);
    std::fs::create_dir_all(&out)?;
    let (wasm_s, out_s) = (wasm.to_string_lossy().into_owned(), out.to_string_lossy().into_owned());
    exec(cmd("wasm-bindgen", &["--target", "web", "--out-dir", &out_s, &wasm_s]))?;
    let bg = out.join("wx_jssdk_plain_page_bg.wasm");
    let optimized = out.join("optimized.wasm");
    let (bg_s, opt_s) = (
        bg.to_string_lossy().into_owned(),
        optimized.to_string_lossy().into_owned(),
    );
    exec(cmd("wasm-opt", &["-Oz", &bg_s, "-o", &opt_s]))?;
    Ok(PageSize {
        wasm_raw: std::fs::metadata(&optimized)?.len(),
        wasm_gz: gzipped_len(&optimized)?,
        js_gz: gzipped_len(&out.join("wx_jssdk_plain_page.js"))?,
    })
}
