//! The machinery of the settings list: [`Setting`] (one row of the table) and `settings!`, the macro `list.rs`
//! declares the list with. Each entry there is
//!
//! ```text
//! /// What it means (the help text, one paragraph).
//! key: Type = "WX_KEY", default "the default, in words", apply module::function;
//! ```
//!
//! and becomes, in the list's order:
//! - a field `key: Option<Type>` of [`ServeArgs`](super::ServeArgs): with the `cli` feature, the flag `--key`
//!   (`_` as `-`) reading the variable `WX_KEY`, its help the text plus `[default: …]`, its value hidden in
//!   `--help` when `Type` is [`Secret`];
//! - a key `key` of [`FileConfig`](super::FileConfig), the TOML file;
//! - a row of [`SETTINGS`](super::SETTINGS) and of the table in its documentation;
//! - a call `function(&mut settings, flag.or(variable).or(file), &given)` in
//!   [`ServeArgs::into_settings`](super::ServeArgs::into_settings): the validation, which sets the field of
//!   [`Settings`](super::Settings) when a value is given, and says what is missing when a required one is not.

use super::ConfigError;
use crate::Secret;
use std::path::{Path, PathBuf};

/// One setting, as `serve --help`, the TOML file and README.md know it. The list is
/// [`SETTINGS`](super::SETTINGS).
///
/// ```
/// let store = wx_server::settings::SETTINGS.iter().find(|s| s.var() == "WX_STORE").unwrap();
/// assert_eq!((store.key(), store.flag().as_str()), ("store", "--store"));
/// assert!(store.is_secret()); // a redis:// URL may carry a password
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub(super) var: &'static str,
    pub(super) key: &'static str,
    pub(super) default: &'static str,
    /// The doc comment's lines, joined: each starts with the space after `///`.
    pub(super) doc: &'static str,
    pub(super) secret: bool,
}

impl Setting {
    /// The environment variable (`WX_APPID`).
    pub fn var(&self) -> &'static str {
        self.var
    }

    /// The TOML file's key (`appid`).
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The flag (`--js-domains` for the key `js_domains`).
    pub fn flag(&self) -> String {
        format!("--{}", self.key.replace('_', "-"))
    }

    /// The default, in words (`required (…)` for a value without one).
    pub fn default(&self) -> &'static str {
        self.default
    }

    /// What it means.
    pub fn help(&self) -> &'static str {
        self.doc.trim()
    }

    /// Whether the value is a secret: hidden in `--help` (`[env: WX_…]` without it), never logged or quoted in
    /// an error.
    pub fn is_secret(&self) -> bool {
        self.secret
    }
}

/// The `--help` text of a setting: what it means and its default.
#[cfg(feature = "cli")]
pub(super) fn help_text(doc: &str, default: &str) -> String {
    let doc = doc.trim();
    match default.strip_prefix("required") {
        Some(rest) => format!("{doc} [required{rest}]"),
        None => format!("{doc} [default: {default}]"),
    }
}

/// The types a setting is given as, before validation. Which are secrets follows from the type.
pub(super) trait Given {
    /// Hidden in `--help`.
    const SECRET: bool = false;
}

impl Given for String {}
impl Given for PathBuf {}
impl Given for u64 {}
impl Given for Secret {
    const SECRET: bool = true;
}

/// What a setting's validation is told besides its value.
#[derive(Debug, Clone, Copy)]
pub(super) struct At<'a> {
    /// The setting's variable, which its errors name.
    pub var: &'static str,
    /// The `WX_CONFIG` file, if any (a setting may refuse it: see `served.rs`).
    pub config: Option<&'a Path>,
}

impl At<'_> {
    /// The value given for this setting cannot be used.
    pub fn invalid(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            var: self.var,
            message: message.into(),
        }
    }

    /// This setting has no default and was not given.
    pub fn missing(&self, hint: &'static str) -> ConfigError {
        ConfigError::Missing { var: self.var, hint }
    }
}

