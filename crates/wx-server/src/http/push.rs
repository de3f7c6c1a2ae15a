//! `POST /wechat`: pushes from WeChat, handed to [`wx_push::PushService`] (verification, safe-mode AES,
//! parsing, de-duplication, the deadline and the passive reply all happen there).

use super::{SharedState, error::ApiError};
use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use wx_push::{EncodingAesKey, PushCipher, PushHandler, PushResponse, PushService, PushVerifier};

/// The push service for these settings, or `None` when no Token is configured (then `POST /wechat`
/// answers 503 like the GET check). The AES key was validated with the settings; a key that still fails
/// to parse here disables safe mode rather than the server.
pub(crate) fn service(
    token: Option<&crate::Secret>,
    aes_key: Option<&crate::Secret>,
    appid: &str,
    deadline: std::time::Duration,
    handler: impl PushHandler,
) -> Option<PushService> {
    let token = token?;
    let cipher = aes_key.and_then(|k| match EncodingAesKey::parse(k.expose()) {
        Ok(key) => Some(PushCipher::new(key, appid)),
        Err(error) => {
            tracing::error!(%error, "WX_ENCODING_AES_KEY: safe-mode pushes are disabled");
            None
        }
    });
    if cipher.is_none() {
        tracing::info!("WX_ENCODING_AES_KEY is not set: POST /wechat accepts plain-mode pushes only");
    }
    Some(PushService::new(PushVerifier::new(token.expose(), cipher), handler).with_deadline(deadline))
}

pub(super) async fn receive(State(state): State<SharedState>, RawQuery(raw): RawQuery, body: Bytes) -> Response {
    let Some(push) = &state.push else {
        return ApiError::server_token_not_configured().into_response();
    };
    answer(push.handle(raw.as_deref().unwrap_or(""), &body).await)
}

fn answer(r: PushResponse) -> Response {
    (
        StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST),
        [(header::CONTENT_TYPE, HeaderValue::from_static(r.content_type))],
        r.body,
    )
        .into_response()
}
