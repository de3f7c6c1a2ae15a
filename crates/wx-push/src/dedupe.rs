//! The bounded TTL cache behind "the handler runs once per push": the first delivery claims the key and runs
//! the handler; every retry inside the TTL waits on the same outcome instead of running it again.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use crate::message::DedupeKey;

/// The XML of a passive reply, or `None` for `success`. Shared, since every retry answers with it.
pub(crate) type Outcome = Option<Arc<str>>;

/// `None` while the handler runs; `Some(outcome)` once it finished.
pub(crate) type OutcomeRx = watch::Receiver<Option<Outcome>>;

/// What [`DedupeCache::claim`] found.
pub(crate) enum Claim {
    /// The first delivery: run the handler and send its outcome.
    First(watch::Sender<Option<Outcome>>),
    /// A retry: wait for the first delivery's outcome.
    Retry(OutcomeRx),
}

pub(crate) struct DedupeCache {
    inner: Mutex<Inner>,
    ttl: Duration,
    capacity: usize,
}

#[derive(Default)]
struct Inner {
    slots: HashMap<DedupeKey, (Instant, OutcomeRx)>,
    /// Keys in insertion order; with one TTL for all, that is also expiry order.
    order: VecDeque<(Instant, DedupeKey)>,
    /// When "cache full" was last logged: once per TTL, not once per push (a flood at high push rates).
    warned_full: Option<Instant>,
}

impl DedupeCache {
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            ttl,
            capacity: capacity.max(1),
        }
    }

    pub(crate) fn claim(&self, key: DedupeKey) -> Claim {
        let now = Instant::now();
        // A panic while holding this lock cannot leave the maps inconsistent in a way that matters (worst case
        // a key is forgotten early), so a poisoned lock is used as is.
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.expire(|at| now.duration_since(at) >= self.ttl);
        if let Some((_, rx)) = inner.slots.get(&key) {
            return Claim::Retry(rx.clone());
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
        let (tx, rx) = watch::channel(None);
        inner.slots.insert(key.clone(), (now, rx));
        inner.order.push_back((now, key));
        Claim::First(tx)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).slots.len()
    }
}

impl Inner {
    /// Drops entries from the oldest while `stale(inserted_at)` holds.
    fn expire(&mut self, mut stale: impl FnMut(Instant) -> bool) {
        while let Some((at, _)) = self.order.front() {
            if !stale(*at) {
                break;
            }
            if let Some((at, key)) = self.order.pop_front()
                && self.slots.get(&key).is_some_and(|(slot_at, _)| *slot_at == at)
            {
                self.slots.remove(&key);
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

    #[tokio::test(start_paused = true)]
    async fn entries_expire_after_the_ttl_and_capacity_bounds_the_cache() {
        let cache = DedupeCache::new(Duration::from_secs(30), 2);
        assert!(matches!(cache.claim(key(1)), Claim::First(..)));
        assert!(matches!(cache.claim(key(1)), Claim::Retry(..)));
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
        assert!(matches!(cache.claim(key(3)), Claim::Retry(..)));
        assert!(matches!(cache.claim(key(2)), Claim::Retry(..)));
    }
}
