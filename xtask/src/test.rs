//! `cargo xtask test`: setup, then every check CI relies on, stopping at the first failure.

use crate::{
    setup,
    shell::{cmd, exec},
};
use anyhow::Result;

/// Crates that compile to wasm32 and have browser tests (wasm-bindgen-test in headless Chromium).
/// wx-jssdk's browser tests `include_str!` the npm jweixin file that setup installs into target/tools.
pub const WASM_CRATES: &[&str] = &["wx-sign", "wx-jssdk"];

pub fn run() -> Result<()> {
    setup::run()?;
    exec(cmd("cargo", &["fmt", "--all", "--", "--check"]))?;
    exec(cmd(
        "cargo",
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
    ))?;
    for krate in WASM_CRATES {
        exec(cmd(
            "cargo",
            &[
                "clippy",
                "-p",
                krate,
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ))?;
    }
    exec(cmd("cargo", &["test", "--workspace"]))?;
    for krate in WASM_CRATES {
        exec(wasm_test(krate))?;
    }
    Ok(())
}

/// `cargo test --target wasm32` run by wasm-bindgen-test-runner in Debian's headless Chromium.
pub fn wasm_test(krate: &str) -> std::process::Command {
    let mut c = cmd("cargo", &["test", "-p", krate, "--target", "wasm32-unknown-unknown"]);
    c.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    c
}
