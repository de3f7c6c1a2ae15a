//! The credential service as wx-api's token source: the account client's calls share the cached access_token,
//! and a token WeChat rejects is dropped only if it is still the cached one (the same compare-and-swap as for
//! the ticket), so a token another request or instance has just fetched survives.

use super::CredentialService;
use crate::Secret;
use wx_api::{AccessToken, TokenError, TokenSource};

impl TokenSource for CredentialService {
    async fn access_token(&self) -> Result<AccessToken, TokenError> {
        let token = CredentialService::access_token(self).await.map_err(TokenError::new)?;
        Ok(AccessToken::new(token.expose()))
    }

    async fn token_rejected(&self, token: &AccessToken) {
        tracing::warn!("WeChat rejected the cached access_token for an account API call; fetching a new one once");
        self.invalidate_token(&Secret::new(token.expose())).await;
    }
}
