//! The bounded TTL cache behind "the handler runs once per push": the first delivery claims the key and runs
//! the handler; every retry inside the TTL shares the same outcome instead of running it again.
//!
//! A push costs one table entry and nothing else: the key is hashed before the lock is taken, the entry is named
//! by that hash and a sequence number (no shared pointer, so no atomic counts on other threads' cache lines), the
//! first delivery writes its outcome back into its own entry, and only a retry that arrives while the handler
//! still runs creates something to wait on.

use std::collections::VecDeque;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, MutexGuard, OnceLock};
use std::time::Duration;

use hashbrown::HashTable;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::detach::Panicked;
use crate::message::DedupeKey;
use crate::shards::Shards;

/// The XML of a passive reply, or `None` for `success`. Shared, since every retry answers with it.
pub(crate) type Outcome = Option<Arc<str>>;

/// What [`DedupeCache::claim`] found.
pub(crate) enum Claim {
    /// The first delivery: run the handler and [`settle`](DedupeCache::settle) this entry with its outcome.
    First(EntryId),
    /// A retry while the first delivery's handler runs: [`wait`](Running::wait) for its outcome.
    Running(Running),
    /// A retry after the first delivery finished (or panicked, `Err`).
    Settled(Result<Outcome, Panicked>),
}

/// Names one entry: where its key hashes to, and which claim made it (a key evicted and claimed again gets a new
/// entry, which a late settle of the old one must not touch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryId {
    hash: u64,
    seq: u64,
}

pub(crate) struct DedupeCache {
    /// One shard for a small cache (its capacity is then exact); [`SHARDS`] for a large one, picked by the key's
    /// hash, so that pushes handled on different threads seldom wait for the same lock.
    shards: Shards<Inner>,
    /// Keyed SipHash: pushes are attacker-influenced, so the table's hash must not be predictable.
    hasher: RandomState,
    ttl: Duration,
    /// Per shard.
    capacity: usize,
}

/// How many ways a large cache is split.
const SHARDS: usize = 16;
/// Caches smaller than this stay in one shard.
const SHARDED_FROM: usize = 1024;

#[derive(Default)]
struct Inner {
    entries: HashTable<Entry>,
    /// Entries in claim order; with one TTL for all, that is also expiry order.
    order: VecDeque<(Instant, EntryId)>,
    next_seq: u64,
    /// When "cache full" was last logged: once per TTL, not once per push (a flood at high push rates).
    warned_full: Option<Instant>,
}

struct Entry {
    key: DedupeKey,
    id: EntryId,
    slot: Slot,
}

enum Slot {
    /// The handler runs; `Some` once a retry waits for it.
    Running(Option<Arc<Shared>>),
    Settled(Result<Outcome, Panicked>),
}

/// Where retries that arrived while the handler ran wait for its outcome.
#[derive(Default)]
struct Shared {
    outcome: OnceLock<Result<Outcome, Panicked>>,
    settled: Notify,
}

impl DedupeCache {
    /// A cache remembering at most `capacity` pushes (a large one forgets the oldest of the sixteenth its key
    /// hashes to when that is full).
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let shards = if capacity < SHARDED_FROM { 1 } else { SHARDS };
        Self {
            shards: Shards::new(shards),
            hasher: RandomState::new(),
            ttl,
            capacity: capacity / shards,
        }
    }

    fn lock(&self, hash: u64) -> MutexGuard<'_, Inner> {
        self.shards.lock(hash)
    }

    /// What a retry of `key` would find, without claiming it: `None` when no delivery of it is remembered (never
    /// [`Claim::First`]).
    pub(crate) fn find(&self, key: &DedupeKey) -> Option<Claim> {
        let hash = self.hasher.hash_one(key);
        let now = Instant::now();
        let mut inner = self.lock(hash);
        inner.expire(|at| now.duration_since(at) >= self.ttl);
        inner.entries.find_mut(hash, |e| e.key == *key).map(Entry::retry)
    }

    pub(crate) fn claim(&self, key: DedupeKey) -> Claim {
        let hash = self.hasher.hash_one(&key);
        let now = Instant::now();
        let mut inner = self.lock(hash);
        inner.expire(|at| now.duration_since(at) >= self.ttl);
        if let Some(entry) = inner.entries.find_mut(hash, |e| e.key == key) {
            return entry.retry();
        }
        if inner.entries.len() >= self.capacity {
            // Full of live entries: forget the oldest. A retry of it would run the handler again, which the
            // capacity (far above WeChat's retry window × push rate) makes rare.
            if inner.warned_full.is_none_or(|at| now.duration_since(at) >= self.ttl) {
                inner.warned_full = Some(now);
                tracing::warn!(
                    capacity = self.capacity * self.shards.count(),
                    "push de-duplication cache full; forgetting the oldest pushes (logged once per TTL and shard)"
                );
            }
            let mut first = true;
            inner.expire(|_| std::mem::take(&mut first));
        }
        let id = EntryId {
            hash,
            seq: inner.next_seq,
        };
        inner.next_seq += 1;
        let entry = Entry {
            key,
            id,
            slot: Slot::Running(None),
        };
        inner.entries.insert_unique(hash, entry, |e| e.id.hash);
        inner.order.push_back((now, id));
        Claim::First(id)
    }

    /// Records the first delivery's outcome in its own entry (not in one claimed after it was evicted) and wakes
    /// the retries waiting for it.
    pub(crate) fn settle(&self, id: EntryId, outcome: Result<Outcome, Panicked>) {
        let mut inner = self.lock(id.hash);
        // Gone: evicted while the handler ran (and perhaps claimed afresh since); nobody can find it any more.
        let Some(entry) = inner.entries.find_mut(id.hash, |e| e.id == id) else {
            return;
        };
        if let Slot::Running(Some(shared)) = std::mem::replace(&mut entry.slot, Slot::Settled(outcome.clone())) {
            drop(inner);
            let _ = shared.outcome.set(outcome);
            shared.settled.notify_waiters();
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.sum(|i| i.entries.len())
    }
}

