//! The settings, one declaration each: variable, file key (and so the flag), default, help text and validation.
//! A new setting is one more entry here, a field of [`Settings`](super::Settings) and a row of README.md's table
//! (a test compares that table with this list; another checks `serve --help` shows every variable).
//! The order is the order of validation and of README.md's table.

use super::{account, domains, listen, served, spec::settings, store, upstream, web};
use crate::Secret;
use std::path::PathBuf;

settings! {
    /// The account's AppID.
    appid: String = "WX_APPID", default "required (`--mock`: the demo app's)", apply account::appid;

    /// The AppSecret; never logged, echoed or shown in `--help`.
    appsecret: Secret = "WX_APPSECRET", default "required (`--mock`: the demo app's)", apply account::appsecret;

    /// The Token of the account's server URL, for `GET /wechat` (WeChat's check) and `POST /wechat` (pushes);
    /// never logged.
    token: Secret = "WX_TOKEN",
        default "none: `/wechat` answers 503, text/plain (`--mock`: the demo token)",
        apply account::token;

    /// The 43-character EncodingAESKey for safe and compatible push modes; never logged.
    encoding_aes_key: Secret = "WX_ENCODING_AES_KEY",
        default "none: plain-mode pushes only (`--mock`: the demo key)",
        apply account::encoding_aes_key;

    /// The account's message encryption mode, `plain`, `compatible` or `safe`: pushes in a weaker mode are
    /// refused.
    encryption_mode: String = "WX_ENCRYPTION_MODE",
        default "`compatible` with an EncodingAESKey, else `plain` (`--mock`: `plain`)",
        apply account::encryption_mode;

    /// How far a `/wechat` request's timestamp may be from this server's clock, either way, in seconds (1 to
    /// 86400); each signed push is accepted once within it.
    timestamp_window_secs: u64 = "WX_TIMESTAMP_WINDOW_SECS", default "300", apply account::timestamp_window_secs;

    /// Bearer token of the admin API (`POST /api/qrcode`, which spends quota), at least 16 characters; never
    /// logged.
    admin_token: Secret = "WX_ADMIN_TOKEN",
        default "none: `POST /api/qrcode` answers 404",
        apply web::admin_token;

    /// Bearer token of the central credential endpoints (`GET /api/token`, `/api/ticket/jsapi`,
    /// `/api/ticket/wx_card`), through which the account's other services share this server's credentials; at
    /// least 16 characters; never logged.
    central_token: Secret = "WX_CENTRAL_TOKEN",
        default "none: `/api/token` and `/api/ticket/*` answer 404",
        apply web::central_token;

    /// HMAC-SHA256 key of the OAuth cookies, at least 32 characters: set it so that sessions survive restarts and
    /// are shared by instances; never logged.
    session_key: Secret = "WX_SESSION_KEY",
        default "a random per-process key (logged as a warning)",
        apply web::session_key;

    /// WeChat's authorize host, where `/api/oauth/start` sends the user.
    oauth_authorize_base: String = "WX_OAUTH_AUTHORIZE_BASE",
        default "`https://open.weixin.qq.com` (`--mock`: the fake)",
        apply web::oauth_authorize_base;

    /// The site's public origin (`https://h5.example.com`), for the OAuth `redirect_uri`; `https://` also marks
    /// the cookies `Secure`.
    public_url: String = "WX_PUBLIC_URL", default "`http://` + the request's Host", apply web::public_url;

    /// WeChat's API base (tests point it at the fake).
    api_base: String = "WX_API_BASE",
        default "`https://api.weixin.qq.com` (`--mock`: the fake)",
        apply upstream::api_base;

    /// The account's JS safe domains, comma separated, `host` or `host:port` (`h5.example.com`,
    /// `localhost:8080`); subdomains match.
    js_domains: String = "WX_JS_DOMAINS",
        default "required (`--mock`: `localhost,127.0.0.1`)",
        apply domains::js_domains;

    /// `any`: a domain listed without a port allows every port (test accounts, the demo); `standard`: pages only
    /// on ports 80 and 443, as a real account requires.
    js_ports: String = "WX_JS_PORTS", default "`any`", apply domains::js_ports;

    /// The address to listen on.
    listen: String = "WX_LISTEN", default "`127.0.0.1:8080`", apply listen::listen;

    /// Directory of the built app, served at `/` (`index.html` for client-side routes); nothing outside it is
    /// ever served, and no credential or config file may be inside it.
    static_dir: PathBuf = "WX_STATIC_DIR", default "none", apply served::static_dir;

    /// Where `POST /api/photos` keeps the photos pages uploaded (created when first needed), served at
    /// `/media/<name>`.
    media_dir: PathBuf = "WX_MEDIA_DIR",
        default "none: `POST /api/photos` answers 503 (`--mock`: `wxkit-media` in the OS temp directory)",
        apply served::media_dir;

    /// The reply rules of `POST /wechat`, a TOML rule file (see README's "Reply rules"): reloaded when it changes
    /// and on SIGHUP; an invalid file stops start-up, a broken edit keeps the previous rules.
    rules: PathBuf = "WX_RULES",
        default "none: the echo handler (`--mock`: `crates/wx-server/rules/demo.toml`, built in)",
        apply served::rules;

    /// Where credentials are kept: `memory`, `file:<path>` or `redis://host:port/db` (shared by instances).
    store: Secret = "WX_STORE",
        default "`file:wx-server-credentials.json` (`--mock`: a file in the OS temp directory)",
        apply store::store;

    /// How the access_token is fetched: `stable` (`POST /cgi-bin/stable_token`) or `classic`
    /// (`GET /cgi-bin/token`).
    token_mode: String = "WX_TOKEN_MODE", default "`stable`", apply upstream::token_mode;

    /// Origins allowed to call `GET /api/jssdk/config` cross-origin, comma separated (`https://h5.example.com`).
    cors_origins: String = "WX_CORS_ORIGINS", default "none: no CORS", apply web::cors_origins;

    /// Timeout of each call to WeChat, in milliseconds.
    upstream_timeout_ms: u64 = "WX_UPSTREAM_TIMEOUT_MS", default "5000", apply upstream::upstream_timeout_ms;

    /// Connections open at once; past it a new one is closed on arrival.
    max_connections: u64 = "WX_MAX_CONNECTIONS",
        default "¾ of the open-file limit, at least 64 below it",
        apply listen::max_connections;

    /// OAuth code exchanges with WeChat per client address and minute (a bucket of as many); a successful
    /// sign-in gives its exchange back.
    oauth_callbacks_per_minute: u64 = "WX_OAUTH_CALLBACKS_PER_MINUTE",
        default "30",
        apply web::oauth_callbacks_per_minute;

    /// How long a request waits for a credential being fetched, in milliseconds, before it is answered 503
    /// `wechat_timeout` while the fetch goes on.
    refresh_deadline_ms: u64 = "WX_REFRESH_DEADLINE_MS", default "5000", apply upstream::refresh_deadline_ms;
}
