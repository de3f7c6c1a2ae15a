//! Configuration: environment variables, same-named CLI flags, and an optional TOML file.
//!
//! Precedence: flag > environment variable > file > default. Every value is validated at start-up and a
//! bad one fails with a message naming the variable.
//!
//! | variable | flag | default | meaning |
//! |---|---|---|---|
//! | `WX_APPID` | `--appid` | required (demo value with `--mock`) | the account's AppID |
//! | `WX_APPSECRET` | `--appsecret` | required (demo value with `--mock`) | the AppSecret; never logged |
//! | `WX_TOKEN` | `--token` | none: `/wechat` answers 503 (text/plain) | the server URL Token |
//! | `WX_ENCODING_AES_KEY` | `--encoding-aes-key` | none: plain-mode pushes only | the 43-character EncodingAESKey (safe and compatible modes); never logged |
//! | `WX_ENCRYPTION_MODE` | `--encryption-mode` | `compatible` with an EncodingAESKey, else `plain` (`plain` with `--mock`) | the account's message encryption mode (`plain`, `compatible`, `safe`): pushes in a weaker mode are refused |
//! | `WX_TIMESTAMP_WINDOW_SECS` | `--timestamp-window-secs` | `300` | how far a `/wechat` request's timestamp may be from this server's clock, either way; each signed push is accepted once within it |
//! | `WX_ADMIN_TOKEN` | `--admin-token` | none: `POST /api/qrcode` answers 404 | bearer token for the admin API (at least 16 characters); never logged |
//! | `WX_SESSION_KEY` | `--session-key` | a random per-process key (logged as such) | HMAC-SHA256 key of the OAuth cookies, at least 32 characters; never logged |
//! | `WX_OAUTH_AUTHORIZE_BASE` | `--oauth-authorize-base` | `https://open.weixin.qq.com` (the fake with `--mock`) | where `/api/oauth/start` sends the user |
//! | `WX_PUBLIC_URL` | `--public-url` | `http://<Host header>` | the site's public origin, for the OAuth `redirect_uri` and the cookies' `Secure` flag |
//! | `WX_API_BASE` | `--api-base` | `https://api.weixin.qq.com` | WeChat's API base (tests: the fake) |
//! | `WX_JS_DOMAINS` | `--js-domains` | required (`localhost,127.0.0.1` with `--mock`) | comma list of JS safe domains, `host` or `host:port` |
//! | `WX_JS_PORTS` | `--js-ports` | `any` | `any`: a domain listed without a port allows every port (test accounts, the demo); `standard`: pages only on 80/443, as a real account requires |
//! | `WX_LISTEN` | `--listen` | `127.0.0.1:8080` | address to listen on |
//! | `WX_STATIC_DIR` | `--static-dir` | none | directory of the built app, served at `/` |
//! | `WX_STORE` | `--store` | `file:wx-server-credentials.json` | `memory`, `file:<path>` or `redis://…` |
//! | `WX_TOKEN_MODE` | `--token-mode` | `stable` | `stable` (`POST /cgi-bin/stable_token`) or `classic` (`GET /cgi-bin/token`) |
//! | `WX_CORS_ORIGINS` | `--cors-origins` | none (no CORS) | comma list of origins allowed to call `/api/jssdk/config` cross-origin |
//! | `WX_UPSTREAM_TIMEOUT_MS` | `--upstream-timeout-ms` | `5000` | timeout of each call to WeChat |
//! | `WX_MAX_CONNECTIONS` | `--max-connections` | ¾ of the open-file limit, at least 64 below it ([`crate::connections::max_connections_for`]) | connections open at once; past it a new one is closed on arrival |
//! | `WX_OAUTH_CALLBACKS_PER_MINUTE` | `--oauth-callbacks-per-minute` | `30` | code exchanges with WeChat per client address a minute (burst the same); a successful sign-in gives its exchange back |
//! | `WX_REFRESH_DEADLINE_MS` | `--refresh-deadline-ms` | `5000` | how long a request waits for a credential being fetched before a 503 `wechat_timeout` (the fetch goes on) |
//! | `WX_CONFIG` | `--config` | none | a TOML file with the same keys, lowercase without `WX_` |

use crate::{
    Secret,
    demo::{DEMO_APPID, DEMO_ENCODING_AES_KEY, DEMO_SECRET, DEMO_TOKEN},
    wechat::TokenMode,
};
use serde::Deserialize;
use std::{
    net::SocketAddr,
    num::{NonZeroU32, NonZeroUsize},
    path::{Path, PathBuf},
    time::Duration,
};

/// `WX_OAUTH_CALLBACKS_PER_MINUTE`'s default: enough for the failures and in-flight exchanges of a site's
/// sign-ins behind one address (a reverse proxy), far below the hundreds a minute one client could spend.
pub const DEFAULT_OAUTH_CALLBACKS_PER_MINUTE: NonZeroU32 = NonZeroU32::new(30).unwrap();

