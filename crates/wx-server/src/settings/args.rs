//! [`ServeArgs::into_settings`]: production defaults, the `--mock` layer, then each given value.

use super::{ConfigError, ServeArgs, Settings, file};

impl ServeArgs {
    /// Validated settings: production defaults ([`Settings::new`]), with `mock` the `--mock` layer on top
    /// ([`Settings::mock`]), then each setting's value from the flags and the environment (clap merges those) or
    /// else the `config` file, validated in the order of [`SETTINGS`](super::SETTINGS).
    ///
    /// ```
    /// let args = wx_server::ServeArgs {
    ///     appid: Some("wx1234567890abcdef".into()),
    ///     appsecret: Some("app-secret".into()),
    ///     js_domains: Some("h5.example.com".into()),
    ///     ..Default::default()
    /// };
    /// let settings = args.into_settings()?;
    /// assert_eq!(settings.api_base, "https://api.weixin.qq.com"); // production's, not the demo's
    /// assert!(settings.server_token.is_none() && !settings.mock);
    /// # Ok::<(), wx_server::ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// The first [`ConfigError`] found: a required value missing, a value that cannot be used, an unreadable file.
    pub fn into_settings(self) -> Result<Settings, ConfigError> {
        let file = file::read(self.config.as_deref())?;
        let mut settings = if self.mock {
            Settings::mock()
        } else {
            // The three values without a default stay empty until given; their validation says so if not.
            Settings::new(String::new(), crate::Secret::new(""), Vec::new())
        };
        self.apply(file, &mut settings)?;
        Ok(settings)
    }
}
