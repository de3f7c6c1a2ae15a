//! `cargo xtask setup`: installs what the project needs on a fresh machine, skipping what is present at the
//! right version. Each step prints what it did and how long it took.

use crate::shell::{cmd, exec, output, tools_dir};
use anyhow::{Context, Result};
use std::time::Instant;

/// Must equal the `wasm-bindgen = "=…"` pin of the binaries (web, web/emulator, web/baseline-counter, the
/// examples); the libraries ask for a range.
pub const WASM_BINDGEN: &str = "0.2.130";
/// 0.22 needs a newer rustc than these machines have.
pub const TRUNK: &str = "0.21.14";
/// Debian's binaryen is too old to parse today's wasm; npm's is current. Exact, like every npm pin here: both
/// packages have no dependencies of their own, so exact versions make the install reproducible without a lockfile.
pub const BINARYEN: &str = "132.0.0";
/// The official jweixin 1.6.0 code, as a CommonJS module.
pub const WEIXIN_JS_SDK: &str = "1.6.5";
/// Debian packages: headless browser + driver for wasm and end-to-end tests, Redis for the store tests.
const APT_PACKAGES: &[&str] = &["chromium", "chromium-driver", "redis-server"];

pub fn run() -> Result<()> {
    let start = Instant::now();
    step("rust target wasm32-unknown-unknown", wasm_target)?;
    step("apt packages (chromium, chromium-driver, redis-server)", apt_packages)?;
    step("node and npm (for npm binaryen and weixin-js-sdk)", node_npm)?;
    step(
        "python3 cryptography (wx-push's independent AES check)",
        python_cryptography,
    )?;
    step(&format!("wasm-bindgen-cli {WASM_BINDGEN}"), wasm_bindgen_cli)?;
    step(&format!("trunk {TRUNK}"), trunk)?;
    step(
        &format!("npm binaryen@{BINARYEN}, weixin-js-sdk@{WEIXIN_JS_SDK}"),
        npm_tools,
    )?;
    step("jweixin copy for the app (target/tools/vendor)", vendor_jweixin)?;
    step("cargo fetch (so trunk can build --offline)", || {
        exec(cmd("cargo", &["fetch"])).map(|_| true)
    })?;
    println!("setup: done in {:.1}s", start.elapsed().as_secs_f64());
    Ok(())
}

/// Runs one step; the closure returns whether it changed anything.
fn step(name: &str, f: impl FnOnce() -> Result<bool>) -> Result<()> {
    let start = Instant::now();
    let changed = f().with_context(|| format!("setup step `{name}` failed"))?;
    let what = if changed { "installed" } else { "present" };
    println!("setup: {name}: {what} ({:.1}s)", start.elapsed().as_secs_f64());
    Ok(())
}

fn wasm_target() -> Result<bool> {
    let installed = output(cmd("rustup", &["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(false);
    }
    exec(cmd("rustup", &["target", "add", "wasm32-unknown-unknown"]))?;
    Ok(true)
}

fn apt_packages() -> Result<bool> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            output(cmd("dpkg-query", &["-W", "-f=${Status}", p])).is_none_or(|s| !s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    apt_install(&missing)?;
    Ok(true)
}

/// Node.js and npm, when the machine has none: these machines come with NodeSource's (whose `nodejs` bundles
/// npm, and which Debian's `npm` package would conflict with), so Debian's are installed only where both are
/// missing.
fn node_npm() -> Result<bool> {
    if output(cmd("npm", &["--version"])).is_some() && output(cmd("node", &["--version"])).is_some() {
        return Ok(false);
    }
    apt_install(&["nodejs", "npm"])?;
    Ok(true)
}

/// `apt-get install` of `packages`, after one `apt-get update` per run (the first install asks for it).
fn apt_install(packages: &[&str]) -> Result<()> {
    static UPDATED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !UPDATED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        let mut update = cmd("apt-get", &["update"]);
        update.env("DEBIAN_FRONTEND", "noninteractive");
        exec(update)?;
    }
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend(packages);
    let mut install = cmd("apt-get", &args);
    install.env("DEBIAN_FRONTEND", "noninteractive");
    exec(install)
}

/// wx-push's tests compare its safe-mode AES with Python's `cryptography`. pip first; where pip is missing
/// or refuses (Debian's externally-managed Python), Debian's `python3-cryptography`.
fn python_cryptography() -> Result<bool> {
    let importable = || output(cmd("python3", &["-c", "import cryptography"])).is_some();
    if importable() {
        return Ok(false);
    }
    let has_pip = output(cmd("python3", &["-m", "pip", "--version"])).is_some();
    if has_pip && exec(cmd("python3", &["-m", "pip", "install", "--quiet", "cryptography"])).is_ok() && importable() {
        return Ok(true);
    }
    println!("    pip unavailable or refused: installing Debian's python3-cryptography");
    apt_install(&["python3-cryptography"])?;
    anyhow::ensure!(
        importable(),
        "python3 still cannot import cryptography: install it for the python3 on PATH"
    );
    Ok(true)
}

fn wasm_bindgen_cli() -> Result<bool> {
    let have = output(cmd("wasm-bindgen", &["--version"])).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(WASM_BINDGEN) {
        return Ok(false);
    }
    // Not --locked: its lockfile wants a crate version this registry lacks.
    exec(cmd(
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN, "--force"],
    ))?;
    Ok(true)
}

