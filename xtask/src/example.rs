//! `cargo xtask example plain-page | leptos-page`: wx-jssdk's example pages, built and served on the built-in fake
//! WeChat in one command, no account needed.
//!
//! `plain-page` (`crates/wx-jssdk/examples/plain-page`, plain web-sys): built for wasm32 (dev profile, as `cargo xtask dev` builds), bound by the wasm-bindgen CLI setup
//! installs (equal to the crate pin) into `target/example-plain-page/`, beside the page's `index.html` and a
//! self-hosted jweixin (setup's npm copy, wrapped as a classic script); `wx-server serve --mock` then serves that
//! directory with the backend and the fake WeChat on one port. Ctrl-C stops it.
//!
//! `leptos-page` (`crates/wx-jssdk/examples/leptos-page`, Leptos 0.8 CSR): `trunk serve` in its folder on
//! 127.0.0.1:8080, proxying `/api/` and `/fake-wechat/` (its Trunk.toml) to `wx-server serve --mock` on
//! 127.0.0.1:8081, as a Leptos project of one's own would run. Ctrl-C stops both.

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
    /// wx-jssdk from a Leptos 0.8 CSR page (trunk serve): LocalResource, Action::new_local, a local jweixin.
    LeptosPage,
}

#[derive(clap::Args)]
pub struct Args {
    /// Which example.
    example: Example,
    /// Where the page and its backend listen (plain-page); the backend alone for leptos-page, whose Trunk.toml
    /// proxies to 127.0.0.1:8081.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
}

/// How long the server may take to listen once built.
const START_LIMIT: Duration = Duration::from_secs(30);

pub fn run(args: &Args) -> Result<()> {
    setup::run()?;
    match args.example {
        Example::PlainPage => plain_page(args.listen),
        Example::LeptosPage => leptos_page(args.listen),
    }
}

fn plain_page(listen: SocketAddr) -> Result<()> {
    let page = target_dir().join("example-plain-page");
    build_plain_page(&page)?;
    let mut server = start_server(listen, Some(&page))?;
    // `?emulate`: the emulator stands in for WeChat; `sdk=`: jweixin from this server before WeChat's CDN.
    let url = format!("http://{listen}/?emulate&sdk=%2Fjweixin-1.6.0.js");
    println!("\nexample: open {url} in a desktop browser; Ctrl-C stops it\n");
    let status = server.0.wait()?;
    bail!("wx-server exited ({status})")
}

/// Where the Leptos example's Trunk.toml proxies `/api/` and `/fake-wechat/`.
const LEPTOS_BACKEND: &str = "127.0.0.1:8081";

fn leptos_page(listen: SocketAddr) -> Result<()> {
    if listen.to_string() != LEPTOS_BACKEND {
        bail!("leptos-page: its Trunk.toml proxies to {LEPTOS_BACKEND}; run it without --listen");
    }
    let mut server = start_server(listen, None)?;
    let mut trunk = cmd("trunk", &["serve", "--offline=true"]);
    trunk.current_dir(leptos_dir());
    let mut trunk = ChildGuard(trunk.spawn().context("start trunk serve")?);
    println!(
        "\nexample: the page builds, then open http://127.0.0.1:8080/?emulate in a desktop browser; Ctrl-C stops both\n"
    );
    loop {
        std::thread::sleep(Duration::from_millis(300));
        if let Some(status) = server.0.try_wait()? {
            bail!("wx-server exited ({status}); trunk serve is stopped too");
        }
        if let Some(status) = trunk.0.try_wait()? {
            bail!("trunk serve exited ({status}); wx-server is stopped too");
        }
    }
}

/// `wx-server serve --mock` on `listen` (serving `static_dir`, if any), once it listens.
fn start_server(listen: SocketAddr, static_dir: Option<&Path>) -> Result<ChildGuard> {
    exec(cmd("cargo", &["build", "-p", "wx-server"]))?;
    let server_bin = target_dir().join("debug").join("wx-server");
    let listen_s = listen.to_string();
    let mut server = cmd(
        &server_bin.to_string_lossy(),
        &["serve", "--mock", "--listen", &listen_s],
    );
    if let Some(dir) = static_dir {
        server.arg("--static-dir").arg(dir);
    }
    let mut server = ChildGuard(server.spawn().context("start wx-server serve --mock")?);
    let started = Instant::now();
    while TcpStream::connect_timeout(&listen, Duration::from_millis(200)).is_err() {
        if let Some(status) = server.0.try_wait()? {
            bail!("wx-server exited ({status}); if {listen} is in use, pick another with --listen");
        }
        if started.elapsed() > START_LIMIT {
            bail!("wx-server did not listen on {listen} within {START_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(server)
}

fn leptos_dir() -> std::path::PathBuf {
    root().join("crates/wx-jssdk/examples/leptos-page")
}

/// Builds the Leptos page into `out` with `trunk build` (dev profile) in its folder: its Trunk.toml and
/// index.html, jweixin copied to `out/vendor/`. `cargo xtask test` serves the result to its browser test.
pub fn build_leptos_page(out: &Path) -> Result<()> {
    let o = out.to_string_lossy().into_owned();
    let mut trunk = cmd("trunk", &["build", "--offline=true", "--dist", &o]);
    trunk.current_dir(leptos_dir());
    exec(trunk)?;
    println!("example: Leptos page built into {}", out.display());
    Ok(())
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
