//! The admin API: `POST /api/qrcode` (creating codes spends the account's quota, so it sits behind a bearer
//! token, `WX_ADMIN_TOKEN`; without one the endpoint is disabled). `?account=<name>` makes the code for another
//! account than the default one.

use super::{SharedState, error::ApiError};
use crate::qrcode::{self, QrCodeRequest, QrCodeSpec};
use axum::{
    Json,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// True when `headers` carry `Authorization: Bearer <expected>`, the scheme in any case (`bearer`, `BEARER`: auth
/// schemes are case-insensitive, RFC 9110 §11.1). Both sides are hashed first, so the constant-time comparison
/// does not reveal the token's length either.
pub(crate) fn bearer_matches(headers: &HeaderMap, expected: &crate::Secret) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
        // `1*SP` between scheme and credentials.
        .map_or("", |(_, token)| token.trim_start_matches(' '));
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.expose().as_bytes());
    !given.is_empty() && bool::from(a.as_slice().ct_eq(b.as_slice()))
}

/// A QR code request is a few dozen bytes of JSON.
const MAX_QRCODE_REQUEST_BYTES: usize = 4096;

pub(super) async fn create_qrcode(State(state): State<SharedState>, request: Request) -> Response {
    // The raw request, so that the token is checked before anything of the body is read.
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let Some(token) = &state.admin_token else {
        return ApiError {
            status: StatusCode::NOT_FOUND,
            error: "admin_api_disabled",
            message: "POST /api/qrcode is disabled: set WX_ADMIN_TOKEN to enable the admin API".into(),
            errcode: None,
        }
        .into_response();
    };
    if !bearer_matches(headers, token) {
        let mut r = ApiError {
            status: StatusCode::UNAUTHORIZED,
            error: "unauthorized",
            message: "send `Authorization: Bearer <WX_ADMIN_TOKEN>`".into(),
            errcode: None,
        }
        .into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    }
    // `?account=<name>`: a code of another account than the default (its own access_token and quota).
    let account = match state
        .accounts
        .chosen(super::query_account(parts.uri.query()).as_deref())
    {
        Ok(account) => account,
        Err(e) => return e.into_response(),
    };
    let body = match super::body::read_body(body, MAX_QRCODE_REQUEST_BYTES).await {
        Ok(body) => body,
        Err(error) => {
            let code = match error {
                super::body::BodyError::TooLarge(_) => "body_too_large",
                super::body::BodyError::TimedOut => "body_timeout",
                super::body::BodyError::Broken(_) => "invalid_qrcode_request",
            };
            return ApiError {
                status: error.status(),
                error: code,
                message: error.to_string(),
                errcode: None,
            }
            .into_response();
        }
    };
    let request = match serde_json::from_slice::<QrCodeRequest>(&body) {
        Ok(r) => r,
        Err(e) => {
            return ApiError::bad_request(
                "invalid_qrcode_request",
                format!("{e}: send {{\"action_name\":\"QR_STR_SCENE\",\"scene_str\":\"…\",\"expire_seconds\":N}}"),
            )
            .into_response();
        }
    };
    let spec = match QrCodeSpec::from_request(&request) {
        Ok(s) => s,
        Err(e) => return ApiError::bad_request("invalid_qrcode_request", e.to_string()).into_response(),
    };
    match qrcode::create(&account.service, &account.client, &spec).await {
        Ok(code) => {
            let mut r = Json(code).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
