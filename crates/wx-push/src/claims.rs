//! De-duplication across instances: a [`ClaimStore`] shared by the instances behind one load balancer, where the
//! first instance to see a push claims it and leaves its reply, so that WeChat's retry of it on any instance gets
//! that reply instead of running the handler again. This process's [`DedupeCache`](crate::dedupe) stays the
//! fast path: the store is asked only for a push this process has not seen.
//!
//! A store that fails is logged and skipped: the push is then handled here (a store outage must not stop
//! replies; at worst a retry runs the handler twice, as without a store).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::message::DedupeKey;

/// Why a [`ClaimStore`] could not answer; the push is then handled by this process alone, and the error logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("claim store: {0}")]
pub struct ClaimStoreError(pub String);

/// The future a [`ClaimStore`] returns.
pub type ClaimFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ClaimStoreError>> + Send + 'a>>;

/// What the instance that claimed a push has left in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// Its handler still runs.
    Running,
    /// Its reply: the XML of the passive reply (before encryption, which each request does afresh), or `None`
    /// for `success`.
    Replied(Option<String>),
}

/// Where the instances behind one load balancer claim pushes and leave their replies (wx-server: Redis
/// `SET NX PX`). Keys come from [`claim_key`]; each claim expires after the de-duplication TTL.
///
/// ```
/// use std::{collections::HashMap, sync::Mutex, time::Duration};
/// use wx_push::{ClaimFuture, ClaimStore, Claimed};
///
/// /// For illustration: a real one is shared by the instances and forgets a claim after `ttl`.
/// #[derive(Default)]
/// struct Claims(Mutex<HashMap<String, Claimed>>);
///
/// impl ClaimStore for Claims {
///     fn claim<'a>(&'a self, key: &'a str, _ttl: Duration) -> ClaimFuture<'a, Option<Claimed>> {
///         let mut claims = self.0.lock().unwrap_or_else(|e| e.into_inner());
///         let held = claims.get(key).cloned();
///         if held.is_none() {
///             claims.insert(key.to_owned(), Claimed::Running);
///         }
///         Box::pin(async move { Ok(held) })
///     }
///     fn reply<'a>(&'a self, key: &'a str, reply: Option<&'a str>) -> ClaimFuture<'a, ()> {
///         let mut claims = self.0.lock().unwrap_or_else(|e| e.into_inner());
///         if let Some(held) = claims.get_mut(key) {
///             *held = Claimed::Replied(reply.map(str::to_owned));
///         }
///         Box::pin(async { Ok(()) })
///     }
///     fn peek<'a>(&'a self, key: &'a str) -> ClaimFuture<'a, Option<Claimed>> {
///         let held = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned();
///         Box::pin(async move { Ok(held) })
///     }
/// }
/// ```
pub trait ClaimStore: Send + Sync + 'static {
    /// Claims `key` for `ttl` unless it is held (atomically): `Ok(None)` when this call claimed it, otherwise what
    /// the holder has left.
    fn claim<'a>(&'a self, key: &'a str, ttl: Duration) -> ClaimFuture<'a, Option<Claimed>>;
    /// Leaves the holder's reply under its claim, keeping the claim's expiry (a claim already expired stays
    /// gone).
    fn reply<'a>(&'a self, key: &'a str, reply: Option<&'a str>) -> ClaimFuture<'a, ()>;
    /// What the holder has left so far; `None` once the claim has expired.
    fn peek<'a>(&'a self, key: &'a str) -> ClaimFuture<'a, Option<Claimed>>;
}

/// The store key of a push: `m:` or `e:` and its [`DedupeKey`]'s fields, each prefixed with its length so that no
/// two keys can read alike whatever the fields hold.
///
/// ```
/// let key = wx_push::DedupeKey::Message { to: "gh_1".into(), msg_id: 42 };
/// assert_eq!(wx_push::claim_key(&key), "m:4.gh_1:42");
/// ```
pub fn claim_key(key: &DedupeKey) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut field = |value: &str| {
        let _ = write!(out, "{}.{value}:", value.len());
    };
    match key {
        DedupeKey::Message { to, msg_id } => {
            field(to);
            format!("m:{out}{msg_id}")
        }
        DedupeKey::Event {
            to,
            from,
            create_time,
            event,
            key,
        } => {
            field(to);
            field(from);
            field(event);
            match key {
                Some(key) => field(key),
                None => out.push('-'),
            }
            format!("e:{out}{create_time}")
        }
    }
}

/// How often a retry asks the store whether another instance's handler has replied: soon at first (most
/// handlers answer in milliseconds), then at most every [`POLL_MAX`].
const POLL_FIRST: Duration = Duration::from_millis(10);
const POLL_MAX: Duration = Duration::from_millis(200);

/// Waits for the reply another instance leaves under `key`, for at most `limit` (asking about `limit / POLL_MAX`
/// times, plus five). `None` (answer `success`) when the claim expires or vanishes first, or the store
/// fails (logged).
pub(crate) async fn reply_from_elsewhere(store: &dyn ClaimStore, key: &str, limit: Duration) -> Option<String> {
    let until = tokio::time::Instant::now() + limit;
    let mut interval = POLL_FIRST;
    loop {
        match store.peek(key).await {
            Ok(Some(Claimed::Replied(reply))) => return reply,
            Ok(Some(Claimed::Running)) => {}
            Ok(None) => {
                tracing::warn!("the instance that claimed this push left no reply before its claim expired");
                return None;
            }
            Err(error) => {
                tracing::warn!(%error, "claim store unavailable while waiting for another instance's reply");
                return None;
            }
        }
        let now = tokio::time::Instant::now();
        if now >= until {
            return None;
        }
        tokio::time::sleep(interval.min(until - now)).await;
        interval = (interval * 2).min(POLL_MAX);
    }
}
