//! ARCHITECTURE.md names files and folders so a newcomer can find them; this keeps it from drifting: every
//! backticked path that starts at the repository root must exist.

use crate::shell::root;
use anyhow::{Result, bail};

/// Where a path written from the repository root starts.
const ROOTS: &[&str] = &[
    "crates/",
    "web/",
    "tests/",
    "xtask/",
    ".ci/",
    "index.html",
    "Trunk.toml",
    "Cargo.toml",
];

/// Fails, listing them, when ARCHITECTURE.md names paths that do not exist.
pub fn check_architecture() -> Result<()> {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md"))?;
    let paths = named_paths(&doc);
    let missing: Vec<&str> = paths
        .iter()
        .copied()
        .filter(|p| !root().join(p.trim_end_matches('/')).exists())
        .collect();
    if !missing.is_empty() {
        bail!(
            "ARCHITECTURE.md names paths that do not exist (moved or renamed? update the map): {}",
            missing.join(", ")
        );
    }
    println!("docs: ARCHITECTURE.md names {} paths, all present", paths.len());
    Ok(())
}

/// The backticked spans of `doc` that look like paths from the repository root.
fn named_paths(doc: &str) -> Vec<&str> {
    doc.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| ROOTS.iter().any(|r| span.starts_with(r)))
        .filter(|span| !span.contains(|c: char| c.is_whitespace() || "<>*{}|".contains(c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::named_paths;

    #[test]
    fn only_backticked_paths_from_the_root_are_taken() {
        let doc = "see `crates/wx-sign/src/jsapi.rs` and `web/` but not `list.rs`, `target/x`, \
                   `crates/<name>` or `cargo xtask test`; `index.html` too";
        assert_eq!(named_paths(doc), ["crates/wx-sign/src/jsapi.rs", "web/", "index.html"]);
    }

    #[test]
    fn the_architecture_document_names_only_existing_paths() {
        super::check_architecture().unwrap();
    }
}
