//! The bounded TTL cache behind "the handler runs once per push": the first delivery claims the key and runs
//! the handler; every retry inside the TTL shares the same outcome instead of running it again.
//!
//! A push costs one map entry and nothing else: the first delivery writes its outcome back into its entry, and
//! only a retry that arrives while the handler still runs creates something to wait on.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::detach::Panicked;
use crate::message::DedupeKey;

/// The XML of a passive reply, or `None` for `success`. Shared, since every retry answers with it.
pub(crate) type Outcome = Option<Arc<str>>;

/// What [`DedupeCache::claim`] found.
pub(crate) enum Claim {
    /// The first delivery: run the handler and [`finish`](Pending::finish) with its outcome.
    First(Pending),
    /// A retry while the first delivery's handler runs: [`wait`](Running::wait) for its outcome.
    Running(Running),
    /// A retry after the first delivery finished (or panicked, `Err`).
    Settled(Result<Outcome, Panicked>),
}

pub(crate) struct DedupeCache {
    inner: Mutex<Inner>,
    ttl: Duration,
    capacity: usize,
}

#[derive(Default)]
struct Inner {
    /// The key is shared with `order` and with the first delivery's [`Pending`]: one allocation per push, and
    /// its address tells this entry apart from a later one for the same key (after an eviction).
    slots: HashMap<Arc<DedupeKey>, Slot>,
    /// Keys in insertion order; with one TTL for all, that is also expiry order.
    order: VecDeque<(Instant, Arc<DedupeKey>)>,
    /// When "cache full" was last logged: once per TTL, not once per push (a flood at high push rates).
    warned_full: Option<Instant>,
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
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            ttl,
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the maps inconsistent in a way that matters (worst case
        // a key is forgotten early), so a poisoned lock is used as is.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn claim(self: &Arc<Self>, key: DedupeKey) -> Claim {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.expire(|at| now.duration_since(at) >= self.ttl);
        if let Some(slot) = inner.slots.get_mut(&key) {
            return match slot {
                Slot::Settled(outcome) => Claim::Settled(outcome.clone()),
                Slot::Running(shared) => Claim::Running(Running(Arc::clone(shared.get_or_insert_default()))),
            };
        }
        if inner.slots.len() >= self.capacity {
            // Full of live entries: forget the oldest. A retry of it would run the handler again, which the
            // capacity (far above WeChat's retry window × push rate) makes rare.
            if inner.warned_full.is_none_or(|at| now.duration_since(at) >= self.ttl) {
                inner.warned_full = Some(now);
                tracing::warn!(
                    capacity = self.capacity,
                    "push de-duplication cache full; forgetting the oldest pushes (logged once per TTL)"
                );
            }
            let mut first = true;
            inner.expire(|_| std::mem::take(&mut first));
        }
        let key = Arc::new(key);
        inner.slots.insert(Arc::clone(&key), Slot::Running(None));
        inner.order.push_back((now, Arc::clone(&key)));
        Claim::First(Pending {
            cache: Arc::clone(self),
            key: Some(key),
        })
    }

    /// Records the first delivery's outcome in its own entry (not in one claimed after it was evicted).
    fn settle(&self, key: &Arc<DedupeKey>, outcome: Result<Outcome, Panicked>) {
        let mut inner = self.lock();
        let ours = inner
            .slots
            .get_key_value(&**key)
            .is_some_and(|(k, _)| Arc::ptr_eq(k, key));
        // Not ours: evicted while the handler ran (and perhaps claimed afresh since); nobody can find it any more.
        let Some(slot) = inner.slots.get_mut(&**key).filter(|_| ours) else {
            return;
        };
        if let Slot::Running(Some(shared)) = std::mem::replace(slot, Slot::Settled(outcome.clone())) {
            drop(inner);
            let _ = shared.outcome.set(outcome);
            shared.settled.notify_waiters();
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().slots.len()
    }
}

/// The first delivery's claim. Dropped without [`finish`](Self::finish) (the handler panicked), it settles the
/// entry as [`Panicked`], so retries answer `success` at once instead of waiting for the deadline.
pub(crate) struct Pending {
    cache: Arc<DedupeCache>,
    key: Option<Arc<DedupeKey>>,
}

impl Pending {
    pub(crate) fn finish(mut self, outcome: Outcome) {
        if let Some(key) = self.key.take() {
            self.cache.settle(&key, Ok(outcome));
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.cache.settle(&key, Err(Panicked));
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
    /// Drops entries from the oldest while `stale(inserted_at)` holds. Every slot has exactly one `order` entry
    /// (a key is inserted only when absent, and removed only here), so the two stay in step.
    fn expire(&mut self, mut stale: impl FnMut(Instant) -> bool) {
        while let Some((at, _)) = self.order.front() {
            if !stale(*at) {
                break;
            }
            if let Some((_, key)) = self.order.pop_front() {
                self.slots.remove(&*key);
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

    fn first(claim: Claim) -> Pending {
        match claim {
            Claim::First(pending) => pending,
            _ => panic!("expected a first delivery"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn entries_expire_after_the_ttl_and_capacity_bounds_the_cache() {
        let cache = Arc::new(DedupeCache::new(Duration::from_secs(30), 2));
        let one = first(cache.claim(key(1)));
        assert!(matches!(cache.claim(key(1)), Claim::Running(..)));
        one.finish(None);
        assert!(matches!(cache.claim(key(1)), Claim::Settled(Ok(None))));
        tokio::time::advance(Duration::from_secs(31)).await;
        assert!(
            matches!(cache.claim(key(1)), Claim::First(..)),
            "expired keys are claimed afresh"
        );
        assert!(matches!(cache.claim(key(2)), Claim::First(..)));
        assert!(
            matches!(cache.claim(key(3)), Claim::First(..)),
            "a full cache forgets its oldest entry"
        );
        assert_eq!(cache.len(), 2);
        // The two first claims above were dropped unfinished, as a panicking handler's are: settled as `Panicked`.
        assert!(matches!(cache.claim(key(3)), Claim::Settled(Err(Panicked))));
        assert!(matches!(cache.claim(key(2)), Claim::Settled(Err(Panicked))));
    }

    #[tokio::test]
    async fn waiting_retries_get_the_outcome_and_an_evicted_claim_settles_nothing() {
        let cache = Arc::new(DedupeCache::new(Duration::from_secs(30), 1));
        let one = first(cache.claim(key(1)));
        let Claim::Running(retry) = cache.claim(key(1)) else {
            panic!("expected a running claim")
        };
        let waiting = tokio::spawn(retry.wait());
        one.finish(Some(Arc::from("<xml/>")));
        let outcome = waiting.await.expect("retry task");
        assert_eq!(outcome.ok().flatten().as_deref(), Some("<xml/>"));

        let evicted = first(cache.claim(key(2)));
        let newer = first(cache.claim(key(2 + 1)));
        let again = first(cache.claim(key(2)));
        evicted.finish(Some(Arc::from("stale")));
        assert!(
            matches!(cache.claim(key(2)), Claim::Running(..)),
            "the evicted claim's outcome must not land on the newer entry for the same key"
        );
        drop((newer, again));
    }
}
