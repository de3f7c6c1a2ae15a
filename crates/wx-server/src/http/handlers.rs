//! The API handlers.

use super::{AppState, SharedState, error::ApiError, page_url::parse_config_query};
use crate::credentials::ForcedRefresh;
use axum::{
    Json,
    extract::{RawQuery, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// The body of a successful `/api/jssdk/config`: exactly what `wx.config` takes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedConfig {
    app_id: String,
    timestamp: u64,
    nonce_str: String,
    signature: String,
}

pub(super) async fn jssdk_config(State(state): State<SharedState>, RawQuery(raw): RawQuery) -> Response {
    let response = match signed_config(&state, raw.as_deref()).await {
        Ok(config) => {
            let mut r = Json(config).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => e.into_response(),
    };
    state.metrics.config_request(response.status().as_u16());
    response
}

async fn signed_config(state: &AppState, raw: Option<&str>) -> Result<SignedConfig, ApiError> {
    let query = parse_config_query(raw)?;
    let (account, url) = state
        .accounts
        .for_page(&query.url, query.account.as_deref(), state.js_ports)?;
    let ticket = if query.refresh {
        let (ticket, how) = account.service.jsapi_ticket_forced().await?;
        if how == ForcedRefresh::RateLimited {
            tracing::debug!("refresh=true within the forced-refresh interval: signed with the current ticket");
        }
        ticket
    } else {
        account.service.jsapi_ticket().await?
    };
    let nonce = wx_sign::nonce().map_err(|e| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "no_randomness",
        message: e.to_string(),
        errcode: None,
    })?;
    let timestamp = wx_sign::unix_timestamp();
    // check_page_url guarantees a non-empty URL without '#', and the ticket is never empty.
    let signed = wx_sign::sign_config(ticket.expose(), &nonce, timestamp, url)
        .map_err(|e| ApiError::bad_request("invalid_url", e.to_string()))?;
    Ok(SignedConfig {
        app_id: String::from(&*account.appid),
        timestamp,
        nonce_str: nonce,
        signature: signed.signature,
    })
}

pub(super) async fn healthz(State(state): State<SharedState>) -> Response {
    Json(serde_json::json!({
        "status": "ok",
        // Only the kind: the description holds the store's host, user or file path (logged at start-up instead).
        "store": state.accounts.default_account().service.store_description().split(':').next().unwrap_or_default(),
        "storeDegraded": state.metrics.store_is_degraded(),
    }))
    .into_response()
}

pub(super) async fn metrics(State(state): State<SharedState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
        .into_response()
}
