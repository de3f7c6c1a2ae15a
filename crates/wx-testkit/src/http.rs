//! HTTP on loopback: the client and the requests tests make with it.
//!
//! The helpers panic (failing the test) on a transport error or a body of the wrong kind, with the URL.

use std::time::Duration;

/// A reqwest client builder for loopback tests: ring installed as rustls's provider (reqwest is built without a
/// default one in this workspace and needs one even for plain http), a 30 s timeout so that a server that never
/// answers fails the test instead of hanging it, and idle connections kept for bursts of concurrent requests.
pub fn client_builder() -> reqwest::ClientBuilder {
    // A no-op after the first call in the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(2000)
}

/// [`client_builder`], built.
///
/// # Panics
/// When the client cannot be built (no TLS provider: not on loopback's plain http).
pub fn client() -> reqwest::Client {
    client_builder()
        .build()
        .unwrap_or_else(|e| panic!("build the HTTP client: {e}"))
}

/// `GET url` and its JSON body, whatever its status.
///
/// # Panics
/// On a transport error or a body that is not JSON.
pub async fn get_json(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> serde_json::Value {
    let (url, response) = get(client, url).await;
    response
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
}

/// `GET url` and its body as text, whatever its status (`/metrics`, pages).
///
/// # Panics
/// On a transport error.
pub async fn get_text(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    let (url, response) = get(client, url).await;
    response
        .text()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: no body: {e}"))
}

/// `GET url`: the URL (for messages) and the response, whatever its status.
async fn get(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> (reqwest::Url, reqwest::Response) {
    let url = url.into_url().unwrap_or_else(|e| panic!("a URL: {e}"));
    let response = client.get(url.clone()).send().await;
    let response = response.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    (url, response)
}

/// POSTs `body` as JSON and reads the answer as JSON, whatever its status.
///
/// # Panics
/// On a transport error or an answer that is not JSON.
pub async fn post_json(
    client: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    body: &serde_json::Value,
) -> serde_json::Value {
    let url = url.into_url().unwrap_or_else(|e| panic!("a URL: {e}"));
    let response = client.post(url.clone()).json(body).send().await;
    let response = response.unwrap_or_else(|e| panic!("POST {url}: {e}"));
    response
        .json()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: not JSON: {e}"))
}
