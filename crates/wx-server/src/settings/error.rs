//! [`ConfigError`]: what start-up says about a bad value.

/// A configuration value was missing or invalid. The message names the variable and what to fix.
///
/// ```
/// let err = wx_server::ServeArgs::default().into_settings().unwrap_err();
/// assert!(err.to_string().starts_with("WX_APPID is not set"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required value is absent.
    #[error("{var} is not set: {hint}")]
    Missing {
        /// The environment variable (its flag is the same name, lowercase with dashes).
        var: &'static str,
        /// What to set.
        hint: &'static str,
    },
    /// A value could not be used.
    #[error("{var} is invalid: {message}")]
    Invalid {
        /// The environment variable.
        var: &'static str,
        /// What is wrong and what to write instead.
        message: String,
    },
    /// The TOML file could not be read or parsed.
    #[error("WX_CONFIG file {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// The reader's or parser's message.
        message: String,
    },
}
