//! The GETs wx-jssdk makes (the signed config, a CommonJS jweixin URL), through gloo-net, reduced to what is
//! read: status, content type, body text.

/// A response, read in full.
pub(crate) struct Fetched {
    /// The HTTP status.
    pub status: u16,
    /// `true` for a 2xx status.
    pub ok: bool,
    /// The `Content-Type` header, empty when absent.
    pub content_type: String,
    /// The body as text.
    pub text: String,
}

impl Fetched {
    /// Whether the body is an HTML page (a dev server's index.html or error page, not an API or a script).
    pub fn is_html(&self) -> bool {
        let ct = self.content_type.to_ascii_lowercase();
        crate::text::contains(&ct, "text/html")
            || (self.content_type.is_empty() && self.text.trim_start().starts_with('<'))
    }
}

/// `GET url`, the body read as text. The error says why the request itself failed (network, CORS, …).
pub(crate) async fn get(url: &str) -> Result<Fetched, String> {
    let failed = |e: gloo_net::Error| match e {
        gloo_net::Error::JsError(e) => e.message,
        other => other.to_string(),
    };
    let response = gloo_net::http::Request::get(url).send().await.map_err(failed)?;
    let text = response.text().await.map_err(failed)?;
    Ok(Fetched {
        status: response.status(),
        ok: response.ok(),
        content_type: response.headers().get("content-type").unwrap_or_default(),
        text,
    })
}

/// The body as a JS value (`JSON.parse`), `None` when it is not JSON.
pub(crate) fn json(text: &str) -> Option<wasm_bindgen::JsValue> {
    js_sys::JSON::parse(text).ok().filter(|v| !v.is_undefined())
}
