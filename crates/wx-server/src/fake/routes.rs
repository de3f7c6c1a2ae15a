//! HTTP translation of the fake's [`World`](super::world::World).

use super::{FakeControl, FaultRequest, world::Reply};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::json;
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

pub(super) fn router(control: FakeControl) -> Router {
    Router::new()
        .route("/cgi-bin/token", get(token))
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/ticket/getticket", get(getticket))
        .route("/test-only/jsapi-ticket", get(jsapi_ticket))
        .route("/test-only/rotate-ticket", post(rotate_ticket))
        .route("/test-only/stats", get(stats))
        .route("/test-only/faults", post(faults))
        .with_state(control)
}

fn param<'a>(q: &'a HashMap<String, String>, name: &str) -> &'a str {
    q.get(name).map_or("", String::as_str)
}

async fn answer(control: &FakeControl, compute: impl FnOnce(&mut super::world::World) -> Reply) -> Response {
    let latency = control.world().latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let reply = compute(&mut control.world());
    match reply {
        Reply::Json(v) => Json(v).into_response(),
        Reply::Status(s) => StatusCode::from_u16(s)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        Reply::Malformed => ([("content-type", "application/json")], "{\"errcode\":0,\"ticket\":").into_response(),
        Reply::Hang => {
            let mut stop = control.hang_signal();
            tokio::select! {
                _ = stop.wait_for(|s| *s) => {}
                () = tokio::time::sleep(std::time::Duration::from_secs(600)) => {}
            }
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

async fn token(State(c): State<FakeControl>, Query(q): Params) -> Response {
    answer(&c, |w| {
        w.token(param(&q, "grant_type"), param(&q, "appid"), param(&q, "secret"))
    })
    .await
}

async fn stable_token(State(c): State<FakeControl>, body: Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return Json(json!({"errcode": 47001, "errmsg": "data format error"})).into_response();
    };
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    let force = v
        .get("force_refresh")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    answer(&c, |w| {
        w.stable_token(&s("grant_type"), &s("appid"), &s("secret"), force)
    })
    .await
}

async fn getticket(State(c): State<FakeControl>, Query(q): Params) -> Response {
    answer(&c, |w| w.getticket(param(&q, "access_token"), param(&q, "type"))).await
}

async fn jsapi_ticket(State(c): State<FakeControl>, Query(q): Params) -> Response {
    let appid = param(&q, "appid");
    let valid = c.valid_tickets(appid);
    match valid.first() {
        Some(current) => Json(json!({"appid": appid, "ticket": current, "validTickets": valid})).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no_ticket", "message": "no jsapi_ticket was issued for this appid yet"})),
        )
            .into_response(),
    }
}

async fn rotate_ticket(State(c): State<FakeControl>, Query(q): Params) -> Response {
    let appid = param(&q, "appid");
    match c.rotate_ticket(appid) {
        Some(_) => Json(json!({"appid": appid, "rotated": true})).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "unknown_appid", "message": "the fake does not know this appid"})),
        )
            .into_response(),
    }
}

async fn stats(State(c): State<FakeControl>) -> Response {
    Json(c.stats()).into_response()
}

async fn faults(State(c): State<FakeControl>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultRequest>(&body) {
        Ok(req) => {
            c.apply(req);
            Json(json!({"ok": true})).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "bad_fault_request", "message": e.to_string()})),
        )
            .into_response(),
    }
}
