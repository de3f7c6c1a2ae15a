//! A central wx-server as the token source: `GET {server}/api/token` with a bearer token.

use crate::{
    client::{DEFAULT_TIMEOUT, http_client},
    error::ApiError,
    token::{AccessToken, TokenError, TokenSource},
};
use serde::Deserialize;
use std::sync::Arc;

/// Takes the access_token from a central wx-server (`GET /api/token`, `Authorization: Bearer <WX_CENTRAL_TOKEN>`),
/// so every service of the account shares its one token instead of fetching (and revoking) their own. A rejected
/// token is reported with `POST /api/token/rejected`, where the server drops it only if it is still current.
///
/// ```
/// let tokens = wx_api::CentralToken::new("https://control.example.com/", "central-bearer-token")?;
/// assert_eq!(format!("{tokens:?}"), r#"CentralToken { server: "https://control.example.com", .. }"#);
/// # Ok::<(), wx_api::ApiError>(())
/// ```
#[derive(Clone)]
pub struct CentralToken {
    http: reqwest::Client,
    server: Arc<str>,
    bearer: Arc<str>,
}

impl std::fmt::Debug for CentralToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentralToken")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Issued {
    access_token: String,
}

#[derive(Deserialize)]
struct Refusal {
    message: Option<String>,
}

impl CentralToken {
    /// A source asking the wx-server at `server` (its origin, e.g. `https://control.example.com`).
    ///
    /// # Errors
    /// [`ApiError::Network`] when the HTTP client cannot be built.
    pub fn new(server: &str, bearer: &str) -> Result<Self, ApiError> {
        Ok(Self {
            http: http_client(DEFAULT_TIMEOUT)?,
            server: server.trim_end_matches('/').into(),
            bearer: bearer.into(),
        })
    }

    async fn fetch(&self) -> Result<AccessToken, TokenError> {
        let response = self
            .http
            .get(format!("{}/api/token", self.server))
            .bearer_auth(&*self.bearer)
            .send()
            .await
            .map_err(|e| TokenError::new(format!("could not reach the central wx-server: {}", e.without_url())))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| TokenError::new(format!("the central wx-server's answer broke off: {}", e.without_url())))?;
        if !status.is_success() {
            let message = serde_json::from_slice::<Refusal>(&body)
                .ok()
                .and_then(|r| r.message)
                .unwrap_or_default();
            return Err(TokenError::new(format!(
                "the central wx-server answered HTTP {} {message}",
                status.as_u16()
            )));
        }
        let issued: Issued = serde_json::from_slice(&body)
            .map_err(|e| TokenError::new(format!("the central wx-server's answer was not the token JSON: {e}")))?;
        Ok(AccessToken::new(issued.access_token))
    }
}

impl TokenSource for CentralToken {
    async fn access_token(&self) -> Result<AccessToken, TokenError> {
        self.fetch().await
    }

    async fn token_rejected(&self, token: &AccessToken) {
        // Best effort: if the report is lost, the next call gets the same token, fails again and reports again.
        let _ = self
            .http
            .post(format!("{}/api/token/rejected", self.server))
            .bearer_auth(&*self.bearer)
            .json(&serde_json::json!({"access_token": token.expose()}))
            .send()
            .await;
    }
}
