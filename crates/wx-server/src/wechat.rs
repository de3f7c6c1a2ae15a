//! The client for the three WeChat endpoints the credential service calls, and the classification of
//! their errors into what the service should do about them.

use crate::{
    Secret,
    metrics::{Metrics, UpstreamKind, UpstreamOutcome},
};
use serde::Deserialize;
use std::{sync::Arc, time::Duration};

/// How the access_token is fetched (`WX_TOKEN_MODE`).
///
/// ```
/// assert_eq!(wx_server::TokenMode::default(), wx_server::TokenMode::Stable);
/// assert_eq!(wx_server::TokenMode::Classic.as_str(), "classic");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenMode {
    /// `POST /cgi-bin/stable_token` (WeChat's recommendation): the same token while valid, so several
    /// fetchers do not invalidate each other.
    #[default]
    Stable,
    /// `GET /cgi-bin/token`: every fetch issues a new token and the previous one dies ~5 minutes later.
    Classic,
}

impl TokenMode {
    /// The name used in configuration and store keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stable => "stable",
            Self::Classic => "classic",
        }
    }
}

/// Why a call to WeChat did not yield a credential. The variants group errcodes by what to do.
///
/// ```
/// use wx_server::UpstreamError;
/// assert!(UpstreamError::Busy.is_transient()); // errcode -1: retried with backoff
/// assert!(!UpstreamError::Quota(45009).is_transient()); // never retried in a loop
/// assert_eq!(UpstreamError::IpNotWhitelisted.errcode(), Some(40164));
/// assert!(UpstreamError::IpNotWhitelisted.to_string().contains("whitelist"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// Connection refused, reset or timed out.
    #[error("could not reach WeChat ({0}); check WX_API_BASE and the network")]
    Network(String),
    /// WeChat (or a proxy) answered with a non-2xx HTTP status.
    #[error("WeChat answered HTTP {0}")]
    Http(u16),
    /// The body was not the JSON WeChat documents.
    #[error("WeChat's answer was not the expected JSON ({0})")]
    Malformed(String),
    /// WeChat answered errcode 0 with an empty credential (`access_token` or `jsapi_ticket`, named here), which
    /// must never be cached.
    ///
    /// ```
    /// let e = wx_server::UpstreamError::EmptyCredential("access_token");
    /// assert_eq!(e.to_string(), "WeChat returned an empty access_token");
    /// ```
    #[error("WeChat returned an empty {0}")]
    EmptyCredential(&'static str),
    /// errcode -1: system busy.
    #[error("WeChat is busy (errcode -1); retry later")]
    Busy,
    /// 40001 / 40014 / 42001: the access_token used is invalid, replaced or expired.
    #[error("WeChat rejected the access_token (errcode {0})")]
    InvalidToken(i64),
    /// 45009 / 45011: daily or per-minute quota reached.
    #[error(
        "WeChat's API quota is exhausted (errcode {0}); wait for the quota to reset or reset it in the account console"
    )]
    Quota(i64),
    /// 40164: the server's IP is not in the account's IP whitelist.
    #[error(
        "this server's IP is not in the account's IP whitelist (errcode 40164): add it under Settings > Basic configuration > IP whitelist"
    )]
    IpNotWhitelisted,
    /// 89503: WeChat flagged the caller's IP as risky; an administrator must confirm it.
    #[error(
        "WeChat flagged this server's IP as risky (errcode 89503): an administrator must confirm the call in the account console"
    )]
    RiskyIp,
    /// 40013 / 40125 (or 40001 from the token endpoint): wrong appid or app secret.
    #[error("WeChat rejected the appid or app secret (errcode {0}): check WX_APPID and WX_APPSECRET")]
    BadCredentials(i64),
    /// The refresh did not finish within the shared refresh lock's lease (its calls kept timing out or
    /// failing): it is cut off there, so another instance never fetches while this one still might.
    #[error(
        "WeChat did not complete the refresh within its {0:?} lock lease (each call may take up to WX_UPSTREAM_TIMEOUT_MS); retry later"
    )]
    OutOfTime(std::time::Duration),
    /// A request stopped waiting at its refresh deadline (`WX_REFRESH_DEADLINE_MS`) before WeChat answered. The
    /// fetch goes on in the background, and the requests after it get its result.
    ///
    /// ```
    /// let e = wx_server::UpstreamError::NoAnswerInTime(std::time::Duration::from_secs(5));
    /// assert!(e.to_string().starts_with("WeChat did not answer within 5s"));
    /// ```
    #[error(
        "WeChat did not answer within {0:?} (WX_REFRESH_DEADLINE_MS); the fetch goes on in the background: retry in a moment"
    )]
    NoAnswerInTime(std::time::Duration),
    /// Any other errcode.
    #[error("WeChat answered errcode {errcode}: {errmsg}")]
    Other {
        /// WeChat's errcode.
        errcode: i64,
        /// WeChat's errmsg (scrubbed of secrets).
        errmsg: String,
    },
}

