//! The one place that puts the backend together.
//!
//! [`App::build`] opens the store, makes the WeChat client, the credential service and the router from
//! [`Settings`], and with `settings.mock` mounts a fresh fake WeChat under `/fake-wechat` (neither the settings
//! nor the HTTP routes know the fake). [`Server`] runs an `App` on a listener with [`serve`](crate::serve).
//!
//! Three ways to run it:
//!
//! | you want | call |
//! |---|---|
//! | the whole backend on `settings.listen` | [`Server::start`] |
//! | the whole backend on a listener you bound (port 0, a socket handed over) | [`Server::start_on`], or [`Server::start_with_handler`] with your own push handler |
//! | the backend's routes inside an axum app of your own | [`App::build`] (or [`App::build_with_handler`]), [`App::router`], then [`serve`](crate::serve) |
//!
//! With several accounts ([`Settings::accounts`]), each gets its own WeChat client, credential service, refresh
//! task and push service; [`App::build_with_handlers`] / [`Server::start_with_handlers`] choose each one's push
//! handler.
//!
//! A `Server` stops with [`Server::shutdown`] or, as `wx-server serve` does, [`Server::run_until_signal`].

use crate::{
    CredentialService, Metrics, ServeOptions,
    accounts::{Account, Accounts, SharedHandler},
    credentials::background,
    fake::{FakeControl, FakeOptions},
    http::{self, AppState},
    settings::{AccountSettings, ConfigError, Settings, StoreSpec, mock_store_path},
    store::{CredentialStore, FileStore, MemoryStore, StoreError, seen::FileSeen, sessions::FileSessions},
    wechat::WechatClient,
};
use std::{net::SocketAddr, sync::Arc};
use tokio::{net::TcpListener, task::JoinHandle};
use wx_api::AccountClient;

/// The server could not start.
///
/// ```
/// let e = wx_server::StartError::from(wx_server::ConfigError::Missing { var: "WX_APPSECRET", hint: "set it" });
/// assert_eq!(e.to_string(), "WX_APPSECRET is not set: set it");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A configuration value is missing or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The credential store could not be opened.
    #[error("WX_STORE: could not open the credential store: {0}")]
    Store(#[from] StoreError),
    /// The HTTP client (TLS) could not be set up.
    #[error("could not set up the HTTP client for WeChat: {0}")]
    Client(String),
    /// The platform has no random source (for the per-process session key).
    #[error("no random source for the session key: set WX_SESSION_KEY ({0})")]
    Random(String),
    /// The rule file (`WX_RULES`, or an account's `rules`) cannot be used: the line and the reason.
    #[error("WX_RULES: {path}: {reason}")]
    Rules {
        /// The rule file.
        path: String,
        /// Where and why (`line 4: rule `a` has no reply: …`).
        reason: String,
    },
    /// The listen address could not be bound.
    #[error("WX_LISTEN: could not listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// The backend: router, credential service and background refresh (and, with `settings.mock`, the fake
/// WeChat). Dropping it stops the refresh task.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// // Mount the backend in your own axum server (the fake's api_base must be reachable).
/// use wx_server::{DEMO_APPID, DEMO_SECRET, JsDomain, Secret, Settings};
/// let domains = vec![JsDomain::parse("localhost")?];
/// let mut settings = Settings::new(DEMO_APPID, Secret::new(DEMO_SECRET), domains); // production defaults
/// settings.api_base = "http://127.0.0.1:9100".into(); // e.g. `wx-server fake-wechat --listen 127.0.0.1:9100`
/// let app = wx_server::App::build(&settings).await?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// // `axum::serve` works too, but sets no header timeout and no connection cap; this is what `Server` runs on.
/// let options = wx_server::ServeOptions::default().metrics(app.metrics().clone());
/// wx_server::serve(listener, app.router(), std::future::pending(), options).await;
/// # Ok(()) }
/// ```
pub struct App {
    router: axum::Router,
    services: Vec<(String, CredentialService)>,
    /// The account API client of each account, in `services`' order.
    clients: Vec<AccountClient<CredentialService>>,
    metrics: Arc<Metrics>,
    fake: Option<FakeControl>,
    background: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("service", self.service())
            .field("accounts", &self.services.len())
            .finish_non_exhaustive()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        for task in &self.background {
            task.abort();
        }
    }
}

