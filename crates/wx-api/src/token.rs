//! Where the client gets its access_token.

use std::future::Future;

/// An access_token. Its `Debug` never shows it; [`expose`](Self::expose) is for the request that needs it.
///
/// ```
/// let t = wx_api::AccessToken::new("ACCESS_TOKEN");
/// assert_eq!(format!("{t:?}"), "AccessToken(***)");
/// assert_eq!(t.expose(), "ACCESS_TOKEN");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

/// A token source could not give a token. Its message must not contain a secret.
///
/// ```
/// let e = wx_api::TokenError::new("the credential service is down");
/// assert_eq!(e.to_string(), "the credential service is down");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(Box<dyn std::error::Error + Send + Sync>);

impl TokenError {
    /// Wraps any error (or message).
    pub fn new(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(e.into())
    }
}

/// The access_token for the client's calls, owned by someone else (the client caches nothing).
///
/// The rule a source must keep: [`token_rejected`](Self::token_rejected) drops that token only if it is still
/// the current one, so a token another caller has just fetched is never thrown away.
pub trait TokenSource: Send + Sync {
    /// The current access_token (fetched if needed).
    fn access_token(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send;

    /// WeChat rejected `token` (40001 / 40014 / 42001): drop it if it is still current, so that the next
    /// [`access_token`](Self::access_token) fetches a new one.
    fn token_rejected(&self, token: &AccessToken) -> impl Future<Output = ()> + Send;
}

impl<T: TokenSource> TokenSource for std::sync::Arc<T> {
    fn access_token(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send {
        (**self).access_token()
    }

    fn token_rejected(&self, token: &AccessToken) -> impl Future<Output = ()> + Send {
        (**self).token_rejected(token)
    }
}
