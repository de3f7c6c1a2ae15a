//! `cargo xtask example plain-page`: wx-jssdk's plain web-sys page (`crates/wx-jssdk/examples/plain-page`), built
//! and served on the built-in fake WeChat in one command, no account needed.
//!
//! The page is built for wasm32 (dev profile, as `cargo xtask dev` builds), bound by the wasm-bindgen CLI setup
//! installs (equal to the crate pin) into `target/example-plain-page/`, beside the page's `index.html` and a
//! self-hosted jweixin (setup's npm copy, wrapped as a classic script); `wx-server serve --mock` then serves that
//! directory with the backend and the fake WeChat on one port. Ctrl-C stops it.

use crate::{
    setup,
    shell::{ChildGuard, cmd, exec, root, target_dir, tools_dir},
};
use anyhow::{Context, Result, bail};
use std::{
    net::{SocketAddr, TcpStream},
    path::Path,
    time::{Duration, Instant},
};

/// The examples `cargo xtask example` runs.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Example {
    /// wx-jssdk from a page with no UI framework: config, share, chooseImage, on the emulator.
    PlainPage,
}

#[derive(clap::Args)]
pub struct Args {
    /// Which example.
    example: Example,
    /// Where the page and its backend listen.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
}

/// How long the server may take to listen once built.
const START_LIMIT: Duration = Duration::from_secs(30);

pub fn run(args: &Args) -> Result<()> {
    let Example::PlainPage = args.example;
    setup::run()?;
    let page = target_dir().join("example-plain-page");
    build_plain_page(&page)?;
    exec(cmd("cargo", &["build", "-p", "wx-server"]))?;

    let server_bin = target_dir().join("debug").join("wx-server");
    let (listen, dir) = (args.listen.to_string(), page.to_string_lossy().into_owned());
    let mut server = cmd(
        &server_bin.to_string_lossy(),
        &["serve", "--mock", "--listen", &listen, "--static-dir", &dir],
    );
    let mut server = ChildGuard(server.spawn().context("start wx-server serve --mock")?);
    let started = Instant::now();
    while TcpStream::connect_timeout(&args.listen, Duration::from_millis(200)).is_err() {
        if let Some(status) = server.0.try_wait()? {
            bail!("wx-server exited ({status}); if {listen} is in use, pick another with --listen");
        }
        if started.elapsed() > START_LIMIT {
            bail!("wx-server did not listen on {listen} within {START_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // `?emulate`: the emulator stands in for WeChat; `sdk=`: jweixin from this server before WeChat's CDN.
    let url = format!("http://{listen}/?emulate&sdk=%2Fjweixin-1.6.0.js");
    println!("\nexample: open {url} in a desktop browser; Ctrl-C stops it\n");
    let status = server.0.wait()?;
    bail!("wx-server exited ({status})")
}

/// Builds the plain page into `out`: the wasm-bindgen output, `index.html` and `jweixin-1.6.0.js`. Also
/// `cargo xtask test`'s check that the example still builds.
pub fn build_plain_page(out: &Path) -> Result<()> {
    exec(cmd(
        "cargo",
        &[
            "build",
            "-p",
            "wx-jssdk-plain-page",
            "--target",
            "wasm32-unknown-unknown",
        ],
    ))?;
    let wasm = target_dir().join("wasm32-unknown-unknown/debug/wx_jssdk_plain_page.wasm");
    std::fs::create_dir_all(out).with_context(|| format!("create {}", out.display()))?;
    let (wasm, o) = (wasm.to_string_lossy().into_owned(), out.to_string_lossy().into_owned());
    exec(cmd("wasm-bindgen", &["--target", "web", "--out-dir", &o, &wasm]))?;
    let example = root().join("crates/wx-jssdk/examples/plain-page");
    std::fs::copy(example.join("index.html"), out.join("index.html")).context("copy the page's index.html")?;
    // The npm package is CommonJS; as a classic script it must define `window.wx` itself (what
    // wx_jssdk::commonjs_shim does for pages that fetch it).
    let npm = tools_dir().join("node_modules/weixin-js-sdk/index.js");
    let sdk = std::fs::read_to_string(&npm).with_context(|| format!("read {} (setup installs it)", npm.display()))?;
    let classic = format!(
        "(function(){{var module={{exports:{{}}}};var exports=module.exports;\n{sdk}\n;\
         window.wx=window.jWeixin=module.exports;}})();"
    );
    std::fs::write(out.join("jweixin-1.6.0.js"), classic).context("write jweixin-1.6.0.js")?;
    println!("example: plain page built into {}", out.display());
    Ok(())
}
