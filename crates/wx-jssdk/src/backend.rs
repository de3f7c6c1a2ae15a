//! Fetching the signed config from the wxkit backend, and the self-healing configure path.

use crate::{ConfigOptions, SignedConfig, WxError, config, error::NOT_THE_BACKEND, js, read};

/// Where the page asks for signatures: `GET {endpoint}?url=<url>` (`&refresh=true` for a fresh ticket).
///
/// ```
/// let b = wx_jssdk::Backend::default();
/// assert_eq!(b.endpoint, "/api/jssdk/config");
/// assert_eq!(b.request_url("https://a.com/?x=1", true), "/api/jssdk/config?url=https%3A%2F%2Fa.com%2F%3Fx%3D1&refresh=true");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// The config endpoint, absolute or relative to the page (default `/api/jssdk/config`).
    pub endpoint: String,
}

impl Default for Backend {
    fn default() -> Self {
        Backend {
            endpoint: "/api/jssdk/config".to_owned(),
        }
    }
}

/// What [`configure_from_backend`] did.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let done = wx_jssdk::configure_from_backend(&Default::default(), &wx_jssdk::ConfigOptions::new([wx_jssdk::JsApi::ChooseImage])).await?;
/// web_sys::console::log_1(&format!("signed {} (healed: {})", done.url, done.healed).into());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configured {
    /// The config that WeChat accepted.
    pub signed: SignedConfig,
    /// The URL that was signed.
    pub url: String,
    /// `true` when the first signature was refused and the refreshed one was accepted.
    pub healed: bool,
}

impl Backend {
    /// A backend at `endpoint`.
    ///
    /// ```
    /// assert_eq!(wx_jssdk::Backend::new("/wx/config").endpoint, "/wx/config");
    /// ```
    pub fn new(endpoint: impl Into<String>) -> Self {
        Backend {
            endpoint: endpoint.into(),
        }
    }

    /// The request URL for signing `url` (percent-encoded as a query value).
    ///
    /// ```
    /// assert_eq!(wx_jssdk::Backend::default().request_url("https://a.com/", false), "/api/jssdk/config?url=https%3A%2F%2Fa.com%2F");
    /// ```
    pub fn request_url(&self, url: &str, refresh: bool) -> String {
        let sep = if crate::text::contains(&self.endpoint, "?") {
            '&'
        } else {
            '?'
        };
        let mut s = format!("{}{sep}url={}", self.endpoint, encode_component(url));
        if refresh {
            s.push_str("&refresh=true");
        }
        s
    }

    /// Fetches a signed config for `url`; `refresh` asks the backend to sign with a freshly fetched ticket.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_jssdk::WxError> {
    /// let signed = wx_jssdk::Backend::default().signed_config(&wx_jssdk::url_to_sign(), false).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`WxError::Backend`] with the backend's `error`/`message` (status 0 when unreachable; its hint says to
    /// check the proxy when something other than wx-server answered, such as a dev server's HTML page), or
    /// [`WxError::BadResult`] when the JSON is not a signed config.
    pub async fn signed_config(&self, url: &str, refresh: bool) -> Result<SignedConfig, WxError> {
        signed_config_from_js(&backend_json(&self.request_url(url, refresh)).await?)
    }
}

/// `GET url` from your backend beside the config (who signed in, what the server holds…) → its JSON. Through
/// gloo-net, as the config is, so a page that asks for both carries one fetch path.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let me = wx_jssdk::backend_json("/api/oauth/me").await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::Backend`] with the backend's `error`/`message` for an answer other than 2xx; status 0 with
/// `unreachable` when the request failed; `not_the_backend`, whose hint says to check the proxy, when the
/// answer was not JSON (a dev server's or static host's HTML page: the request never reached wx-server).
pub async fn backend_json(url: &str) -> Result<wasm_bindgen::JsValue, WxError> {
    let failed = |status: u16, error: &str, message: String| WxError::Backend {
        status,
        error: error.into(),
        message,
    };
    let unreachable = |e: String| failed(0, "unreachable", format!("GET {url} failed: {e}"));
    // gloo-net's `RequestBuilder` rewrites a URL that has a query (it appends `&`), so the request would no
    // longer be the one a page's `<link rel=preload>` started: a Request made as given, then sent by gloo-net.
    let request = web_sys::Request::new_with_str(url).map_err(|e| unreachable(js::describe(&e)))?;
    let response = gloo_net::http::Request::from(request)
        .send()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let status = response.status();
    let not_the_backend = || {
        let message = format!("GET {url} did not answer JSON: check that it reaches wx-server");
        failed(status, NOT_THE_BACKEND, message)
    };
    // Read as text and parsed by the browser: gloo-net's `json()` would bring serde_json into every page.
    let text = response.text().await.map_err(|_| not_the_backend())?;
    let body = js_sys::JSON::parse(&text).map_err(|_| not_the_backend())?;
    if response.ok() {
        return Ok(body);
    }
    Err(match js::get_string(&body, "error") {
        Some(error) => failed(status, &error, read::string_or_empty(&body, "message")),
        None => failed(
            status,
            "http",
            format!("GET {url} answered {status} without a JSON error"),
        ),
    })
}

