//! OAuth web authorisation (网页授权): the authorize URL, the code exchange, user info and token refresh,
//! plus what the `/api/oauth/*` routes need — signed cookies ([`cookie`]), a cache of the callbacks seen
//! ([`replay`]: reloads get their session again, failed codes and used states start no second exchange), a
//! per-client limit on code exchanges, and the same-site return path check ([`return_path`]).
//!
//! The flow: `GET /api/oauth/start` → WeChat's authorize page → `GET /api/oauth/callback?code&state` →
//! `sns/oauth2/access_token` (→ `sns/userinfo` for `snsapi_userinfo`) → a signed session cookie.

pub mod cookie;
pub(crate) mod limit;
pub mod replay;

use crate::{Secret, WechatClient, wechat::UpstreamError};
use serde::{Deserialize, Serialize};

/// WeChat's authorize host (`WX_OAUTH_AUTHORIZE_BASE`'s default).
pub const AUTHORIZE_BASE: &str = "https://open.weixin.qq.com";

/// What the user is asked to grant.
///
/// ```
/// assert_eq!(wx_server::oauth::Scope::parse("userinfo"), Some(wx_server::oauth::Scope::Userinfo));
/// assert_eq!(wx_server::oauth::Scope::parse("snsapi_base"), Some(wx_server::oauth::Scope::Base));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// `snsapi_base`: silent, openid only.
    #[serde(rename = "snsapi_base")]
    Base,
    /// `snsapi_userinfo`: asks the user; nickname and avatar through `sns/userinfo`.
    #[serde(rename = "snsapi_userinfo")]
    Userinfo,
}

impl Scope {
    /// `base` / `snsapi_base` or `userinfo` / `snsapi_userinfo`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "base" | "snsapi_base" => Some(Self::Base),
            "userinfo" | "snsapi_userinfo" => Some(Self::Userinfo),
            _ => None,
        }
    }

    /// WeChat's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Base => "snsapi_base",
            Self::Userinfo => "snsapi_userinfo",
        }
    }
}

/// encodeURIComponent's set minus `!*'()`: everything but letters, digits and `-_.~`.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn enc(s: &str) -> percent_encoding::PercentEncode<'_> {
    percent_encoding::utf8_percent_encode(s, COMPONENT)
}

/// The authorize URL: parameters in WeChat's order, `redirect_uri` URL-encoded, `#wechat_redirect` last.
///
/// ```
/// use wx_server::oauth::{Scope, authorize_url};
/// let url = authorize_url("https://open.weixin.qq.com", "wx123", "https://h5.example.com/cb?x=1", Scope::Base, "s1");
/// assert_eq!(url, "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx123\
///     &redirect_uri=https%3A%2F%2Fh5.example.com%2Fcb%3Fx%3D1&response_type=code&scope=snsapi_base&state=s1#wechat_redirect");
/// ```
pub fn authorize_url(base: &str, appid: &str, redirect_uri: &str, scope: Scope, state: &str) -> String {
    format!(
        "{}/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope={}&state={}#wechat_redirect",
        base.trim_end_matches('/'),
        enc(appid),
        enc(redirect_uri),
        scope.as_str(),
        enc(state),
    )
}

/// What `sns/oauth2/access_token` (and `refresh_token`) return. The tokens are secrets: redacted in `Debug`.
#[derive(Debug, Clone)]
pub struct OauthTokens {
    /// The user's openid.
    pub openid: String,
    /// The web access_token (for `sns/userinfo`), unrelated to the global access_token.
    pub access_token: Secret,
    /// Refreshes `access_token` for 30 days.
    pub refresh_token: Secret,
    /// The granted scope(s), as WeChat lists them.
    pub scope: String,
    /// Seconds `access_token` lives.
    pub expires_in: u64,
    /// The user's unionid: WeChat gives it here for `snsapi_userinfo` when the account is bound to an open
    /// platform account; else `None`.
    pub unionid: Option<String>,
}

/// What `sns/userinfo` returns (the fields the backend uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The openid.
    pub openid: String,
    /// The nickname.
    #[serde(default)]
    pub nickname: String,
    /// The avatar URL (empty when the user has none).
    #[serde(default)]
    pub headimgurl: String,
    /// The unionid, when the account is bound to an open platform account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unionid: Option<String>,
}