impl UpstreamError {
    /// True for failures worth a bounded retry with backoff: busy, network, 5xx, malformed, empty.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network(_)
            | Self::Malformed(_)
            | Self::EmptyCredential(_)
            | Self::Busy
            | Self::OutOfTime(_)
            | Self::NoAnswerInTime(_) => true,
            Self::Http(status) => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    /// WeChat's errcode, when the failure carried one.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Self::Busy => Some(-1),
            Self::InvalidToken(c) | Self::Quota(c) | Self::BadCredentials(c) => Some(*c),
            Self::IpNotWhitelisted => Some(40164),
            Self::RiskyIp => Some(89503),
            Self::Other { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    fn outcome(&self) -> UpstreamOutcome {
        match self {
            Self::Network(_) => UpstreamOutcome::Network,
            Self::Http(_) => UpstreamOutcome::HttpError,
            Self::Malformed(_) | Self::EmptyCredential(_) => UpstreamOutcome::Malformed,
            _ => UpstreamOutcome::Errcode,
        }
    }

    fn from_errcode(errcode: i64, errmsg: &str, token_endpoint: bool) -> Self {
        match errcode {
            -1 => Self::Busy,
            40001 if token_endpoint => Self::BadCredentials(errcode),
            40001 | 40014 | 42001 => Self::InvalidToken(errcode),
            45009 | 45011 => Self::Quota(errcode),
            40164 => Self::IpNotWhitelisted,
            89503 => Self::RiskyIp,
            40013 | 40125 => Self::BadCredentials(errcode),
            _ => Self::Other {
                errcode,
                errmsg: errmsg.chars().take(200).collect(),
            },
        }
    }
}

/// The two tickets `getticket` issues: the same shape, lifetime and caching rules, different uses.
///
/// ```
/// use wx_server::wechat::TicketKind;
/// assert_eq!(TicketKind::WxCard.type_param(), "wx_card");
/// assert_eq!(TicketKind::Jsapi.name(), "jsapi_ticket");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketKind {
    /// `type=jsapi`: signs `wx.config`.
    Jsapi,
    /// `type=wx_card`: the card `api_ticket`, signs chooseCard's `cardSign` and addCard's `cardExt`.
    WxCard,
}

impl TicketKind {
    /// getticket's `type`.
    pub fn type_param(self) -> &'static str {
        match self {
            Self::Jsapi => "jsapi",
            Self::WxCard => "wx_card",
        }
    }

    /// The credential's name in logs and errors.
    pub fn name(self) -> &'static str {
        match self {
            Self::Jsapi => "jsapi_ticket",
            Self::WxCard => "card ticket",
        }
    }

    pub(crate) fn upstream(self) -> UpstreamKind {
        match self {
            Self::Jsapi => UpstreamKind::JsapiTicket,
            Self::WxCard => UpstreamKind::CardTicket,
        }
    }
}

