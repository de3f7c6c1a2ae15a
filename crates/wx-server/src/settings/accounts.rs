//! The named accounts of the settings file: `[accounts.<name>]` tables, each served at `/wechat/<name>` beside the
//! default account (the top-level `WX_APPID`, … settings, at `/wechat`).
//!
//! Tables keyed by name rather than an `[[accounts]]` array: the name is the table's key, so TOML itself refuses a
//! name (and so a path) given twice, with its line. Everything else is checked here, and each error names the
//! table's line, the account and what to fix, never quoting a value (any of them may be a misplaced secret).

use super::{ConfigError, JsDomain, JsPorts, Settings, parse_list};
use crate::Secret;
use std::{collections::BTreeMap, path::PathBuf};

/// The name the default account answers to in `account=` (its path is `/wechat`); no table may take it.
pub const DEFAULT_ACCOUNT: &str = "default";

/// One official account served by this server: its credentials, push settings, JS safe domains and path.
///
/// The default account is made from the top-level settings ([`Settings::default_account`]); the others come
/// from `[accounts.<name>]` tables of the `WX_CONFIG` file ([`Settings::accounts`]). `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// The name: `default` for the default account, else the table's key (`a` of `[accounts.a]`); the config
    /// endpoint's `account=` parameter takes it.
    pub name: String,
    /// The AppID.
    pub appid: String,
    /// The AppSecret.
    pub secret: Secret,
    /// The server URL Token; `None` makes this account's path answer 503.
    pub server_token: Option<Secret>,
    /// The EncodingAESKey (validated) for safe and compatible pushes.
    pub encoding_aes_key: Option<Secret>,
    /// The weakest push mode accepted; `None`: what the key implies.
    pub encryption_mode: Option<wx_push::Mode>,
    /// The JS safe domains: the config endpoint picks this account for a page on one of them.
    pub js_domains: Vec<JsDomain>,
    /// A reply-rules file for this account's pushes (relative paths from the working directory, as every path
    /// setting): [`App::build`](crate::App::build) answers with its rules, watched for changes; the default
    /// account's is `WX_RULES`. A handler of your own ([`App::build_with_handlers`](crate::App::build_with_handlers))
    /// may read it or not.
    pub rules: Option<PathBuf>,
}

impl AccountSettings {
    /// Where WeChat pushes to this account: `/wechat` for the default account, `/wechat/<name>` for the others.
    ///
    /// ```
    /// let settings = wx_server::Settings::mock();
    /// assert_eq!(settings.default_account().path(), "/wechat");
    /// ```
    pub fn path(&self) -> String {
        if self.name == DEFAULT_ACCOUNT {
            "/wechat".into()
        } else {
            format!("/wechat/{}", self.name)
        }
    }

    /// Whether this is the default account (`/wechat`).
    pub fn is_default(&self) -> bool {
        self.name == DEFAULT_ACCOUNT
    }
}

impl Settings {
    /// The default account, from the top-level settings: named `default`, at `/wechat`.
    pub fn default_account(&self) -> AccountSettings {
        AccountSettings {
            name: DEFAULT_ACCOUNT.into(),
            appid: self.appid.clone(),
            secret: self.secret.clone(),
            server_token: self.server_token.clone(),
            encoding_aes_key: self.encoding_aes_key.clone(),
            encryption_mode: self.encryption_mode,
            js_domains: self.js_domains.clone(),
            rules: self.rules.clone(),
        }
    }

    /// Every account served: the default one first, then [`accounts`](Self::accounts) in their order (the
    /// settings file's by name).
    pub fn all_accounts(&self) -> Vec<AccountSettings> {
        std::iter::once(self.default_account())
            .chain(self.accounts.iter().cloned())
            .collect()
    }

    /// Refuses accounts that would be mixed up or cannot work: a name not usable in a path, two accounts of one
    /// AppID (they would share credentials and replay records), an empty AppID or AppSecret, an encrypted mode
    /// without a key, a domain with a port `js_ports` forbids. For embedders that fill
    /// [`accounts`](Self::accounts) themselves ([`App::build`](crate::App::build) calls it); the settings file
    /// is checked as it is read.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming `WX_CONFIG` and the account.
    pub fn check_accounts(&self) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            var: "WX_CONFIG",
            message,
        };
        let mut seen: Vec<&AccountSettings> = Vec::new();
        let default = self.default_account();
        for (i, account) in std::iter::once(&default).chain(&self.accounts).enumerate() {
            // The first is the default account; any other may not take its name.
            if i > 0 {
                check_name(&account.name)
                    .and_then(|()| check_usable(account, self.js_ports))
                    .map_err(|why| invalid(format!("account `{}`: {why}", account.name)))?;
            }
            if let Some(other) = seen.iter().find(|o| o.name == account.name) {
                return Err(invalid(format!("two accounts are named `{}`", other.name)));
            }
            if let Some(other) = seen.iter().find(|o| o.appid == account.appid) {
                return Err(invalid(format!(
                    "accounts `{}` and `{}` have the same appid: give each account its own",
                    other.name, account.name
                )));
            }
            seen.push(account);
        }
        Ok(())
    }
}

