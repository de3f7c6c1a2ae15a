//! Each signed request is accepted once. A request's signature covers its timestamp and nonce (and in safe and
//! compatible modes the `Encrypt` element), so whoever saw one request in a proxy's or load balancer's log could
//! send it again while its timestamp is fresh. This remembers every accepted signature for as long as its
//! timestamp can pass the freshness check: in this process ([`Sightings`]), and, across the instances behind one
//! load balancer, in a [`ReplayStore`] of the caller's (wx-server uses Redis `SET NX PX`, or its credential file's
//! directory).
//!
//! WeChat's own retries repeat the request exactly, so a repeat is not refused outright: a repeat of the same
//! bytes in this process gets the first delivery's reply from the de-duplication cache while that remembers
//! it; anything else signed the same way is refused.

use std::collections::VecDeque;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::time::Duration;

use hashbrown::HashTable;
use tokio::time::Instant;

use crate::shards::Shards;

/// How many accepted requests this process remembers by default: ten minutes (twice the default clock skew)
/// at about 160 pushes a second. Past it the oldest are forgotten (a [`ReplayStore`] still covers them).
pub const DEFAULT_REPLAY_MEMORY: usize = 100_000;

/// Why a [`ReplayStore`] could not answer. The push is then judged by this process's memory alone (a store
/// outage must not stop WeChat's pushes), and the error is logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("replay store: {0}")]
pub struct ReplayStoreError(pub String);

/// The future a [`ReplayStore`] returns.
pub type ReplayFuture<'a> = Pin<Box<dyn Future<Output = Result<bool, ReplayStoreError>> + Send + 'a>>;

/// Where accepted requests are remembered beyond this process, so a request captured at one instance cannot be
/// replayed at another.
///
/// ```
/// use std::{collections::HashSet, sync::Mutex, time::Duration};
/// use wx_push::{ReplayFuture, ReplayStore};
///
/// /// For illustration: a real one is shared (Redis `SET key 1 NX PX ttl`) and forgets after `ttl`.
/// #[derive(Default)]
/// struct Seen(Mutex<HashSet<String>>);
///
/// impl ReplayStore for Seen {
///     fn first_sighting<'a>(&'a self, key: &'a str, _ttl: Duration) -> ReplayFuture<'a> {
///         let first = self.0.lock().map(|mut seen| seen.insert(key.to_owned())).unwrap_or(true);
///         Box::pin(async move { Ok(first) })
///     }
/// }
/// ```
pub trait ReplayStore: Send + Sync + 'static {
    /// Records `key` for `ttl` (atomically); `Ok(true)` when nobody had recorded it within its `ttl`.
    fn first_sighting<'a>(&'a self, key: &'a str, ttl: Duration) -> ReplayFuture<'a>;
}

/// What [`Sightings::sight`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sighting {
    /// Not seen in this process within the TTL: now recorded.
    First,
    /// Seen before; `same_body` when the body was the same too (a retry, or a verbatim replay).
    Again { same_body: bool },
}

/// This process's memory of accepted requests: a bounded TTL set of key hashes, each with a fingerprint of its
/// body. Sharded like the de-duplication cache, so pushes on different threads seldom wait for one lock.
pub(crate) struct Sightings {
    shards: Shards<Inner>,
    /// Keyed SipHash: keys are verified signatures, but bodies in plain mode are anyone's.
    hasher: RandomState,
    ttl: Duration,
    /// Per shard.
    capacity: usize,
}

const SHARDS: usize = 16;

#[derive(Default)]
struct Inner {
    /// (key hash, body fingerprint). Two keys with one 64-bit keyed hash would be taken for one: a chance of
    /// about 2^-64 per pair.
    seen: HashTable<(u64, u64)>,
    /// In sighting order, which with one TTL for all is expiry order.
    order: VecDeque<(Instant, u64)>,
    warned_full: Option<Instant>,
}

impl Sightings {
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        let capacity = capacity.max(SHARDS);
        Self {
            shards: Shards::new(SHARDS),
            hasher: RandomState::new(),
            ttl,
            capacity: capacity / SHARDS,
        }
    }

    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Records `key` (with a fingerprint of `body`, when the body is not covered by the signature) unless it is
    /// already there.
    pub(crate) fn sight(&self, key: &str, body: Option<&[u8]>) -> Sighting {
        let hash = self.hasher.hash_one(key);
        let fingerprint = body.map_or(0, |b| self.hasher.hash_one(b));
        let now = Instant::now();
        let mut inner = self.shards.lock(hash);
        inner.expire(|at| now.duration_since(at) >= self.ttl);
        if let Some(&(_, seen)) = inner.seen.find(hash, |&(h, _)| h == hash) {
            return Sighting::Again {
                same_body: seen == fingerprint,
            };
        }
        if inner.seen.len() >= self.capacity {
            if inner.warned_full.is_none_or(|at| now.duration_since(at) >= self.ttl) {
                inner.warned_full = Some(now);
                tracing::warn!(
                    capacity = self.capacity * self.shards.count(),
                    "replay memory full: forgetting the oldest accepted requests early (logged once per TTL and \
                     shard); a shared replay store still covers them"
                );
            }
            let mut first = true;
            inner.expire(|_| std::mem::take(&mut first));
        }
        inner.seen.insert_unique(hash, (hash, fingerprint), |&(h, _)| h);
        inner.order.push_back((now, hash));
        Sighting::First
    }
}

impl Inner {
    /// Drops entries from the oldest while `stale(sighted_at)` holds.
    fn expire(&mut self, mut stale: impl FnMut(Instant) -> bool) {
        while let Some(&(at, hash)) = self.order.front() {
            if !stale(at) {
                break;
            }
            self.order.pop_front();
            if let Ok(entry) = self.seen.find_entry(hash, |&(h, _)| h == hash) {
                entry.remove();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_key_is_first_once_within_the_ttl_and_the_memory_is_bounded() {
        let seen = Sightings::new(Duration::from_secs(600), 32);
        assert_eq!(seen.sight("p:a", Some(b"x")), Sighting::First);
        assert_eq!(seen.sight("p:a", Some(b"x")), Sighting::Again { same_body: true });
        assert_eq!(seen.sight("p:a", Some(b"y")), Sighting::Again { same_body: false });
        assert_eq!(seen.sight("e:a", None), Sighting::First, "another key");
        tokio::time::advance(Duration::from_secs(601)).await;
        assert_eq!(
            seen.sight("p:a", Some(b"y")),
            Sighting::First,
            "forgotten after the TTL"
        );
        for n in 0..1000 {
            seen.sight(&format!("p:{n}"), None);
        }
        let held = seen.shards.sum(|i| i.seen.len());
        assert!(held <= 32, "at most the capacity is held: {held}");
        assert_eq!(seen.sight("p:999", None), Sighting::Again { same_body: true });
    }
}