/// A credential WeChat issued, with the lifetime it announced.
///
/// ```
/// let issued = wx_server::wechat::Issued { value: "T".into(), expires_in: std::time::Duration::from_secs(7200) };
/// assert_eq!(format!("{:?}", issued.value), "Secret(***)");
/// ```
#[derive(Debug, Clone)]
pub struct Issued {
    /// The access_token or jsapi_ticket.
    pub value: Secret,
    /// `expires_in`, as returned (always use the returned value: stable tokens can be younger than 7200 s).
    pub expires_in: Duration,
}

#[derive(Deserialize)]
struct Answer {
    access_token: Option<String>,
    ticket: Option<String>,
    expires_in: Option<u64>,
}

/// The HTTP client for WeChat's credential endpoints, with its base URL and the app's credentials.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::{sync::Arc, time::Duration};
/// use wx_server::{Metrics, Secret, TokenMode, WechatClient};
/// let client = WechatClient::new("https://api.weixin.qq.com", "wx1234567890abcdef", Secret::new("…"),
///     TokenMode::Stable, Duration::from_secs(5), Arc::new(Metrics::default()))?;
/// let token = client.fetch_access_token().await?;
/// let ticket = client.fetch_jsapi_ticket(&token.value).await?;
/// # let _ = ticket; Ok(()) }
/// ```
#[derive(Clone)]
pub struct WechatClient {
    http: reqwest::Client,
    base: Arc<str>,
    appid: Arc<str>,
    secret: Secret,
    mode: TokenMode,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for WechatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatClient")
            .field("base", &self.base)
            .field("appid", &self.appid)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl WechatClient {
    /// A client for `base` (e.g. `https://api.weixin.qq.com`), timing out each call after `timeout`.
    ///
    /// # Errors
    /// When the TLS stack cannot be initialised.
    pub fn new(
        base: &str,
        appid: &str,
        secret: Secret,
        mode: TokenMode,
        timeout: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Self, reqwest::Error> {
        // reqwest is built without a default crypto provider (ring instead of aws-lc: no cmake needed).
        // Installing twice fails harmlessly, so the result is ignored.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("wxkit-wx-server/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').into(),
            appid: appid.into(),
            secret,
            mode,
            metrics,
        })
    }

    /// The token mode this client fetches with.
    pub fn mode(&self) -> TokenMode {
        self.mode
    }

    /// Fetches an access_token once (no retry), with `stable_token` or `token` per the mode.
    ///
    /// # Errors
    /// The classified [`UpstreamError`].
    pub async fn fetch_access_token(&self) -> Result<Issued, UpstreamError> {
        let request = match self.mode {
            TokenMode::Stable => {
                self.http
                    .post(format!("{}/cgi-bin/stable_token", self.base))
                    .json(&serde_json::json!({
                        "grant_type": "client_credential",
                        "appid": &*self.appid,
                        "secret": self.secret.expose(),
                        "force_refresh": false,
                    }))
            }
            TokenMode::Classic => self.http.get(format!("{}/cgi-bin/token", self.base)).query(&[
                ("grant_type", "client_credential"),
                ("appid", &self.appid),
                ("secret", self.secret.expose()),
            ]),
        };
        let result = self.call(request, true, &[]).await.and_then(|a| {
            let value = a
                .access_token
                .filter(|t| !t.is_empty())
                .ok_or(UpstreamError::EmptyCredential("access_token"))?;
            Ok(Issued {
                value: Secret::new(value),
                expires_in: lifetime(a.expires_in)?,
            })
        });
        self.count(UpstreamKind::AccessToken, &result);
        result
    }

    /// Fetches the jsapi_ticket once (no retry) with `access_token`.
    ///
    /// # Errors
    /// The classified [`UpstreamError`]; an empty ticket is [`UpstreamError::EmptyCredential`].
    pub async fn fetch_jsapi_ticket(&self, access_token: &Secret) -> Result<Issued, UpstreamError> {
        self.fetch_ticket(access_token, TicketKind::Jsapi).await
    }

