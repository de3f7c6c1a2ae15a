//! HTTP translation of the fake's [`World`](super::world::World).

use super::{FakeControl, FaultRequest, PushMode, PushReport, PushTiming, SimulatedPush, world::Reply};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;
use std::{collections::HashMap, time::Duration};

type Params = Query<HashMap<String, String>>;

pub(super) fn router(control: FakeControl) -> Router {
    Router::new()
        .route("/cgi-bin/token", get(token))
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/cgi-bin/ticket/getticket", get(getticket))
        .route("/cgi-bin/qrcode/create", post(qrcode_create))
        .route("/connect/oauth2/authorize", get(authorize))
        .route("/sns/oauth2/access_token", get(oauth_access_token))
        .route("/sns/oauth2/refresh_token", get(oauth_refresh))
        .route("/sns/userinfo", get(oauth_userinfo))
        .route("/mmopen/{id}/{size}", get(avatar))
        .route("/test-only/jsapi-ticket", get(jsapi_ticket))
        .route("/test-only/card-ticket", get(card_ticket))
        .route("/test-only/rotate-ticket", post(rotate_ticket))
        .route("/test-only/stats", get(stats))
        .route("/test-only/faults", post(faults))
        .route("/test-only/push", post(push))
        .merge(super::account_routes::routes())
        .with_state(control)
}

fn param<'a>(q: &'a HashMap<String, String>, name: &str) -> &'a str {
    q.get(name).map_or("", String::as_str)
}

pub(super) async fn answer(control: &FakeControl, compute: impl FnOnce(&mut super::world::World) -> Reply) -> Response {
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

async fn qrcode_create(State(c): State<FakeControl>, Query(q): Params, body: Bytes) -> Response {
    let json = serde_json::from_slice::<serde_json::Value>(&body).ok();
    answer(&c, |w| w.qrcode_create(param(&q, "access_token"), json.as_ref())).await
}

async fn authorize(State(c): State<FakeControl>, Query(q): Params) -> Response {
    let target = url::Url::parse(param(&q, "redirect_uri"))
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let Some(mut target) = target else {
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri 参数错误 (an absolute http(s) URL)",
        )
            .into_response();
    };
    let issued = c
        .world()
        .authorize(param(&q, "appid"), param(&q, "response_type"), param(&q, "scope"));
    match issued {
        Ok(code) => {
            target
                .query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", param(&q, "state"));
            (StatusCode::FOUND, [(axum::http::header::LOCATION, target.to_string())]).into_response()
        }
        Err(message) => (StatusCode::BAD_REQUEST, message).into_response(),
    }
}

async fn oauth_access_token(State(c): State<FakeControl>, Query(q): Params) -> Response {
    answer(&c, |w| {
        w.oauth_access_token(
            param(&q, "appid"),
            param(&q, "secret"),
            param(&q, "code"),
            param(&q, "grant_type"),
        )
    })
    .await
}

async fn oauth_refresh(State(c): State<FakeControl>, Query(q): Params) -> Response {
    answer(&c, |w| {
        w.oauth_refresh(param(&q, "appid"), param(&q, "grant_type"), param(&q, "refresh_token"))
    })
    .await
}