fn tokens(v: &serde_json::Value) -> Result<OauthTokens, UpstreamError> {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).filter(|x| !x.is_empty());
    let missing = |k: &str| UpstreamError::Malformed(format!("the OAuth answer has no {k}"));
    Ok(OauthTokens {
        openid: s("openid").ok_or_else(|| missing("openid"))?.to_owned(),
        access_token: Secret::new(s("access_token").ok_or_else(|| missing("access_token"))?),
        refresh_token: Secret::new(s("refresh_token").ok_or_else(|| missing("refresh_token"))?),
        scope: s("scope").unwrap_or_default().to_owned(),
        expires_in: v.get("expires_in").and_then(serde_json::Value::as_u64).unwrap_or(7200),
        unionid: s("unionid").map(str::to_owned),
    })
}

/// Exchanges an authorisation `code` (single use, 5 minutes) for the user's openid and web tokens.
///
/// # Errors
/// [`UpstreamError::Other`] with errcode 40029 (invalid code), 40163 (code already used) or 42003 (expired).
pub async fn exchange_code(client: &WechatClient, code: &str) -> Result<OauthTokens, UpstreamError> {
    // Scrubbed from WeChat's errmsg like the tokens: until it is spent, the code is worth an openid.
    let code_secret = Secret::new(code);
    let v = client
        .get_json(
            "/sns/oauth2/access_token",
            &[("code", code), ("grant_type", "authorization_code")],
            true,
            &[&code_secret],
        )
        .await?;
    tokens(&v)
}

/// Renews a web access_token with its `refresh_token`.
///
/// # Errors
/// [`UpstreamError`]; 40030 / 42002 for an invalid or expired refresh_token.
pub async fn refresh(client: &WechatClient, refresh_token: &Secret) -> Result<OauthTokens, UpstreamError> {
    let v = client
        .get_json(
            "/sns/oauth2/refresh_token",
            &[
                ("appid", client.appid()),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.expose()),
            ],
            false,
            &[refresh_token],
        )
        .await?;
    tokens(&v)
}

/// The user's profile (`snsapi_userinfo` tokens only).
///
/// # Errors
/// [`UpstreamError`]; 48001 when the token has only `snsapi_base`.
pub async fn userinfo(client: &WechatClient, tokens: &OauthTokens) -> Result<UserInfo, UpstreamError> {
    let v = client
        .get_json(
            "/sns/userinfo",
            &[
                ("access_token", tokens.access_token.expose()),
                ("openid", &tokens.openid),
                ("lang", "zh_CN"),
            ],
            false,
            &[&tokens.access_token],
        )
        .await?;
    serde_json::from_value(v).map_err(|e| UpstreamError::Malformed(e.to_string()))
}

/// A return path after sign-in: a same-site absolute path (`/…`), never `//host`, `/\host`, a scheme or
/// control characters — anything a browser could resolve to another site. Non-ASCII characters (a Chinese page
/// name, say) come back percent-encoded, as a `Location` header must carry them; at most 2048 bytes once encoded.
///
/// ```
/// use wx_server::oauth::return_path;
/// assert_eq!(return_path("/shop?id=1#top").as_deref(), Some("/shop?id=1#top"));
/// assert_eq!(return_path("/商品?id=1").as_deref(), Some("/%E5%95%86%E5%93%81?id=1"));
/// for evil in ["//evil.com", "/\\evil.com", "https://evil.com", "evil.com", "/%0d%0aSet-Cookie:x", "/\tx"] {
///     assert_eq!(return_path(evil), None, "{evil}");
/// }
/// ```
pub fn return_path(path: &str) -> Option<std::borrow::Cow<'_, str>> {
    let rest = path.strip_prefix('/')?;
    let bad_start = rest.starts_with(['/', '\\']);
    let bad_char = path.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace());
    // Encoded CR/LF or slashes could turn into the above after a decoding proxy.
    let lower = path.to_ascii_lowercase();
    let bad_escape =
        ["%0d", "%0a", "%00", "%5c", "%2f%2f"].iter().any(|e| lower.contains(e)) || lower.starts_with("/%2f");
    if bad_start || bad_char || bad_escape {
        return None;
    }
    // CONTROLS encodes C0 controls (refused above) and every non-ASCII byte: nothing else changes.
    let encoded: std::borrow::Cow<'_, str> =
        percent_encoding::utf8_percent_encode(path, percent_encoding::CONTROLS).into();
    (encoded.len() <= 2048).then_some(encoded)
}