/// What the file's reading checks of each value, for an account given in Rust (never quoting a value).
fn check_usable(account: &AccountSettings, ports: JsPorts) -> Result<(), String> {
    if account.appid.is_empty() || !account.appid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("appid: an AppID is letters and digits only (wx followed by 16 characters)".into());
    }
    if account.secret.is_empty() {
        return Err("its AppSecret is empty".into());
    }
    if account.encryption_mode.is_some_and(wx_push::Mode::is_encrypted) && account.encoding_aes_key.is_none() {
        return Err("an encrypted mode needs its EncodingAESKey".into());
    }
    if let Some(key) = &account.encoding_aes_key {
        wx_push::EncodingAesKey::parse(key.expose()).map_err(|e| format!("encoding_aes_key: {e}"))?;
    }
    if account.js_domains.is_empty() {
        return Err("it has no JS safe domain".into());
    }
    check_ports(&account.js_domains, ports)
}

/// A domain listed with a port must be one the ports allow.
fn check_ports(domains: &[JsDomain], ports: JsPorts) -> Result<(), String> {
    match domains.iter().find(|d| !d.port.is_none_or(|p| ports.allows(Some(p)))) {
        Some(d) => Err(format!(
            "js_domains: `{}:{}`: WX_JS_PORTS=standard allows pages only on ports 80 and 443",
            d.host,
            d.port.unwrap_or_default()
        )),
        None => Ok(()),
    }
}

/// An account's name becomes its path: lowercase letters, digits, `-` and `_`, not `default`.
fn check_name(name: &str) -> Result<(), String> {
    if name == DEFAULT_ACCOUNT {
        return Err(format!(
            "`{DEFAULT_ACCOUNT}` is the top-level account's name (at /wechat): choose another name"
        ));
    }
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err("a name is 1 to 64 lowercase letters, digits, `-` or `_` (it becomes the path /wechat/<name>)".into())
    }
}

/// One `[accounts.<name>]` table as written. Every key is optional here so that a missing one gets a message of
/// ours (with the table's line) rather than serde's.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountFile {
    appid: Option<String>,
    appsecret: Option<Secret>,
    token: Option<Secret>,
    encoding_aes_key: Option<Secret>,
    encryption_mode: Option<String>,
    js_domains: Option<String>,
    rules: Option<PathBuf>,
}

/// The file's `accounts` key: each table with where it starts in the file.
pub type AccountTables = BTreeMap<String, toml::Spanned<AccountFile>>;

/// Validates the tables into [`Settings::accounts`], after the top-level settings (the default account and
/// `js_ports` are known). `line` turns a byte offset of the file into its line number.
pub(super) fn apply(
    s: &mut Settings,
    tables: AccountTables,
    path: &str,
    line: impl Fn(usize) -> usize,
) -> Result<(), ConfigError> {
    for (name, table) in tables {
        let at = line(table.span().start);
        let error = |why: String| ConfigError::File {
            path: path.to_owned(),
            message: format!("line {at}: [accounts.{name}]: {why}"),
        };
        let account = account(&name, table.into_inner(), s.js_ports).map_err(&error)?;
        s.accounts.push(account);
        s.check_accounts().map_err(|e| match e {
            ConfigError::Invalid { message, .. } => error(message),
            other => other,
        })?;
    }
    Ok(())
}

/// One table's account, or what is wrong with it (never quoting a value).
fn account(name: &str, file: AccountFile, ports: JsPorts) -> Result<AccountSettings, String> {
    check_name(name)?;
    let appid = file
        .appid
        .ok_or("appid is not set: set it to the account's AppID (wx…)")?;
    if appid.is_empty() || !appid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err("appid: an AppID is letters and digits only (wx followed by 16 characters)".into());
    }
    let secret = file
        .appsecret
        .filter(|s| !s.is_empty())
        .ok_or("appsecret is not set: set it to the AppSecret from the account's Basic configuration page")?;
    if file.token.as_ref().is_some_and(Secret::is_empty) {
        return Err("token is empty: set it to the Token of the account's server URL, or leave it out".into());
    }
    if let Some(key) = &file.encoding_aes_key {
        wx_push::EncodingAesKey::parse(key.expose()).map_err(|e| format!("encoding_aes_key: {e}"))?;
    }
    let encryption_mode = match file.encryption_mode {
        None => None,
        Some(mode) => {
            let mode: wx_push::Mode = mode
                .parse()
                .map_err(|e: wx_push::UnknownMode| format!("encryption_mode: {e}"))?;
            if mode.is_encrypted() && file.encoding_aes_key.is_none() {
                return Err(format!(
                    "{mode} mode needs encoding_aes_key (the account's EncodingAESKey)"
                ));
            }
            Some(mode)
        }
    };
    let domains = file
        .js_domains
        .ok_or("js_domains is not set: set it to the account's JS safe domains, comma separated")?;
    let js_domains: Vec<JsDomain> = parse_list(&domains)
        .iter()
        .map(|d| JsDomain::parse(d))
        .collect::<Result<_, _>>()
        .map_err(|e| match e {
            ConfigError::Invalid { message, .. } => format!("js_domains: {message}"),
            other => other.to_string(),
        })?;
    if js_domains.is_empty() {
        return Err("js_domains is empty: list the account's JS safe domains, comma separated".into());
    }
    check_ports(&js_domains, ports)?;
    Ok(AccountSettings {
        name: name.to_owned(),
        appid,
        secret,
        server_token: file.token,
        encoding_aes_key: file.encoding_aes_key,
        encryption_mode,
        js_domains,
        rules: file.rules,
    })
}
