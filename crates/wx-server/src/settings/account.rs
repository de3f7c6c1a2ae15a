//! The account and `/wechat`: AppID, AppSecret, Token, EncodingAESKey, the encryption mode, the timestamp window.

use super::{ConfigError, Settings, spec::At};
use crate::Secret;
use std::time::Duration;

pub(super) fn appid(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(appid) if appid.is_empty() || !appid.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Err(at.invalid("an AppID is letters and digits only (wx followed by 16 characters)"))
        }
        Some(appid) => {
            s.appid = appid;
            Ok(())
        }
        None if s.appid.is_empty() => Err(at.missing("set it to the account's AppID (wx…)")),
        None => Ok(()),
    }
}

pub(super) fn appsecret(s: &mut Settings, given: Option<Secret>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(secret) if secret.is_empty() => Err(at.invalid("it is empty")),
        Some(secret) => {
            s.secret = secret;
            Ok(())
        }
        None if s.secret.is_empty() => {
            Err(at.missing("set it to the AppSecret from the account's Basic configuration page"))
        }
        None => Ok(()),
    }
}

pub(super) fn token(s: &mut Settings, given: Option<Secret>, at: &At) -> Result<(), ConfigError> {
    if let Some(token) = given {
        if token.is_empty() {
            return Err(at.invalid("it is empty"));
        }
        s.server_token = Some(token);
    }
    Ok(())
}

pub(super) fn encoding_aes_key(s: &mut Settings, given: Option<Secret>, at: &At) -> Result<(), ConfigError> {
    if let Some(key) = given {
        // The error never quotes the key: it is a secret.
        wx_push::EncodingAesKey::parse(key.expose()).map_err(|e| at.invalid(e.to_string()))?;
        s.encoding_aes_key = Some(key);
    }
    Ok(())
}

/// After the key: an encrypted mode needs one.
pub(super) fn encryption_mode(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    if let Some(mode) = given {
        let mode: wx_push::Mode = mode
            .parse()
            .map_err(|e: wx_push::UnknownMode| at.invalid(e.to_string()))?;
        if mode.is_encrypted() && s.encoding_aes_key.is_none() {
            return Err(at.invalid(format!(
                "{mode} mode needs WX_ENCODING_AES_KEY (the EncodingAESKey from the account's server configuration)"
            )));
        }
        s.encryption_mode = Some(mode);
    }
    Ok(())
}

pub(super) fn timestamp_window_secs(s: &mut Settings, given: Option<u64>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(secs @ 1..=86_400) => s.timestamp_window = Duration::from_secs(secs),
        Some(_) => {
            return Err(at.invalid(
                "use 1 to 86400 seconds (default 300); fix the server's clock (NTP) rather than widening it",
            ));
        }
        None => {}
    }
    Ok(())
}
