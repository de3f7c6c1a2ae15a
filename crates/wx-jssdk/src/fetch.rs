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
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed = |e: wasm_bindgen::JsValue| crate::js::describe(&e);
    let window = crate::js::window().map_err(|e| e.to_string())?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    let text = JsFuture::from(response.text().map_err(failed)?).await.map_err(failed)?;
    Ok(Fetched {
        status: response.status(),
        ok: response.ok(),
        content_type: response
            .headers()
            .get("content-type")
            .ok()
            .flatten()
            .unwrap_or_default(),
        text: text.as_string().unwrap_or_default(),
    })
}

/// The body as a JS value (`JSON.parse`), `None` when it is not JSON.
pub(crate) fn json(text: &str) -> Option<wasm_bindgen::JsValue> {
    js_sys::JSON::parse(text).ok().filter(|v| !v.is_undefined())
}