impl App {
    /// Builds the backend from `settings`: opens the store (connecting to Redis if asked), creates the
    /// WeChat client for `settings.api_base`, and spawns the background refresh task.
    ///
    /// With `settings.mock`, a fresh fake WeChat is mounted under `/fake-wechat`; `settings.api_base`
    /// must then point at it (the [`Server`] does that for you).
    ///
    /// # Errors
    /// [`StartError`] naming what to fix.
    ///
    /// Each account's pushes are answered by the rules of its rule file (`settings.rules` for the default
    /// account, watched for changes), or with `settings.mock` the built-in demo rules, else the echo handler
    /// ([`wx_push::DemoHandler`]: echo text, greet followers with their scene, answer scans). Sessions of the
    /// rules live in the store of `settings.store`, apart per account.
    pub async fn build(settings: &Settings) -> Result<Self, StartError> {
        let opened = open_store(settings).await?;
        let sessions = opened.sessions.clone();
        let mut watches = Vec::new();
        let mut app = Self::assemble(settings, opened, |account, client| {
            let (handler, watch) = crate::rules::answerer(settings, account, client, sessions.clone())?;
            watches.extend(watch);
            Ok(handler)
        })?;
        app.background.extend(watches);
        Ok(app)
    }

    /// As [`build`](Self::build), with your own push handler on `POST /wechat` instead of the rules or the echo
    /// handler (`settings.rules` is then not read). With several
    /// accounts, every account's pushes go to this one handler (each account still verifies, de-duplicates and
    /// remembers its own); [`build_with_handlers`](Self::build_with_handlers) gives each its own.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_server::StartError> {
    /// use wx_push::{Push, Reply};
    /// let settings = wx_server::Settings::mock();
    /// let app = wx_server::App::build_with_handler(&settings, |push: Push| async move {
    ///     Reply::text(format!("hello {}", push.from_user_name))
    /// })
    /// .await?;
    /// # let _ = app; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`StartError`] naming what to fix.
    pub async fn build_with_handler(
        settings: &Settings,
        handler: impl wx_push::PushHandler,
    ) -> Result<Self, StartError> {
        let shared = SharedHandler::new(handler);
        Self::build_with_handlers(settings, |_| Ok(shared.clone())).await
    }

    /// As [`build`](Self::build), with each account's push handler chosen by `handler_for`, called once per
    /// account at start-up (the default account first), with its settings: its name, appid and `rules` file
    /// among them. Return [`AnyHandler`](crate::accounts::AnyHandler) to give accounts handlers of different
    /// types; an error stops start-up.
    ///
    /// ```no_run
    /// # async fn demo(settings: wx_server::Settings) -> Result<(), wx_server::StartError> {
    /// use wx_push::{DemoHandler, Push, Reply};
    /// use wx_server::accounts::AnyHandler;
    /// let app = wx_server::App::build_with_handlers(&settings, |account| {
    ///     Ok(match account.name.as_str() {
    ///         "shop" => AnyHandler::new(|_push: Push| async { Reply::text("the shop is open") }),
    ///         _ => AnyHandler::new(DemoHandler),
    ///     })
    /// })
    /// .await?;
    /// # let _ = app; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`StartError`] naming what to fix, or `handler_for`'s.
    pub async fn build_with_handlers<H: wx_push::PushHandler>(
        settings: &Settings,
        mut handler_for: impl FnMut(&AccountSettings) -> Result<H, StartError>,
    ) -> Result<Self, StartError> {
        Self::build_with(settings, |account, _| handler_for(account)).await
    }

    /// As [`build_with_handler`](Self::build_with_handler), each account's handler made with its account API
    /// client (on the account's credential service), so that a handler needing more than WeChat's 5 seconds can
    /// answer `success` at once and send a customer-service message when it is done. `make_handler` is called once
    /// per account, the default account first.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_server::StartError> {
    /// use wx_push::{Push, Reply};
    /// let settings = wx_server::Settings::mock();
    /// let app = wx_server::App::build_with_account_handler(&settings, |client| move |push: Push| {
    ///     let client = client.clone();
    ///     async move {
    ///         tokio::spawn(async move {
    ///             // … the long work …
    ///             let msg = wx_api::CustomerServiceMessage::text(push.from_user_name, "done");
    ///             let _ = client.send_custom(&msg).await;
    ///         });
    ///         Reply::Success
    ///     }
    /// })
    /// .await?;
    /// # let _ = app; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`StartError`] naming what to fix.
    pub async fn build_with_account_handler<H: wx_push::PushHandler>(
        settings: &Settings,
        mut make_handler: impl FnMut(AccountClient<CredentialService>) -> H,
    ) -> Result<Self, StartError> {
        Self::build_with(settings, |_, client| Ok(make_handler(client.clone()))).await
    }

