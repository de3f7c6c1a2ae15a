//! Each signed request is accepted once. A request's signature covers its timestamp and nonce (and in safe and
//! compatible modes the `Encrypt` element), so whoever saw one request in a proxy's or load balancer's log could
//! send it again while its timestamp is fresh. This remembers every accepted signature for as long as its
//! timestamp can pass the freshness check: in this process ([`Sightings`]), and, across the instances behind one
//! load balancer, in a [`ReplayStore`] of the caller's (wx-server uses Redis `SET NX PX`, or its credential file's
//! directory).
//!
//! WeChat's own retries repeat the request exactly, so a repeat is not refused outright: a repeat carrying the
//! same push (the de-duplication key: MsgId, or sender and time for an event) gets the first delivery's reply from
//! the de-duplication cache while that remembers it, and never runs the handler; anything else signed the same
//! way (plain mode's signature does not cover the body) is refused.
//!
//! This runs on every push, so the memory holds only 64 bits of each signature, in two generations that are
//! dropped whole, and nothing is allocated per push.

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

/// Which signature authenticated a request: plain mode's `signature`, or `msg_signature` (safe and compatible
/// modes, where it covers the `Encrypt` too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Signed<'q> {
    /// `b'p'` or `b'e'`.
    tag: u8,
    signature: &'q str,
}

impl<'q> Signed<'q> {
    pub(crate) fn plain(signature: &'q str) -> Self {
        Self { tag: b'p', signature }
    }

    pub(crate) fn encrypted(msg_signature: &'q str) -> Self {
        Self {
            tag: b'e',
            signature: msg_signature,
        }
    }

    /// The key a [`ReplayStore`] records: `p:` or `e:` and the signature in lower case.
    pub(crate) fn store_key(self) -> String {
        format!("{}:{}", char::from(self.tag), self.signature.to_ascii_lowercase())
    }

    /// 64 bits of the signature itself. It is a verified SHA-1 over the server token, so uniformly random and
    /// out of a stranger's reach: no keyed hash is needed, and hex in either case (the check accepts both)
    /// reads alike. The kind of signature is mixed in, so one value under both kinds stays two keys.
    fn hash(self) -> u64 {
        let kind = if self.tag == b'p' { 0 } else { 0x9e37_79b9_7f4a_7c15 };
        let bits = self
            .signature
            .get(..16)
            .and_then(|head| u64::from_str_radix(head, 16).ok())
            // Not reached for a verified signature (40 hex digits); a value, not a panic, all the same.
            .unwrap_or_else(|| RandomState::new().hash_one(self.signature.to_ascii_lowercase()));
        bits ^ kind
    }
}

/// This process's memory of accepted requests: the signatures' 64-bit values in two generations per shard. New
/// ones go into the current generation; when it is a TTL old it becomes the previous one and the previous one is
/// dropped whole, so an entry is remembered between one and two TTLs, with no per-entry clock. Sharded like the
/// de-duplication cache, so pushes on different threads seldom wait for one lock.
pub(crate) struct Sightings {
    shards: Shards<Generations>,
    ttl: Duration,
    /// Per generation and shard.
    capacity: usize,
}

const SHARDS: usize = 16;

#[derive(Default)]
struct Generations {
    current: HashTable<u64>,
    previous: HashTable<u64>,
    /// When `current` was started (`None`: never used).
    started: Option<Instant>,
    warned_full: Option<Instant>,
}

impl Sightings {
    /// Remembers each signature for at least `ttl`, and at most `capacity` at once.
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            shards: Shards::new(SHARDS),
            ttl,
            capacity: (capacity / SHARDS / 2).max(1),
        }
    }

    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Records the request unless it is already there; true when it was not (its first sighting here).
    pub(crate) fn sight(&self, signed: Signed<'_>) -> bool {
        let hash = signed.hash();
        let now = Instant::now();
        let mut gens = self.shards.lock(hash);
        gens.rotate_if_due(now, self.ttl);
        let eq = |&h: &u64| h == hash;
        if gens.current.find(hash, eq).is_some() || gens.previous.find(hash, eq).is_some() {
            return false;
        }
        if gens.current.len() >= self.capacity {
            // Full before its time: the previous generation goes early.
            if gens.warned_full.is_none_or(|at| now.duration_since(at) >= self.ttl) {
                gens.warned_full = Some(now);
                tracing::warn!(
                    capacity = self.capacity * 2 * self.shards.count(),
                    "replay memory full: forgetting accepted requests before their time (logged once per TTL and \
                     shard); a shared replay store still covers them"
                );
            }
            gens.rotate(now);
        }
        gens.current.insert_unique(hash, hash, |&h| h);
        true
    }
}

impl Generations {
    fn rotate_if_due(&mut self, now: Instant, ttl: Duration) {
        match self.started {
            None => self.started = Some(now),
            Some(at) if now.duration_since(at) >= ttl.saturating_mul(2) => {
                // Idle for two TTLs: both generations are past remembering.
                self.previous.clear();
                self.current.clear();
                self.started = Some(now);
            }
            Some(at) if now.duration_since(at) >= ttl => self.rotate(now),
            Some(_) => {}
        }
    }

    fn rotate(&mut self, now: Instant) {
        // The dropped generation's table is emptied and reused: at a steady rate the new one needs as much room,
        // and growing it afresh would rehash it again and again.
        std::mem::swap(&mut self.previous, &mut self.current);
        self.current.clear();
        self.started = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_signature_is_first_once_within_the_ttl_in_either_case_and_the_memory_is_bounded() {
        let sig = |n: u64| format!("{n:016x}{}", "0".repeat(24));
        let seen = Sightings::new(Duration::from_secs(600), 64);
        assert!(seen.sight(Signed::plain(&sig(0xab12))));
        assert!(!seen.sight(Signed::plain(&sig(0xab12))));
        assert!(
            !seen.sight(Signed::plain(&sig(0xab12).to_uppercase())),
            "hex in upper case is the same"
        );
        assert!(seen.sight(Signed::encrypted(&sig(0xab12))), "another kind of signature");
        assert_eq!(Signed::encrypted("AB12").store_key(), "e:ab12");
        // Remembered for at least the TTL, however the generations turn.
        tokio::time::advance(Duration::from_secs(599)).await;
        assert!(!seen.sight(Signed::plain(&sig(0xab12))));
        assert!(seen.sight(Signed::plain(&sig(1))));
        tokio::time::advance(Duration::from_secs(599)).await;
        assert!(!seen.sight(Signed::plain(&sig(1))), "one TTL later, still remembered");
        tokio::time::advance(Duration::from_secs(1201)).await;
        assert!(seen.sight(Signed::plain(&sig(1))), "forgotten after two TTLs");
        for n in 0..10_000u64 {
            seen.sight(Signed::plain(&sig(n.wrapping_mul(0x9e37_79b9_7f4a_7c15))));
        }
        let held = seen.shards.sum(|g| g.current.len() + g.previous.len());
        assert!(held <= 64, "at most the capacity is held: {held}");
        let last = sig(9_999u64.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        assert!(!seen.sight(Signed::plain(&last)), "the newest are kept");
    }
}