/// Declares the list: see the module documentation. Generates `ServeArgs`, `FileConfig`, `SETTINGS` and
/// `ServeArgs::apply`.
macro_rules! settings {
    ($(
        $(#[doc = $doc:tt])+
        $key:ident: $ty:ty = $var:tt, default $default:tt, apply $apply:path;
    )+) => {
        /// `wx-server serve`'s options, one per setting of [`SETTINGS`] plus `config` and `mock`. Each flag also
        /// reads its environment variable; [`into_settings`](Self::into_settings) adds the file and validates.
        ///
        /// ```
        /// let args = wx_server::ServeArgs { mock: true, store: Some("memory".into()), ..Default::default() };
        /// let settings = args.into_settings().unwrap();
        /// assert_eq!(settings.appid, wx_server::DEMO_APPID);
        /// assert!(settings.mock);
        /// ```
        #[derive(Debug, Default)]
        #[cfg_attr(feature = "cli", derive(clap::Args))]
        pub struct ServeArgs {
            $(
                $(#[doc = $doc])+
                #[cfg_attr(feature = "cli", arg(
                    long,
                    env = $var,
                    hide_env_values = <$ty as $crate::settings::spec::Given>::SECRET,
                    help = $crate::settings::spec::help_text(concat!($($doc),+), $default),
                ))]
                pub $key: Option<$ty>,
            )+
            /// A TOML file with the same keys (lowercase, without `WX_`), and `[accounts.<name>]` tables for more
            /// accounts, each served at `/wechat/<name>`.
            #[cfg_attr(feature = "cli", arg(long, env = "WX_CONFIG"))]
            pub config: Option<std::path::PathBuf>,
            /// Run the fake WeChat in-process under /fake-wechat and use it; demo appid, secret and token.
            #[cfg_attr(feature = "cli", arg(long))]
            pub mock: bool,
        }

        /// The optional TOML file (`WX_CONFIG`): the keys of [`SETTINGS`], lowercase without `WX_`. An unknown
        /// key is an error.
        ///
        /// ```toml
        /// appid = "wx1234567890abcdef"
        /// appsecret = "…"
        /// js_domains = "h5.example.com"
        /// store = "redis://127.0.0.1:6379/0"
        ///
        /// [accounts.shop]   # one more account, pushed to at /wechat/shop
        /// appid = "wx2222333344445555"
        /// appsecret = "…"
        /// js_domains = "shop.example.com"
        /// ```
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct FileConfig {
            $($key: Option<$ty>,)+
            /// The named accounts besides the default one: `[accounts.<name>]` tables (`accounts.rs`).
            pub(super) accounts: Option<$crate::settings::accounts::AccountTables>,
        }

        /// Every setting, in the order they are validated (and README.md lists them). The flag is `--` and the key
        /// with `-` for `_`.
        ///
        /// | variable | file key | default | meaning |
        /// |---|---|---|---|
        $(#[doc = concat!("| `", $var, "` | `", stringify!($key), "` | ", $default, " |", $($doc),+, " |")])+
        /// | `WX_CONFIG` | (flag `--config`) | none | the TOML file holding these keys |
        pub const SETTINGS: &[$crate::settings::Setting] = &[$(
            $crate::settings::Setting {
                var: $var,
                key: stringify!($key),
                default: $default,
                doc: concat!($($doc),+),
                secret: <$ty as $crate::settings::spec::Given>::SECRET,
            },
        )+];

        impl ServeArgs {
            /// Applies each setting's value (flag or variable, else the file's) to `settings`, in the list's
            /// order: the first error stops it.
            pub(super) fn apply(self, file: FileConfig, settings: &mut $crate::settings::Settings)
                -> Result<(), $crate::settings::ConfigError> {
                let config = self.config.as_deref();
                $(
                    let at = $crate::settings::spec::At { var: $var, config };
                    $apply(settings, self.$key.or(file.$key), &at)?;
                )+
                Ok(())
            }
        }
    };
}

pub(super) use settings;

#[cfg(test)]
mod tests {
    use super::super::SETTINGS;

    /// The list's variables, each once, each its key in capitals after `WX_` (the flag is the key too).
    #[test]
    fn each_variable_is_its_key() {
        for (i, setting) in SETTINGS.iter().enumerate() {
            assert_eq!(setting.var(), format!("WX_{}", setting.key().to_uppercase()));
            assert!(
                SETTINGS[..i].iter().all(|s| s.var() != setting.var()),
                "{} twice",
                setting.var()
            );
            // A `|` would break the table of SETTINGS' documentation.
            assert!(
                !setting.help().contains('|') && !setting.default().contains('|'),
                "{}",
                setting.var()
            );
        }
    }

    /// Every value that can hold a password or a key is hidden in `--help`.
    #[test]
    fn secrets_are_the_secret_typed_settings() {
        let secret: Vec<_> = SETTINGS.iter().filter(|s| s.is_secret()).map(|s| s.var()).collect();
        let expected = [
            "WX_APPSECRET",
            "WX_TOKEN",
            "WX_ENCODING_AES_KEY",
            "WX_ADMIN_TOKEN",
            "WX_CENTRAL_TOKEN",
            "WX_SESSION_KEY",
            "WX_STORE",
        ];
        assert_eq!(secret, expected);
    }

    /// README.md's configuration table names exactly the list's variables, in its order (besides `RUST_LOG`, the
    /// logger's, which is no setting).
    #[test]
    fn the_readme_table_is_the_list() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let section = readme
            .split("\n## Configuration")
            .nth(1)
            .expect("README.md has a Configuration section");
        let table = section
            .lines()
            .skip_while(|line| !line.starts_with('|'))
            .take_while(|line| line.starts_with('|'));
        let named: Vec<&str> = table
            .filter_map(|row| row.split('|').nth(1))
            .map(|cell| cell.trim().trim_matches('`'))
            .filter(|name| name.starts_with("WX_"))
            .collect();
        let listed: Vec<&str> = SETTINGS.iter().map(|s| s.var()).collect();
        assert_eq!(
            named, listed,
            "README.md's configuration table and settings/list.rs differ"
        );
    }
}
