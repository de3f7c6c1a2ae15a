//! `cargo xtask dist`: the release build of the app, as `wx-server` serves it from `WX_STATIC_DIR`.
//!
//! Two Trunk builds: the app (`index.html` → `dist/`) and the emulator module (`web/emulator` →
//! `dist/emulator/`, fixed file names, imported by the app only outside WeChat). Both use the `wasm-release`
//! profile and wasm-opt -Oz from npm binaryen; nothing is downloaded (`--offline`).

use crate::{
    setup,
    shell::{cmd, exec, root},
    size::clear_snippets,
};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

pub fn run() -> Result<()> {
    setup::run()?;
    let dist = root().join("dist");
    build(&dist)?;
    println!(
        "dist: built {}; try it on the built-in fake WeChat with \
         `cargo run --release -p wx-server -- serve --mock --static-dir dist`",
        dist.display()
    );
    Ok(())
}

/// Builds the release app into `dist` and the emulator module into `dist/emulator`, each with only its own
/// wasm-bindgen snippets (see [`clear_snippets`]).
pub fn build(dist: &Path) -> Result<()> {
    let d = dist.to_string_lossy().into_owned();
    clear_snippets()?;
    exec(cmd(
        "trunk",
        &["build", "index.html", "--release=true", "--offline=true", "--dist", &d],
    ))?;
    emulator_module(&dist.join("emulator"), true)?;
    precompress(dist)
}

/// A gzip -9 copy (`<file>.gz`) of each JS, wasm and CSS file under `dir`, which `wx-server` serves to browsers
/// that accept gzip: the app's wasm goes out at about 40% of its size. HTML is left alone: a stale
/// `index.html.gz` beside an edited `index.html` would serve the old page.
fn precompress(dir: &Path) -> Result<()> {
    let files: Vec<String> = files_under(dir, &["js", "wasm", "css"])?
        .iter()
        .map(|f| f.to_string_lossy().into_owned())
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    let mut args = vec!["-9", "-k", "-f", "-n"];
    args.extend(files.iter().map(String::as_str));
    exec(cmd("gzip", &args))
}

/// The files under `dir`, at any depth, whose extension is one of `extensions`.
pub(crate) fn files_under(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(files_under(&path, extensions)?);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
        {
            files.push(path);
        }
    }
    Ok(files)
}

/// The emulator module alone, under `/emulator/` with fixed names (`wxkit-emulator.js`).
pub fn emulator_module(out: &Path, release: bool) -> Result<()> {
    let o = out.to_string_lossy().into_owned();
    if release {
        clear_snippets()?;
    }
    let release = if release { "--release=true" } else { "--release=false" };
    exec(cmd(
        "trunk",
        &[
            "build",
            "web/emulator/index.html",
            release,
            "--offline=true",
            "--filehash=false",
            "--public-url",
            "/emulator/",
            "--dist",
            &o,
        ],
    ))
}