/// A configuration value was missing or invalid. The message names the variable and what to fix.
///
/// ```
/// let err = wx_server::ServeArgs::default().into_settings().unwrap_err();
/// assert!(err.to_string().starts_with("WX_APPID is not set"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required value is absent.
    #[error("{var} is not set: {hint}")]
    Missing {
        /// The environment variable (its flag is the same name, lowercase with dashes).
        var: &'static str,
        /// What to set.
        hint: &'static str,
    },
    /// A value could not be used.
    #[error("{var} is invalid: {message}")]
    Invalid {
        /// The environment variable.
        var: &'static str,
        /// What is wrong and what to write instead.
        message: String,
    },
    /// The TOML file could not be read or parsed.
    #[error("WX_CONFIG file {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// The reader's or parser's message.
        message: String,
    },
}

/// Where credentials are kept (`WX_STORE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// This process only.
    Memory,
    /// A JSON file (survives restarts; shareable by processes on one machine).
    File(PathBuf),
    /// Redis, shared by instances. The URL may carry a password, hence [`Secret`].
    Redis(Secret),
}

impl StoreSpec {
    /// Parses `memory`, `file:<path>` or `redis://…`.
    ///
    /// ```
    /// use wx_server::StoreSpec;
    /// assert_eq!(StoreSpec::parse("memory").unwrap(), StoreSpec::Memory);
    /// assert_eq!(StoreSpec::parse("file:/tmp/c.json").unwrap(), StoreSpec::File("/tmp/c.json".into()));
    /// assert!(StoreSpec::parse("mysql://x").is_err());
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming `WX_STORE`.
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            var: "WX_STORE",
            message,
        };
        if s == "memory" {
            Ok(Self::Memory)
        } else if let Some(path) = s.strip_prefix("file:") {
            if path.is_empty() {
                return Err(invalid(
                    "`file:` needs a path, e.g. file:/var/lib/wx-server/credentials.json".into(),
                ));
            }
            Ok(Self::File(PathBuf::from(path)))
        } else if s.starts_with("redis://") {
            url::Url::parse(s).map_err(|e| invalid(format!("not a valid redis:// URL ({e})")))?;
            Ok(Self::Redis(Secret::new(s)))
        } else {
            Err(invalid("use `memory`, `file:<path>` or `redis://host:port/db`".into()))
        }
    }
}

/// One JS safe domain: a host, optionally with a port. A page's host matches it when equal or a
/// subdomain of it; a port, when given, must match too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsDomain {
    /// Lowercase host name or IP literal.
    pub host: String,
    /// The only port allowed, if any.
    pub port: Option<u16>,
}

impl JsDomain {
    /// Parses `host` or `host:port` (no scheme, no path).
    ///
    /// ```
    /// use wx_server::JsDomain;
    /// let d = JsDomain::parse("Example.com:8080").unwrap();
    /// assert_eq!((d.host.as_str(), d.port), ("example.com", Some(8080)));
    /// assert!(JsDomain::parse("https://example.com").is_err());
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming `WX_JS_DOMAINS`.
    pub fn parse(entry: &str) -> Result<Self, ConfigError> {
        let invalid = |why: &str| ConfigError::Invalid {
            var: "WX_JS_DOMAINS",
            message: format!("`{entry}` {why}; write a bare domain such as `h5.example.com` or `localhost:8080`"),
        };
        let entry = entry.trim();
        if entry.is_empty() || entry.contains("://") || entry.contains(['/', '@', '?', '#', ' ']) {
            return Err(invalid("is not a bare domain"));
        }
        // Let the URL parser normalise it exactly as it will normalise page URLs.
        let parsed = url::Url::parse(&format!("http://{entry}/")).map_err(|_| invalid("is not a valid host"))?;
        let host = parsed.host_str().ok_or_else(|| invalid("has no host"))?.to_owned();
        let port = if entry
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
            && !entry.ends_with(']')
        {
            parsed.port_or_known_default()
        } else {
            None
        };
        Ok(Self { host, port })
    }
}

/// Which page ports the JS safe domains allow. WeChat lets a real account's pages use the JS-SDK only on ports 80
/// and 443, while a test account (and the demo) may use any: signing a page WeChat will refuse anyway only hides
/// the problem until it is on a phone.
///
/// ```
/// use wx_server::JsPorts;
/// assert_eq!("standard".parse::<JsPorts>().unwrap(), JsPorts::Standard);
/// assert!(JsPorts::Standard.allows(Some(443)) && !JsPorts::Standard.allows(Some(8443)));
/// assert!(JsPorts::Any.allows(Some(8080)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsPorts {
    /// A domain listed without a port allows any port; one listed with a port, only that one.
    #[default]
    Any,
    /// Only 80 and 443, the ports a real account's JS safe domains are served on.
    Standard,
}

