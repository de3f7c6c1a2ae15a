//! Pages beside the app's own boot, each served by a real `wx-server serve --mock` in headless Chromium: the
//! examples reaching `wx.ready` (`WXKIT_PLAIN_PAGE`, `WXKIT_LEPTOS_PAGE`: as `cargo xtask example` builds
//! them), and the release app (`WXKIT_DIST`) where a WebView cannot run it.

use anyhow::{Context, Result, ensure};
use std::path::Path;
use wxkit_e2e::{Stack, env_path};

#[tokio::test]
async fn the_plain_page_example_reaches_ready() -> Result<()> {
    let s = Stack::start_with(&env_path("WXKIT_PLAIN_PAGE")?, &[]).await?;
    s.browser.goto(&s.url("/?emulate&sdk=%2Fjweixin-1.6.0.js")).await?;
    s.wait_text("#status", "ready: share content set").await?;
    let configs = s.record().await?["configs"].clone();
    ensure!(configs[0]["ok"] == true, "the emulator verified the config: {configs}");
    s.close().await
}

#[tokio::test]
async fn the_leptos_example_reaches_ready_and_shares() -> Result<()> {
    let s = Stack::start_with(&env_path("WXKIT_LEPTOS_PAGE")?, &[]).await?;
    s.browser.goto(&s.url("/?emulate")).await?;
    // The local jweixin (fetched as text), the backend's signature, the emulator's check: wx.ready.
    s.wait_text("#status", "ready: signed http://127.0.0.1:").await?;
    // It started from what its index.html requested before the wasm ran (wx_jssdk::Preload): adopted, and the
    // backend signed once.
    ensure!(
        s.js("return window.__wxkit_preload;").await?.is_null(),
        "the preload was adopted"
    );
    let (_, metrics) = wxkit_e2e::http("GET", &s.url("/metrics")).await?;
    ensure!(
        metrics.contains("wxkit_config_requests_total{status=\"200\"} 1\n"),
        "one config request: {metrics}"
    );
    // The share button runs an Action::new_local.
    s.type_into("#title", "Shared from Leptos").await?;
    s.click("#share").await?;
    s.wait_text("#shared", "share content set").await?;
    let record = s.record().await?;
    ensure!(
        record["appMessageShare"]["title"] == "Shared from Leptos",
        "the emulator recorded the share: {record}"
    );
    s.close().await
}

/// A WebView without WebAssembly (old Android X5, iOS before 11): a message, not a blank page. V8 without its
/// JIT (`--jitless`) has no WebAssembly; `--js-flags=--noexpose_wasm` no longer hides it in Debian's Chromium,
/// so the test checks that the switch took.
#[tokio::test]
async fn without_webassembly_the_app_shows_a_message() -> Result<()> {
    let dist = env_path("WXKIT_DIST")?;
    let s = Stack::start_with(&dist, &["--js-flags=--jitless"]).await?;
    s.browser.goto(&s.url("/?emulator=on")).await?;
    let wasm = s.js("return typeof WebAssembly;").await?;
    ensure!(
        wasm == "undefined",
        "the flag hides WebAssembly: typeof WebAssembly is {wasm}"
    );
    unsupported_message_shown(&s).await?;
    s.screenshot("unsupported-no-wasm").await?;
    s.close().await
}

/// A WebView whose WebAssembly cannot compile the app's module (iOS 14 lacks features Rust's wasm32 output
/// uses): the same message, from the compile error. Shown here with a wasm file that is not wasm.
#[tokio::test]
async fn a_wasm_that_does_not_compile_shows_the_message() -> Result<()> {
    let dist = env_path("WXKIT_DIST")?;
    let broken = wx_testkit::TempDir::new("e2e-broken-dist");
    copy_dir(&dist, broken.path())?;
    let mut replaced = 0;
    for entry in std::fs::read_dir(broken.path())? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if name.ends_with("_bg.wasm") {
            std::fs::write(&path, b"\0asm\x01\0\0\0 this is not a module")?;
            replaced += 1;
        } else if name.ends_with(".wasm.gz") {
            std::fs::remove_file(&path)?;
        }
    }
    ensure!(replaced == 1, "one app wasm in {}", dist.display());
    let s = Stack::start_with(broken.path(), &[]).await?;
    s.browser.goto(&s.url("/")).await?;
    unsupported_message_shown(&s).await?;
    s.close().await
}

async fn unsupported_message_shown(s: &Stack) -> Result<()> {
    let text = s.wait_text("#unsupported", "newer WeChat").await?;
    ensure!(text.contains("微信"), "the message is in Chinese too: {text}");
    let el = s.browser.find(fantoccini::Locator::Css("#unsupported")).await?;
    ensure!(el.is_displayed().await?, "the message is visible");
    Ok(())
}

/// A copy of the folder `from` (the app's page, JS, snippets, CSS and wasm) in `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).with_context(|| format!("read {}", from.display()))? {
        let path = entry?.path();
        let Some(name) = path.file_name() else { continue };
        if path.is_dir() {
            std::fs::create_dir_all(to.join(name))?;
            copy_dir(&path, &to.join(name))?;
        } else {
            std::fs::copy(&path, to.join(name)).with_context(|| format!("copy {}", path.display()))?;
        }
    }
    Ok(())
}
