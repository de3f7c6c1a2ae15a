//! The app's figures in `cargo xtask bench`: its size against a bare Yew counter built the same way, and
//! navigation → `wx.ready` against a plain hand-written JS page, each baseline measured in the same run.

use crate::{
    bench::gzipped_len,
    dist,
    shell::{cmd, exec, root, target_dir},
};
use anyhow::{Context, Result};
use std::path::Path;

/// The budget of issue 5: the whole app (wasm + js + css, gzip -9) at most twice a bare Yew counter.
const SIZE_BUDGET_RATIO: f64 = 2.0;

/// wasm, js and css gzipped (-9) in `dir` itself and its wasm-bindgen snippets (not the emulator module or the
/// vendored jweixin below it).
fn page_bytes(dir: &Path) -> Result<(u64, u64, u64)> {
    let (mut wasm, mut js, mut css) = (0, 0, 0);
    // wasm-bindgen's `inline_js` snippets are modules the page's JS imports on every load: they count as its JS.
    let snippets = dir.join("snippets");
    if snippets.is_dir() {
        js += snippet_bytes(&snippets)?;
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = entry?.path();
        let slot = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => &mut wasm,
            Some("js") => &mut js,
            Some("css") => &mut css,
            _ => continue,
        };
        *slot += gzipped_len(&path)?;
    }
    Ok((wasm, js, css))
}

/// Gzipped bytes of the JS files under `dir` (wasm-bindgen puts each crate's snippets in a folder of its own).
fn snippet_bytes(dir: &Path) -> Result<u64> {
    dist::files_under(dir, &["js"])?
        .iter()
        .try_fold(0, |total, path| Ok(total + gzipped_len(path)?))
}

/// Empties the `snippets/` wasm-bindgen leaves in Trunk's shared output folder: it only ever adds to it, and
/// Trunk copies the whole folder into each dist, so the counter built after the app carried the app's snippet
/// (145 B gz counted on the counter's side).
fn clear_snippets() -> Result<()> {
    let snippets = target_dir().join("wasm-bindgen").join("release").join("snippets");
    match std::fs::remove_dir_all(&snippets) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("remove {}", snippets.display()))
        }
        _ => Ok(()),
    }
}

/// Release builds of the app and of `web/baseline-counter`, same profile and wasm-opt, and their ratio.
pub fn size() -> Result<()> {
    let app = target_dir().join("bench").join("app");
    let counter = target_dir().join("bench").join("counter");
    clear_snippets()?;
    dist::build(&app)?;
    clear_snippets()?;
    let out = counter.to_string_lossy().into_owned();
    exec(cmd(
        "trunk",
        &[
            "build",
            "web/baseline-counter/index.html",
            "--release=true",
            "--offline=true",
            "--dist",
            &out,
        ],
    ))?;
    let (aw, aj, ac) = page_bytes(&app)?;
    let (cw, cj, cc) = page_bytes(&counter)?;
    let (a, c) = (aw + aj + ac, cw + cj + cc);
    let (ew, ej, _) = page_bytes(&app.join("emulator"))?;
    let ratio = a as f64 / c as f64;
    let verdict = if ratio <= SIZE_BUDGET_RATIO { "within" } else { "OVER" };
    println!(
        "bench app size: app {a} B gz (wasm {aw}, js {aj}, css {ac}); bare Yew counter {c} B gz (wasm {cw}, js {cj}, css {cc}); \
         ratio {ratio:.2} ({verdict} the {SIZE_BUDGET_RATIO:.1}× budget). Emulator module, loaded only outside WeChat: {} B gz",
        ew + ej
    );
    Ok(())
}

/// Navigation → wx.ready for the app and for web/bench/plain.html, served by one `wx-server serve --mock`.
pub fn ready() -> Result<()> {
    let app = target_dir().join("bench").join("app");
    std::fs::create_dir_all(app.join("bench"))?;
    std::fs::copy(root().join("web/bench/plain.html"), app.join("bench/plain.html"))?;
    exec(cmd("cargo", &["build", "-p", "wx-server"]))?;
    let mut bench = cmd(
        "cargo",
        &["run", "-q", "--release", "-p", "wxkit-e2e", "--bin", "ready_bench"],
    );
    bench
        .env("WXKIT_SERVER_BIN", target_dir().join("debug").join("wx-server"))
        .env("WXKIT_DIST", &app);
    exec(bench)
}
