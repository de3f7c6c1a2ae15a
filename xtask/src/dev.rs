//! `cargo xtask dev`: the demo. Until the server and the app exist it builds what exists and shows the
//! offline signature debugger.

use crate::{
    setup,
    shell::{cmd, exec},
};
use anyhow::Result;

pub fn run() -> Result<()> {
    setup::run()?;
    let mut sign = cmd(
        "cargo",
        &[
            "run",
            "-q",
            "-p",
            "wx-server",
            "--",
            "sign",
            "-v",
            "--ticket",
            "demo-ticket",
            "--noncestr",
            "Wm3WZYTPz0wzccnW",
            "--timestamp",
            "1414587457",
            "--url",
            "http://localhost:8080/",
        ],
    );
    sign.env("RUST_LOG", "info");
    exec(sign)
}
