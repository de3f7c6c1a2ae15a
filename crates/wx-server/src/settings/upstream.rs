//! Talking to WeChat: the API base, the token mode, the call timeout, how long a request waits for a fetch.

use super::{ConfigError, Settings, spec::At, web::base_url};
use crate::wechat::TokenMode;
use std::time::Duration;

pub(super) fn api_base(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    if let Some(base) = given {
        s.api_base = base_url(base, "https://api.weixin.qq.com", at)?;
    }
    Ok(())
}

pub(super) fn token_mode(s: &mut Settings, given: Option<String>, at: &At) -> Result<(), ConfigError> {
    s.token_mode = match given.as_deref() {
        None => return Ok(()),
        Some("stable") => TokenMode::Stable,
        Some("classic") => TokenMode::Classic,
        Some(other) => return Err(at.invalid(format!("`{other}`: use `stable` or `classic`"))),
    };
    Ok(())
}

pub(super) fn upstream_timeout_ms(s: &mut Settings, given: Option<u64>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(0) => Err(at.invalid("must be above 0")),
        Some(ms) => {
            s.upstream_timeout = Duration::from_millis(ms);
            Ok(())
        }
        None => Ok(()),
    }
}

pub(super) fn refresh_deadline_ms(s: &mut Settings, given: Option<u64>, at: &At) -> Result<(), ConfigError> {
    match given {
        Some(0) => Err(at.invalid("must be above 0 (milliseconds a request waits for WeChat, e.g. 5000)")),
        Some(ms) => {
            s.refresh_deadline = Duration::from_millis(ms);
            Ok(())
        }
        None => Ok(()),
    }
}