impl JsPorts {
    /// Whether a page on `port` (its explicit or scheme's default port) may be signed.
    pub fn allows(self, port: Option<u16>) -> bool {
        match self {
            JsPorts::Any => true,
            JsPorts::Standard => matches!(port, Some(80 | 443)),
        }
    }
}

impl std::str::FromStr for JsPorts {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "any" => Ok(JsPorts::Any),
            "standard" => Ok(JsPorts::Standard),
            other => Err(ConfigError::Invalid {
                var: "WX_JS_PORTS",
                message: format!("`{other}`: use `standard` (80 and 443, a real account) or `any` (a test account)"),
            }),
        }
    }
}

/// Everything the server needs, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The AppID.
    pub appid: String,
    /// The AppSecret.
    pub secret: Secret,
    /// The server URL Token (`/wechat` check and pushes); `None` makes `/wechat` answer 503 (text/plain, naming
    /// `WX_TOKEN`).
    pub server_token: Option<Secret>,
    /// The EncodingAESKey for safe and compatible push modes (validated: 43 base64 characters). `None`:
    /// plain-mode pushes only; an encrypted push is answered 503 naming the missing setting.
    pub encoding_aes_key: Option<Secret>,
    /// The account's message encryption mode, the weakest push mode accepted (a push in a weaker one is refused:
    /// a plain push's signature does not cover its body). `None`: what the key implies, compatible with
    /// [`encoding_aes_key`](Self::encoding_aes_key) and plain without.
    pub encryption_mode: Option<wx_push::Mode>,
    /// How far a `/wechat` request's `timestamp` may be from this server's clock, either way; each signed push is
    /// accepted once within it. Default [`wx_push::DEFAULT_MAX_CLOCK_SKEW`].
    pub timestamp_window: Duration,
    /// The bearer token of the admin API (`POST /api/qrcode`); `None` disables it.
    pub admin_token: Option<Secret>,
    /// The OAuth cookies' HMAC key; `None`: a random per-process key.
    pub session_key: Option<Secret>,
    /// WeChat's authorize host (`https://open.weixin.qq.com`); with `mock`, the fake's.
    pub oauth_authorize_base: String,
    /// The public origin (`https://h5.example.com`); `None`: `http://` + the request's Host.
    pub public_url: Option<String>,
    /// How long `POST /wechat` waits for the push handler before answering `success` (WeChat gives up
    /// after 5 s). Default [`wx_push::DEFAULT_DEADLINE`].
    pub push_deadline: Duration,
    /// WeChat's API base URL, without trailing slash. With [`mock`](Self::mock), replaced by the
    /// in-process fake's address when the server starts.
    pub api_base: String,
    /// Allowed JS safe domains.
    pub js_domains: Vec<JsDomain>,
    /// Which page ports they allow.
    pub js_ports: JsPorts,
    /// Listen address.
    pub listen: SocketAddr,
    /// The built app to serve at `/`, with `index.html` as the fallback for client-side routes.
    pub static_dir: Option<PathBuf>,
    /// Where credentials are kept.
    pub store: StoreSpec,
    /// How the access_token is fetched.
    pub token_mode: TokenMode,
    /// Origins allowed to call `/api/jssdk/config` cross-origin (exact `scheme://host[:port]`).
    pub cors_origins: Vec<String>,
    /// Timeout of each call to WeChat.
    pub upstream_timeout: Duration,
    /// Connections open at once; `None`: derived from the open-file limit
    /// ([`default_max_connections`](crate::connections::default_max_connections)).
    pub max_connections: Option<NonZeroUsize>,
    /// Code exchanges an OAuth callback may start per client address and minute (a token bucket holding as
    /// many); one that succeeds is given back, so only failed and in-flight exchanges count.
    pub oauth_callbacks_per_minute: NonZeroU32,
    /// How long a request waits for a credential being fetched before it is answered 503 `wechat_timeout` (the
    /// fetch goes on). Default [`DEFAULT_REFRESH_DEADLINE`](crate::credentials::DEFAULT_REFRESH_DEADLINE).
    pub refresh_deadline: Duration,
    /// Run the fake WeChat in-process under `/fake-wechat` and use it (`serve --mock`): [`App`](crate::App)
    /// mounts a fresh one, and [`Server`](crate::Server) points [`api_base`](Self::api_base) at it.
    pub mock: bool,
}

