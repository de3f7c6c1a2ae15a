//! `/wechat`: WeChat's URL check (GET) and pushes (POST), both handed to [`wx_push::PushService`] (verification,
//! the account's mode, the timestamp window, replay, safe-mode AES, parsing, de-duplication, the deadline and the
//! passive reply all happen there).
//!
//! Every refusal here is text/plain, one sentence saying what is wrong: WeChat reads no body but a passive reply,
//! so the only reader of a refusal is a person debugging the account's server configuration, with `curl` or in
//! a log. (The JSON [`ApiError`](super::error::ApiError) is for `/api/*`, which pages and scripts read.)

use super::SharedState;
use crate::Settings;
use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use std::sync::Arc;
use wx_push::{
    ClaimStore, EncodingAesKey, PushCipher, PushHandler, PushResponse, PushService, PushVerifier, ReplayStore,
};

/// The push service for these settings, or `None` when no Token is configured (then `/wechat` answers 503).
/// The AES key was validated with the settings; a key that still fails to parse here disables safe mode rather
/// than the server. `replay` is the store shared by instances against replayed pushes, and `claims` the one where
/// they claim pushes and leave their replies, if the credential store is shared.
pub(crate) fn service(
    settings: &Settings,
    replay: Option<Arc<dyn ReplayStore>>,
    claims: Option<Arc<dyn ClaimStore>>,
    handler: impl PushHandler,
) -> Option<PushService> {
    let token = settings.server_token.as_ref()?;
    let cipher = settings
        .encoding_aes_key
        .as_ref()
        .and_then(|k| match EncodingAesKey::parse(k.expose()) {
            Ok(key) => Some(PushCipher::new(key, &settings.appid)),
            Err(error) => {
                tracing::error!(%error, "WX_ENCODING_AES_KEY: safe-mode pushes are disabled");
                None
            }
        });
    let mut verifier = PushVerifier::new(token.expose(), cipher).with_max_clock_skew(Some(settings.timestamp_window));
    if let Some(mode) = settings.encryption_mode {
        verifier = verifier.with_account_mode(mode);
    }
    tracing::info!(
        "/wechat: the account's message encryption mode is {} (pushes in a weaker mode are refused); timestamps \
         within {} s; each signed request accepted once{}; the handler runs once per push{}",
        verifier.account_mode(),
        settings.timestamp_window.as_secs(),
        if replay.is_some() {
            ", across instances sharing the store"
        } else {
            " (in this process)"
        },
        if claims.is_some() {
            ", across instances sharing the store"
        } else {
            " in this process"
        },
    );
    let mut service = PushService::new(verifier, handler).with_deadline(settings.push_deadline);
    if let Some(store) = replay {
        service = service.with_replay_store(store);
    }
    if let Some(store) = claims {
        service = service.with_claim_store(store);
    }
    Some(service)
}

/// `GET /wechat`: WeChat's check of the server URL, through the same verifier as the pushes.
pub(super) async fn check(State(state): State<SharedState>, request: Request) -> Response {
    let Some(push) = &state.push else {
        return no_token();
    };
    answer(push.verify_url(request.uri().query().unwrap_or("")))
}

pub(super) async fn receive(State(state): State<SharedState>, request: Request) -> Response {
    let Some(push) = &state.push else {
        return no_token();
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

/// The 503 of `/wechat` without `WX_TOKEN`: neither the URL check nor a push can be verified.
fn no_token() -> Response {
    let message = "WX_TOKEN is not set: set it to the Token configured for the account's server URL";
    (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
}

/// Any method but GET, HEAD and POST (axum adds the `Allow` header).
pub(super) async fn method_not_allowed() -> Response {
    let message = "use GET /wechat (WeChat's check of the server URL) or POST /wechat (pushes)";
    (StatusCode::METHOD_NOT_ALLOWED, message).into_response()
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