    /// Builds with each account's handler from `handler_for` (its settings and API client).
    async fn build_with<H: wx_push::PushHandler>(
        settings: &Settings,
        handler_for: impl FnMut(&AccountSettings, &AccountClient<CredentialService>) -> Result<H, StartError>,
    ) -> Result<Self, StartError> {
        let opened = open_store(settings).await?;
        Self::assemble(settings, opened, handler_for)
    }

    fn assemble<H: wx_push::PushHandler>(
        settings: &Settings,
        opened: Opened,
        mut handler_for: impl FnMut(&AccountSettings, &AccountClient<CredentialService>) -> Result<H, StartError>,
    ) -> Result<Self, StartError> {
        let metrics = opened.metrics.clone();
        let mut accounts = Vec::new();
        let mut services = Vec::new();
        let mut clients = Vec::new();
        let mut background = Vec::new();
        for account in settings.all_accounts() {
            let client = WechatClient::new(
                &settings.api_base,
                &account.appid,
                account.secret.clone(),
                settings.token_mode,
                settings.upstream_timeout,
                metrics.clone(),
            )
            .map_err(|e| StartError::Client(e.without_url().to_string()))?;
            // One store for all: its keys are `wxkit:<appid>:…`, so each account's credentials stay its own.
            let service = CredentialService::new(&account.appid, client.clone(), opened.store.clone(), metrics.clone())
                .with_refresh_lease(CredentialService::refresh_lease_for(settings.upstream_timeout))
                .with_refresh_deadline(settings.refresh_deadline);
            let replay = opened.replay_for(&account, &metrics);
            let claims = opened.claims_for(&account, &metrics);
            let api = AccountClient::new(&settings.api_base, service.clone())
                .map_err(|e| StartError::Client(e.to_string()))?;
            let push = http::push::service(&account, settings, replay, claims, handler_for(&account, &api)?);
            clients.push(api.clone());
            background.push(tokio::spawn(background::run(service.clone())));
            services.push((account.name.clone(), service.clone()));
            accounts.push(Account {
                name: account.name.as_str().into(),
                appid: account.appid.as_str().into(),
                service,
                client,
                api,
                domains: account.js_domains.into(),
                push,
            });
        }
        let accounts = Accounts::new(accounts).ok_or_else(|| ConfigError::Invalid {
            var: "WX_APPID",
            message: "no account to serve".into(),
        })?;
        let fake = settings.mock.then(|| in_process_fake(settings));
        let state = Arc::new(AppState {
            accounts,
            js_ports: settings.js_ports,
            metrics: metrics.clone(),
            admin_token: settings.admin_token.clone(),
            central_token: settings.central_token.clone(),
            oauth: http::oauth::OauthState {
                key: session_key(settings)?,
                authorize_base: settings.oauth_authorize_base.clone(),
                public_url: settings.public_url.clone(),
                replays: crate::oauth::replay::ReplayCache::new(10_000),
                limiter: crate::oauth::limit::ClientLimiter::new(settings.oauth_callbacks_per_minute),
                metrics: metrics.clone(),
            },
            photos: http::photos::PhotoState::new(
                settings.media_dir.clone(),
                settings.photo_max_bytes,
                settings.photo_downloads_per_minute,
            ),
        });
        let mounted = match &fake {
            Some(fake) => axum::Router::new().nest("/fake-wechat", fake.router()),
            None => axum::Router::new(),
        };
        let router = http::router(state, &settings.cors_origins, settings.static_dir.clone(), mounted);
        Ok(Self {
            router,
            services,
            clients,
            metrics,
            fake,
            background,
        })
    }