impl Settings {
    /// The `--mock` defaults: demo appid/secret/token, `localhost,127.0.0.1` as JS domains, the in-process
    /// fake WeChat, listening on `127.0.0.1:8080`, and the file store at [`mock_store_path`].
    ///
    /// Tests start from this and change what they need:
    /// ```
    /// let mut s = wx_server::Settings::mock();
    /// s.listen = "127.0.0.1:0".parse().unwrap();
    /// s.store = wx_server::StoreSpec::Memory;
    /// assert_eq!(s.appid, wx_server::DEMO_APPID);
    /// ```
    pub fn mock() -> Self {
        Self {
            appid: DEMO_APPID.into(),
            secret: Secret::new(DEMO_SECRET),
            server_token: Some(Secret::new(DEMO_TOKEN)),
            encoding_aes_key: Some(Secret::new(DEMO_ENCODING_AES_KEY)),
            // The push simulator sends all three modes, as if the fake's console were switched between them.
            encryption_mode: Some(wx_push::Mode::Plain),
            timestamp_window: wx_push::DEFAULT_MAX_CLOCK_SKEW,
            push_deadline: wx_push::DEFAULT_DEADLINE,
            admin_token: None,
            session_key: None,
            oauth_authorize_base: crate::oauth::AUTHORIZE_BASE.into(),
            public_url: None,
            api_base: "http://127.0.0.1:8080/fake-wechat".into(),
            js_domains: vec![
                JsDomain {
                    host: "localhost".into(),
                    port: None,
                },
                JsDomain {
                    host: "127.0.0.1".into(),
                    port: None,
                },
            ],
            js_ports: JsPorts::Any,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            static_dir: None,
            store: StoreSpec::File(mock_store_path()),
            token_mode: TokenMode::Stable,
            cors_origins: Vec::new(),
            upstream_timeout: Duration::from_secs(5),
            max_connections: None,
            oauth_callbacks_per_minute: DEFAULT_OAUTH_CALLBACKS_PER_MINUTE,
            refresh_deadline: crate::credentials::DEFAULT_REFRESH_DEADLINE,
            mock: true,
        }
    }
}

/// Where `serve --mock` keeps credentials unless `WX_STORE` says otherwise: the OS temp directory.
///
/// [`Server::start_on`](crate::Server::start_on) turns this default into
/// `$TMPDIR/wxkit-mock-credentials-<port>.json` (one file per port, so parallel runs never share) and
/// empties it at start, because the in-process fake WeChat starts afresh and would not know old tickets.
///
/// ```
/// assert!(wx_server::mock_store_path().starts_with(std::env::temp_dir()));
/// ```
pub fn mock_store_path() -> PathBuf {
    std::env::temp_dir().join("wxkit-mock-credentials.json")
}

/// The optional TOML file (`WX_CONFIG`): the same keys as the variables, lowercase without `WX_`.
///
/// ```toml
/// appid = "wx1234567890abcdef"
/// appsecret = "…"
/// js_domains = "h5.example.com"
/// store = "redis://127.0.0.1:6379/0"
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    appid: Option<String>,
    appsecret: Option<Secret>,
    token: Option<Secret>,
    encoding_aes_key: Option<Secret>,
    encryption_mode: Option<String>,
    timestamp_window_secs: Option<u64>,
    admin_token: Option<Secret>,
    session_key: Option<Secret>,
    oauth_authorize_base: Option<String>,
    public_url: Option<String>,
    api_base: Option<String>,
    js_domains: Option<String>,
    js_ports: Option<String>,
    listen: Option<String>,
    static_dir: Option<PathBuf>,
    /// A `redis://` URL may carry a password.
    store: Option<Secret>,
    token_mode: Option<String>,
    cors_origins: Option<String>,
    upstream_timeout_ms: Option<u64>,
    max_connections: Option<u64>,
    oauth_callbacks_per_minute: Option<u64>,
    refresh_deadline_ms: Option<u64>,
}

/// A TOML error without the source excerpt toml's `Display` quotes: the offending line may hold a secret (a
/// misspelt `app_secret = "…"`). The line number stays; a message about a value (`invalid type: integer
/// \`20240101\``) loses its quoted literals, which toml reformats (`0x5EC12E7` as `99357415`), so no masking
/// of the source text could catch them all.
fn toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    // serde's errors about a value quote it; the parser's own (`invalid boolean`) quote only expected tokens.
    let message = if message.starts_with("invalid type") || message.starts_with("invalid value") {
        without_the_value(message)
    } else {
        message.to_owned()
    };
    match error.span() {
        Some(span) => {
            let number = text.as_bytes()[..span.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            format!("line {number}: {message}")
        }
        None => message,
    }
}

/// `invalid type: string "<secret>", expected u64` → `invalid type: string, expected u64`: serde's wording
/// with the value left out, however it was quoted or escaped. Only the kind of value (serde's fixed words) and
/// what was expected are kept.
fn without_the_value(message: &str) -> String {
    const KINDS: [&str; 16] = [
        "boolean",
        "integer",
        "floating point",
        "character",
        "string",
        "byte array",
        "unit value",
        "Option value",
        "newtype struct",
        "sequence",
        "map",
        "enum",
        "unit variant",
        "newtype variant",
        "tuple variant",
        "struct variant",
    ];
    let (head, rest) = message.split_once(": ").unwrap_or((message, ""));
    let kind = KINDS
        .iter()
        .find(|k| rest.starts_with(*k))
        .map_or(String::new(), |k| format!(": {k}"));
    // The value comes before the last `, expected`; what follows is serde's description of the field's type.
    let expected = rest.rfind(", expected").map_or("", |at| &rest[at..]);
    format!("{head}{kind}{expected}")
}

