//! A faithful fake of the WeChat endpoints wxkit calls, for tests and the no-account demo.
//!
//! WeChat's paths, at the router's root, with WeChat's JSON shapes and errcodes:
//! - `GET /cgi-bin/token?grant_type=client_credential&appid&secret` → `{"access_token","expires_in"}`;
//!   each call issues a new token, the previous one dies after `old_token_grace` (5 minutes).
//! - `POST /cgi-bin/stable_token` `{"grant_type","appid","secret","force_refresh"}` → the same token while
//!   it has more than a quarter of its life (at most 5 minutes) left; `force_refresh` revokes it.
//! - `GET /cgi-bin/ticket/getticket?access_token&type=jsapi` → `{"errcode":0,"errmsg":"ok","ticket","expires_in"}`;
//!   40001 for an unknown or revoked token, 42001 for an expired one. The current ticket is returned
//!   until it nears expiry; a renewed ticket overlaps the previous one until that one expires.
//! - `POST /cgi-bin/qrcode/create?access_token` with WeChat's body → `{"ticket","expire_seconds","url"}`
//!   (no `expire_seconds` for permanent codes); 40097 for an action, scene or lifetime outside WeChat's limits,
//!   40001 / 42001 for the token as above.
//! - `GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state` (the authorize
//!   page): consents at once and redirects (302) to `redirect_uri` with a fresh `code` and the `state`.
//!   The user is `oFake-<appid>-user`.
//! - `GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code` →
//!   `{"access_token","expires_in","refresh_token","openid","scope"}`; 40029 unknown code, 40163 used code,
//!   42003 code older than [`FakeOptions::oauth_code_lifetime`].
//! - `GET /sns/oauth2/refresh_token?appid&grant_type=refresh_token&refresh_token` → new access_token (40030
//!   unknown refresh_token); `GET /sns/userinfo?access_token&openid` → the profile (48001 for a
//!   `snsapi_base` token, 40003 wrong openid). The access_token answer carries `unionid` for `snsapi_userinfo`, and
//!   `sns/userinfo` always (the fake's apps share one open platform: the user's unionid is the same in each);
//!   `headimgurl` is `http://<the caller's Host><the fake's mount>/mmopen/fake-<appid>/132`, which the fake serves
//!   (`GET /mmopen/<id>/<size>`, a small SVG), so a page under `--mock` loads it from its own origin.
//! - Unknown appid → 40013, wrong secret → 40125, bad grant_type → 40002.
//!
//! Test-only paths under `/test-only/` (never part of WeChat):
//! - `GET /test-only/jsapi-ticket?appid=A` → `{"appid":"A","ticket":"<current>","validTickets":["<current>",…]}`
//!   (404 `{"error":"no_ticket"}` before the first getticket): what a browser-side emulator verifies
//!   signatures against, as WeChat's servers do.
//! - `GET /test-only/card-ticket?appid=A` → `{"appid":"A","ticket":"<current>","validTickets":[…]}`: the card
//!   ticket (`getticket?type=wx_card`, separate from the jsapi ticket) that card signatures are checked against.
//! - `POST /test-only/rotate-ticket?appid=A` → `{"appid":"A","rotated":true}`: revokes the current ticket
//!   without telling anyone (a page then sees only `invalid signature`); the next getticket returns the new one.
//! - `GET /test-only/stats` → `{"<appid>":{"token":N,"stable_token":N,"getticket":N,"card_ticket":N,"rotate_ticket":N,"qrcode_create":N,"oauth_access_token":N}}`.
//! - The account API: `menu/create|get|delete|addconditional|delconditional|trymatch` (a conditional menu matches
//!   by tag, client platform and language; one naming sex or region matches nobody, WeChat no longer knowing
//!   them), `get_current_selfmenu_info` (sub-menus as `sub_button.list`, material buttons as `img` / `voice` /
//!   `video` / `news` with `value`), `message/custom/send|typing`,
//!   `message/template/send`, `template/get_all_private_template|del_private_template`, `media/upload|get|get/jssdk`,
//!   `material/add_material|get_material|del_material|get_materialcount|batchget_material`, `user/info`,
//!   `user/info/batchget`, `user/get`, `user/info/updateremark`, `tags/create|get|update|delete`, `user/tag/get`,
//!   `tags/members/batchtagging|batchuntagging`, `tags/getidlist` with WeChat's shapes, limits and errcodes (see
//!   `world/menu.rs`, `world/messages.rs`, `world/media.rs`, `world/users.rs`; temporary media expire 3 days
//!   after upload on the account clock); `GET /test-only/account?appid=A` shows the menus,
//!   templates, followers and every message sent; `POST /test-only/followers` `{"appid","openid","subscribed",
//!   "interacted_secs_ago","client_platform_type","language"}` adds or changes a user (a push the simulator sends opens the sender's 48-hour window);
//!   `POST /test-only/clock` `{"advance_secs":N}` moves the account clock (windows) forward.
//! - `POST /test-only/client-media?appid=A` with raw image bytes and their `Content-Type` → `{"type":"image",
//!   "media_id","created_at"}`, as `media/upload` answers: what a phone's WeChat does for the page's
//!   `uploadImage` (its `serverId` is this media_id), a temporary medium like any other (3 days on the account
//!   clock, `media/get` returns it). The bytes are kept as sent (the fake does not judge a phone's upload); 40013 an
//!   unknown appid, 40006 an empty body, 40009 over 10 MB.
//! - `POST /test-only/faults` with a [`FaultRequest`] → `{"ok":true}`: errcodes, HTTP statuses, timeouts,
//!   malformed JSON, empty tickets for the next N calls; latency; `expires_in`.
//! - `POST /test-only/push` with a [`PushRequest`] → a [`PushReport`] as JSON: the push simulator sends a
//!   signed (and encrypted) push for [`FakeOptions::push`] to a server URL on loopback with WeChat's retry
//!   timing, and reports each attempt and the decrypted, signature-checked reply.
//!
//! Start it with [`FakeWechat::start`], as `wx-server fake-wechat --listen ADDR`, or in-process under
//! `/fake-wechat` with `wx-server serve --mock`.

