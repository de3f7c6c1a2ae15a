//! `GET /api/jssdk/card`: signs the parameters of the page's `wx.chooseCard` and `wx.addCard` with the card ticket
//! (`getticket?type=wx_card`), as `/api/jssdk/config` signs `wx.config` with the jsapi_ticket.
//!
//! - `?for=chooseCard[&cardId=…][&cardType=…][&shopId=…]` → `{"shopId","cardType","cardId","timestamp","nonceStr",
//!   "signType":"SHA1","cardSign"}`: exactly chooseCard's options (`cardSign` over api_ticket, app_id, location_id,
//!   timestamp, nonce_str, card_id, card_type).
//! - `?for=addCard&cardId=…[&code=…][&openid=…]` → `{"cardId","cardExt"}`: one entry of addCard's `cardList`,
//!   `cardExt` being the JSON *string* WeChat expects (`code`, `openid`, `timestamp`, `nonce_str`, `signature` over
//!   api_ticket, timestamp, card_id, code, openid, nonce_str).
//!
//! Values are WeChat's identifiers, so only ASCII letters, digits, `_` and `-` (at most 64) are taken: anything
//! else is a 400 naming the parameter, never signed.

use super::{SharedState, error::ApiError};
use axum::{
    Json,
    extract::{RawQuery, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

const MAX_VALUE: usize = 64;

#[derive(Default)]
struct CardQuery {
    purpose: String,
    card_id: String,
    card_type: String,
    shop_id: String,
    code: String,
    openid: String,
    /// The account whose card ticket signs (`account=`; the default account without it).
    account: Option<String>,
}

fn parse(raw: Option<&str>) -> Result<CardQuery, ApiError> {
    let mut q = CardQuery::default();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let slot = match &*k {
            "for" => &mut q.purpose,
            "cardId" => &mut q.card_id,
            "cardType" => &mut q.card_type,
            "shopId" => &mut q.shop_id,
            "code" => &mut q.code,
            "openid" => &mut q.openid,
            "account" => q.account.insert(String::new()),
            other => {
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!("unknown parameter `{other}`: use for, cardId, cardType, shopId, code, openid, account"),
                ));
            }
        };
        let ok = v.len() <= MAX_VALUE && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(ApiError::bad_request(
                "bad_card_parameter",
                format!("`{k}` must be at most {MAX_VALUE} ASCII letters, digits, `_` or `-`"),
            ));
        }
        *slot = v.into_owned();
    }
    Ok(q)
}

fn sign(values: &[&str]) -> Result<String, ApiError> {
    wx_sign::card_signature(values).map_err(|e| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "sign_failed",
        message: e.to_string(),
        errcode: None,
    })
}

pub(super) async fn card(State(state): State<SharedState>, RawQuery(raw): RawQuery) -> Response {
    match signed(&state, raw.as_deref()).await {
        Ok(body) => {
            let mut r = Json(body).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => e.into_response(),
    }
}

async fn signed(state: &super::AppState, raw: Option<&str>) -> Result<serde_json::Value, ApiError> {
    let q = parse(raw)?;
    if q.purpose != "chooseCard" && q.purpose != "addCard" {
        return Err(ApiError::bad_request(
            "bad_card_parameter",
            "`for` must be chooseCard or addCard",
        ));
    }
    if q.purpose == "addCard" && q.card_id.is_empty() {
        return Err(ApiError::bad_request("bad_card_parameter", "addCard needs `cardId`"));
    }
    let account = state.accounts.chosen(q.account.as_deref())?;
    let ticket = account.service.card_ticket().await?;
    let nonce = wx_sign::nonce().map_err(|e| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "no_randomness",
        message: e.to_string(),
        errcode: None,
    })?;
    let timestamp = wx_sign::unix_timestamp().to_string();
    if q.purpose == "chooseCard" {
        let card_sign = sign(&[
            ticket.expose(),
            &account.appid,
            &q.shop_id,
            &timestamp,
            &nonce,
            &q.card_id,
            &q.card_type,
        ])?;
        return Ok(json!({
            "shopId": q.shop_id, "cardType": q.card_type, "cardId": q.card_id,
            "timestamp": timestamp, "nonceStr": nonce, "signType": "SHA1", "cardSign": card_sign,
        }));
    }
    let signature = sign(&[ticket.expose(), &timestamp, &q.card_id, &q.code, &q.openid, &nonce])?;
    let ext = json!({"code": q.code, "openid": q.openid, "timestamp": timestamp, "nonce_str": nonce,
                     "signature": signature});
    Ok(json!({"cardId": q.card_id, "cardExt": ext.to_string()}))
}
