//! `POST /wechat`: pushes from WeChat, handed to [`wx_push::PushService`] (verification, safe-mode AES,
//! parsing, de-duplication, the deadline and the passive reply all happen there).

use super::{SharedState, error::ApiError};
use axum::{
    extract::{Request, State},
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

pub(super) async fn receive(State(state): State<SharedState>, request: Request) -> Response {
    let Some(push) = &state.push else {
        return ApiError::server_token_not_configured().into_response();
    };
    // The raw request rather than the `RawQuery` and `Bytes` extractors: the query is read where it lies and the
    // body collected under this route's own limit, with nothing copied or boxed on the way (this runs per push).
    let (parts, body) = request.into_parts();
    // What the query alone decides comes first: a stranger's request is refused before its body is waited for.
    let admitted = match push.admit(parts.uri.query().unwrap_or("")) {
        Ok(admitted) => admitted,
        Err(refused) => return answer(refused),
    };
    let body = match super::body::read_body(body, wx_push::MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(error) => return (error.status(), error.to_string()).into_response(),
    };
    answer(admitted.handle(&body).await)
}

fn answer(r: PushResponse) -> Response {
    // Built directly: going through `String`'s `IntoResponse` would insert a text/plain type only to replace it.
    let mut response = Response::new(axum::body::Body::from(r.body));
    *response.status_mut() = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(r.content_type));
    response
}
