//! A table split into locked shards, each on a cache line of its own, picked by a key's hash: pushes handled on
//! different threads seldom wait for the same lock, and neighbouring shards' locks taken on other threads do not
//! contend. The de-duplication cache and the replay memory are both made of these.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// `n` shards of `T`.
pub(crate) struct Shards<T> {
    shards: Box<[Shard<T>]>,
}

#[repr(align(128))]
#[derive(Default)]
struct Shard<T>(Mutex<T>);

impl<T: Default> Shards<T> {
    /// `n` (at least one) empty shards.
    pub(crate) fn new(n: usize) -> Self {
        Self {
            shards: (0..n.max(1)).map(|_| Shard::default()).collect(),
        }
    }
}

impl<T> Shards<T> {
    /// How many shards there are.
    pub(crate) fn count(&self) -> usize {
        self.shards.len()
    }

    /// The shard `hash` belongs to, locked. The high bits pick it: hashbrown places entries by the low ones and
    /// tags them with the top seven. A panic while holding a shard cannot leave it inconsistent in a way that
    /// matters here (at worst an entry is forgotten early), so a poisoned lock is used as is.
    pub(crate) fn lock(&self, hash: u64) -> MutexGuard<'_, T> {
        let shard = &self.shards[(hash >> 32) as usize % self.shards.len()];
        shard.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The sum of `f` over every shard (for tests).
    #[cfg(test)]
    pub(crate) fn sum(&self, f: impl Fn(&T) -> usize) -> usize {
        self.shards
            .iter()
            .map(|s| f(&s.0.lock().unwrap_or_else(PoisonError::into_inner)))
            .sum()
    }
}