/// Reads the backend's `{"appId","timestamp","nonceStr","signature"}` (the same shape `SignedConfig`
/// deserialises from with serde).
pub(crate) fn signed_config_from_js(body: &wasm_bindgen::JsValue) -> Result<SignedConfig, WxError> {
    const API: &str = "backend";
    let timestamp = read::number(API, body, "timestamp")?;
    if !(timestamp >= 1.0 && timestamp.fract() == 0.0 && timestamp < 9.0e15) {
        return Err(WxError::BadResult {
            api: API.into(),
            detail: "`timestamp` is not a positive whole number".into(),
        });
    }
    Ok(SignedConfig {
        app_id: read::string(API, body, "appId")?,
        timestamp: timestamp as u64,
        nonce_str: read::string(API, body, "nonceStr")?,
        signature: read::string(API, body, "signature")?,
    })
}

/// Signs [`url_to_sign`](crate::url_to_sign) through `backend` and configures; on
/// [`WxError::InvalidSignature`], fetches once more with `refresh=true` and configures again. Never loops.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::{Backend, ConfigOptions, JsApi};
/// let done = wx_jssdk::configure_from_backend(&Backend::default(), &ConfigOptions::new([JsApi::ChooseImage])).await?;
/// if done.healed { web_sys::console::warn_1(&"the first signature was stale".into()); }
/// # Ok(()) }
/// ```
///
/// # Errors
/// The backend's error, or the config error of the last attempt.
pub async fn configure_from_backend(backend: &Backend, options: &ConfigOptions) -> Result<Configured, WxError> {
    configure_with(options, async |url: &str, refresh: bool| {
        backend.signed_config(url, refresh).await
    })
    .await
}

/// The self-healing configure path with any signer: `sign(url, refresh)` returns a signed config for `url`
/// (`refresh = true`: signed with a freshly fetched ticket). Configures with `sign(url, false)`; on
/// [`WxError::InvalidSignature`] configures once more with `sign(url, true)`. Never loops.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::{ConfigOptions, JsApi, SignedConfig};
/// let backend = wx_jssdk::Backend::new("https://api.example.com/wx/config");
/// let done = wx_jssdk::configure_with(&ConfigOptions::new([JsApi::ScanQrCode]), async |url: &str, refresh: bool| {
///     backend.signed_config(url, refresh).await
/// }).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// The signer's error, or the config error of the last attempt.
pub async fn configure_with<F>(options: &ConfigOptions, sign: F) -> Result<Configured, WxError>
where
    F: AsyncFnMut(&str, bool) -> Result<SignedConfig, WxError>,
{
    configure_after(options, sign, crate::url_to_sign(), None).await
}

/// [`configure_with`] for `url`, whose first attempt may have run already: `first` is its outcome (a preload
/// script's `wx.config`: the config it used once WeChat accepted it, or WeChat's error), so only the self-heal
/// is left to do.
pub(crate) async fn configure_after<F>(
    options: &ConfigOptions,
    mut sign: F,
    url: String,
    first: Option<Result<SignedConfig, WxError>>,
) -> Result<Configured, WxError>
where
    F: AsyncFnMut(&str, bool) -> Result<SignedConfig, WxError>,
{
    let first = match first {
        Some(first) => first,
        None => {
            let signed = sign(&url, false).await?;
            config(&signed, options).await.map(|()| signed)
        }
    };
    match first {
        Ok(signed) => Ok(Configured {
            signed,
            url,
            healed: false,
        }),
        Err(WxError::InvalidSignature { .. }) => {
            let signed = sign(&url, true).await?;
            config(&signed, options).await?;
            Ok(Configured {
                signed,
                url,
                healed: true,
            })
        }
        Err(e) => Err(e),
    }
}

/// `encodeURIComponent`, in Rust so that it also runs in host tests.
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            // By hand, not `format!("%{b:02X}")`: no hex formatting code in the page.
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Backend, encode_component};

    #[test]
    fn encodes_like_encode_uri_component() {
        let cases = [
            ("https://a.com/p?x=1&y=2", "https%3A%2F%2Fa.com%2Fp%3Fx%3D1%26y%3D2"),
            ("你", "%E4%BD%A0"),
            ("a b+c", "a%20b%2Bc"),
            ("-_.!~*'()", "-_.!~*'()"),
        ];
        for (input, want) in cases {
            assert_eq!(encode_component(input), want);
        }
        assert_eq!(Backend::new("/cfg?v=2").request_url("x", false), "/cfg?v=2&url=x");
    }
}