    /// Where `settings.store` keeps followers' sessions (memory, files beside the credential file, or Redis), for
    /// a [`wx_rules::Router`] of your own given to [`build_with_handler`](Self::build_with_handler) or
    /// [`Server::start_with_handler`]: with the prefix `wxkit:<appid>:session:` it shares the sessions (and the
    /// dialogues in progress) of a rule file's rules, across restarts (file) and instances (Redis).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_server::StartError> {
    /// let settings = wx_server::Settings::mock();
    /// let sessions = wx_server::App::session_store(&settings).await?;
    /// let router = wx_rules::Router::new()
    ///     .session_store(sessions, format!("wxkit:{}:session:", settings.appid))
    ///     .rule(wx_rules::Rule::new("hi").exact("hi").text("hello"));
    /// let app = wx_server::App::build_with_handler(&settings, router).await?;
    /// # let _ = app; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`StartError`] as for [`build`](Self::build) (an invalid store, a credential file inside the static
    /// directory).
    pub async fn session_store(settings: &Settings) -> Result<Arc<dyn wx_rules::SessionStore>, StartError> {
        Ok(open_store(settings).await?.sessions)
    }

    /// The axum router (cheap to clone).
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    /// The default account's credential service.
    pub fn service(&self) -> &CredentialService {
        &self.services[0].1
    }

    /// The credential service of the account called `name` (`default` for the default account).
    pub fn account_service(&self, name: &str) -> Option<&CredentialService> {
        self.services.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }

    /// The default account's API client on this app's credential service (menus, messages, media, users).
    pub fn account_client(&self) -> &AccountClient<CredentialService> {
        // `assemble` refuses to build without an account, and the default account is always first.
        &self.clients[0]
    }

    /// The counters served at `/metrics`.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The in-process fake WeChat (with `mock` only).
    pub fn fake(&self) -> Option<&FakeControl> {
        self.fake.as_ref()
    }
}

/// A function making an account's push handler from its settings and API client.
type HandlerFor<H> = fn(&AccountSettings, &AccountClient<CredentialService>) -> Result<H, StartError>;

/// The credential store of `settings.store`, shared by the accounts, and what of it records accepted pushes.
struct Opened {
    metrics: Arc<Metrics>,
    store: Arc<dyn CredentialStore>,
    shared: SharedRecord,
    /// Where the rules keep followers' sessions: one store for all accounts, whose keys carry the appid.
    sessions: Arc<dyn wx_rules::SessionStore>,
}

/// Where a store shared by processes or instances also records accepted pushes against replay.
enum SharedRecord {
    /// The memory store: wx-push's own memory is all there is.
    None,
    File(FileStore),
    #[cfg(feature = "redis")]
    Redis(Arc<crate::store::RedisStore>),
}

impl Opened {
    /// `account`'s record of accepted pushes, apart from every other account's.
    fn replay_for(&self, account: &AccountSettings, metrics: &Arc<Metrics>) -> Option<Arc<dyn wx_push::ReplayStore>> {
        match &self.shared {
            SharedRecord::None => None,
            SharedRecord::File(file) => Some(Arc::new(FileSeen::new(file, &account.name, metrics.clone()))),
            #[cfg(feature = "redis")]
            SharedRecord::Redis(redis) => Some(Arc::new(crate::store::seen::RedisSeen::new(
                redis.clone(),
                &account.appid,
                metrics.clone(),
            ))),
        }
    }

    /// `account`'s claims of pushes, for de-duplication across instances: in Redis only (processes on one machine
    /// sharing a file behind one port are rare, and keep de-duplication per process), apart from every other
    /// account's.
    fn claims_for(&self, account: &AccountSettings, metrics: &Arc<Metrics>) -> Option<Arc<dyn wx_push::ClaimStore>> {
        match &self.shared {
            SharedRecord::None | SharedRecord::File(_) => {
                let _ = (account, metrics);
                None
            }
            #[cfg(feature = "redis")]
            SharedRecord::Redis(redis) => Some(Arc::new(crate::store::RedisClaims::new(
                redis.clone(),
                &account.appid,
                metrics.clone(),
            ))),
        }
    }
}

