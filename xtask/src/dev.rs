//! `cargo xtask dev`: the demo on the built-in fake WeChat, no account needed.
//!
//! `wx-server serve --mock` (backend + in-process fake WeChat, file store in the OS temp dir) on
//! 127.0.0.1:8081, and `trunk serve` on 127.0.0.1:8080 proxying `/api/`, `/fake-wechat/`, `/media/` and
//! `/emulator/` to it (see Trunk.toml); `WX_PUBLIC_URL` is the page's origin, so links the demo sends lead there. Open the printed URL in a desktop browser: the page runs on the emulator. Ctrl-C stops both.

use crate::{
    dist, setup,
    shell::{ChildGuard, cmd, exec, target_dir},
};
use anyhow::{Context, Result, bail};
use std::time::Duration;

const BACKEND: &str = "127.0.0.1:8081";
const PAGE: &str = "http://127.0.0.1:8080/";

pub fn run() -> Result<()> {
    setup::run()?;
    // The backend serves the emulator module; trunk serve serves the app and proxies the rest to it.
    let static_dir = target_dir().join("dev-static");
    dist::emulator_module(&static_dir.join("emulator"), false)?;
    exec(cmd("cargo", &["build", "-p", "wx-server"]))?;

    let server_bin = target_dir().join("debug").join("wx-server");
    let mut server = cmd(&server_bin.to_string_lossy(), &["serve", "--mock"]);
    server
        .env("WX_LISTEN", BACKEND)
        .env("WX_STATIC_DIR", &static_dir)
        .env("WX_JS_DOMAINS", "127.0.0.1,localhost")
        // The page's origin (trunk's), not the backend's: the demo rules' links (`{public_url}`, the news card a
        // scene follow gets) and the OAuth redirect must lead to the app.
        .env("WX_PUBLIC_URL", PAGE.trim_end_matches('/'));
    let mut server = ChildGuard(server.spawn().context("start wx-server serve --mock")?);
    let mut trunk = ChildGuard(
        cmd("trunk", &["serve", "--offline=true"])
            .spawn()
            .context("start trunk serve")?,
    );

    println!("\ndev: backend (fake WeChat) on http://{BACKEND}; the app builds, then opens at {PAGE}");
    println!("dev: open {PAGE} in a desktop browser (it runs on the emulator); Ctrl-C stops both\n");
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
