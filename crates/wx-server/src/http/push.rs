//! `/wechat`: WeChat's URL check (GET) and pushes (POST), both handed to [`wx_push::PushService`] (verification,
//! the account's mode, the timestamp window, replay, safe-mode AES, parsing, de-duplication, the deadline and the
//! passive reply all happen there).
//!
//! Every refusal here is text/plain, one sentence saying what is wrong: WeChat reads no body but a passive reply,
//! so the only reader of a refusal is a person debugging the account's server configuration, with `curl` or in
//! a log. (The JSON [`ApiError`](super::error::ApiError) is for `/api/*`, which pages and scripts read.)

use super::SharedState;
use crate::{Settings, accounts::Account, settings::AccountSettings};
use axum::{
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use std::sync::Arc;
use wx_push::{
    ClaimStore, EncodingAesKey, PushCipher, PushHandler, PushResponse, PushService, PushVerifier, ReplayStore,
};

/// The push service of `account` (its Token, key and mode; the window and deadline are the server's), or `None`
/// when it has no Token (then its path answers 503). The AES key was validated with the settings; a key that
/// still fails to parse here disables safe mode rather than the server. `replay` is the store shared by
/// instances against replayed pushes, and `claims` the one where they claim pushes and leave their replies, if
/// the credential store is shared.
pub(crate) fn service(
    account: &AccountSettings,
    settings: &Settings,
    replay: Option<Arc<dyn ReplayStore>>,
    claims: Option<Arc<dyn ClaimStore>>,
    handler: impl PushHandler,
) -> Option<PushService> {
    let token = account.server_token.as_ref()?;
    let cipher = account
        .encoding_aes_key
        .as_ref()
        .and_then(|k| match EncodingAesKey::parse(k.expose()) {
            Ok(key) => Some(PushCipher::new(key, &account.appid)),
            Err(error) => {
                tracing::error!(%error, account = account.name, "the EncodingAESKey: safe-mode pushes are disabled");
                None
            }
        });
    let mut verifier = PushVerifier::new(token.expose(), cipher).with_max_clock_skew(Some(settings.timestamp_window));
    if let Some(mode) = account.encryption_mode {
        verifier = verifier.with_account_mode(mode);
    }
    tracing::info!(
        "{}: the account's message encryption mode is {} (pushes in a weaker mode are refused); timestamps \
         within {} s; each signed request accepted once{}; the handler runs once per push{}",
        account.path(),
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

/// `GET /wechat`: WeChat's check of the default account's server URL, through the same verifier as the pushes.
pub(super) async fn check(State(state): State<SharedState>, request: Request) -> Response {
    check_for(state.accounts.default_account(), &request)
}

/// `GET /wechat/<name>`: the same for another account.
pub(super) async fn check_account(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    match state.accounts.at_path(&name) {
        Some(account) => check_for(account, &request),
        None => no_such_account(&state, &name),
    }
}

fn check_for(account: &Account, request: &Request) -> Response {
    let Some(push) = &account.push else {
        return no_token(account);
    };
    answer(push.verify_url(request.uri().query().unwrap_or("")))
}

/// `POST /wechat`: a push to the default account.
pub(super) async fn receive(State(state): State<SharedState>, request: Request) -> Response {
    receive_for(state.accounts.default_account(), request).await
}

/// `POST /wechat/<name>`: a push to another account. An unknown name is refused before the body is read (WeChat
/// keeps the push and retries it; nothing is lost by refusing it).
pub(super) async fn receive_account(
    State(state): State<SharedState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    match state.accounts.at_path(&name) {
        Some(account) => receive_for(account, request).await,
        None => no_such_account(&state, &name),
    }
}

async fn receive_for(account: &Account, request: Request) -> Response {
    let Some(push) = &account.push else {
        return no_token(account);
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

/// The 404 of a path no account has: which paths there are (names only, nothing secret).
fn no_such_account(state: &SharedState, name: &str) -> Response {
    // The name is echoed only if it is one an account could have: the answer never carries a stranger's text.
    let shown = if name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        format!("/wechat/{name}")
    } else {
        "this path".to_owned()
    };
    let message = format!(
        "no account is served at {shown}: the accounts' paths are {}",
        state.accounts.paths()
    );
    (StatusCode::NOT_FOUND, message).into_response()
}

/// The 503 of an account's path without its Token: neither the URL check nor a push can be verified.
fn no_token(account: &Account) -> Response {
    let message = if &*account.name == crate::settings::DEFAULT_ACCOUNT {
        "WX_TOKEN is not set: set it to the Token configured for the account's server URL".to_owned()
    } else {
        format!(
            "account `{}` has no token: set `token` in its [accounts.{}] table to the Token configured for its \
             server URL",
            account.name, account.name
        )
    };
    (StatusCode::SERVICE_UNAVAILABLE, message).into_response()
}

/// Any method but GET, HEAD and POST (axum adds the `Allow` header).
pub(super) async fn method_not_allowed() -> Response {
    let message = "use GET (WeChat's check of the server URL) or POST (pushes) on /wechat or /wechat/<account>";
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
