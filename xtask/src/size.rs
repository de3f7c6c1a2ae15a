//! The app's size against a bare Yew counter built the same way (issue 5's budget, ARCHITECTURE.md "Size
//! rules"): measured by `cargo xtask bench` and enforced by `cargo xtask test`. Sizes are deterministic for a
//! given toolchain, so the check is exact, not a timed test.

use crate::{
    dist,
    shell::{cmd, exec, target_dir},
};
use anyhow::{Context, Result, bail};
use std::{fmt, path::Path};

/// The budget: the whole app (wasm + js + css, gzip -9) at most twice the bare Yew counter.
pub const BUDGET_RATIO: f64 = 2.0;

/// Gzipped (-9) bytes of a page's wasm, JS (its wasm-bindgen snippets included) and CSS.
#[derive(Clone, Copy)]
pub struct PageBytes {
    pub wasm: u64,
    pub js: u64,
    pub css: u64,
}

impl PageBytes {
    pub fn total(&self) -> u64 {
        self.wasm + self.js + self.css
    }

    /// The page Trunk built into `dir`: the files in `dir` itself and its snippets, not the emulator module or
    /// the vendored jweixin below it.
    pub fn of(dir: &Path) -> Result<PageBytes> {
        let mut page = PageBytes { wasm: 0, js: 0, css: 0 };
        // wasm-bindgen's `inline_js` snippets are modules the page's JS imports on every load: they count as its JS.
        let snippets = dir.join("snippets");
        if snippets.is_dir() {
            for path in dist::files_under(&snippets, &["js"])? {
                page.js += gzipped_len(&path)?;
            }
        }
        for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
            let path = entry?.path();
            let slot = match path.extension().and_then(|e| e.to_str()) {
                Some("wasm") => &mut page.wasm,
                Some("js") => &mut page.js,
                Some("css") => &mut page.css,
                _ => continue,
            };
            *slot += gzipped_len(&path)?;
        }
        Ok(page)
    }
}

/// The release app's size beside the counter's, and the emulator module's (not counted: phones never load it).
pub struct AppSize {
    pub app: PageBytes,
    pub counter: PageBytes,
    pub emulator: u64,
    /// Each page's `index.html` (the app's carries its preload and old-WebView scripts), gzipped: shown, not in
    /// the ratio, which compares what the frameworks and the app's code cost.
    pub html: (u64, u64),
}

impl AppSize {
    /// The app's size over the counter's.
    pub fn ratio(&self) -> f64 {
        self.app.total() as f64 / self.counter.total().max(1) as f64
    }

    pub fn within_budget(&self) -> bool {
        self.ratio() <= BUDGET_RATIO
    }

    /// Builds the counter and measures it beside the release app `dist::build` put in `app_dist`.
    pub fn measure(app_dist: &Path) -> Result<AppSize> {
        let counter = target_dir().join("bench").join("counter");
        build_counter(&counter)?;
        let emulator = PageBytes::of(&app_dist.join("emulator"))?;
        Ok(AppSize {
            app: PageBytes::of(app_dist)?,
            counter: PageBytes::of(&counter)?,
            emulator: emulator.wasm + emulator.js,
            html: (
                gzipped_len(&app_dist.join("index.html"))?,
                gzipped_len(&counter.join("index.html"))?,
            ),
        })
    }
}

impl fmt::Display for AppSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, c) = (&self.app, &self.counter);
        let verdict = if self.within_budget() { "within" } else { "OVER" };
        write!(
            f,
            "app {} B gz (wasm {}, js {}, css {}); bare Yew counter {} B gz (wasm {}, js {}, css {}); ratio {:.4} \
             ({verdict} the {BUDGET_RATIO:.1}× budget, {} B gz). Emulator module, loaded only outside WeChat: {} B gz. \
             index.html, not in the ratio: app {} B gz, counter {} B gz",
            a.total(),
            a.wasm,
            a.js,
            a.css,
            c.total(),
            c.wasm,
            c.js,
            c.css,
            self.ratio(),
            (c.total() as f64 * BUDGET_RATIO) as u64,
            self.emulator,
            self.html.0,
            self.html.1,
        )
    }
}

/// `cargo xtask size`: the release app built as `test` builds it, then its size against the budget.
pub fn run() -> Result<()> {
    crate::setup::run()?;
    let dist_dir = target_dir().join("e2e-dist");
    dist::build(&dist_dir)?;
    check_budget(&dist_dir)
}

/// `cargo xtask test`'s size step: measures the release app in `app_dist` against the counter, prints both, and
/// fails past the budget.
pub fn check_budget(app_dist: &Path) -> Result<()> {
    let size = AppSize::measure(app_dist)?;
    println!("size budget: {size}");
    if !size.within_budget() {
        bail!(
            "the release app is {:.4}× the bare Yew counter, over the {BUDGET_RATIO:.1}× budget: see ARCHITECTURE.md, \
             \"Size rules\"",
            size.ratio()
        );
    }
    Ok(())
}

/// `web/baseline-counter`, built like the app (same profile, wasm-opt level and flags) into `out`.
fn build_counter(out: &Path) -> Result<()> {
    clear_snippets()?;
    let out = out.to_string_lossy().into_owned();
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
    ))
}

/// Empties the `snippets/` wasm-bindgen leaves in Trunk's shared output folder before a release build: it only
/// ever adds to it, and Trunk copies the whole folder into each dist, so one page would carry (and be measured
/// with) another's snippets, e.g. the counter with the app's (145 B gz).
pub fn clear_snippets() -> Result<()> {
    let snippets = target_dir().join("wasm-bindgen").join("release").join("snippets");
    match std::fs::remove_dir_all(&snippets) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("remove {}", snippets.display()))
        }
        _ => Ok(()),
    }
}

/// The length of `path` compressed with `gzip -9`, as `cargo xtask dist` serves it.
pub fn gzipped_len(path: &Path) -> Result<u64> {
    let out = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .with_context(|| format!("gzip {}", path.display()))?;
    anyhow::ensure!(out.status.success(), "gzip {} failed", path.display());
    Ok(out.stdout.len() as u64)
}