/// `wx-server serve`'s options. Each flag also reads its environment variable.
///
/// ```
/// let args = wx_server::ServeArgs { mock: true, store: Some("memory".into()), ..Default::default() };
/// let settings = args.into_settings().unwrap();
/// assert_eq!(settings.appid, wx_server::DEMO_APPID);
/// assert!(settings.mock);
/// ```
#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// The account's AppID.
    #[arg(long, env = "WX_APPID")]
    pub appid: Option<String>,
    /// The AppSecret (never logged or echoed).
    #[arg(long, env = "WX_APPSECRET", hide_env_values = true)]
    pub appsecret: Option<Secret>,
    /// The server URL Token, for `GET /wechat` verification.
    #[arg(long, env = "WX_TOKEN", hide_env_values = true)]
    pub token: Option<Secret>,
    /// The EncodingAESKey (43 characters) for safe and compatible push modes (never logged or echoed).
    #[arg(long, env = "WX_ENCODING_AES_KEY", hide_env_values = true)]
    pub encoding_aes_key: Option<Secret>,
    /// The account's message encryption mode, `plain`, `compatible` or `safe`: pushes in a weaker mode are refused
    /// [default: compatible with an EncodingAESKey, else plain; with --mock, plain].
    #[arg(long, env = "WX_ENCRYPTION_MODE")]
    pub encryption_mode: Option<String>,
    /// How far a /wechat request's timestamp may be from this server's clock, in seconds [default: 300].
    #[arg(long, env = "WX_TIMESTAMP_WINDOW_SECS")]
    pub timestamp_window_secs: Option<u64>,
    /// Bearer token for the admin API (`POST /api/qrcode`, which spends quota); unset disables it.
    #[arg(long, env = "WX_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<Secret>,
    /// HMAC key of the OAuth cookies (at least 32 characters) [default: random per process].
    #[arg(long, env = "WX_SESSION_KEY", hide_env_values = true)]
    pub session_key: Option<Secret>,
    /// WeChat's authorize host [default: https://open.weixin.qq.com; with --mock, the fake].
    #[arg(long, env = "WX_OAUTH_AUTHORIZE_BASE")]
    pub oauth_authorize_base: Option<String>,
    /// The site's public origin, e.g. https://h5.example.com [default: http://<Host header>].
    #[arg(long, env = "WX_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// WeChat's API base [default: `https://api.weixin.qq.com`].
    #[arg(long, env = "WX_API_BASE")]
    pub api_base: Option<String>,
    /// Comma list of JS safe domains (`host` or `host:port`); subdomains are allowed.
    #[arg(long, env = "WX_JS_DOMAINS")]
    pub js_domains: Option<String>,
    /// `any` (a domain without a port allows every port: test accounts) or `standard` (80 and 443 only, as a
    /// real account requires) [default: any].
    #[arg(long, env = "WX_JS_PORTS")]
    pub js_ports: Option<String>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "WX_LISTEN")]
    pub listen: Option<String>,
    /// Directory of the built app, served at `/` (index.html for client-side routes).
    #[arg(long, env = "WX_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// Credential store: `memory`, `file:<path>` or `redis://host:port/db`
    /// [default: file:wx-server-credentials.json; with --mock, a file in the OS temp dir].
    #[arg(long, env = "WX_STORE", hide_env_values = true)]
    pub store: Option<Secret>,
    /// `stable` (POST /cgi-bin/stable_token) or `classic` (GET /cgi-bin/token) [default: stable].
    #[arg(long, env = "WX_TOKEN_MODE")]
    pub token_mode: Option<String>,
    /// Comma list of origins allowed to call /api/jssdk/config cross-origin (`https://h5.example.com`).
    #[arg(long, env = "WX_CORS_ORIGINS")]
    pub cors_origins: Option<String>,
    /// Timeout of each call to WeChat, in milliseconds [default: 5000].
    #[arg(long, env = "WX_UPSTREAM_TIMEOUT_MS")]
    pub upstream_timeout_ms: Option<u64>,
    /// Connections open at once; past it a new one is closed on arrival
    /// [default: 3/4 of the open-file limit, at least 64 below it].
    #[arg(long, env = "WX_MAX_CONNECTIONS")]
    pub max_connections: Option<u64>,
    /// OAuth code exchanges with WeChat per client address and minute; a successful sign-in gives its
    /// exchange back [default: 30].
    #[arg(long, env = "WX_OAUTH_CALLBACKS_PER_MINUTE")]
    pub oauth_callbacks_per_minute: Option<u64>,
    /// How long a request waits for a credential being fetched, in milliseconds, before it is answered 503
    /// `wechat_timeout` while the fetch goes on [default: 5000].
    #[arg(long, env = "WX_REFRESH_DEADLINE_MS")]
    pub refresh_deadline_ms: Option<u64>,
    /// A TOML file with the same keys (lowercase, without `WX_`).
    #[arg(long, env = "WX_CONFIG")]
    pub config: Option<PathBuf>,
    /// Run the fake WeChat in-process under /fake-wechat and use it; demo appid, secret and token.
    #[arg(long)]
    pub mock: bool,
}

