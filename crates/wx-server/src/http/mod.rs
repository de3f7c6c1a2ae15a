//! The HTTP surface: routes, the JSON error, page URL checks and static hosting.
//!
//! | route | answer |
//! |---|---|
//! | `GET /api/jssdk/config?url=<page URL>[&refresh=true]` | `{"appId","timestamp","nonceStr","signature"}` |
//! | `GET /wechat?signature&timestamp&nonce&echostr` | `echostr` (text/plain) when the signature matches the Token, else 403; 400 missing parameter; 503 without a Token |
//! | `POST /wechat?signature&timestamp&nonce[&encrypt_type=aes&msg_signature]` | a push: the passive reply (XML, encrypted in safe mode) or `success`; text/plain refusals: 403 bad signature, 413 over 64 KiB, 408 stalled body, 400 bad XML, 503 without a Token or (encrypted push) without an EncodingAESKey |
//! | `POST /api/qrcode` + `Authorization: Bearer <WX_ADMIN_TOKEN>` | `{"ticket","url","expireSeconds","imageUrl"}`; 404 without WX_ADMIN_TOKEN, 401 bad token, 400 out of WeChat's limits |
//! | `GET /api/oauth/start?scope=base\|userinfo&return=/path` | 302 to WeChat's authorize page; sets the signed CSRF state cookie |
//! | `GET /api/oauth/callback?code&state` | checks state against the cookie, exchanges the code (a replayed code gets the same session), sets the signed HttpOnly session cookie, 302 to the return path; 400 `oauth_state_used` for a second code with one state, 400 `oauth_code_invalid` (remembered for 5 minutes), 429 `oauth_rate_limited` |
//! | `GET /api/oauth/me` | `{"openid","nickname"?,"scope"}` from the session cookie, 401 without |
//! | `GET /healthz` | `{"status":"ok","store":"…","storeDegraded":false}` |
//! | `GET /metrics` | Prometheus text |
//! | `/fake-wechat/*` | the fake WeChat, with `--mock` only |
//! | anything else | the static app (`WX_STATIC_DIR`), `index.html` for client-side routes |

mod admin;
mod body;
mod connections;
pub(crate) mod error;
mod handlers;
pub(crate) mod oauth;
pub mod page_url;
pub(crate) mod push;
mod static_files;

pub use connections::{
    HEADER_READ_TIMEOUT, ServeOptions, default_max_connections, max_connections_for, raise_open_file_limit, serve,
    serve_with,
};

use crate::{
    CredentialService, Metrics, Secret,
    fake::FakeControl,
    settings::{JsDomain, JsPorts},
};
use axum::{Router, http::HeaderValue, routing::get};
use std::{path::PathBuf, sync::Arc};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// What the handlers share, behind one `Arc` (axum clones the state per request: one atomic, not five).
pub(crate) type SharedState = Arc<AppState>;

/// What the handlers share.
pub(crate) struct AppState {
    pub service: CredentialService,
    pub appid: Arc<str>,
    pub domains: Arc<[JsDomain]>,
    pub js_ports: JsPorts,
    pub metrics: Arc<Metrics>,
    pub server_token: Option<Secret>,
    /// `None` without a Token.
    pub push: Option<wx_push::PushService>,
    /// The WeChat client (for APIs beyond the credentials: QR codes, OAuth).
    pub client: crate::WechatClient,
    /// `None` disables the admin API.
    pub admin_token: Option<Secret>,
    /// The OAuth routes' key, authorize host and replay cache.
    pub oauth: oauth::OauthState,
}

pub(crate) fn router(
    state: SharedState,
    cors_origins: &[String],
    static_dir: Option<PathBuf>,
    fake: Option<&FakeControl>,
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
    let mut app = Router::new()
        .merge(api)
        .route(
            "/wechat",
            // The push handler reads its body under wx-push's own limit (413 past it).
            get(handlers::wechat_check).post(push::receive),
        )
        .route("/api/qrcode", axum::routing::post(admin::create_qrcode))
        .route("/api/oauth/start", get(oauth::start))
        .route("/api/oauth/callback", get(oauth::callback))
        .route("/api/oauth/me", get(oauth::me))
        .route("/healthz", get(handlers::healthz))
        .route("/metrics", get(handlers::metrics))
        .with_state(state);
    if let Some(fake) = fake {
        app = app.nest("/fake-wechat", fake.router());
    }
    app.fallback_service(static_files::service(static_dir))
}
