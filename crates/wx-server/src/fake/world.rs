//! The fake WeChat's state: apps, issued tokens and tickets, counters and pending faults. Pure logic
//! under one mutex; the HTTP layer (`routes`) only translates.

pub(crate) mod account;
mod media;
mod menu;
mod messages;
mod oauth;
mod users;

pub(crate) use media::{MediaReply, Upload};

use super::{
    FakeOptions,
    faults::{Endpoint, Fault, FaultRequest, FaultRule, errmsg},
};
use crate::Secret;
use serde::Serialize;
use serde_json::{Value, json};
use std::{
    collections::{BTreeMap, HashMap},
    time::{Duration, Instant},
};

/// Calls the fake received for one app, by endpoint. `GET /test-only/stats` returns a map appid → this.
///
/// ```
/// let c: wx_server::fake::CallCounts =
///     serde_json::from_str(r#"{"token":0,"stable_token":1,"getticket":1,"rotate_ticket":0}"#).unwrap();
/// assert_eq!((c.stable_token, c.getticket), (1, 1));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CallCounts {
    /// `GET /cgi-bin/token` calls.
    pub token: u64,
    /// `POST /cgi-bin/stable_token` calls.
    pub stable_token: u64,
    /// `GET /cgi-bin/ticket/getticket` calls.
    pub getticket: u64,
    /// `POST /test-only/rotate-ticket` calls.
    pub rotate_ticket: u64,
    /// `GET /cgi-bin/ticket/getticket?type=wx_card` calls (also counted in `getticket`).
    #[serde(default)]
    pub card_ticket: u64,
    /// `POST /cgi-bin/qrcode/create` calls.
    #[serde(default)]
    pub qrcode_create: u64,
    /// `GET /sns/oauth2/access_token` calls (code exchanges).
    #[serde(default)]
    pub oauth_access_token: u64,
}

/// What a WeChat-path handler answers.
#[derive(Debug)]
pub(crate) enum Reply {
    Json(Value),
    Status(u16),
    Malformed,
    Hang,
}

struct TokenRec {
    appid: String,
    expires: Instant,
    revoked_at: Option<Instant>,
}

struct TicketRec {
    value: String,
    expires: Instant,
    revoked: bool,
}

/// The values of `tickets` WeChat would still accept, newest first.
fn still_valid(tickets: &[TicketRec]) -> Vec<String> {
    let now = Instant::now();
    tickets
        .iter()
        .rev()
        .filter(|t| !t.revoked && t.expires > now)
        .map(|t| t.value.clone())
        .collect()
}

struct App {
    secret: Secret,
    classic: Vec<String>,
    stable: Option<String>,
    tickets: Vec<TicketRec>,
    /// The card ticket (`type=wx_card`): issued and renewed like the jsapi ticket, never equal to it.
    card_tickets: Vec<TicketRec>,
    counts: CallCounts,
}

pub(crate) struct World {
    opts: FakeOptions,
    latency: Duration,
    expires_in: Duration,
    faults: Vec<FaultRule>,
    apps: BTreeMap<String, App>,
    tokens: HashMap<String, TokenRec>,
    oauth: oauth::OauthWorld,
    /// Per app: followers, menus, templates and what was sent.
    accounts: BTreeMap<String, account::Account>,
    /// How far the account clock is ahead of real time (`POST /test-only/clock`).
    shift: Duration,
}

/// A credential is renewed when this little of its lifetime is left (WeChat: 5 minutes of 2 hours; a
/// quarter for short test lifetimes). The backend refreshes ahead at 10% (at most 5 minutes), inside it.
fn renew_window(lifetime: Duration) -> Duration {
    (lifetime / 4).min(Duration::from_secs(300))
}

fn remaining_secs(expires: Instant, now: Instant) -> u64 {
    expires.saturating_duration_since(now).as_secs().max(1)
}

fn fresh(prefix: &str) -> String {
    let a = wx_sign::nonce().unwrap_or_default();
    let b = wx_sign::nonce().unwrap_or_default();
    format!("{prefix}{a}{b}")
}

fn error(errcode: i64) -> Reply {
    Reply::Json(json!({"errcode": errcode, "errmsg": errmsg(errcode)}))
}

