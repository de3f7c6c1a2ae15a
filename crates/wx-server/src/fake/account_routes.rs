//! HTTP translation of the fake's account API (menus, customer-service and template messages) and its
//! test-only controls.

use super::{
    FakeControl,
    routes::answer,
    world::{Reply, World, account::FollowerUpdate},
};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::{collections::HashMap, time::Duration};

type Params = Query<HashMap<String, String>>;
type PostCall = fn(&mut World, &str, Option<&Value>) -> Reply;
type GetCall = fn(&mut World, &str) -> Reply;

pub(super) fn routes() -> Router<FakeControl> {
    Router::new()
        .route(
            "/cgi-bin/menu/create",
            post(|s, q, b| posted(s, q, b, World::menu_create)),
        )
        .route("/cgi-bin/menu/get", get(|s, q| got(s, q, World::menu_get)))
        .route("/cgi-bin/menu/delete", get(|s, q| got(s, q, World::menu_delete)))
        .route(
            "/cgi-bin/menu/addconditional",
            post(|s, q, b| posted(s, q, b, World::menu_add_conditional)),
        )
        .route(
            "/cgi-bin/menu/delconditional",
            post(|s, q, b| posted(s, q, b, World::menu_del_conditional)),
        )
        .route(
            "/cgi-bin/menu/trymatch",
            post(|s, q, b| posted(s, q, b, World::menu_try_match)),
        )
        .route(
            "/cgi-bin/message/custom/send",
            post(|s, q, b| posted(s, q, b, World::custom_send)),
        )
        .route(
            "/cgi-bin/message/custom/typing",
            post(|s, q, b| posted(s, q, b, World::custom_typing)),
        )
        .route(
            "/cgi-bin/message/template/send",
            post(|s, q, b| posted(s, q, b, World::template_send)),
        )
        .route(
            "/cgi-bin/template/get_all_private_template",
            get(|s, q| got(s, q, World::template_list)),
        )
        .route(
            "/cgi-bin/template/del_private_template",
            post(|s, q, b| posted(s, q, b, World::template_delete)),
        )
        .route("/test-only/account", get(account))
        .route("/test-only/followers", post(followers))
        .route("/test-only/clock", post(clock))
}

async fn posted(State(c): State<FakeControl>, Query(q): Params, body: Bytes, call: PostCall) -> Response {
    // WeChat answers 47001 for a body that is not JSON; the handlers see None.
    let json = serde_json::from_slice::<Value>(&body).ok();
    let token = q.get("access_token").cloned().unwrap_or_default();
    answer(&c, |w| call(w, &token, json.as_ref())).await
}

async fn got(State(c): State<FakeControl>, Query(q): Params, call: GetCall) -> Response {
    let token = q.get("access_token").cloned().unwrap_or_default();
    answer(&c, |w| call(w, &token)).await
}

fn refused(error: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": error, "message": message})),
    )
        .into_response()
}

async fn account(State(c): State<FakeControl>, Query(q): Params) -> Response {
    let appid = q.get("appid").map_or("", String::as_str);
    match c.account(appid) {
        Some(v) => Json(v).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "unknown_appid", "message": "the fake does not know this appid"})),
        )
            .into_response(),
    }
}

async fn followers(State(c): State<FakeControl>, body: Bytes) -> Response {
    let update = match serde_json::from_slice::<FollowerUpdate>(&body) {
        Ok(u) => u,
        Err(e) => return refused("bad_follower_request", e.to_string()),
    };
    match c.update_follower(&update) {
        Ok(()) => Json(json!({"ok": true})).into_response(),
        Err(message) => refused("unknown_appid", message.into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockShift {
    advance_secs: u64,
}

async fn clock(State(c): State<FakeControl>, body: Bytes) -> Response {
    match serde_json::from_slice::<ClockShift>(&body) {
        // Bounded like credential lifetimes, so the clock cannot overflow.
        Ok(s) => {
            let by = Duration::from_secs(s.advance_secs.min(super::MAX_LIFETIME_SECS));
            Json(json!({"shifted_secs": c.advance_clock(by).as_secs()})).into_response()
        }
        Err(e) => refused("bad_clock_request", format!("{e}; send {{\"advance_secs\": N}}")),
    }
}