impl ServeArgs {
    /// Validated settings from the flags, the environment (already merged by clap) and the file.
    ///
    /// # Errors
    /// The first [`ConfigError`] found.
    pub fn into_settings(self) -> Result<Settings, ConfigError> {
        let file = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    message: toml_error(&text, &e),
                })?
            }
            None => FileConfig::default(),
        };
        let mock = self.mock;
        let mut s = Settings::mock();
        s.mock = mock;

        let appid = self.appid.or(file.appid);
        s.appid = match (appid, mock) {
            (Some(a), _) => validate_appid(a)?,
            (None, true) => DEMO_APPID.into(),
            (None, false) => {
                return Err(ConfigError::Missing {
                    var: "WX_APPID",
                    hint: "set it to the account's AppID (wx…)",
                });
            }
        };
        s.secret = match (self.appsecret.or(file.appsecret), mock) {
            (Some(v), _) if !v.is_empty() => v,
            (Some(_), _) => {
                return Err(ConfigError::Invalid {
                    var: "WX_APPSECRET",
                    message: "it is empty".into(),
                });
            }
            (None, true) => Secret::new(DEMO_SECRET),
            (None, false) => {
                return Err(ConfigError::Missing {
                    var: "WX_APPSECRET",
                    hint: "set it to the AppSecret from the account's Basic configuration page",
                });
            }
        };
        s.server_token = match self.token.or(file.token) {
            Some(t) if t.is_empty() => {
                return Err(ConfigError::Invalid {
                    var: "WX_TOKEN",
                    message: "it is empty".into(),
                });
            }
            Some(t) => Some(t),
            None if mock => Some(Secret::new(DEMO_TOKEN)),
            None => None,
        };
        s.encoding_aes_key = match self.encoding_aes_key.or(file.encoding_aes_key) {
            Some(key) => Some(validate_aes_key(key)?),
            None if mock => Some(Secret::new(DEMO_ENCODING_AES_KEY)),
            None => None,
        };
        s.encryption_mode = match self.encryption_mode.or(file.encryption_mode) {
            Some(mode) => Some(validate_mode(&mode, s.encoding_aes_key.is_some())?),
            None if mock => Some(wx_push::Mode::Plain),
            None => None,
        };
        s.timestamp_window = match self.timestamp_window_secs.or(file.timestamp_window_secs) {
            Some(secs @ 1..=86_400) => Duration::from_secs(secs),
            Some(_) => {
                return Err(ConfigError::Invalid {
                    var: "WX_TIMESTAMP_WINDOW_SECS",
                    message: "use 1 to 86400 seconds (default 300); fix the server's clock (NTP) rather than \
                              widening it"
                        .into(),
                });
            }
            None => wx_push::DEFAULT_MAX_CLOCK_SKEW,
        };
        s.admin_token = match self.admin_token.or(file.admin_token) {
            Some(t) if t.expose().chars().count() < 16 => {
                return Err(ConfigError::Invalid {
                    var: "WX_ADMIN_TOKEN",
                    message: "use at least 16 random characters (e.g. `openssl rand -hex 24`)".into(),
                });
            }
            other => other,
        };
        s.session_key = match self.session_key.or(file.session_key) {
            Some(k) if k.expose().chars().count() < crate::oauth::cookie::MIN_KEY_CHARS => {
                return Err(ConfigError::Invalid {
                    var: "WX_SESSION_KEY",
                    message: "use at least 32 random characters (e.g. `openssl rand -hex 32`)".into(),
                });
            }
            other => other,
        };
        if let Some(base) = self.oauth_authorize_base.or(file.oauth_authorize_base) {
            s.oauth_authorize_base = validate_base("WX_OAUTH_AUTHORIZE_BASE", base, "https://open.weixin.qq.com")?;
        }
        s.public_url = match self.public_url.or(file.public_url) {
            Some(u) => Some(validate_base("WX_PUBLIC_URL", u, "https://h5.example.com")?),
            None => None,
        };
        s.api_base = validate_api_base(
            self.api_base
                .or(file.api_base)
                .unwrap_or_else(|| "https://api.weixin.qq.com".into()),
        )?;
        s.js_domains = match self.js_domains.or(file.js_domains) {
            Some(list) => parse_list(&list)
                .iter()
                .map(|d| JsDomain::parse(d))
                .collect::<Result<_, _>>()?,
            None if mock => s.js_domains,
            None => {
                return Err(ConfigError::Missing {
                    var: "WX_JS_DOMAINS",
                    hint: "set it to the account's JS safe domains, comma separated (e.g. h5.example.com)",
                });
            }
        };
        if s.js_domains.is_empty() {
            return Err(ConfigError::Invalid {
                var: "WX_JS_DOMAINS",
                message: "the list is empty".into(),
            });
        }
        s.js_ports = match self.js_ports.or(file.js_ports) {
            Some(ports) => ports.parse()?,
            None => JsPorts::Any,
        };
        if let Some(d) = s
            .js_domains
            .iter()
            .find(|d| !d.port.is_none_or(|p| s.js_ports.allows(Some(p))))
        {
            return Err(ConfigError::Invalid {
                var: "WX_JS_DOMAINS",
                message: format!(
                    "`{}:{}`: WX_JS_PORTS=standard allows pages only on ports 80 and 443; drop the port or use WX_JS_PORTS=any",
                    d.host,
                    d.port.unwrap_or_default()
                ),
            });
        }
        if let Some(listen) = self.listen.or(file.listen) {
            s.listen = listen.parse().map_err(|_| ConfigError::Invalid {
                var: "WX_LISTEN",
                message: format!("`{listen}` is not an address:port such as 127.0.0.1:8080"),
            })?;
        }
        s.static_dir = self.static_dir.or(file.static_dir);
        if let Some(dir) = &s.static_dir
            && !dir.is_dir()
        {
            return Err(ConfigError::Invalid {
                var: "WX_STATIC_DIR",
                message: format!("{} is not a directory (build the app first)", dir.display()),
            });
        }
        s.store = match self.store.or(file.store) {
            Some(spec) => StoreSpec::parse(spec.expose())?,
            None if mock => StoreSpec::File(mock_store_path()),
            None => StoreSpec::File(PathBuf::from("wx-server-credentials.json")),
        };
        // The credential file is checked where every `Settings` passes, `App::build`; only this path knows the
        // config file.
        if let (Some(dir), Some(config)) = (&s.static_dir, &self.config)
            && is_inside(dir, config)
        {
            return Err(ConfigError::Invalid {
                var: "WX_CONFIG",
                message: format!(
                    "{} is inside WX_STATIC_DIR ({}), which serves every file in it: anyone could download the \
                     app secret. Keep the file outside the app's directory",
                    config.display(),
                    dir.display()
                ),
            });
        }
        s.token_mode = match self.token_mode.or(file.token_mode).as_deref() {
            None | Some("stable") => TokenMode::Stable,
            Some("classic") => TokenMode::Classic,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "WX_TOKEN_MODE",
                    message: format!("`{other}`: use `stable` or `classic`"),
                });
            }
        };
        s.cors_origins = match self.cors_origins.or(file.cors_origins) {
            Some(list) => parse_list(&list)
                .into_iter()
                .map(validate_origin)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        match self.upstream_timeout_ms.or(file.upstream_timeout_ms) {
            Some(0) => {
                return Err(ConfigError::Invalid {
                    var: "WX_UPSTREAM_TIMEOUT_MS",
                    message: "must be above 0".into(),
                });
            }
            Some(ms) => s.upstream_timeout = Duration::from_millis(ms),
            None => {}
        }
        if let Some(max) = self.max_connections.or(file.max_connections) {
            let max = usize::try_from(max).ok().and_then(NonZeroUsize::new);
            s.max_connections = Some(max.ok_or_else(|| ConfigError::Invalid {
                var: "WX_MAX_CONNECTIONS",
                message: "use at least 1 (or leave it unset for a cap derived from the open-file limit)".into(),
            })?);
        }
        if let Some(n) = self.oauth_callbacks_per_minute.or(file.oauth_callbacks_per_minute) {
            let n = u32::try_from(n).ok().and_then(NonZeroU32::new);
            s.oauth_callbacks_per_minute = n.ok_or_else(|| ConfigError::Invalid {
                var: "WX_OAUTH_CALLBACKS_PER_MINUTE",
                message: "use 1 or more, up to 4294967295 (default 30)".into(),
            })?;
        }
        match self.refresh_deadline_ms.or(file.refresh_deadline_ms) {
            Some(0) => {
                return Err(ConfigError::Invalid {
                    var: "WX_REFRESH_DEADLINE_MS",
                    message: "must be above 0 (milliseconds a request waits for WeChat, e.g. 5000)".into(),
                });
            }
            Some(ms) => s.refresh_deadline = Duration::from_millis(ms),
            None => {}
        }
        Ok(s)
    }
}

