//! What answers `POST /wechat`: the rules of `WX_RULES` (or, with `--mock`, the built-in demo rule file
//! `crates/wx-server/rules/demo.toml`) through a [`wx_rules::Router`], else the echo handler. The rule file is
//! watched: its modification time is polled once a second and SIGHUP reloads it at once; a file that no longer
//! parses is logged and the rules in force stay.
//!
//! A rule's `follow_up` (a customer-service message after the reply, [`wx_rules::FollowUp`]) is sent here, with
//! the account's API client, in the background once the reply is decided: a failure (the follower outside the
//! 48-hour window, WeChat down) is logged with the rule's errcode, never with a token, and changes no reply.

use crate::{AccountSettings, CredentialService, Settings, StartError};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, PoisonError, RwLock},
    time::{Duration, SystemTime},
};
use tokio::task::JoinHandle;
use wx_api::{AccountClient, CustomerServiceMessage, MessageBody};
use wx_push::{DemoHandler, Push, PushHandler, Reply};
use wx_rules::{FollowUp, Router, SessionStore};

/// The demo rule file, built in so `wx-server serve --mock` has it wherever it runs.
pub const DEMO_RULES: &str = include_str!("../rules/demo.toml");

/// How often the rule file's modification time is checked.
const POLL: Duration = Duration::from_secs(1);

/// The server's push handler: the rules, or the echo handler when there are none.
pub(crate) enum Answerer {
    Echo(DemoHandler),
    /// The rules, and the account's API client their follow-ups are sent with.
    Rules(Arc<LiveRules>, AccountClient<CredentialService>),
}

impl PushHandler for Answerer {
    async fn handle(&self, push: Push) -> Reply {
        match self {
            Answerer::Echo(echo) => echo.handle(push).await,
            Answerer::Rules(rules, client) => {
                let router = rules.current();
                let openid = push.from_user_name.clone();
                let (reply, follow_up) = router.answer_with_follow_up(push).await;
                if let Some(follow_up) = follow_up {
                    tokio::spawn(send_follow_up(client.clone(), openid, follow_up));
                }
                reply
            }
        }
    }
}

/// The customer-service message of a follow-up.
fn message(openid: String, follow_up: FollowUp) -> Option<CustomerServiceMessage> {
    let body = match follow_up {
        FollowUp::Text(content) => MessageBody::Text { content },
        FollowUp::News(a) => MessageBody::News(wx_api::Article {
            title: a.title,
            description: a.description,
            url: a.url,
            picurl: a.pic_url,
        }),
        _ => return None,
    };
    Some(CustomerServiceMessage::new(openid, body))
}

/// Sends a rule's follow-up; a failure is logged (wx-api's errors carry no token) and goes no further.
async fn send_follow_up(client: AccountClient<CredentialService>, openid: String, follow_up: FollowUp) {
    let Some(msg) = message(openid, follow_up) else {
        return;
    };
    match client.send_custom(&msg).await {
        Ok(()) => tracing::debug!(msgtype = msg.body.msgtype(), "sent a rule's follow-up"),
        Err(error) => tracing::warn!(
            msgtype = msg.body.msgtype(),
            errcode = error.errcode(),
            "a rule's follow-up (a customer-service message) was not sent: {error}"
        ),
    }
}

/// The rules in force, swapped whole on a reload (a push in flight finishes with the rules it started with).
pub(crate) struct LiveRules {
    current: RwLock<Arc<Router>>,
    vars: Vec<(String, String)>,
    sessions: Arc<dyn SessionStore>,
    prefix: String,
}

impl LiveRules {
    fn current(&self) -> Arc<Router> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn parse(&self, text: &str) -> Result<Router, wx_rules::RuleFileError> {
        let vars: Vec<(&str, &str)> = self.vars.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        Ok(wx_rules::parse_rules(text, &vars)?.session_store(Arc::clone(&self.sessions), self.prefix.clone()))
    }

