//! `cargo xtask test`: setup, then every check CI relies on, stopping at the first failure.

use crate::{
    dist, setup,
    shell::{cmd, exec, target_dir},
};
use anyhow::Result;

/// Crates that compile to wasm32 and have browser tests (wasm-bindgen-test in headless Chromium).
/// wx-jssdk's browser tests `include_str!` the npm jweixin file that setup installs into target/tools.
pub const WASM_CRATES: &[&str] = &["wx-sign", "wx-jssdk"];
/// Crates that only make sense on wasm32 (the app and its emulator module): clippy there too.
const WASM_ONLY_CRATES: &[&str] = &["wxkit-web", "wxkit-emulator"];

pub fn run() -> Result<()> {
    setup::run()?;
    exec(cmd("cargo", &["fmt", "--all", "--", "--check"]))?;
    exec(cmd(
        "cargo",
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
    ))?;
    for krate in WASM_CRATES.iter().chain(WASM_ONLY_CRATES) {
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
    exec(cmd("cargo", &["test", "--workspace", "--exclude", "wxkit-e2e"]))?;
    for krate in WASM_CRATES {
        exec(wasm_test(krate))?;
    }
    end_to_end()
}

/// The release app served by a real `wx-server serve --mock`, driven in headless Chromium (tests/).
fn end_to_end() -> Result<()> {
    let dist_dir = target_dir().join("e2e-dist");
    dist::build(&dist_dir)?;
    exec(cmd("cargo", &["build", "-p", "wx-server"]))?;
    let mut e2e = cmd(
        "cargo",
        &["test", "-p", "wxkit-e2e", "--test", "app", "--", "--test-threads=1"],
    );
    e2e.env("WXKIT_SERVER_BIN", target_dir().join("debug").join("wx-server"))
        .env("WXKIT_DIST", &dist_dir)
        .env("WXKIT_SCREENSHOTS", target_dir().join("e2e-screenshots"));
    exec(e2e)
}

/// `cargo test --target wasm32` run by wasm-bindgen-test-runner in Debian's headless Chromium.
pub fn wasm_test(krate: &str) -> std::process::Command {
    let mut c = cmd("cargo", &["test", "-p", krate, "--target", "wasm32-unknown-unknown"]);
    c.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    c
}
