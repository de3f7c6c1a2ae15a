//! The credential store (`WX_STORE`).

use super::{ConfigError, Settings, spec::At};
use crate::Secret;
use std::path::PathBuf;

/// Where credentials are kept (`WX_STORE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// This process only.
    Memory,
    /// A JSON file (survives restarts; shareable by processes on one machine).
    File(PathBuf),
    /// Redis, shared by instances. The URL may carry a password, hence [`Secret`]. Opening it needs the `redis`
    /// feature (on by default); without it, [`App::build`](crate::App::build) refuses it naming `WX_STORE`.
    Redis(Secret),
}

impl StoreSpec {
    /// Parses `memory`, `file:<path>` or `redis://…`.
    ///
    /// ```
    /// use wx_server::StoreSpec;
    /// assert_eq!(StoreSpec::parse("memory").unwrap(), StoreSpec::Memory);
    /// assert_eq!(StoreSpec::parse("file:/tmp/c.json").unwrap(), StoreSpec::File("/tmp/c.json".into()));
    /// assert!(StoreSpec::parse("mysql://x").is_err());
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming `WX_STORE`.
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            var: "WX_STORE",
            message,
        };
        if s == "memory" {
            Ok(Self::Memory)
        } else if let Some(path) = s.strip_prefix("file:") {
            if path.is_empty() {
                return Err(invalid(
                    "`file:` needs a path, e.g. file:/var/lib/wx-server/credentials.json".into(),
                ));
            }
            Ok(Self::File(PathBuf::from(path)))
        } else if s.starts_with("redis://") {
            url::Url::parse(s).map_err(|e| invalid(format!("not a valid redis:// URL ({e})")))?;
            Ok(Self::Redis(Secret::new(s)))
        } else {
            Err(invalid("use `memory`, `file:<path>` or `redis://host:port/db`".into()))
        }
    }
}

/// Where `serve --mock` keeps credentials unless `WX_STORE` says otherwise: the OS temp directory.
///
/// [`Server::start_on`](crate::Server::start_on) turns this default into
/// `$TMPDIR/wxkit-mock-credentials-<port>.json` (one file per port, so parallel runs never share) and
/// empties it at start, because the in-process fake WeChat starts afresh and would not know old tickets.
///
/// ```
/// assert!(wx_server::mock_store_path().starts_with(std::env::temp_dir()));
/// ```
pub fn mock_store_path() -> PathBuf {
    std::env::temp_dir().join("wxkit-mock-credentials.json")
}

pub(super) fn store(s: &mut Settings, given: Option<Secret>, _: &At) -> Result<(), ConfigError> {
    if let Some(spec) = given {
        s.store = StoreSpec::parse(spec.expose())?;
    }
    Ok(())
}