impl Settings {
    /// Refuses a credential file inside the static directory: `ServeDir` serves every file there, so the
    /// access_token and jsapi_ticket (and the store's lock and temporary files) would be downloadable. Inside
    /// means inside as written (`<dir>/link/creds.json`, wherever `link` points) or once links are resolved.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("wxkit-doc-static-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let mut settings = wx_server::Settings::mock();
    /// settings.static_dir = Some(dir.clone());
    /// settings.store = wx_server::StoreSpec::File(dir.join("credentials.json"));
    /// assert!(settings.check_nothing_secret_is_served().is_err());
    /// settings.store = wx_server::StoreSpec::File(std::env::temp_dir().join("credentials.json"));
    /// assert!(settings.check_nothing_secret_is_served().is_ok());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming `WX_STORE`.
    pub fn check_nothing_secret_is_served(&self) -> Result<(), ConfigError> {
        match (&self.static_dir, &self.store) {
            (Some(dir), StoreSpec::File(file)) if is_inside(dir, file) => Err(ConfigError::Invalid {
                var: "WX_STORE",
                message: format!(
                    "the credential file {} is inside WX_STATIC_DIR ({}), which serves every file in it: anyone \
                     could download the access_token. Keep it outside, e.g. file:/var/lib/wxkit/credentials.json",
                    file.display(),
                    dir.display()
                ),
            }),
            _ => Ok(()),
        }
    }
}

