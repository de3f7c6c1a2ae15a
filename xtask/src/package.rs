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
    forget_unpacked_overlays()?;
    let mut args = vec!["package", "--allow-dirty"];
    for krate in PUBLISHED {
        args.extend(["-p", krate]);
    }
    exec(cmd("cargo", &args))
}

/// Removes what earlier runs left of [`PUBLISHED`] in cargo's local registry overlay, which cargo treats as
/// immutable like any registry although its crates change with every edit:
/// - the unpacked sources (`$CARGO_HOME/registry/src/-<hash>/<crate>-<version>`, the hash from the target dir's
///   path), reused by a later run from the same path (a CI clone at the same place);
/// - the builds of those sources (`target/debug/.fingerprint/<crate>-<hash>` whose dep-info lists no files,
///   as for any registry crate), reused by the next run here.
///
/// Either way wx-server would be verified against the previous run's wx-rules or wx-api. Only overlays
/// (directory names starting with `-`; crates.io's do not) and registry builds of our own crates are touched.
fn forget_unpacked_overlays() -> Result<()> {
    // `<crate>-<version>` and `<crate>-<hash>` alike.
    let ours = |name: &str| {
        name.rsplit_once('-')
            .is_some_and(|(krate, _)| PUBLISHED.contains(&krate))
    };
    let mut stale = Vec::new();
    if let Some(src) = crate::shell::cargo_home().map(|h| h.join("registry").join("src"))
        && let Ok(registries) = std::fs::read_dir(&src)
    {
        for registry in registries.flatten() {
            if registry.file_name().to_string_lossy().starts_with('-') {
                let unpacked = std::fs::read_dir(registry.path())?.flatten();
                stale.extend(
                    unpacked
                        .filter(|u| ours(&u.file_name().to_string_lossy()))
                        .map(|u| u.path()),
                );
            }
        }
    }
    if let Ok(fingerprints) = std::fs::read_dir(target_dir().join("debug").join(".fingerprint")) {
        for unit in fingerprints.flatten() {
            let name = unit.file_name().to_string_lossy().into_owned();
            if !ours(&name) {
                continue;
            }
            // A registry build's dep-info lists no source file: a few bytes, where a path build's lists each.
            let lists_no_file = std::fs::read_dir(unit.path())?.flatten().any(|f| {
                f.file_name().to_string_lossy().starts_with("dep-lib-") && f.metadata().is_ok_and(|m| m.len() < 32)
            });
            if lists_no_file {
                stale.push(unit.path());
            }
        }
    }
    for path in stale {
        std::fs::remove_dir_all(&path).with_context(|| format!("removing the stale {}", path.display()))?;
    }
    Ok(())
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
