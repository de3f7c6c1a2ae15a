//! Per-follower sessions: a small key–value map with a TTL, plus the dialogue a follower is in, kept behind a
//! [`SessionStore`] so it outlives a process (file) or is shared by instances (Redis) when the server says so.

use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, HashMap},
    future::Future,
    pin::Pin,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// How long a session lives after its last change, unless the router is told otherwise.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(24 * 3600);

/// A session store failed (unreachable, I/O error). The router logs it and answers as with a fresh session.
///
/// ```
/// let e = wx_rules::SessionStoreError("redis: connection refused".into());
/// assert_eq!(e.to_string(), "session store: redis: connection refused");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("session store: {0}")]
pub struct SessionStoreError(pub String);

/// The future a store operation returns (boxed so the trait stays object-safe).
pub type SessionFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SessionStoreError>> + Send + 'a>>;

/// Where sessions live between pushes. A session is an opaque JSON text under the follower's key (the router
/// writes and reads it); the store only keeps it for `ttl`.
///
/// wx-rules has the memory store; wx-server adds a file and a Redis store chosen by `WX_STORE`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use wx_rules::{MemorySessionStore, SessionStore};
/// let store = MemorySessionStore::default();
/// store.save("o1", "{}", std::time::Duration::from_secs(60)).await.unwrap();
/// assert_eq!(store.load("o1").await.unwrap().as_deref(), Some("{}"));
/// # });
/// ```
pub trait SessionStore: Send + Sync + 'static {
    /// For logs (`memory`, `file:/path`, `redis://host:port/db`), never a password.
    fn describe(&self) -> String;
    /// The session saved under `key`, unless none was or it expired.
    fn load<'a>(&'a self, key: &'a str) -> SessionFuture<'a, Option<String>>;
    /// Saves `session` under `key` for `ttl`, replacing what was there.
    fn save<'a>(&'a self, key: &'a str, session: &'a str, ttl: Duration) -> SessionFuture<'a, ()>;
}

/// Sessions in this process's memory: lost on restart, not shared. Expired entries are dropped on access and
/// swept every 1024 saves, so the map holds only live sessions (and at most one sweep's worth of dead ones).
#[derive(Debug, Default)]
pub struct MemorySessionStore {
    map: Mutex<(Entries, u32)>,
}

/// Each session's text and when it expires.
type Entries = HashMap<String, (String, Instant)>;

impl SessionStore for MemorySessionStore {
    fn describe(&self) -> String {
        "memory".into()
    }

    fn load<'a>(&'a self, key: &'a str) -> SessionFuture<'a, Option<String>> {
        let mut guard = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let found = match guard.0.get(key) {
            Some((value, until)) if *until > Instant::now() => Some(value.clone()),
            Some(_) => {
                guard.0.remove(key);
                None
            }
            None => None,
        };
        Box::pin(std::future::ready(Ok(found)))
    }

    fn save<'a>(&'a self, key: &'a str, session: &'a str, ttl: Duration) -> SessionFuture<'a, ()> {
        let mut guard = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        guard.1 = guard.1.wrapping_add(1);
        if guard.1.is_multiple_of(1024) {
            guard.0.retain(|_, (_, until)| *until > now);
        }
        guard.0.insert(key.to_owned(), (session.to_owned(), now + ttl));
        Box::pin(std::future::ready(Ok(())))
    }
}

/// What a session holds, as stored (JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SessionData {
    /// The values rules and handlers read and write.
    #[serde(default, rename = "v")]
    pub(crate) values: BTreeMap<String, String>,
    /// The dialogue the follower is in: the wait rule answering their next message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) wait: Option<WaitState>,
}

/// A pending wait: which wait rule, how often it was retried, since when (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WaitState {
    pub(crate) rule: String,
    #[serde(default)]
    pub(crate) retries: u32,
    pub(crate) since: u64,
}

impl SessionData {
    /// A stored session; a corrupt one (an older format, a hand edit) is logged and replaced by a fresh one.
    pub(crate) fn decode(key: &str, text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_else(|e| {
            tracing::warn!(
                "session of {key} is not a wx-rules session (line {}, column {}); starting a fresh one",
                e.line(),
                e.column()
            );
            Self::default()
        })
    }

    pub(crate) fn encode(&self) -> String {
        // A map of strings and a struct of strings and integers always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Unix seconds.
pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