/// Whether `path` (which need not exist yet) lies in directory `dir`, read every way the file system could
/// lead there: as written (made absolute, `.` and `..` folded, links not followed: `<dir>/link/creds.json` is
/// inside by its name, wherever `link` points), resolved (links and `..` resolved as far as the file system
/// allows: a link elsewhere may lead into `dir`), and each mixture of the two (the first components resolved,
/// the rest as written). Inside by any reading counts, and so does a path of which nothing can be resolved
/// (refused rather than guessed).
fn is_inside(dir: &Path, path: &Path) -> bool {
    let (Some(dir_written), Some(written)) = (absolute(dir), absolute(path)) else {
        return true;
    };
    let dirs = [Some(lexical(&dir_written)), dir.canonicalize().ok()];
    let inside = |path: &Path| dirs.iter().flatten().any(|dir| lexical(path).starts_with(dir));
    let mut resolved_any = false;
    for base in written.ancestors() {
        if let (Ok(resolved), Ok(rest)) = (base.canonicalize(), written.strip_prefix(base)) {
            resolved_any = true;
            if inside(&resolved.join(rest)) {
                return true;
            }
        }
    }
    !resolved_any || inside(&written)
}

/// `path` joined to the working directory when relative; `None` when that is unknown.
fn absolute(path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        Some(path.to_path_buf())
    } else {
        std::env::current_dir().ok().map(|cwd| cwd.join(path))
    }
}

/// An absolute `path` with `.` and `..` folded by name alone (`/a/link/../b` is `/a/b`), links not followed.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn parse_list(list: &str) -> Vec<&str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

fn validate_appid(appid: String) -> Result<String, ConfigError> {
    if appid.is_empty() || !appid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ConfigError::Invalid {
            var: "WX_APPID",
            message: "an AppID is letters and digits only (wx followed by 16 characters)".into(),
        });
    }
    Ok(appid)
}

fn validate_aes_key(key: Secret) -> Result<Secret, ConfigError> {
    // The error never quotes the key: it is a secret.
    wx_push::EncodingAesKey::parse(key.expose()).map_err(|e| ConfigError::Invalid {
        var: "WX_ENCODING_AES_KEY",
        message: e.to_string(),
    })?;
    Ok(key)
}

fn validate_mode(mode: &str, has_key: bool) -> Result<wx_push::Mode, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        var: "WX_ENCRYPTION_MODE",
        message,
    };
    let mode: wx_push::Mode = mode.parse().map_err(|e: wx_push::UnknownMode| invalid(e.to_string()))?;
    if mode.is_encrypted() && !has_key {
        return Err(invalid(format!(
            "{mode} mode needs WX_ENCODING_AES_KEY (the EncodingAESKey from the account's server configuration)"
        )));
    }
    Ok(mode)
}

fn validate_api_base(base: String) -> Result<String, ConfigError> {
    validate_base("WX_API_BASE", base, "https://api.weixin.qq.com")
}

fn validate_base(var: &'static str, base: String, example: &str) -> Result<String, ConfigError> {
    // A URL with `@` may carry a password: it is not repeated in the message.
    let shown = if base.contains('@') {
        "the URL".to_owned()
    } else {
        format!("`{base}`")
    };
    let invalid = |why: &str| ConfigError::Invalid {
        var,
        message: format!("{shown} {why}"),
    };
    let url = url::Url::parse(&base).map_err(|_| invalid(&format!("is not a URL such as {example}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("must be an http(s) URL with a host"));
    }
    // The value is logged at start-up and shown in `Settings`' Debug; none of these URLs needs credentials.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry a user name or password (`user:…@`)"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    // The parsed form: scheme and host lowercased, so later checks (`https://` for Secure cookies) hold for any
    // spelling the operator used.
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn validate_origin(origin: &str) -> Result<String, ConfigError> {
    let invalid = || ConfigError::Invalid {
        var: "WX_CORS_ORIGINS",
        message: format!("`{origin}` is not an origin such as https://h5.example.com (scheme, host, optional port)"),
    };
    let url = url::Url::parse(origin).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.path() != "/" || url.query().is_some() {
        return Err(invalid());
    }
    Ok(url.origin().ascii_serialization())
}
