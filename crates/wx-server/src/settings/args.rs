//! [`ServeArgs::into_settings`]: production defaults, the `--mock` layer, then each given value.

use super::{ConfigError, ServeArgs, Settings, accounts, file};

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
        let (mut file, text) = file::read(self.config.as_deref())?;
        let tables = file.accounts.take();
        let path = self
            .config
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let mut settings = if self.mock {
            Settings::mock()
        } else {
            // The three values without a default stay empty until given; their validation says so if not.
            Settings::new(String::new(), crate::Secret::new(""), Vec::new())
        };
        self.apply(file, &mut settings)?;
        // After the top-level settings: the default account and the ports are known.
        if let Some(tables) = tables {
            accounts::apply(&mut settings, tables, &path, |at| file::line_of(&text, at))?;
        }
        Ok(settings)
    }
}
