//! The HTTP surface: routes, the JSON error, page URL checks and static hosting.
//!
//! | route | answer |
//! |---|---|
//! | `GET /api/jssdk/config?url=<page URL>[&refresh=true][&account=<name>]` | `{"appId","timestamp","nonceStr","signature"}`, signed by the account `account=` names or whose JS safe domains hold the page's host; 400 `ambiguous_account` / `unknown_account` |
//! | `GET /wechat?signature&timestamp&nonce&echostr` | `echostr` when the signature matches the Token and the timestamp is inside the window; refused: 403 bad signature, missing parameter or stale timestamp, 400 an `echostr` WeChat would not send, 503 without a Token |
//! | `POST /wechat?signature&timestamp&nonce[&encrypt_type=aes&msg_signature]` | a push: the passive reply (XML, encrypted in safe mode) or `success`; refused: 403 bad signature, stale timestamp, a replayed request or a mode weaker than the account's, 413 over 64 KiB, 408 stalled body, 400 bad XML, 503 without a Token or (encrypted push) without an EncodingAESKey |
//! | `GET`, `POST /wechat/<name>` | the same for the account `[accounts.<name>]` of a server of several; 404 (text/plain, listing the accounts' paths) for a name no account has |
//! | any other method on `/wechat` | 405 with `Allow` |
//! | `POST /api/qrcode` + `Authorization: Bearer <WX_ADMIN_TOKEN>` | `{"ticket","url","expireSeconds","imageUrl"}`; 404 without WX_ADMIN_TOKEN, 401 bad token, 400 out of WeChat's limits |
//! | `GET /api/jssdk/card?for=chooseCard[&cardId&cardType&shopId]` | chooseCard's options: `{"shopId","cardType","cardId","timestamp","nonceStr","signType":"SHA1","cardSign"}` |
//! | `GET /api/jssdk/card?for=addCard&cardId[&code&openid]` | one `cardList` entry: `{"cardId","cardExt":"<JSON string>"}`; 400 naming a bad parameter |
//! | `GET /api/token` + `Authorization: Bearer <WX_CENTRAL_TOKEN>` | `{"access_token","expires_in"}` for the account's other services; 404 without WX_CENTRAL_TOKEN, 401 bad token |
//! | `GET /api/ticket/jsapi`, `GET /api/ticket/wx_card` + the same bearer | `{"ticket","expires_in"}` |
//! | `POST /api/token/rejected` `{"access_token"}` + the same bearer | 204: WeChat rejected that token; it is dropped if still current |
//! | `GET /api/oauth/start?scope=base\|userinfo&return=/path` | 302 to WeChat's authorize page; sets the signed CSRF state cookie |
//! | `GET /api/oauth/callback?code&state` | checks state against the cookie, exchanges the code (a replayed code gets the same session), sets the signed HttpOnly session cookie, 302 to the return path; 400 `oauth_state_used` for a second code with one state, 400 `oauth_code_invalid` (remembered for 5 minutes), 429 `oauth_rate_limited` |
//! | `GET /api/oauth/me` | `{"openid","scope","nickname"?,"headimgurl"?,"unionid"?,"account"?}` from the session cookie (absent values omitted), 401 without |
//! | `POST /api/photos[?account=<name>]` `{"serverId"[,"account"]}` | downloads `uploadImage`'s medium into `WX_MEDIA_DIR`: `{"url":"/media/<sha256>.<ext>","bytes","contentType"}`; signed in (`wx_session`) or within a per-client limit (429 `photo_rate_limited`); 404 `invalid_media_id` (40007), 415 `not_an_image` (by its bytes), 413 `photo_too_large`, 503 `no_media_dir` |
//! | `GET /api/photos/<serverId>[?account=<name>]` | the same download (same limits and errors), answered `303 See Other` to `/media/<name>`, for `<img src>`; a copy this server made before is not downloaded again |
//! | `GET /media/<sha256>.<jpg\|png\|gif\|webp>` | a saved photo, its type, `Cache-Control: public, max-age=31536000, immutable`; 404 for any other name |
//! | `GET /healthz` | `{"status":"ok","store":"…","storeDegraded":false}` |
//! | `GET /metrics` | Prometheus text |
//! | `/fake-wechat/*` | the fake WeChat, mounted by [`App`](crate::App) with `--mock` only |
//! | anything else | the static app (`WX_STATIC_DIR`; nothing outside it, symbolic links resolved first), `index.html` for client-side routes |
//!
//! The `/api/*` handlers refuse with JSON ([`ApiError`](error::ApiError): `{"error","message"[,"errcode"]}`).
//! Everything `/wechat` answers but a passive reply is text/plain: `echostr`, `success`, and every refusal (one
//! sentence saying what is wrong, for a person debugging the server URL: WeChat reads no body but a reply). Every answer carries `X-Content-Type-Options: nosniff`.

