//! The client: one request path for every endpoint (token, send, errcode, one retry on a rejected token).

use crate::{
    error::ApiError,
    token::{AccessToken, TokenSource},
};
use serde::{Serialize, de::DeserializeOwned};
use std::{sync::Arc, time::Duration};

/// How long one call may take unless the caller brings its own HTTP client.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A typed async client for one account's API, over `base` (`https://api.weixin.qq.com`, or the fake).
///
/// Cheap to clone when the token source is.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_api::ApiError> {
/// use wx_api::{AccountClient, CentralToken, CustomerServiceMessage};
/// let tokens = CentralToken::new("https://control.example.com", "central-bearer-token")?;
/// let client = AccountClient::new("https://api.weixin.qq.com", tokens)?;
/// client.send_custom(&CustomerServiceMessage::text("oOPENID", "Thanks, we got your photo")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AccountClient<S> {
    http: reqwest::Client,
    base: Arc<str>,
    tokens: S,
}

impl<S> std::fmt::Debug for AccountClient<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, ApiError> {
    // The workspace builds reqwest without a default crypto provider (ring, no cmake); installing twice fails
    // harmlessly.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("wxkit-wx-api/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ApiError::Network(e.without_url().to_string()))
}

fn is_rejected_token(e: &ApiError) -> bool {
    matches!(e, ApiError::InvalidToken(_))
}

impl<S: TokenSource> AccountClient<S> {
    /// A client for `base` (no trailing slash needed) taking tokens from `tokens`; each call times out after 10 s.
    ///
    /// # Errors
    /// [`ApiError::Network`] when the HTTP client cannot be built (TLS initialisation).
    pub fn new(base: &str, tokens: S) -> Result<Self, ApiError> {
        Ok(Self::with_http(base, http_client(DEFAULT_TIMEOUT)?, tokens))
    }

    /// A client with an HTTP client of your own (proxy, timeouts).
    pub fn with_http(base: &str, http: reqwest::Client, tokens: S) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').into(),
            tokens,
        }
    }

    /// The token source.
    pub fn tokens(&self) -> &S {
        &self.tokens
    }

    /// `POST {base}{path}?access_token=T` with a JSON body, answer parsed as `T`.
    pub(crate) async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let url = format!("{}{path}", self.base);
        self.call(|token| {
            self.http
                .post(&url)
                .query(&[("access_token", token.expose())])
                .json(body)
        })
        .await
    }

    /// `GET {base}{path}?access_token=T&{query}`, answer parsed as `T`.
    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T, ApiError> {
        let url = format!("{}{path}", self.base);
        self.call(|token| {
            self.http
                .get(&url)
                .query(&[("access_token", token.expose())])
                .query(query)
        })
        .await
    }

    /// One call with the current token; when WeChat rejects that token, it is reported to the source, a fresh one
    /// is asked for and the call made once more.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: impl Fn(&AccessToken) -> reqwest::RequestBuilder,
    ) -> Result<T, ApiError> {
        match self.call_raw(request).await? {
            Answer::Json(value) => serde_json::from_value(value).map_err(|e| ApiError::Malformed(e.to_string())),
            Answer::File { .. } => Err(ApiError::Malformed("a file where JSON was expected".into())),
        }
    }

    /// As [`call`](Self::call), for endpoints that answer a file (media) or JSON.
    pub(crate) async fn call_raw(
        &self,
        request: impl Fn(&AccessToken) -> reqwest::RequestBuilder,
    ) -> Result<Answer, ApiError> {
        self.call_bounded(request, usize::MAX).await
    }

    /// As [`call_raw`](Self::call_raw), reading at most `limit` bytes of the answer: past it, the reading stops
    /// and the call fails with [`ApiError::TooLarge`].
    pub(crate) async fn call_bounded(
        &self,
        request: impl Fn(&AccessToken) -> reqwest::RequestBuilder,
        limit: usize,
    ) -> Result<Answer, ApiError> {
        let token = self.tokens.access_token().await.map_err(ApiError::Token)?;
        match send(request(&token), &token, limit).await {
            Err(e) if is_rejected_token(&e) => {
                self.tokens.token_rejected(&token).await;
                let token = self.tokens.access_token().await.map_err(ApiError::Token)?;
                send(request(&token), &token, limit).await
            }
            other => other,
        }
    }

    /// The base URL joined with `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

/// What an endpoint answered: JSON (errcode 0), or a file with its headers.
pub(crate) enum Answer {
    Json(serde_json::Value),
    File {
        content_type: String,
        filename: Option<String>,
        bytes: Vec<u8>,
    },
}

/// The `filename` of a `Content-Disposition: attachment; filename="…"`.
fn disposition_filename(value: &str) -> Option<String> {
    value.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        k.eq_ignore_ascii_case("filename")
            .then(|| v.trim_matches('"').to_owned())
    })
}

/// Sends, checks the status, and reads the answer: a file (any content type but JSON or text, as WeChat sends
/// media), or JSON whose non-zero errcode becomes an [`ApiError`]. At most `limit` bytes are read: a longer
/// answer (by its `Content-Length`, or once that many bytes have arrived) is [`ApiError::TooLarge`].
async fn send(request: reqwest::RequestBuilder, token: &AccessToken, limit: usize) -> Result<Answer, ApiError> {
    // `without_url`: reqwest's errors quote the URL, which carries the access_token.
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.without_url().to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(ApiError::Http(status.as_u16()));
    }
    let header = |name: reqwest::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
    let filename = header(reqwest::header::CONTENT_DISPOSITION).and_then(|d| disposition_filename(&d));
    let body = read_bounded(response, limit).await?;
    // WeChat answers errors (and JSON results) as application/json or text/plain; a file has its own type.
    let is_json = content_type.is_empty()
        || content_type.starts_with("application/json")
        || content_type.starts_with("text/plain");
    if !is_json {
        return Ok(Answer::File {
            content_type,
            filename,
            bytes: body,
        });
    }
    let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| ApiError::Malformed(e.to_string()))?;
    let errcode = value.get("errcode").and_then(serde_json::Value::as_i64).unwrap_or(0);
    if errcode != 0 {
        let mut errmsg = value
            .get("errmsg")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_owned();
        if !token.expose().is_empty() {
            errmsg = errmsg.replace(token.expose(), "***");
        }
        return Err(ApiError::from_errcode(errcode, &errmsg));
    }
    Ok(Answer::Json(value))
}

/// The body, chunk by chunk, never holding more than `limit` bytes.
async fn read_bounded(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = || ApiError::TooLarge { limit };
    if response
        .content_length()
        .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| ApiError::Network(e.without_url().to_string()))?
    {
        if chunk.len() > limit.saturating_sub(body.len()) {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// WeChat's `{"errcode":0,"errmsg":"ok"}`: nothing else to read.
#[derive(serde::Deserialize)]
pub(crate) struct Ok {}