mod account_routes;
mod faults;
mod push;
mod routes;
mod simulated;
mod world;

pub use world::MAX_LIFETIME_SECS;

pub use faults::{Endpoint, Fault, FaultRequest, FaultRule};
pub use push::{PushAccount, PushAttempt, PushMode, PushReport, PushSimulator, PushTiming, SimulateError};
pub use routes::PushRequest;
pub use simulated::SimulatedPush;
pub use world::CallCounts;
pub use world::account::{DEMO_TEMPLATE_ID, FollowerUpdate};

use crate::{
    Secret,
    demo::{DEMO_APPID, DEMO_SECRET},
};
use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use world::World;

/// The fake's start-up options.
///
/// ```
/// use std::time::Duration;
/// use wx_server::{Secret, fake::FakeOptions};
/// let opts = FakeOptions {
///     credentials: vec![("wx1111222233334444".into(), Secret::new("test-secret"))],
///     expires_in: Duration::from_secs(4), // short lifetimes for refresh tests
///     ..FakeOptions::default()
/// };
/// assert_eq!(opts.old_token_grace, Duration::from_secs(300));
/// ```
#[derive(Debug, Clone)]
pub struct FakeOptions {
    /// The apps it knows: (appid, secret).
    pub credentials: Vec<(String, Secret)>,
    /// Lifetime of the tokens and tickets it issues (WeChat: 7200 s).
    pub expires_in: Duration,
    /// Latency added to every WeChat-path answer.
    pub latency: Duration,
    /// How long a classic token stays valid after a newer one is issued (WeChat: about 5 minutes).
    pub old_token_grace: Duration,
    /// The account the push simulator pushes for (Token, EncodingAESKey, appid).
    pub push: PushAccount,
    /// How long an OAuth code is accepted (WeChat: 5 minutes).
    pub oauth_code_lifetime: Duration,
    /// How many `menu/create` calls an app may make (WeChat: 1000 a day, 100 on a test account); 45009 past it.
    pub menu_create_quota: u32,
    /// How many customer-service messages a follower may get per interaction before 45047 (the count is an
    /// assumption: WeChat documents the errcode, not a figure everyone agrees on).
    pub custom_message_limit: u32,
    /// Openids per page of `user/get` and `user/tag/get` (WeChat: 10000), small in tests so lists cross pages.
    pub follower_page_size: usize,
}

impl Default for FakeOptions {
    /// The demo app ([`DEMO_APPID`] / [`DEMO_SECRET`]), 7200 s lifetimes, no latency, 300 s grace.
    fn default() -> Self {
        Self {
            credentials: vec![(DEMO_APPID.into(), Secret::new(DEMO_SECRET))],
            expires_in: Duration::from_secs(7200),
            latency: Duration::ZERO,
            old_token_grace: Duration::from_secs(300),
            push: PushAccount::default(),
            oauth_code_lifetime: Duration::from_secs(300),
            menu_create_quota: 1000,
            custom_message_limit: 20,
            follower_page_size: 10_000,
        }
    }
}

struct Shared {
    world: Mutex<World>,
    push: Result<PushSimulator, String>,
    shutdown: tokio::sync::watch::Sender<bool>,
}

/// A handle on a fake's state, to inspect and steer it from Rust (the same things the test-only paths do).
///
/// ```
/// use wx_server::fake::{FakeControl, FakeOptions, FaultRequest};
/// let fake = FakeControl::new(FakeOptions::default());
/// assert_eq!(fake.current_ticket(wx_server::DEMO_APPID), None); // nothing issued yet
/// let rotated = fake.rotate_ticket(wx_server::DEMO_APPID).unwrap();
/// assert_eq!(fake.valid_tickets(wx_server::DEMO_APPID), vec![rotated]);
/// fake.apply(FaultRequest { latency_ms: Some(100), ..FaultRequest::default() });
/// assert_eq!(fake.stats()[wx_server::DEMO_APPID].rotate_ticket, 1);
/// ```
#[derive(Clone)]
pub struct FakeControl {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeControl")
    }
}