impl World {
    pub(crate) fn new(mut opts: FakeOptions) -> Self {
        opts.expires_in = opts.expires_in.min(Duration::from_secs(MAX_LIFETIME_SECS));
        let apps = opts
            .credentials
            .iter()
            .map(|(appid, secret)| {
                let app = App {
                    secret: secret.clone(),
                    classic: Vec::new(),
                    stable: None,
                    tickets: Vec::new(),
                    card_tickets: Vec::new(),
                    counts: CallCounts::default(),
                };
                (appid.clone(), app)
            })
            .collect();
        let accounts = opts
            .credentials
            .iter()
            .map(|(appid, _)| (appid.clone(), account::Account::new(appid)))
            .collect();
        Self {
            accounts,
            shift: Duration::ZERO,
            latency: opts.latency,
            expires_in: opts.expires_in,
            opts,
            faults: Vec::new(),
            apps,
            tokens: HashMap::new(),
            oauth: oauth::OauthWorld::default(),
        }
    }

    pub(crate) fn latency(&self) -> Duration {
        self.latency
    }

    pub(crate) fn apply(&mut self, req: FaultRequest) {
        if req.clear {
            self.faults.clear();
            self.latency = self.opts.latency;
            self.expires_in = self.opts.expires_in;
        }
        if let Some(ms) = req.latency_ms {
            self.latency = Duration::from_millis(ms);
        }
        if let Some(s) = req.expires_in {
            self.expires_in = lifetime(s);
        }
        self.faults.extend(req.inject);
    }