    /// Reads and parses `path`; on success the new rules take over, otherwise the error is logged and the rules
    /// in force stay.
    fn reload(&self, path: &Path, why: &str) {
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot be read: {e}"))
            .and_then(|text| self.parse(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(router) => {
                let count = router.rule_names().count();
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(router);
                tracing::info!("WX_RULES: reloaded {} ({why}): {count} rules", path.display());
            }
            Err(error) => tracing::error!(
                "WX_RULES: {}: {error}; the previous rules stay in force until the file is fixed",
                path.display()
            ),
        }
    }
}

/// The handler for `settings`, and the task watching the rule file (if there is one).
pub(crate) fn answerer(
    settings: &Settings,
    account: &AccountSettings,
    client: &AccountClient<CredentialService>,
    sessions: Arc<dyn SessionStore>,
) -> Result<(Answerer, Option<JoinHandle<()>>), StartError> {
    let (text, path) = match &account.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| StartError::Rules {
                path: path.display().to_string(),
                reason: format!("cannot be read: {e}"),
            })?;
            (text, Some(path.clone()))
        }
        None if settings.mock => (DEMO_RULES.to_owned(), None),
        None => return Ok((Answerer::Echo(DemoHandler), None)),
    };
    let mut vars = Vec::new();
    if let Some(url) = settings
        .public_url
        .clone()
        .or_else(|| settings.mock.then(|| own_url(settings)))
    {
        vars.push(("public_url".to_owned(), url.trim_end_matches('/').to_owned()));
    }
    let live = LiveRules {
        current: RwLock::new(Arc::new(Router::new())),
        vars,
        sessions,
        prefix: format!("wxkit:{}:session:", account.appid),
    };
    let router = live.parse(&text).map_err(|e| StartError::Rules {
        path: path
            .as_ref()
            .map_or("the built-in demo rules".into(), |p| p.display().to_string()),
        reason: e.to_string(),
    })?;
    tracing::info!(
        "{}: {} rules from {} (sessions: {})",
        account.path(),
        router.rule_names().count(),
        path.as_ref()
            .map_or("the built-in demo rule file".into(), |p| p.display().to_string()),
        router.store_description()
    );
    *live.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(router);
    let live = Arc::new(live);
    let watch = path.map(|path| tokio::spawn(watch(Arc::clone(&live), path)));
    Ok((Answerer::Rules(live, client.clone()), watch))
}

/// The server's own address as a URL, for `{public_url}` in the demo (`--mock` without `WX_PUBLIC_URL`).
fn own_url(settings: &Settings) -> String {
    let addr = settings.listen;
    let ip = if addr.ip().is_unspecified() {
        std::net::Ipv4Addr::LOCALHOST.into()
    } else {
        addr.ip()
    };
    format!("http://{}", std::net::SocketAddr::new(ip, addr.port()))
}

/// What tells an edit: the modification time and the length.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Reloads `path` when its stamp changes (checked every [`POLL`]) and on SIGHUP.
async fn watch(live: Arc<LiveRules>, path: PathBuf) {
    let mut seen = stamp(&path);
    let mut hangup = hangup();
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let signalled = tokio::select! {
            _ = tick.tick() => false,
            () = next_hangup(&mut hangup) => true,
        };
        let now = stamp(&path);
        if signalled {
            seen = now;
            live.reload(&path, "SIGHUP");
        } else if now != seen && now.is_some() {
            seen = now;
            live.reload(&path, "changed");
        }
    }
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = ();

#[cfg(unix)]
fn hangup() -> Hangup {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(e) => {
            tracing::warn!("WX_RULES: cannot listen for SIGHUP ({e}); the rule file is still reloaded on change");
            None
        }
    }
}

#[cfg(not(unix))]
fn hangup() -> Hangup {}

#[cfg(unix)]
async fn next_hangup(signal: &mut Hangup) {
    match signal {
        Some(s) => {
            if s.recv().await.is_none() {
                *signal = None;
            }
        }
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangup) {
    std::future::pending().await
}