/// Opens `settings.store`.
async fn open_store(settings: &Settings) -> Result<Opened, StartError> {
    settings.check_nothing_secret_is_served()?;
    settings.check_accounts()?;
    let metrics = Arc::new(Metrics::default());
    let (store, shared, sessions): (Arc<dyn CredentialStore>, _, Arc<dyn wx_rules::SessionStore>) = match &settings
        .store
    {
        StoreSpec::Memory => (
            Arc::new(MemoryStore::default()),
            SharedRecord::None,
            Arc::new(wx_rules::MemorySessionStore::default()),
        ),
        StoreSpec::File(path) => {
            let file = FileStore::new(path);
            let sessions = FileSessions::new(&file, metrics.clone());
            (Arc::new(file.clone()), SharedRecord::File(file), Arc::new(sessions))
        }
        #[cfg(feature = "redis")]
        StoreSpec::Redis(url) => {
            let redis = Arc::new(crate::store::RedisStore::connect(url.expose()).await?);
            let sessions = crate::store::sessions::RedisSessions::new(redis.clone(), metrics.clone());
            (redis.clone(), SharedRecord::Redis(redis), Arc::new(sessions))
        }
        #[cfg(not(feature = "redis"))]
        StoreSpec::Redis(_) => {
            return Err(ConfigError::Invalid {
                var: "WX_STORE",
                message: "this wx-server was built without its `redis` Cargo feature, so it has no Redis store: build \
                          it with the feature (it is on by default), or use `file:<path>` or `memory`"
                    .into(),
            }
            .into());
        }
    };
    Ok(Opened {
        metrics,
        store,
        shared,
        sessions,
    })
}

/// The fake WeChat of `--mock`: the demo app, pushing with the server's own Token, EncodingAESKey and appid; it
/// also knows every other account's appid and secret, each with its own tokens and tickets.
fn in_process_fake(settings: &Settings) -> FakeControl {
    let mut opts = FakeOptions::default();
    if let Some(token) = &settings.server_token {
        opts.push.token = token.clone();
    }
    opts.push.encoding_aes_key = settings.encoding_aes_key.clone();
    opts.push.appid = settings.appid.clone();
    for account in &settings.accounts {
        opts.credentials.push((account.appid.clone(), account.secret.clone()));
    }
    FakeControl::new(opts)
}

fn session_key(settings: &Settings) -> Result<crate::oauth::cookie::SessionKey, StartError> {
    use crate::oauth::cookie::SessionKey;
    match &settings.session_key {
        Some(k) => Ok(SessionKey::from_secret(k.expose())),
        None => {
            tracing::warn!(
                "WX_SESSION_KEY is not set: OAuth sessions are signed with a random per-process key \
                 (they end on restart and are not shared between instances)"
            );
            SessionKey::random().map_err(|e| StartError::Random(e.to_string()))
        }
    }
}

