//! The static directory (`WX_STATIC_DIR`): every file in it is downloadable, so no credential or config file may
//! be inside it, by its path as written or resolved.

use super::{ConfigError, Settings, StoreSpec, spec::At};
use std::path::{Path, PathBuf};

pub(super) fn static_dir(s: &mut Settings, given: Option<PathBuf>, at: &At) -> Result<(), ConfigError> {
    let Some(dir) = given else {
        return Ok(());
    };
    if !dir.is_dir() {
        return Err(at.invalid(format!("{} is not a directory (build the app first)", dir.display())));
    }
    // The credential file is checked where every `Settings` passes, `App::build`; only this path knows the config
    // file.
    if let Some(config) = at.config
        && is_inside(&dir, config)
    {
        return Err(ConfigError::Invalid {
            var: "WX_CONFIG",
            message: format!(
                "{} is inside WX_STATIC_DIR ({}), which serves every file in it: anyone could download the \
                 app secret. Keep the file outside the app's directory",
                config.display(),
                dir.display()
            ),
        });
    }
    s.static_dir = Some(dir);
    Ok(())
}

/// The media directory: created by the first download if missing, so only something else at its path is refused.
pub(super) fn media_dir(s: &mut Settings, given: Option<PathBuf>, at: &At) -> Result<(), ConfigError> {
    let Some(dir) = given else {
        return Ok(());
    };
    if dir.as_os_str().is_empty() {
        return Err(at.invalid("give a directory path (it is created when the first photo arrives)"));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(at.invalid(format!("{} exists and is not a directory", dir.display())));
    }
    s.media_dir = Some(dir);
    Ok(())
}

/// The rule file must be a readable file; its rules are checked when the server starts (`App::build`), which
/// knows the variables they may use.
pub(super) fn rules(s: &mut Settings, given: Option<PathBuf>, at: &At) -> Result<(), ConfigError> {
    let Some(file) = given else {
        return Ok(());
    };
    if let Err(e) = std::fs::File::open(&file).and_then(|f| f.metadata()) {
        return Err(at.invalid(format!("{} cannot be read: {e}", file.display())));
    }
    if !file.is_file() {
        return Err(at.invalid(format!("{} is not a file (give the TOML rule file)", file.display())));
    }
    s.rules = Some(file);
    Ok(())
}

impl Settings {
    /// Refuses a credential file inside the static directory: `ServeDir` serves every file there, so the
    /// access_token and jsapi_ticket (and the store's lock and temporary files) would be downloadable. Inside
    /// means inside as written (`<dir>/link/creds.json`, wherever `link` points) or once links are resolved.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("wxkit-doc-static-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let mut settings = wx_server::Settings::mock();
    /// settings.static_dir = Some(dir.clone());
    /// settings.store = wx_server::StoreSpec::File(dir.join("credentials.json"));
    /// assert!(settings.check_nothing_secret_is_served().is_err());
    /// settings.store = wx_server::StoreSpec::File(std::env::temp_dir().join("credentials.json"));
    /// assert!(settings.check_nothing_secret_is_served().is_ok());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming `WX_STORE`.
    pub fn check_nothing_secret_is_served(&self) -> Result<(), ConfigError> {
        match (&self.static_dir, &self.store) {
            (Some(dir), StoreSpec::File(file)) if is_inside(dir, file) => Err(ConfigError::Invalid {
                var: "WX_STORE",
                message: format!(
                    "the credential file {} is inside WX_STATIC_DIR ({}), which serves every file in it: anyone \
                     could download the access_token. Keep it outside, e.g. file:/var/lib/wxkit/credentials.json",
                    file.display(),
                    dir.display()
                ),
            }),
            _ => Ok(()),
        }
    }
}

/// Whether `path` (which need not exist yet) lies in directory `dir`, read every way the file system could
/// lead there: as written (made absolute, `.` and `..` folded, links not followed: `<dir>/link/creds.json` is
/// inside by its name, wherever `link` points), resolved (links and `..` resolved as far as the file system
/// allows: a link elsewhere may lead into `dir`), and each mixture of the two (the first components resolved,
/// the rest as written). Inside by any reading counts, and so does a path of which nothing can be resolved
/// (refused rather than guessed).
fn is_inside(dir: &Path, path: &Path) -> bool {
    let (Some(dir_written), Some(written)) = (absolute(dir), absolute(path)) else {
        return true;
    };
    let dirs = [Some(lexical(&dir_written)), dir.canonicalize().ok()];
    let inside = |path: &Path| dirs.iter().flatten().any(|dir| lexical(path).starts_with(dir));
    let mut resolved_any = false;
    for base in written.ancestors() {
        if let (Ok(resolved), Ok(rest)) = (base.canonicalize(), written.strip_prefix(base)) {
            resolved_any = true;
            if inside(&resolved.join(rest)) {
                return true;
            }
        }
    }
    !resolved_any || inside(&written)
}

/// `path` joined to the working directory when relative; `None` when that is unknown.
fn absolute(path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        Some(path.to_path_buf())
    } else {
        std::env::current_dir().ok().map(|cwd| cwd.join(path))
    }
}

/// An absolute `path` with `.` and `..` folded by name alone (`/a/link/../b` is `/a/b`), links not followed.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