impl Entry {
    /// What a retry of this entry's push gets.
    fn retry(&mut self) -> Claim {
        match &mut self.slot {
            Slot::Settled(outcome) => Claim::Settled(outcome.clone()),
            Slot::Running(shared) => Claim::Running(Running(Arc::clone(shared.get_or_insert_default()))),
        }
    }
}

/// A retry's hold on a handler that is still running.
pub(crate) struct Running(Arc<Shared>);

impl Running {
    /// The first delivery's outcome, once it has one. (An entry evicted while its handler ran never settles:
    /// the caller's deadline ends the wait.)
    pub(crate) async fn wait(self) -> Result<Outcome, Panicked> {
        loop {
            // Registered before the check: a notification between the two is not lost.
            let settled = self.0.settled.notified();
            if let Some(outcome) = self.0.outcome.get() {
                return outcome.clone();
            }
            settled.await;
        }
    }
}

impl Inner {
    /// Drops entries from the oldest while `stale(claimed_at)` holds. Every entry has exactly one `order` item
    /// (an entry is inserted only for an absent key, and removed only here), so the two stay in step.
    fn expire(&mut self, mut stale: impl FnMut(Instant) -> bool) {
        while let Some((at, _)) = self.order.front() {
            if !stale(*at) {
                break;
            }
            if let Some((_, id)) = self.order.pop_front()
                && let Ok(entry) = self.entries.find_entry(id.hash, |e| e.id == id)
            {
                entry.remove();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> DedupeKey {
        DedupeKey::Message {
            to: "gh".into(),
            msg_id: n,
        }
    }

    fn first(claim: Claim) -> EntryId {
        match claim {
            Claim::First(id) => id,
            _ => panic!("expected a first delivery"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn entries_expire_after_the_ttl_and_capacity_bounds_the_cache() {
        let cache = Arc::new(DedupeCache::new(Duration::from_secs(30), 2));
        let one = first(cache.claim(key(1)));
        assert!(matches!(cache.claim(key(1)), Claim::Running(..)));
        cache.settle(one, Ok(None));
        assert!(matches!(cache.claim(key(1)), Claim::Settled(Ok(None))));
        tokio::time::advance(Duration::from_secs(31)).await;
        assert!(
            matches!(cache.claim(key(1)), Claim::First(..)),
            "expired keys are claimed afresh"
        );
        let two = first(cache.claim(key(2)));
        let three = first(cache.claim(key(3)));
        assert_eq!(cache.len(), 2, "a full cache forgets its oldest entry");
        cache.settle(two, Err(Panicked));
        cache.settle(three, Ok(None));
        assert!(matches!(cache.claim(key(3)), Claim::Settled(Ok(None))));
        assert!(matches!(cache.claim(key(2)), Claim::Settled(Err(Panicked))));
    }

    #[tokio::test(start_paused = true)]
    async fn a_large_cache_is_sharded_and_still_bounded() {
        let cache = DedupeCache::new(Duration::from_secs(30), 4096);
        assert_eq!(cache.shards.count(), SHARDS);
        let ids: Vec<EntryId> = (0..10_000).map(|n| first(cache.claim(key(n)))).collect();
        assert!(
            cache.len() <= 4096,
            "at most the capacity is remembered: {}",
            cache.len()
        );
        assert!(cache.len() > 4096 - SHARDS * 32, "shards fill evenly: {}", cache.len());
        let last = *ids.last().expect("claims");
        assert!(matches!(cache.claim(key(9_999)), Claim::Running(..)));
        cache.settle(last, Ok(Some(Arc::from("<xml/>"))));
        assert!(matches!(cache.claim(key(9_999)), Claim::Settled(Ok(Some(_)))));
        assert!(
            matches!(cache.claim(key(0)), Claim::First(..)),
            "the oldest were forgotten"
        );
    }

    #[tokio::test]
    async fn waiting_retries_get_the_outcome_and_an_evicted_claim_settles_nothing() {
        let cache = Arc::new(DedupeCache::new(Duration::from_secs(30), 1));
        let one = first(cache.claim(key(1)));
        let Claim::Running(retry) = cache.claim(key(1)) else {
            panic!("expected a running claim")
        };
        let waiting = tokio::spawn(retry.wait());
        cache.settle(one, Ok(Some(Arc::from("<xml/>"))));
        let outcome = waiting.await.expect("retry task");
        assert_eq!(outcome.ok().flatten().as_deref(), Some("<xml/>"));

        let evicted = first(cache.claim(key(2)));
        let newer = first(cache.claim(key(2 + 1)));
        let again = first(cache.claim(key(2)));
        cache.settle(evicted, Ok(Some(Arc::from("stale"))));
        assert!(
            matches!(cache.claim(key(2)), Claim::Running(..)),
            "the evicted claim's outcome must not land on the newer entry for the same key"
        );
        assert_ne!(evicted, again);
        cache.settle(newer, Ok(None));
    }
}
