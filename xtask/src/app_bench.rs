//! The app's figures in `cargo xtask bench`: its size against a bare Yew counter built the same way, and
//! navigation → `wx.ready` against a plain hand-written JS page, each baseline measured in the same run.

use crate::{
    dist,
    shell::{cmd, exec, root, target_dir},
    size::AppSize,
};
use anyhow::Result;

/// The release app (as `cargo xtask dist` builds it) against `web/baseline-counter` built the same way.
pub fn size() -> Result<()> {
    let app = target_dir().join("bench").join("app");
    dist::build(&app)?;
    println!("bench app size: {}", AppSize::measure(&app)?);
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
