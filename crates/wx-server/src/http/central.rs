//! The central credential endpoints: the account's other services (in any language) take the access_token and
//! the tickets from here instead of fetching their own, which would revoke each other's classic tokens (the
//! "40001 storm") and spend the daily quota. Behind a bearer token of their own (`WX_CENTRAL_TOKEN`, compared in
//! constant time); without it they answer 404.
//!
//! One route per credential rather than one with a type parameter: each answers WeChat's own field name
//! (`access_token` or `ticket`), so a consumer reads the same JSON it would read from WeChat.

use super::{SharedState, admin::bearer_matches, error::ApiError};
use crate::wechat::TicketKind;
use axum::{
    Json,
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

/// The account a central request is for: `?account=<name>`, else the default account.
fn account<'s>(state: &'s super::AppState, request: &Request) -> Result<&'s crate::accounts::Account, ApiError> {
    let name = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "account")
            .map(|(_, v)| v.into_owned())
    });
    state.accounts.chosen(name.as_deref())
}

/// The checks every central endpoint makes first (enabled, and the bearer token): the refusal, if any.
fn refusal(state: &super::AppState, headers: &axum::http::HeaderMap) -> Option<Response> {
    let Some(expected) = &state.central_token else {
        return Some(
            ApiError {
                status: StatusCode::NOT_FOUND,
                error: "central_api_disabled",
                message: "the central credential endpoints are disabled: set WX_CENTRAL_TOKEN to enable them".into(),
                errcode: None,
            }
            .into_response(),
        );
    };
    if !bearer_matches(headers, expected) {
        let mut r = ApiError {
            status: StatusCode::UNAUTHORIZED,
            error: "unauthorized",
            message: "send `Authorization: Bearer <WX_CENTRAL_TOKEN>`".into(),
            errcode: None,
        }
        .into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Some(r);
    }
    None
}

fn no_store(body: serde_json::Value) -> Response {
    let mut r = Json(body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /api/token[?account=<name>]` → `{"access_token","expires_in"}` (the default account without `account=`).
pub(super) async fn token(State(state): State<SharedState>, request: Request) -> Response {
    if let Some(r) = refusal(&state, request.headers()) {
        return r;
    }
    let account = match account(&state, &request) {
        Ok(account) => account,
        Err(e) => return e.into_response(),
    };
    match account.service.shared(None).await {
        Ok((value, left)) => no_store(json!({"access_token": value.expose(), "expires_in": left.as_secs()})),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /api/ticket/jsapi|wx_card[?account=<name>]` → `{"ticket","expires_in"}`.
pub(super) async fn ticket(State(state): State<SharedState>, Path(kind): Path<String>, request: Request) -> Response {
    if let Some(r) = refusal(&state, request.headers()) {
        return r;
    }
    let kind = match kind.as_str() {
        "jsapi" => TicketKind::Jsapi,
        "wx_card" => TicketKind::WxCard,
        _ => {
            return ApiError::not_found("no such ticket: use /api/ticket/jsapi or /api/ticket/wx_card").into_response();
        }
    };
    let account = match account(&state, &request) {
        Ok(account) => account,
        Err(e) => return e.into_response(),
    };
    match account.service.shared(Some(kind)).await {
        Ok((value, left)) => no_store(json!({"ticket": value.expose(), "expires_in": left.as_secs()})),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
struct Rejected {
    access_token: String,
}

/// A rejected token is a few hundred bytes of JSON.
const MAX_REJECTED_BYTES: usize = 2048;

/// `POST /api/token/rejected {"access_token"}` → 204: WeChat answered 40001/40014/42001 to a consumer with this
/// token; it is dropped only if it is still the current one, so the next `GET /api/token` fetches a new one.
pub(super) async fn rejected(State(state): State<SharedState>, request: Request) -> Response {
    if let Some(r) = refusal(&state, request.headers()) {
        return r;
    }
    let service = match account(&state, &request) {
        Ok(account) => account.service.clone(),
        Err(e) => return e.into_response(),
    };
    let (_, body) = request.into_parts();
    let body = match super::body::read_body(body, MAX_REJECTED_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            let error = if matches!(e, super::body::BodyError::TooLarge(_)) {
                "body_too_large"
            } else {
                "bad_request"
            };
            return ApiError {
                status: e.status(),
                error,
                message: e.to_string(),
                errcode: None,
            }
            .into_response();
        }
    };
    let Ok(rejected) = serde_json::from_slice::<Rejected>(&body) else {
        return ApiError::bad_request(
            "bad_request",
            "send {\"access_token\": \"<the token WeChat rejected>\"}",
        )
        .into_response();
    };
    if rejected.access_token.is_empty() {
        return ApiError::bad_request("bad_request", "access_token is empty").into_response();
    }
    wx_api::TokenSource::token_rejected(&service, &wx_api::AccessToken::new(rejected.access_token)).await;
    StatusCode::NO_CONTENT.into_response()
}
