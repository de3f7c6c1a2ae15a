//! HTTP translation of the fake's account API (menus, customer-service and template messages) and its
//! test-only controls.

use super::{
    FakeControl,
    routes::answer,
    world::{MediaReply, Reply, Upload, World, account::FollowerUpdate},
};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Multipart, Query, State, multipart::MultipartRejection},
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
        .route(
            "/cgi-bin/get_current_selfmenu_info",
            get(|s, q| got(s, q, World::menu_selfmenu_info)),
        )
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
        .route(
            "/cgi-bin/media/upload",
            post(media_upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/cgi-bin/media/get", get(|s, q| media_get(s, q, false)))
        .route("/cgi-bin/media/get/jssdk", get(|s, q| media_get(s, q, true)))
        .route(
            "/cgi-bin/material/add_material",
            post(material_add).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/cgi-bin/material/get_material", post(material_get))
        .route(
            "/cgi-bin/material/del_material",
            post(|s, q, b| posted(s, q, b, World::material_delete)),
        )
        .route(
            "/cgi-bin/material/get_materialcount",
            get(|s, q| got(s, q, World::material_count)),
        )
        .route(
            "/cgi-bin/material/batchget_material",
            post(|s, q, b| posted(s, q, b, World::material_batchget)),
        )
        .route("/cgi-bin/user/info", get(user_info))
        .route(
            "/cgi-bin/user/info/batchget",
            post(|s, q, b| posted(s, q, b, World::user_info_batch)),
        )
        .route("/cgi-bin/user/get", get(user_list))
        .route(
            "/cgi-bin/user/info/updateremark",
            post(|s, q, b| posted(s, q, b, World::user_remark)),
        )
        .route(
            "/cgi-bin/tags/create",
            post(|s, q, b| posted(s, q, b, World::tag_create)),
        )
        .route("/cgi-bin/tags/get", get(|s, q| got(s, q, World::tag_list)))
        .route(
            "/cgi-bin/tags/update",
            post(|s, q, b| posted(s, q, b, World::tag_update)),
        )
        .route(
            "/cgi-bin/tags/delete",
            post(|s, q, b| posted(s, q, b, World::tag_delete)),
        )
        .route(
            "/cgi-bin/user/tag/get",
            post(|s, q, b| posted(s, q, b, World::tag_members)),
        )
        .route(
            "/cgi-bin/tags/members/batchtagging",
            post(|s, q, b| {
                posted(s, q, b, |w: &mut World, t: &str, b: Option<&Value>| {
                    w.tag_members_change(t, b, true)
                })
            }),
        )
        .route(
            "/cgi-bin/tags/members/batchuntagging",
            post(|s, q, b| {
                posted(s, q, b, |w: &mut World, t: &str, b: Option<&Value>| {
                    w.tag_members_change(t, b, false)
                })
            }),
        )
        .route(
            "/cgi-bin/tags/getidlist",
            post(|s, q, b| posted(s, q, b, World::user_tag_ids)),
        )
        .route(
            "/test-only/client-media",
            post(client_media).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
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

/// A little over WeChat's largest medium (10 MB), so that the fake answers WeChat's errcode for a file over its
/// kind's limit rather than a bare 413.
const MAX_UPLOAD: usize = 11 * 1024 * 1024;

/// The `media` part (and a video's `description` JSON); None when there is none (WeChat: 41005).
async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> Option<Upload> {
    let mut multipart = multipart.ok()?;
    let mut media = None;
    let mut description = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("media") => {
                let filename = field.file_name().unwrap_or("").to_owned();
                let content_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
                let bytes = field.bytes().await.ok()?.to_vec();
                media = Some((filename, content_type, bytes));
            }
            Some("description") => {
                description = field.text().await.ok().and_then(|t| serde_json::from_str(&t).ok());
            }
            _ => {}
        }
    }
    let (filename, content_type, bytes) = media?;
    Some(Upload {
        filename,
        content_type,
        bytes,
        description,
    })
}

async fn media_upload(
    State(c): State<FakeControl>,
    Query(q): Params,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let upload = read_upload(multipart).await;
    let (token, kind) = (param(&q, "access_token"), param(&q, "type"));
    answer(&c, |w| w.media_upload(&token, &kind, upload)).await
}

/// The phone's own upload (`uploadImage`): raw bytes, their `Content-Type`, the app in `?appid=`.
async fn client_media(
    State(c): State<FakeControl>,
    Query(q): Params,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let appid = param(&q, "appid");
    answer(&c, |w| w.client_media(&appid, &content_type, body.to_vec())).await
}

async fn material_add(
    State(c): State<FakeControl>,
    Query(q): Params,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let upload = read_upload(multipart).await;
    let (token, kind) = (param(&q, "access_token"), param(&q, "type"));
    answer(&c, |w| w.material_add(&token, &kind, upload)).await
}

fn param(q: &HashMap<String, String>, name: &str) -> String {
    q.get(name).cloned().unwrap_or_default()
}

async fn file_or(c: &FakeControl, reply: MediaReply) -> Response {
    match reply {
        MediaReply::File((content_type, filename, bytes)) => (
            [
                (axum::http::header::CONTENT_TYPE, content_type),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        MediaReply::Reply(r) => answer(c, |_| r).await,
    }
}

async fn media_get(State(c): State<FakeControl>, Query(q): Params, jssdk: bool) -> Response {
    let reply = c
        .world()
        .media_get(&param(&q, "access_token"), &param(&q, "media_id"), jssdk);
    file_or(&c, reply).await
}

async fn material_get(State(c): State<FakeControl>, Query(q): Params, body: Bytes) -> Response {
    let json = serde_json::from_slice::<Value>(&body).ok();
    let reply = c.world().material_get(&param(&q, "access_token"), json.as_ref());
    file_or(&c, reply).await
}

async fn user_info(State(c): State<FakeControl>, Query(q): Params) -> Response {
    let (token, openid) = (param(&q, "access_token"), param(&q, "openid"));
    answer(&c, |w| w.user_info(&token, &openid)).await
}

async fn user_list(State(c): State<FakeControl>, Query(q): Params) -> Response {
    let (token, next) = (param(&q, "access_token"), param(&q, "next_openid"));
    answer(&c, |w| w.user_list(&token, &next)).await
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