    /// Fetches a ticket of `kind` once (no retry) with `access_token`: `getticket?type=jsapi|wx_card`.
    ///
    /// # Errors
    /// The classified [`UpstreamError`]; an empty ticket is [`UpstreamError::EmptyCredential`].
    pub async fn fetch_ticket(&self, access_token: &Secret, kind: TicketKind) -> Result<Issued, UpstreamError> {
        let request = self
            .http
            .get(format!("{}/cgi-bin/ticket/getticket", self.base))
            .query(&[("access_token", access_token.expose()), ("type", kind.type_param())]);
        let result = self.call(request, false, &[access_token]).await.and_then(|a| {
            let value = a
                .ticket
                .filter(|t| !t.is_empty())
                .ok_or(UpstreamError::EmptyCredential(kind.name()))?;
            Ok(Issued {
                value: Secret::new(value),
                expires_in: lifetime(a.expires_in)?,
            })
        });
        self.count(kind.upstream(), &result);
        result
    }

    fn count<T>(&self, kind: UpstreamKind, result: &Result<T, UpstreamError>) {
        let outcome = result
            .as_ref()
            .map_or_else(UpstreamError::outcome, |_| UpstreamOutcome::Ok);
        self.metrics.upstream(kind, outcome);
    }

    /// The AppID.
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// `POST {base}{path}?access_token=…` with a JSON body: the shape of most WeChat APIs.
    pub(crate) async fn post_with_token(
        &self,
        path: &str,
        access_token: &Secret,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, UpstreamError> {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .query(&[("access_token", access_token.expose())])
            .json(body);
        self.call_value(request, false, &[access_token]).await
    }

    /// `GET {base}{path}?{query}`; `with_app` adds `appid` and `secret` (the OAuth code exchange).
    /// `secrets` are scrubbed from WeChat's errmsg.
    pub(crate) async fn get_json(
        &self,
        path: &str,
        query: &[(&str, &str)],
        with_app: bool,
        secrets: &[&Secret],
    ) -> Result<serde_json::Value, UpstreamError> {
        let mut request = self.http.get(format!("{}{path}", self.base)).query(query);
        if with_app {
            request = request.query(&[("appid", &*self.appid), ("secret", self.secret.expose())]);
        }
        self.call_value(request, false, secrets).await
    }

    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        token_endpoint: bool,
        also_secret: &[&Secret],
    ) -> Result<Answer, UpstreamError> {
        let value = self.call_value(request, token_endpoint, also_secret).await?;
        serde_json::from_value(value).map_err(|e| UpstreamError::Malformed(e.to_string()))
    }

    /// Sends, checks the status, parses JSON and turns a non-zero errcode into an [`UpstreamError`].
    async fn call_value(
        &self,
        request: reqwest::RequestBuilder,
        token_endpoint: bool,
        also_secret: &[&Secret],
    ) -> Result<serde_json::Value, UpstreamError> {
        // `without_url`: reqwest's errors quote the URL, which carries the secret or the access_token.
        let response = request
            .send()
            .await
            .map_err(|e| UpstreamError::Network(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(UpstreamError::Http(status.as_u16()));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| UpstreamError::Network(e.without_url().to_string()))?;
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| UpstreamError::Malformed(e.to_string()))?;
        let errcode = value.get("errcode").and_then(serde_json::Value::as_i64).unwrap_or(0);
        if errcode != 0 {
            let mut errmsg = value
                .get("errmsg")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_owned();
            for s in std::iter::once(&self.secret).chain(also_secret.iter().copied()) {
                if !s.is_empty() {
                    errmsg = errmsg.replace(s.expose(), "***");
                }
            }
            return Err(UpstreamError::from_errcode(errcode, &errmsg, token_endpoint));
        }
        Ok(value)
    }
}

fn lifetime(expires_in: Option<u64>) -> Result<Duration, UpstreamError> {
    match expires_in {
        Some(s) if s > 0 => Ok(Duration::from_secs(s)),
        _ => Err(UpstreamError::Malformed("expires_in is missing or not positive".into())),
    }
}