mod admin;
mod body;
mod card;
mod central;
pub(crate) mod error;
mod handlers;
pub(crate) mod oauth;
pub mod page_url;
pub(crate) mod photos;
pub(crate) mod push;
mod static_files;

use crate::{Metrics, Secret, accounts::Accounts, settings::JsPorts};
use axum::{
    Router,
    http::{HeaderValue, header},
    routing::get,
};
use std::{path::PathBuf, sync::Arc};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    set_header::SetResponseHeaderLayer,
};

/// What the handlers share, behind one `Arc` (axum clones the state per request: one atomic, not five).
pub(crate) type SharedState = Arc<AppState>;

/// What the handlers share.
pub(crate) struct AppState {
    /// The accounts, the default one first: credentials, domains, push service and WeChat client of each.
    pub accounts: Accounts,
    pub js_ports: JsPorts,
    pub metrics: Arc<Metrics>,
    /// `None` disables the admin API.
    pub admin_token: Option<Secret>,
    /// `None` disables the central credential endpoints (`/api/token`, `/api/ticket/*`).
    pub central_token: Option<Secret>,
    /// The OAuth routes' key, authorize host and replay cache.
    pub oauth: oauth::OauthState,
    /// The media directory, size bound and per-client limit of `POST /api/photos`.
    pub photos: photos::PhotoState,
}

/// The backend's routes on `state`, plus `mounted` (routes assembled elsewhere, such as the fake WeChat under
/// `/fake-wechat`), with the static app as the fallback and `nosniff` on every answer, the mounted ones included.
pub(crate) fn router(
    state: SharedState,
    cors_origins: &[String],
    static_dir: Option<PathBuf>,
    mounted: Router,
) -> Router {
    let config = get(handlers::jssdk_config).fallback(|| async {
        error::ApiError {
            status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
            error: "method_not_allowed",
            message: "use GET /api/jssdk/config?url=<page URL>".into(),
            errcode: None,
        }
    });
    let mut api = Router::new().route("/api/jssdk/config", config);
    if !cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        api = api.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([axum::http::Method::GET]),
        );
    }
    let app = Router::new()
        .merge(api)
        .route(
            "/wechat",
            // The push handler reads its body under wx-push's own limit (413 past it).
            get(push::check).post(push::receive).fallback(push::method_not_allowed),
        )
        .route(
            // The other accounts of a server of several: each at its own path, as WeChat's console sets it.
            "/wechat/{account}",
            get(push::check_account)
                .post(push::receive_account)
                .fallback(push::method_not_allowed),
        )
        .route("/api/qrcode", axum::routing::post(admin::create_qrcode))
        .route("/api/jssdk/card", get(card::card))
        .route("/api/token", get(central::token))
        .route("/api/ticket/{kind}", get(central::ticket))
        .route("/api/token/rejected", axum::routing::post(central::rejected))
        .route("/api/oauth/start", get(oauth::start))
        .route("/api/oauth/callback", get(oauth::callback))
        .route("/api/oauth/me", get(oauth::me))
        .route("/api/photos", axum::routing::post(photos::download))
        .route("/api/photos/{server_id}", get(photos::show))
        .route("/media/{name}", get(photos::serve))
        .route("/healthz", get(handlers::healthz))
        .route("/metrics", get(handlers::metrics))
        .with_state(state)
        .merge(mounted);
    // nosniff on every answer: `GET /wechat` echoes `echostr` as text/plain on the app's own origin, and a browser
    // that sniffed such text (or a static file) as HTML or script would run it there.
    app.fallback_service(static_files::service(static_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// The `account` parameter of a query string, percent-decoded; `None` when absent, empty or not UTF-8 (then the
/// default account is meant, or the lookup names the accounts there are).
pub(crate) fn query_account(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "account")
        .and_then(|(_, value)| percent_encoding::percent_decode_str(value).decode_utf8().ok())
        .map(std::borrow::Cow::into_owned)
        .filter(|name| !name.is_empty())
}