fn trunk() -> Result<bool> {
    let have = output(cmd("trunk", &["--version"])).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK) {
        return Ok(false);
    }
    exec(cmd(
        "cargo",
        &["install", "--locked", "trunk", "--version", TRUNK, "--force"],
    ))?;
    Ok(true)
}

fn npm_tools() -> Result<bool> {
    let dir = tools_dir();
    let wanted = [("binaryen", BINARYEN), ("weixin-js-sdk", WEIXIN_JS_SDK)];
    let present = wanted.iter().all(|(name, want)| {
        let manifest = dir.join("node_modules").join(name).join("package.json");
        let have = std::fs::read_to_string(manifest)
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .and_then(|v| v["version"].as_str().map(str::to_owned))
            .unwrap_or_default();
        have == *want
    });
    if present {
        return Ok(false);
    }
    std::fs::create_dir_all(&dir)?;
    let deps: serde_json::Map<String, serde_json::Value> = wanted
        .iter()
        .map(|(n, v)| ((*n).to_owned(), serde_json::Value::from(*v)))
        .collect();
    let manifest = serde_json::json!({ "name": "wxkit-tools", "private": true, "dependencies": deps });
    std::fs::write(dir.join("package.json"), serde_json::to_string_pretty(&manifest)?)?;
    let mut install = cmd("npm", &["install", "--no-audit", "--no-fund"]);
    install.current_dir(&dir);
    exec(install)?;
    Ok(true)
}

/// The vendored jweixin's file name: the npm `weixin-js-sdk` file is a CommonJS module (`module.exports = …`),
/// not the CDN's classic script, and is named for it (`.cjs.js`): pages load it with
/// `wx_jssdk::SdkSource::CommonJsUrl`, never as a `<script>`.
pub const VENDORED_JWEIXIN: &str = "jweixin-1.6.0.cjs.js";

/// Trunk copies `target/tools/vendor/` into the app's dist: the npm jweixin under [`VENDORED_JWEIXIN`] (the
/// copy under the CDN file's name that earlier setups left is removed: it invited loading it as a script).
fn vendor_jweixin() -> Result<bool> {
    let from = tools_dir().join("node_modules/weixin-js-sdk/index.js");
    let vendor = tools_dir().join("vendor");
    let to = vendor.join(VENDORED_JWEIXIN);
    let text = std::fs::read(&from).with_context(|| format!("read {}", from.display()))?;
    let stale = vendor.join("jweixin-1.6.0.js");
    let removed = stale.exists();
    if removed {
        std::fs::remove_file(&stale).with_context(|| format!("remove {}", stale.display()))?;
    }
    if std::fs::read(&to).is_ok_and(|have| have == text) {
        return Ok(removed);
    }
    std::fs::create_dir_all(&vendor)?;
    std::fs::write(&to, text)?;
    Ok(true)
}
