//! Reloaded callbacks. A code is single-use: a second exchange gets 40163. A user who reloads the callback
//! page (or whose browser retries it) replays the same `code` and `state`, so the first result is kept for
//! the code's lifetime (5 minutes) and handed out again — bound to the `state` it came with, so the cache
//! never serves a session to a request whose CSRF state differs. Concurrent replays share one exchange.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};
use tokio::sync::OnceCell;

/// How long WeChat accepts a code, so how long a replay can come.
pub const CODE_LIFETIME: Duration = Duration::from_secs(300);

struct Entry<T> {
    state: String,
    created: Instant,
    cell: Arc<OnceCell<T>>,
}

/// code → the session its exchange produced. Bounded: expired entries are swept, a failed exchange leaves
/// nothing behind, and past `capacity` the oldest goes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use wx_server::oauth::replay::ReplayCache;
/// let cache = ReplayCache::<String>::new(100);
/// let first = cache.get_or_exchange("code1", "state1", || async { Ok::<_, ()>("session".to_owned()) }).await;
/// let again = cache.get_or_exchange("code1", "state1", || async { Err(()) }).await; // not called again
/// assert_eq!((first, again), (Ok(Some("session".to_owned())), Ok(Some("session".to_owned()))));
/// // Another state with the same code: no session from the cache.
/// assert_eq!(cache.get_or_exchange("code1", "evil", || async { Err::<String, _>(()) }).await, Ok(None));
/// # }
/// ```
pub struct ReplayCache<T> {
    entries: Mutex<HashMap<String, Entry<T>>>,
    capacity: usize,
}

impl<T: Clone> ReplayCache<T> {
    /// An empty cache of at most `capacity` codes.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The result for `code`: the cached one, or `exchange()`'s (cached only on success).
    /// `Ok(None)` when the code was seen with another `state`.
    ///
    /// # Errors
    /// `exchange`'s error (not cached: the next replay tries again and gets WeChat's verdict).
    pub async fn get_or_exchange<E, F, Fut>(&self, code: &str, state: &str, exchange: F) -> Result<Option<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            entries.retain(|_, e| now.duration_since(e.created) < CODE_LIFETIME);
            if !entries.contains_key(code) && entries.len() >= self.capacity {
                let oldest = entries.iter().min_by_key(|(_, e)| e.created).map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    entries.remove(&k);
                }
            }
            let entry = entries.entry(code.to_owned()).or_insert_with(|| Entry {
                state: state.to_owned(),
                created: now,
                cell: Arc::new(OnceCell::new()),
            });
            if entry.state != state {
                return Ok(None);
            }
            entry.cell.clone()
        };
        let result = cell.get_or_try_init(exchange).await.map(|v| Some(v.clone()));
        if result.is_err() {
            // A failed exchange keeps no slot: a flood of junk codes must not push real sessions out.
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if entries
                .get(code)
                .is_some_and(|e| Arc::ptr_eq(&e.cell, &cell) && e.cell.get().is_none())
            {
                entries.remove(code);
            }
        }
        result
    }
}
