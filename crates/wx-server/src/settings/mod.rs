//! Configuration: environment variables, same-named CLI flags, and an optional TOML file.
//!
//! Precedence: flag > environment variable > file > default. Every value is validated at start-up and a bad one
//! fails with a message naming the variable (and never quoting a secret).
//!
//! Each setting is declared once, in `list.rs`: its variable, flag and file key, default, help text and
//! validation. From that one list come [`ServeArgs`] (the flags, read by clap with the variables), [`FileConfig`]
//! (the file's keys), [`SETTINGS`] (the table, with every setting's variable, key, default and meaning, which
//! `serve --help` and README.md are checked against) and the order in which values are applied.
//!
//! The defaults are production's ([`Settings::new`]); `--mock` ([`Settings::mock`]) puts the demo account, the
//! demo domains, a temporary credential file and the in-process fake WeChat on top of them, and values given by
//! flag, variable or file go on top of that.
//!
//! | file | what |
//! |---|---|
//! | `spec.rs` | the list's machinery: [`Setting`], the macro that turns the list into the types above |
//! | `list.rs` | the list |
//! | `args.rs` | [`ServeArgs::into_settings`] |
//! | `file.rs` | reading the TOML file without quoting a secret in its errors |
//! | `accounts.rs` | the named accounts of the file (`[accounts.<name>]`), each at `/wechat/<name>` |
//! | `account.rs`, `web.rs`, `upstream.rs`, `domains.rs`, `store.rs`, `served.rs`, `listen.rs` | each setting's validation, by concern |

mod account;
mod accounts;
mod args;
mod domains;
mod error;
mod file;
mod list;
mod listen;
mod served;
mod spec;
mod store;
mod upstream;
mod web;

pub use accounts::{AccountSettings, DEFAULT_ACCOUNT};
pub use domains::{JsDomain, JsPorts};
pub use error::ConfigError;
pub use list::{FileConfig, SETTINGS, ServeArgs};
pub use spec::Setting;
pub use store::{StoreSpec, mock_store_path};

use crate::{
    Secret,
    demo::{DEMO_APPID, DEMO_ENCODING_AES_KEY, DEMO_SECRET, DEMO_TOKEN},
    wechat::TokenMode,
};
use std::{
    net::SocketAddr,
    num::{NonZeroU32, NonZeroUsize},
    path::PathBuf,
    time::Duration,
};

/// `WX_OAUTH_CALLBACKS_PER_MINUTE`'s default: enough for the failures and in-flight exchanges of a site's
/// sign-ins behind one address (a reverse proxy), far below the hundreds a minute one client could spend.
pub const DEFAULT_OAUTH_CALLBACKS_PER_MINUTE: NonZeroU32 = NonZeroU32::new(30).unwrap();
/// The largest photo `POST /api/photos` downloads unless the settings say otherwise: WeChat's limit for an image
/// (10 MiB).
pub const DEFAULT_PHOTO_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Photo downloads per client address and minute for a browser that is not signed in, unless the settings say
/// otherwise.
pub const DEFAULT_PHOTO_DOWNLOADS_PER_MINUTE: NonZeroU32 = NonZeroU32::new(10).unwrap();

/// Everything the server needs, validated.
///
/// [`Settings::new`] gives production defaults around the three values that have none; [`Settings::mock`] is the
/// demo (`serve --mock`); [`ServeArgs::into_settings`] reads and validates flags, variables and the file. Every
/// field is public: an embedder sets what it needs.
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
    /// The bearer token of the central credential endpoints (`GET /api/token`, `/api/ticket/*`); `None` disables
    /// them.
    pub central_token: Option<Secret>,
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
    /// Where `POST /api/photos` keeps photos (served at `/media/<name>`); `None`: it answers 503 `no_media_dir`.
    /// With [`mock`](Self::mock), [`mock_media_dir`] (nothing to configure for the demo).
    pub media_dir: Option<PathBuf>,
    /// The largest photo `POST /api/photos` downloads (413 past it; nothing past it is read). Default
    /// [`DEFAULT_PHOTO_MAX_BYTES`], WeChat's own limit for images.
    pub photo_max_bytes: usize,
    /// Photo downloads per client address and minute for a browser that is not signed in (a signed-in one has no
    /// limit). Default 10.
    pub photo_downloads_per_minute: NonZeroU32,
    /// The rule file answering pushes ([`wx_rules::parse_rules`]); `None`: the demo rule file with
    /// [`mock`](Self::mock), else the echo handler ([`wx_push::DemoHandler`]).
    pub rules: Option<PathBuf>,
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
    /// The accounts served besides the default one (the fields above, at `/wechat`): each at `/wechat/<name>`,
    /// with its own credentials, push verification and JS safe domains (`[accounts.<name>]` in the settings
    /// file). Everything else (store, WeChat's address, timeouts, the admin and OAuth keys) is shared.
    pub accounts: Vec<AccountSettings>,
}