async fn oauth_userinfo(
    State(c): State<FakeControl>,
    Query(q): Params,
    headers: axum::http::HeaderMap,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> Response {
    let base = visible_base(&headers, uri.path(), "/sns/userinfo");
    answer(&c, |w| {
        w.oauth_userinfo(param(&q, "access_token"), param(&q, "openid"), &base)
    })
    .await
}

/// Where the caller reached the fake: `http://` + its Host + the path the fake is mounted at (`/fake-wechat` under
/// `serve --mock`, read from the request's original path), so that a URL the fake hands out (an avatar) is one a
/// browser on the same machine can load, on the page's own origin under `--mock`. A Host that is not a plain
/// `host[:port]` gives `http://127.0.0.1`.
fn visible_base(headers: &axum::http::HeaderMap, original_path: &str, route: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("127.0.0.1");
    let mount = original_path.strip_suffix(route).unwrap_or("");
    format!("http://{host}{mount}")
}

/// The fake's avatars (`headimgurl`): a small SVG face, the same for every id and size.
async fn avatar() -> Response {
    const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"132\" height=\"132\" viewBox=\"0 0 132 132\">\
        <rect width=\"132\" height=\"132\" fill=\"#07c160\"/><circle cx=\"66\" cy=\"52\" r=\"26\" fill=\"#fff\"/>\
        <ellipse cx=\"66\" cy=\"118\" rx=\"44\" ry=\"32\" fill=\"#fff\"/></svg>";
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        SVG,
    )
        .into_response()
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

async fn card_ticket(State(c): State<FakeControl>, Query(q): Params) -> Response {
    let appid = param(&q, "appid");
    let valid = c.valid_card_tickets(appid);
    match valid.first() {
        Some(current) => Json(json!({"appid": appid, "ticket": current, "validTickets": valid})).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no_ticket", "message": "no card ticket was issued for this appid yet"})),
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

/// The body of `POST /test-only/push`: a typed `push` or raw `xml` (exactly one), sent to `url`.
///
/// ```json
/// {"url": "http://127.0.0.1:8080/wechat", "mode": "safe", "push": {"type": "text", "content": "hi"},
///  "openid": "o-fake-user", "timeout_ms": 5000, "attempts": 3}
/// ```
///
/// The answer: `{"attempts":[{"status":200,"elapsed_ms":3,"error":null}],"status":200,"body":"…",
/// "reply":{"msg_type":"text","content":"hi","xml":"<xml>…"},"reply_error":null}` (`reply` is null for
/// `success`); 400 `{"error":"bad_push_request"}` for a bad request.
///
/// ```
/// let r: wx_server::fake::PushRequest = serde_json::from_str(
///     r#"{"url":"http://127.0.0.1:1/wechat","push":{"type":"subscribe","scene":"42"}}"#).unwrap();
/// assert_eq!(r.mode, wx_server::fake::PushMode::Plain);
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The server URL (`http://127.0.0.1:…/wechat`).
    pub url: String,
    /// `plain` (default), `safe` or `compatible`.
    #[serde(default)]
    pub mode: PushMode,
    /// A typed push.
    #[serde(default)]
    pub push: Option<SimulatedPush>,
    /// Raw XML instead of `push`.
    #[serde(default)]
    pub xml: Option<String>,
    /// The sender's openid [default: `o-fake-user`].
    #[serde(default)]
    pub openid: Option<String>,
    /// Per-attempt timeout in milliseconds [default: WeChat's 5000].
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Deliveries in all [default: WeChat's 3].
    #[serde(default)]
    pub attempts: Option<u32>,
}

fn bad_push(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "bad_push_request", "message": message})),
    )
        .into_response()
}

async fn push(State(c): State<FakeControl>, body: Bytes) -> Response {
    let req = match serde_json::from_slice::<PushRequest>(&body) {
        Ok(r) => r,
        Err(e) => return bad_push(e.to_string()),
    };
    let sim = match c.push_simulator() {
        Ok(s) => s.clone(),
        Err(e) => return bad_push(e.to_owned()),
    };
    let default = PushTiming::default();
    let timing = PushTiming {
        reply_timeout: req.timeout_ms.map_or(default.reply_timeout, Duration::from_millis),
        attempts: req.attempts.unwrap_or(default.attempts).clamp(1, 10),
    };
    let openid = req.openid.as_deref().unwrap_or(super::world::account::DEFAULT_FOLLOWER);
    // The follower interacted (as far as WeChat knows, whatever the server answers): their 48-hour window opens.
    let unsubscribed = matches!(req.push, Some(SimulatedPush::Unsubscribe));
    c.world().interacted(&sim.account().appid, openid, unsubscribed);
    let sent = match (&req.push, &req.xml) {
        (Some(p), None) => sim.send(&req.url, req.mode, p, openid, timing).await,
        (None, Some(xml)) => sim.send_xml(&req.url, req.mode, xml, openid, timing).await,
        _ => return bad_push("give exactly one of `push` (typed) and `xml` (raw)".into()),
    };
    match sent {
        Ok(report) => Json(report_json(&report)).into_response(),
        Err(e) => bad_push(e.to_string()),
    }
}

fn report_json(r: &PushReport) -> serde_json::Value {
    let reply = r.reply.as_ref().map(|m| {
        let msg_type = match &m.reply {
            wx_push::Reply::Success => "success",
            wx_push::Reply::Text(_) => "text",
            wx_push::Reply::Image { .. } => "image",
            wx_push::Reply::Voice { .. } => "voice",
            wx_push::Reply::Video(_) => "video",
            wx_push::Reply::Music(_) => "music",
            wx_push::Reply::News(_) => "news",
        };
        json!({"msg_type": msg_type, "content": r.reply_text(), "to_user_name": m.to_user_name, "xml": m.to_xml()})
    });
    json!({
        "attempts": r.attempts,
        "status": r.status,
        "body": r.body,
        "reply": reply,
        "reply_error": r.reply_error,
    })
}
