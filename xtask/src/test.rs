//! `cargo xtask test`: setup, then every check CI relies on, stopping at the first failure.

use crate::{
    dist, docs, example, fuzz, package, setup,
    shell::{cmd, exec, exec_within, target_dir},
    size,
};
use anyhow::Result;
use std::{path::Path, process::Command, time::Duration};

/// How long one step's tests may run once built. The longest (the workspace's native tests) takes about a minute
/// here; a step past this has a hung test.
const TEST_RUN_LIMIT: Duration = Duration::from_secs(20 * 60);

/// Crates that compile to wasm32 and have browser tests (wasm-bindgen-test in headless Chromium).
/// wx-jssdk's browser tests `include_str!` the npm jweixin file that setup installs into target/tools.
pub const WASM_CRATES: &[&str] = &["wx-sign", "wx-jssdk"];
/// Crates that only make sense on wasm32 (the app and its emulator module): clippy there too.
const WASM_ONLY_CRATES: &[&str] = &["wxkit-web", "wxkit-emulator", BROWSER_ONLY_EXAMPLE];
/// The Leptos example: wasm32 only in these checks (see `run`).
const BROWSER_ONLY_EXAMPLE: &str = "wx-jssdk-leptos-page";

pub fn run() -> Result<()> {
    setup::run()?;
    exec(cmd("cargo", &["fmt", "--all", "--", "--check"]))?;
    docs::check_architecture()?;
    // The Leptos example is a browser page: linted for wasm32 below and built by Trunk, not compiled for the host
    // too (Leptos natively would add minutes to two steps for nothing run).
    exec(cmd(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--exclude",
            BROWSER_ONLY_EXAMPLE,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    // wx-server's library as an embedder builds it, without the features the binary turns on (cli, redis,
    // qrcode): the split must keep compiling, warning-free.
    let lib_alone = ["-p", "wx-server", "--lib", "--no-default-features"];
    exec(cmd(
        "cargo",
        &[&["clippy"][..], &lib_alone, &["--", "-D", "warnings"]].concat(),
    ))?;
    exec(cmd("cargo", &[&["build"][..], &lib_alone].concat()))?;
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
    fuzz::lint()?;
    package::check_packages()?;
    package::check_oldest_wasm_bindgen()?;
    built_then_run(|| {
        cmd(
            "cargo",
            &[
                "test",
                "--workspace",
                "--exclude",
                "wxkit-e2e",
                "--exclude",
                BROWSER_ONLY_EXAMPLE,
            ],
        )
    })?;
    for krate in WASM_CRATES {
        built_then_run(|| wasm_test(krate))?;
    }
    // Built as `cargo xtask example …` builds them; the end-to-end tests drive both to `wx.ready`.
    let examples = Examples {
        plain: target_dir().join("example-plain-page"),
        leptos: target_dir().join("example-leptos-page"),
    };
    example::build_plain_page(&examples.plain)?;
    example::build_leptos_page(&examples.leptos)?;
    // One release build for both: the size budget measures the app the end-to-end tests drive.
    let dist_dir = target_dir().join("e2e-dist");
    dist::build(&dist_dir)?;
    size::check_budget(&dist_dir)?;
    end_to_end(&dist_dir, &examples)
}

/// Where the example pages were built for the end-to-end tests.
struct Examples {
    plain: std::path::PathBuf,
    leptos: std::path::PathBuf,
}

/// Builds a test step (`--no-run`, untimed: a fresh machine compiles everything), then runs it under
/// [`TEST_RUN_LIMIT`].
fn built_then_run(step: impl Fn() -> Command) -> Result<()> {
    let mut build = step();
    build.arg("--no-run");
    exec(build)?;
    exec_within(step(), TEST_RUN_LIMIT)
}

/// The release app in `dist_dir` served by a real `wx-server serve --mock`, driven in headless Chromium (tests/).
/// The example pages too (tests/tests/pages.rs), and the app where a WebView cannot run it.
fn end_to_end(dist_dir: &Path, examples: &Examples) -> Result<()> {
    exec(cmd("cargo", &["build", "-p", "wx-server"]))?;
    built_then_run(|| {
        let mut e2e = cmd(
            "cargo",
            &["test", "-p", "wxkit-e2e", "--test", "app", "--test", "pages"],
        );
        // One browser test at a time (libtest's `--test-threads=1`, set where `--no-run` can still be appended).
        e2e.env("RUST_TEST_THREADS", "1")
            .env("WXKIT_SERVER_BIN", target_dir().join("debug").join("wx-server"))
            .env("WXKIT_DIST", dist_dir)
            .env("WXKIT_PLAIN_PAGE", &examples.plain)
            .env("WXKIT_LEPTOS_PAGE", &examples.leptos)
            .env("WXKIT_SCREENSHOTS", target_dir().join("e2e-screenshots"));
        e2e
    })
}

/// `cargo test --target wasm32` run by wasm-bindgen-test-runner in Debian's headless Chromium.
pub fn wasm_test(krate: &str) -> std::process::Command {
    let mut c = cmd("cargo", &["test", "-p", krate, "--target", "wasm32-unknown-unknown"]);
    c.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    c
}