impl FakeControl {
    /// A fresh fake world with these options.
    pub fn new(opts: FakeOptions) -> Self {
        let (shutdown, _) = tokio::sync::watch::channel(false);
        let push = PushSimulator::new(opts.push.clone()).map_err(|e| e.to_string());
        Self {
            shared: Arc::new(Shared {
                push,
                world: Mutex::new(World::new(opts)),
                shutdown,
            }),
        }
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.shared.world.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The fake's router: WeChat's paths at its root plus `/test-only/*`. Mount it anywhere.
    pub fn router(&self) -> axum::Router {
        routes::router(self.clone())
    }

    /// Per-app call counters.
    pub fn stats(&self) -> BTreeMap<String, CallCounts> {
        self.world().stats()
    }

    /// The current jsapi_ticket of `appid`, if one was issued.
    pub fn current_ticket(&self, appid: &str) -> Option<String> {
        self.world().valid_tickets(appid).into_iter().next()
    }

    /// Every ticket of `appid` that WeChat would still accept, newest first.
    pub fn valid_tickets(&self, appid: &str) -> Vec<String> {
        self.world().valid_tickets(appid)
    }

    /// The card tickets (`type=wx_card`) of `appid` WeChat would still accept, newest first.
    pub fn valid_card_tickets(&self, appid: &str) -> Vec<String> {
        self.world().valid_card_tickets(appid)
    }

    /// Revokes `appid`'s tickets and makes a new current one (without telling any backend).
    pub fn rotate_ticket(&self, appid: &str) -> Option<String> {
        self.world().rotate_ticket(appid)
    }

    /// What an app's account holds and was sent (as `GET /test-only/account`): `menu`, `conditionalmenu`,
    /// `custom_messages`, `template_messages`, `templates`, `followers`; None for an unknown app.
    pub fn account(&self, appid: &str) -> Option<serde_json::Value> {
        self.world().account_record(appid)
    }

    /// Adds or changes a user (as `POST /test-only/followers`).
    ///
    /// # Errors
    /// For an unknown appid.
    pub fn update_follower(&self, update: &FollowerUpdate) -> Result<(), &'static str> {
        self.world().update_follower(update)
    }

    /// Moves the account clock (follower windows) forward; returns the total shift.
    pub fn advance_clock(&self, by: Duration) -> Duration {
        self.world().advance_clock(by)
    }

    /// Applies a fault request (as `POST /test-only/faults`).
    pub fn apply(&self, req: FaultRequest) {
        self.world().apply(req);
    }

    /// Releases every call hanging on a `timeout` fault (done on shutdown).
    pub fn release_hanging(&self) {
        let _ = self.shared.shutdown.send(true);
    }

    /// The push simulator for [`FakeOptions::push`].
    ///
    /// # Errors
    /// Why the simulator could not be set up (an invalid EncodingAESKey), as text.
    pub fn push_simulator(&self) -> Result<&PushSimulator, &str> {
        self.shared.push.as_ref().map_err(String::as_str)
    }

    pub(crate) fn hang_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shared.shutdown.subscribe()
    }
}

/// A running fake WeChat on its own listener.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use wx_server::fake::{FakeOptions, FakeWechat};
/// let fake = FakeWechat::start("127.0.0.1:0".parse().unwrap(), FakeOptions::default()).await?;
/// let api_base = fake.base_url(); // give this to the backend as WX_API_BASE
/// # let _ = api_base;
/// let calls = fake.control().stats();
/// # let _ = calls;
/// fake.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct FakeWechat {
    addr: SocketAddr,
    control: FakeControl,
    task: tokio::task::JoinHandle<()>,
}

impl FakeWechat {
    /// Binds `addr` (port 0 for a free one) and serves the fake in a background task.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(addr: SocketAddr, opts: FakeOptions) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        Ok(Self::start_on(listener, opts))
    }

    /// Serves the fake on an already bound listener (must be called inside a tokio runtime).
    pub fn start_on(listener: tokio::net::TcpListener, opts: FakeOptions) -> Self {
        let addr = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
        let control = FakeControl::new(opts);
        let router = control.router();
        let mut stop = control.hang_signal();
        // The backend's own accept loop: a client that sends half a header is cut off, as on the backend.
        let stopped = async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        let task = tokio::spawn(crate::serve(listener, router, stopped, crate::ServeOptions::default()));
        Self { addr, control, task }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`: the `WX_API_BASE` for a backend using this fake.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The fake's state.
    pub fn control(&self) -> &FakeControl {
        &self.control
    }

    /// Stops serving (hanging calls are released first).
    pub async fn shutdown(self) {
        self.control.release_hanging();
        let _ = self.task.await;
    }

    /// Serves until the process is stopped (the `fake-wechat` subcommand).
    ///
    /// # Errors
    /// When the serving task panicked (failed accepts are logged and retried, as on the backend).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task.await.map_err(std::io::Error::other)
    }
}
