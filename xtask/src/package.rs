//! `cargo xtask test`'s packaging checks: the published crates package (and build from their packages), and
//! wx-jssdk resolves and builds in a page pinned to an older wasm-bindgen than the workspace's binaries.

use crate::shell::{cmd, exec, root, target_dir};
use anyhow::{Context, Result};

/// The crates meant for crates.io, packaged together: their path dependencies on each other are not on
/// crates.io, so cargo packages the set at once against a local registry overlay (cargo ≥ 1.84).
pub const PUBLISHED: &[&str] = &["wx-sign", "wx-push", "wx-rules", "wx-api", "wx-server", "wx-jssdk"];

/// The oldest wasm-bindgen wx-jssdk promises to build with (the workspace's `wasm-bindgen = "0.2.100"` range).
pub const OLDEST_WASM_BINDGEN: &str = "0.2.100";

/// `cargo package` of [`PUBLISHED`], verified: each `.crate` is unpacked and built on its own, which catches a
/// file outside the package, a missing version on an internal dependency, or a field inherited from this
/// workspace. `--allow-dirty`: the check is about the packages, so it runs before work is committed too.
pub fn check_packages() -> Result<()> {
    let mut args = vec!["package", "--allow-dirty"];
    for krate in PUBLISHED {
        args.extend(["-p", krate]);
    }
    exec(cmd("cargo", &args))
}

/// A scratch page under the target dir that depends on wx-jssdk by path and pins
/// `wasm-bindgen = "=OLDEST_WASM_BINDGEN"`: it must resolve (a library pinning wasm-bindgen exactly would make
/// that impossible) and `cargo check` for wasm32. Its own target dir keeps the older wasm-bindgen out of the
/// workspace's.
pub fn check_oldest_wasm_bindgen() -> Result<()> {
    let dir = target_dir().join("wasm-bindgen-range");
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    let jssdk = root().join("crates/wx-jssdk");
    let manifest = format!(
        "[package]\nname = \"wasm-bindgen-range\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [lib]\npath = \"lib.rs\"\n\n[dependencies]\nwx-jssdk = {{ path = {jssdk:?} }}\n\
         wasm-bindgen = \"={OLDEST_WASM_BINDGEN}\"\n\n# Not a member of any workspace above it.\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).context("write the scratch Cargo.toml")?;
    std::fs::write(
        dir.join("lib.rs"),
        "//! A page pinned to an older wasm-bindgen, using wx-jssdk.\n\
         pub async fn load() -> Result<(), wx_jssdk::WxError> {\n    \
         wx_jssdk::load_sdk(&wx_jssdk::SdkSource::default()).await\n}\n",
    )
    .context("write the scratch lib.rs")?;
    let in_dir = |args: &[&str]| {
        let mut c = cmd("cargo", args);
        c.current_dir(&dir).env("CARGO_TARGET_DIR", dir.join("target"));
        c
    };
    // A fresh resolution each time: the lockfile must not remember a resolution the manifests no longer allow.
    exec(in_dir(&["generate-lockfile"]))?;
    exec(in_dir(&[
        "tree",
        "-i",
        "wasm-bindgen",
        "--depth",
        "0",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    exec(in_dir(&["check", "--target", "wasm32-unknown-unknown"]))
}