impl Settings {
    /// Production defaults around the three values that have none: WeChat's own hosts, the `stable` token mode,
    /// a credential file in the working directory, `127.0.0.1:8080`, no Token (so `/wechat` answers 503), no
    /// admin API, and so on (the defaults of [`SETTINGS`]).
    ///
    /// ```
    /// use wx_server::{JsDomain, Secret, Settings};
    /// let domains = vec![JsDomain::parse("h5.example.com")?];
    /// let mut settings = Settings::new("wx1234567890abcdef", Secret::new("app-secret"), domains);
    /// settings.server_token = Some(Secret::new("the-server-url-token"));
    /// assert_eq!(settings.api_base, "https://api.weixin.qq.com");
    /// assert!(!settings.mock);
    /// # Ok::<(), wx_server::ConfigError>(())
    /// ```
    pub fn new(appid: impl Into<String>, secret: Secret, js_domains: Vec<JsDomain>) -> Self {
        Self {
            appid: appid.into(),
            secret,
            server_token: None,
            encoding_aes_key: None,
            encryption_mode: None,
            timestamp_window: wx_push::DEFAULT_MAX_CLOCK_SKEW,
            admin_token: None,
            central_token: None,
            session_key: None,
            oauth_authorize_base: crate::oauth::AUTHORIZE_BASE.into(),
            public_url: None,
            push_deadline: wx_push::DEFAULT_DEADLINE,
            api_base: "https://api.weixin.qq.com".into(),
            js_domains,
            js_ports: JsPorts::Any,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            static_dir: None,
            media_dir: None,
            photo_max_bytes: DEFAULT_PHOTO_MAX_BYTES,
            photo_downloads_per_minute: DEFAULT_PHOTO_DOWNLOADS_PER_MINUTE,
            rules: None,
            store: StoreSpec::File(PathBuf::from("wx-server-credentials.json")),
            token_mode: TokenMode::Stable,
            cors_origins: Vec::new(),
            upstream_timeout: Duration::from_secs(5),
            max_connections: None,
            oauth_callbacks_per_minute: DEFAULT_OAUTH_CALLBACKS_PER_MINUTE,
            refresh_deadline: crate::credentials::DEFAULT_REFRESH_DEADLINE,
            mock: false,
            accounts: Vec::new(),
        }
    }

    /// The demo (`serve --mock`): production defaults with the `--mock` layer on top, which is the demo
    /// appid/secret/Token/EncodingAESKey, `plain` as the account's mode, `localhost,127.0.0.1` as JS domains, the
    /// file store at [`mock_store_path`], and the in-process fake WeChat.
    ///
    /// Tests start from this and change what they need:
    /// ```
    /// let mut s = wx_server::Settings::mock();
    /// s.listen = "127.0.0.1:0".parse().unwrap();
    /// s.store = wx_server::StoreSpec::Memory;
    /// assert_eq!(s.appid, wx_server::DEMO_APPID);
    /// ```
    pub fn mock() -> Self {
        let mut settings = Self::new(String::new(), Secret::new(""), Vec::new());
        settings.layer_mock();
        settings
    }

    /// The `--mock` layer: every value in which the demo differs from production, and nothing else.
    fn layer_mock(&mut self) {
        self.mock = true;
        self.appid = DEMO_APPID.into();
        self.secret = Secret::new(DEMO_SECRET);
        self.server_token = Some(Secret::new(DEMO_TOKEN));
        self.encoding_aes_key = Some(Secret::new(DEMO_ENCODING_AES_KEY));
        // The push simulator sends all three modes, as if the fake's console were switched between them.
        self.encryption_mode = Some(wx_push::Mode::Plain);
        self.js_domains = ["localhost", "127.0.0.1"]
            .map(|host| JsDomain {
                host: host.into(),
                port: None,
            })
            .into();
        self.store = StoreSpec::File(mock_store_path());
        self.media_dir = Some(mock_media_dir());
        // Where the fake is on the default listener; `Server` points it at the listener it actually got.
        self.api_base = "http://127.0.0.1:8080/fake-wechat".into();
    }
}

/// The demo's media directory: `wxkit-media` in the OS temp directory, beside the demo's credential file, so that
/// `serve --mock` and `cargo xtask dev` keep photos with no configuration and nothing lands in the working tree.
///
/// ```
/// assert!(wx_server::mock_media_dir().starts_with(std::env::temp_dir()));
/// ```
pub fn mock_media_dir() -> PathBuf {
    std::env::temp_dir().join("wxkit-media")
}

/// The entries of a comma-separated list, trimmed, empty ones left out.
fn parse_list(list: &str) -> Vec<&str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}