/// A running backend.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_server::StartError> {
/// let mut settings = wx_server::Settings::mock(); // demo app, fake WeChat under /fake-wechat
/// settings.listen = "127.0.0.1:0".parse().unwrap();
/// let server = wx_server::Server::start(settings).await?;
/// let config_url = server.url("/api/jssdk/config?url=http%3A%2F%2F127.0.0.1%2F");
/// # let _ = config_url;
/// server.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    app: App,
    stop: tokio::sync::watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Server {
    /// Binds `settings.listen` and starts serving in a background task.
    ///
    /// # Errors
    /// [`StartError`].
    pub async fn start(settings: Settings) -> Result<Self, StartError> {
        let listener = TcpListener::bind(settings.listen)
            .await
            .map_err(|source| StartError::Bind {
                addr: settings.listen,
                source,
            })?;
        Self::start_on(listener, settings).await
    }

    /// Starts serving on an already bound listener. With `settings.mock`, points `api_base` at this
    /// listener's `/fake-wechat`, and a default mock file store gets a per-port file emptied at start.
    ///
    /// # Errors
    /// [`StartError`].
    ///
    /// Pushes are answered as [`App::build`] says (the rule files, the demo rules, or the echo handler).
    pub async fn start_on(listener: TcpListener, settings: Settings) -> Result<Self, StartError> {
        Self::start_app(listener, settings, None::<HandlerFor<wx_push::DemoHandler>>).await
    }

    /// As [`start_on`](Self::start_on), answering pushes on `POST /wechat` (and every other account's path)
    /// with `handler`.
    ///
    /// # Errors
    /// [`StartError`].
    pub async fn start_with_handler(
        listener: TcpListener,
        settings: Settings,
        handler: impl wx_push::PushHandler,
    ) -> Result<Self, StartError> {
        let shared = SharedHandler::new(handler);
        Self::start_with_handlers(listener, settings, |_| Ok(shared.clone())).await
    }

    /// As [`start_on`](Self::start_on), each account's pushes answered by the handler `handler_for` chooses
    /// for it (see [`App::build_with_handlers`]).
    ///
    /// # Errors
    /// [`StartError`].
    pub async fn start_with_handlers<H: wx_push::PushHandler>(
        listener: TcpListener,
        settings: Settings,
        mut handler_for: impl FnMut(&AccountSettings) -> Result<H, StartError>,
    ) -> Result<Self, StartError> {
        Self::start_app(
            listener,
            settings,
            Some(move |account: &AccountSettings, _: &_| handler_for(account)),
        )
        .await
    }

    /// As [`start_with_handler`](Self::start_with_handler), each account's handler made with its account API
    /// client (see [`App::build_with_account_handler`]).
    ///
    /// # Errors
    /// [`StartError`].
    pub async fn start_with_account_handler<H: wx_push::PushHandler>(
        listener: TcpListener,
        settings: Settings,
        mut make_handler: impl FnMut(AccountClient<CredentialService>) -> H,
    ) -> Result<Self, StartError> {
        Self::start_app(
            listener,
            settings,
            Some(move |_: &AccountSettings, client: &AccountClient<CredentialService>| {
                Ok(make_handler(client.clone()))
            }),
        )
        .await
    }

    /// Starts with `handler_for`'s handlers, or without it [`App::build`]'s.
    async fn start_app<H: wx_push::PushHandler>(
        listener: TcpListener,
        mut settings: Settings,
        handler_for: Option<impl FnMut(&AccountSettings, &AccountClient<CredentialService>) -> Result<H, StartError>>,
    ) -> Result<Self, StartError> {
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: settings.listen,
            source,
        })?;
        if settings.mock {
            let ip = if addr.ip().is_unspecified() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                addr.ip()
            };
            settings.api_base = format!("http://{}/fake-wechat", SocketAddr::new(ip, addr.port()));
            // The demo rules link to the page on this listener (`{public_url}` without WX_PUBLIC_URL).
            settings.listen = SocketAddr::new(ip, addr.port());
            // The fake's authorize page redirects straight back with a fresh code.
            settings.oauth_authorize_base = settings.api_base.clone();
            if settings.store == StoreSpec::File(mock_store_path()) {
                // The fresh in-process fake would not know tickets cached by an earlier run.
                let path = mock_store_path().with_file_name(format!("wxkit-mock-credentials-{}.json", addr.port()));
                let _ = std::fs::remove_file(&path);
                // And the demo rules' sessions: a dialogue of an earlier run on this port is over.
                let mut sessions = path.clone().into_os_string();
                sessions.push(".sessions");
                let _ = std::fs::remove_dir_all(sessions);
                settings.store = StoreSpec::File(path);
            }
        }
        let app = match handler_for {
            Some(handler_for) => App::build_with(&settings, handler_for).await?,
            None => App::build(&settings).await?,
        };
        tracing::info!(
            "wx-server listening on http://{addr} (appid {}{}, store {}, token mode {}, WeChat at {}{})",
            settings.appid,
            settings
                .accounts
                .iter()
                .map(|a| format!("; account {} at {}, appid {}", a.name, a.path(), a.appid))
                .collect::<String>(),
            app.service().store_description(),
            settings.token_mode.as_str(),
            settings.api_base,
            if settings.mock { ", fake WeChat in-process" } else { "" },
        );
        let router = app.router();
        let options = ServeOptions::default()
            .max_connections(settings.max_connections)
            .metrics(app.metrics().clone());
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let stopped = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            crate::serve(listener, router, stopped, options).await;
        });
        Ok(Self { addr, app, stop, task })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The backend.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Stops accepting, lets requests in flight finish, and stops the refresh task.
    pub async fn shutdown(self) {
        if let Some(fake) = self.app.fake() {
            fake.release_hanging();
        }
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully.
    ///
    /// # Errors
    /// When serving fails.
    pub async fn run_until_signal(self) -> std::io::Result<()> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.shutdown().await;
        Ok(())
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(all(test, not(feature = "redis")))]
mod tests {
    /// Run by `cargo test -p wx-server --lib --no-default-features`.
    #[tokio::test]
    async fn a_redis_store_without_the_feature_is_refused_at_start() {
        let mut settings = crate::Settings::mock();
        settings.store = crate::StoreSpec::parse("redis://127.0.0.1:6379/0").unwrap();
        let error = crate::App::build(&settings).await.unwrap_err().to_string();
        assert!(
            error.starts_with("WX_STORE is invalid: this wx-server was built without its `redis` Cargo feature"),
            "{error}"
        );
    }
}
