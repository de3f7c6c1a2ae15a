//! The site's own routes: the admin token, the OAuth session key, hosts and origin, CORS, the callback limit.

use super::{ConfigError, Settings, parse_list, spec::At};
use crate::Secret;
use std::num::NonZeroU32;

pub(super) fn admin_token(s: &mut Settings, given: Option<Secret>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(token) if token.expose().chars().count() < 16 => {
            Err(at.invalid("use at least 16 random characters (e.g. `openssl rand -hex 24`)"))
        }
        Some(token) => {
            s.admin_token = Some(token);
            Ok(())
        }
        None => Ok(()),
    }
}

pub(super) fn central_token(s: &mut Settings, given: Option<Secret>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(token) if token.expose().chars().count() < 16 => {
            Err(at.invalid("use at least 16 random characters (e.g. `openssl rand -hex 24`)"))
        }
        Some(token) => {
            s.central_token = Some(token);
            Ok(())
        }
        None => Ok(()),
    }
}

pub(super) fn session_key(s: &mut Settings, given: Option<Secret>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(key) if key.expose().chars().count() < crate::oauth::cookie::MIN_KEY_CHARS => {
            Err(at.invalid("use at least 32 random characters (e.g. `openssl rand -hex 32`)"))
        }
        Some(key) => {
            s.session_key = Some(key);
            Ok(())
        }
        None => Ok(()),
    }
}

pub(super) fn oauth_authorize_base(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    if let Some(base) = given {
        s.oauth_authorize_base = base_url(base, "https://open.weixin.qq.com", at)?;
    }
    Ok(())
}

pub(super) fn public_url(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    if let Some(url) = given {
        s.public_url = Some(base_url(url, "https://h5.example.com", at)?);
    }
    Ok(())
}

pub(super) fn cors_origins(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    if let Some(list) = given {
        s.cors_origins = parse_list(&list)
            .into_iter()
            .map(|origin| cors_origin(origin, at))
            .collect::<Result<_, _>>()?;
    }
    Ok(())
}

pub(super) fn oauth_callbacks_per_minute(s: &mut Settings, given: Option<u64>, at: &At) -> Result<(), ConfigError> {
    if let Some(n) = given {
        let n = u32::try_from(n).ok().and_then(NonZeroU32::new);
        s.oauth_callbacks_per_minute = n.ok_or_else(|| at.invalid("use 1 or more, up to 4294967295 (default 30)"))?;
    }
    Ok(())
}

/// An http(s) URL without credentials, query or fragment, in its parsed form (scheme and host lowercased, so
/// later checks such as `https://` for Secure cookies hold for any spelling), without a trailing slash.
pub(super) fn base_url(base: String, example: &str, at: &At) -> Result<String, ConfigError> {
    // A URL with `@` may carry a password: it is not repeated in the message.
    let shown = if base.contains('@') {
        "the URL".to_owned()
    } else {
        format!("`{base}`")
    };
    let invalid = |why: &str| at.invalid(format!("{shown} {why}"));
    let url = url::Url::parse(&base).map_err(|_| invalid(&format!("is not a URL such as {example}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("must be an http(s) URL with a host"));
    }
    // The value is logged at start-up and shown in `Settings`' Debug; none of these URLs needs credentials.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry a user name or password (`user:…@`)"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn cors_origin(origin: &str, at: &At) -> Result<String, ConfigError> {
    let invalid = || {
        at.invalid(format!(
            "`{origin}` is not an origin such as https://h5.example.com (scheme, host, optional port)"
        ))
    };
    let url = url::Url::parse(origin).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.path() != "/" || url.query().is_some() {
        return Err(invalid());
    }
    Ok(url.origin().ascii_serialization())
}