    /// The first pending fault matching this call, consuming one of its `times`.
    fn take_fault(&mut self, endpoint: Endpoint, appid: &str) -> Option<Fault> {
        let i = self.faults.iter().position(|r| {
            (r.endpoint == endpoint || r.endpoint == Endpoint::Any) && r.appid.as_deref().is_none_or(|a| a == appid)
        })?;
        let rule = &mut self.faults[i];
        let fault = rule.fault.clone();
        match &mut rule.times {
            Some(1) | Some(0) => {
                self.faults.remove(i);
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(fault)
    }

    fn fault_reply(&self, fault: Fault, field: &str) -> Reply {
        match fault {
            Fault::Errcode(code) => error(code),
            Fault::HttpStatus(status) => Reply::Status(status),
            Fault::Timeout => Reply::Hang,
            Fault::MalformedJson => Reply::Malformed,
            Fault::EmptyTicket => Reply::Json(json!({
                "errcode": 0, "errmsg": "ok", field: "", "expires_in": self.expires_in.as_secs()
            })),
        }
    }

    fn count(&mut self, appid: &str, f: impl FnOnce(&mut CallCounts)) {
        if let Some(app) = self.apps.get_mut(appid) {
            f(&mut app.counts);
        }
    }

    fn check_app(&self, appid: &str, secret: &str) -> Result<(), Reply> {
        match self.apps.get(appid) {
            None => Err(error(40013)),
            Some(app) if app.secret.expose() != secret => Err(error(40125)),
            Some(_) => Ok(()),
        }
    }

    fn issue_token(&mut self, appid: &str, now: Instant) -> String {
        let token = fresh("fake-at-");
        let rec = TokenRec {
            appid: appid.to_owned(),
            expires: now + self.expires_in,
            revoked_at: None,
        };
        self.tokens.insert(token.clone(), rec);
        token
    }

    /// `GET /cgi-bin/token`: every call issues a new token; the previous ones die after the grace period.
    pub(crate) fn token(&mut self, grant_type: &str, appid: &str, secret: &str) -> Reply {
        self.count(appid, |c| c.token += 1);
        if let Some(f) = self.take_fault(Endpoint::Token, appid) {
            return self.fault_reply(f, "access_token");
        }
        if grant_type != "client_credential" {
            return error(40002);
        }
        if let Err(reply) = self.check_app(appid, secret) {
            return reply;
        }
        let now = Instant::now();
        let grace = now + self.opts.old_token_grace;
        let previous = self.apps.get(appid).map(|a| a.classic.clone()).unwrap_or_default();
        for old in previous {
            if let Some(rec) = self.tokens.get_mut(&old) {
                let end = rec.expires.min(grace);
                rec.revoked_at = Some(rec.revoked_at.map_or(end, |r| r.min(end)));
            }
        }
        let token = self.issue_token(appid, now);
        if let Some(app) = self.apps.get_mut(appid) {
            app.classic = vec![token.clone()];
        }
        Reply::Json(json!({"access_token": token, "expires_in": self.expires_in.as_secs()}))
    }

    /// `POST /cgi-bin/stable_token`: the same token while valid (renewed near expiry); `force_refresh`
    /// revokes the previous one at once.
    pub(crate) fn stable_token(&mut self, grant_type: &str, appid: &str, secret: &str, force: bool) -> Reply {
        self.count(appid, |c| c.stable_token += 1);
        if let Some(f) = self.take_fault(Endpoint::StableToken, appid) {
            return self.fault_reply(f, "access_token");
        }
        if grant_type != "client_credential" {
            return error(40002);
        }
        if let Err(reply) = self.check_app(appid, secret) {
            return reply;
        }
        let now = Instant::now();
        let current = self.apps.get(appid).and_then(|a| a.stable.clone());
        if let Some(cur) = current.as_deref()
            && let Some(rec) = self.tokens.get_mut(cur)
        {
            if force {
                rec.revoked_at = Some(now);
            } else if rec.revoked_at.is_none() && rec.expires > now + renew_window(self.expires_in) {
                let expires_in = remaining_secs(rec.expires, now);
                return Reply::Json(json!({"access_token": cur, "expires_in": expires_in}));
            }
        }
        let token = self.issue_token(appid, now);
        if let Some(app) = self.apps.get_mut(appid) {
            app.stable = Some(token.clone());
        }
        Reply::Json(json!({"access_token": token, "expires_in": self.expires_in.as_secs()}))
    }

    /// `GET /cgi-bin/ticket/getticket`: checks the token, returns the current ticket (renewed near expiry).
    pub(crate) fn getticket(&mut self, access_token: &str, kind: &str) -> Reply {
        let now = Instant::now();
        let Some((appid, expires, revoked_at)) = self
            .tokens
            .get(access_token)
            .map(|r| (r.appid.clone(), r.expires, r.revoked_at))
        else {
            return error(40001);
        };
        self.count(&appid, |c| c.getticket += 1);
        if let Some(f) = self.take_fault(Endpoint::Getticket, &appid) {
            return self.fault_reply(f, "ticket");
        }
        if revoked_at.is_some_and(|r| r <= now) {
            return error(40001);
        }
        if expires <= now {
            return error(42001);
        }
        if kind != "jsapi" && kind != "wx_card" {
            return Reply::Json(json!({"errcode": 40097, "errmsg": "invalid args"}));
        }
        let lifetime = self.expires_in;
        let Some(app) = self.apps.get_mut(&appid) else {
            return error(40013);
        };
        let (tickets, prefix) = if kind == "wx_card" {
            app.counts.card_ticket += 1;
            (&mut app.card_tickets, "fake-ct-")
        } else {
            (&mut app.tickets, "fake-jt-")
        };
        let usable = tickets
            .last()
            .filter(|t| !t.revoked && t.expires > now + renew_window(lifetime))
            .map(|t| (t.value.clone(), t.expires));
        let (ticket, expires) = usable.unwrap_or_else(|| {
            // The previous ticket stays valid until its own expiry, as with WeChat's renewal overlap.
            let t = TicketRec {
                value: fresh(prefix),
                expires: now + lifetime,
                revoked: false,
            };
            let out = (t.value.clone(), t.expires);
            tickets.retain(|t| !t.revoked && t.expires > now);
            tickets.push(t);
            out
        });
        Reply::Json(json!({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": remaining_secs(expires, now)}))
    }

    /// The app of a valid access_token, or WeChat's errcode for it (40001 unknown or revoked, 42001 expired).
    fn token_app(&self, access_token: &str) -> Result<String, i64> {
        let now = Instant::now();
        let rec = self.tokens.get(access_token).ok_or(40001)?;
        if rec.revoked_at.is_some_and(|r| r <= now) {
            return Err(40001);
        }
        if rec.expires <= now {
            return Err(42001);
        }
        Ok(rec.appid.clone())
    }

    /// `POST /cgi-bin/qrcode/create`: checks the token and WeChat's documented limits; issues a ticket
    /// (base64, with the `+`, `/` and `=` real tickets have) and the URL the code encodes.
    pub(crate) fn qrcode_create(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        if let Some(appid) = self.tokens.get(access_token).map(|r| r.appid.clone()) {
            self.count(&appid, |c| c.qrcode_create += 1);
            if let Some(f) = self.take_fault(Endpoint::QrcodeCreate, &appid) {
                return self.fault_reply(f, "ticket");
            }
        }
        if let Err(code) = self.token_app(access_token) {
            return error(code);
        }
        let Some(body) = body else {
            return error(47001);
        };
        let action = body.get("action_name").and_then(Value::as_str).unwrap_or("");
        let scene = body.pointer("/action_info/scene");
        let id = scene.and_then(|s| s.get("scene_id")).and_then(Value::as_u64);
        let text = scene.and_then(|s| s.get("scene_str")).and_then(Value::as_str);
        let text_ok = text.is_some_and(|t| (1..=64).contains(&t.chars().count()));
        let expire = body.get("expire_seconds").and_then(Value::as_u64);
        let valid = match action {
            "QR_SCENE" => id.is_some_and(|i| i > 0 && i <= u64::from(u32::MAX)),
            "QR_STR_SCENE" => text_ok,
            "QR_LIMIT_SCENE" => id.is_some_and(|i| (1..=100_000).contains(&i)),
            "QR_LIMIT_STR_SCENE" => text_ok,
            _ => false,
        };
        let temporary = matches!(action, "QR_SCENE" | "QR_STR_SCENE");
        if !valid || (temporary && expire.is_some_and(|e| e == 0 || e > 2_592_000)) {
            return error(40097);
        }
        let ticket = format!("gQ{}+/{}==", fresh(""), fresh(""));
        let url = format!("http://weixin.qq.com/q/{}", fresh("fake"));
        if temporary {
            Reply::Json(json!({"ticket": ticket, "expire_seconds": expire.unwrap_or(60), "url": url}))
        } else {
            Reply::Json(json!({"ticket": ticket, "url": url}))
        }
    }

    /// The tickets a signature may currently be verified against, newest first.
    pub(crate) fn valid_tickets(&self, appid: &str) -> Vec<String> {
        self.apps
            .get(appid)
            .map(|a| still_valid(&a.tickets))
            .unwrap_or_default()
    }

    /// The card tickets of `appid` WeChat would still accept, newest first.
    pub(crate) fn valid_card_tickets(&self, appid: &str) -> Vec<String> {
        self.apps
            .get(appid)
            .map(|a| still_valid(&a.card_tickets))
            .unwrap_or_default()
    }

    /// Revokes every ticket of `appid` and makes a new current one; None for an unknown app.
    pub(crate) fn rotate_ticket(&mut self, appid: &str) -> Option<String> {
        let now = Instant::now();
        let lifetime = self.expires_in;
        let app = self.apps.get_mut(appid)?;
        app.counts.rotate_ticket += 1;
        for t in &mut app.tickets {
            t.revoked = true;
        }
        app.tickets.retain(|t| t.expires > now);
        let value = fresh("fake-jt-");
        app.tickets.push(TicketRec {
            value: value.clone(),
            expires: now + lifetime,
            revoked: false,
        });
        Some(value)
    }

    pub(crate) fn stats(&self) -> BTreeMap<String, CallCounts> {
        self.apps.iter().map(|(id, a)| (id.clone(), a.counts)).collect()
    }
}

/// The longest lifetime the fake issues credentials with (ten years): a larger one would overflow the clock.
///
/// ```
/// assert_eq!(wx_server::fake::MAX_LIFETIME_SECS, 315_360_000);
/// ```
pub const MAX_LIFETIME_SECS: u64 = 10 * 365 * 24 * 3600;

/// A credential lifetime of `secs` seconds, at least one and at most [`MAX_LIFETIME_SECS`].
pub(crate) fn lifetime(secs: u64) -> Duration {
    Duration::from_secs(secs.clamp(1, MAX_LIFETIME_SECS))
}
