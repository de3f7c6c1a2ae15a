//! Callbacks seen before, so that each costs WeChat at most one `sns/oauth2/access_token` call.
//!
//! - **Reloads.** A code is single-use: a second exchange gets 40163. A user who reloads the callback page (or
//!   whose browser retries it) replays the same `code` and `state`, so the first result is kept for the code's
//!   lifetime (5 minutes) and handed out again — bound to the `state` it came with, so the cache never serves a
//!   session to a request whose CSRF state differs. Concurrent replays share one exchange.
//! - **Failed codes** are remembered for the same 5 minutes, under any state: repeating one gets the same
//!   failure without another call.
//! - **States are single-use.** Once a callback with a state has started an exchange (whatever came of it),
//!   that state starts no other, for the state cookie's lifetime (10 minutes): one state cookie cannot be
//!   replayed with a stream of made-up codes.
//!
//! Memory is bounded: expired entries are swept, and past `capacity` the oldest go (failed codes before
//! sessions, so a flood of made-up codes cannot push real sessions out). Everything is per process: another
//! instance behind the same load balancer has its own.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};
use tokio::sync::OnceCell;

/// How long WeChat accepts a code, so how long a replay can come and a failure is remembered.
pub const CODE_LIFETIME: Duration = Duration::from_secs(300);

/// How long a used state is remembered: the lifetime of the state cookie that carries it.
pub const STATE_LIFETIME: Duration = Duration::from_secs(600);

/// What a callback's `(code, state)` gets from [`ReplayCache::exchange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T, E> {
    /// This callback's own exchange (its result is now remembered).
    Exchanged(Result<T, E>),
    /// A result remembered from before, without an exchange: this code and state's (a reload), or the
    /// failure of this code under any state.
    Replayed(Result<T, E>),
    /// The code was exchanged under another state (or is being exchanged): nothing from the cache, no exchange.
    OtherState,
    /// This state already started an exchange with another code: no exchange; sign-in must start again.
    StateUsed,
    /// `admit` refused a new exchange; it may be tried again after this long.
    Refused(Duration),
}

struct Entry<T, E> {
    state: String,
    created: Instant,
    cell: Arc<OnceCell<Result<T, E>>>,
}

impl<T, E> Entry<T, E> {
    fn failed(&self) -> bool {
        matches!(self.cell.get(), Some(Err(_)))
    }
}

struct Inner<T, E> {
    /// code → its exchange.
    codes: HashMap<String, Entry<T, E>>,
    /// state → when it started its exchange.
    states: HashMap<String, Instant>,
    swept: Instant,
}

/// code → the result of its exchange, and the states that have started one.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use wx_server::oauth::replay::{Outcome, ReplayCache};
/// let cache = ReplayCache::<String, &str>::new(100);
/// let admit = || Ok(());
/// let first = cache.exchange("code1", "state1", admit, || async { Ok("session".to_owned()) }).await;
/// assert_eq!(first, Outcome::Exchanged(Ok("session".to_owned())));
/// // A reload: the remembered session, no exchange.
/// let again = cache.exchange("code1", "state1", admit, || async { Err("called") }).await;
/// assert_eq!(again, Outcome::Replayed(Ok("session".to_owned())));
/// // The same code with another state: no session from the cache.
/// assert_eq!(cache.exchange("code1", "evil", admit, || async { Err("called") }).await, Outcome::OtherState);
/// // The same state with another code: the state is spent.
/// assert_eq!(cache.exchange("code2", "state1", admit, || async { Err("called") }).await, Outcome::StateUsed);
/// // A failed code is remembered under any state.
/// let failed = cache.exchange("bogus", "state2", admit, || async { Err("40029") }).await;
/// assert_eq!(failed, Outcome::Exchanged(Err("40029")));
/// let repeated = cache.exchange("bogus", "state3", admit, || async { Err("called") }).await;
/// assert_eq!(repeated, Outcome::Replayed(Err("40029")));
/// # }
/// ```
pub struct ReplayCache<T, E> {
    inner: Mutex<Inner<T, E>>,
    capacity: usize,
}

impl<T: Clone, E: Clone> ReplayCache<T, E> {
    /// An empty cache of at most `capacity` codes and as many states. Codes and states are kept as given: the
    /// caller bounds their length (the callback route refuses a code over 128 bytes; its state is one it signed).
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                codes: HashMap::new(),
                states: HashMap::new(),
                swept: Instant::now(),
            }),
            capacity: capacity.max(1),
        }
    }

    /// The outcome for a callback with `code` and `state`: a remembered result, a refusal, or — when neither
    /// the code nor the state has been seen and `admit()` agrees — `exchange()`'s result, remembered.
    /// `admit` is called only when an exchange would start (that is what it limits), under the cache's lock.
    pub async fn exchange<F, Fut>(
        &self,
        code: &str,
        state: &str,
        admit: impl FnOnce() -> Result<(), Duration>,
        exchange: F,
    ) -> Outcome<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let (cell, fresh) = {
            let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            self.sweep(&mut inner, now);
            match inner.codes.get(code) {
                Some(entry) if entry.state == state => (entry.cell.clone(), false),
                Some(entry) => {
                    return match entry.cell.get() {
                        Some(Err(e)) => Outcome::Replayed(Err(e.clone())),
                        _ => Outcome::OtherState,
                    };
                }
                // Also a reload whose entry expired or was pushed out: the code is spent by now.
                None if inner.states.contains_key(state) => return Outcome::StateUsed,
                None => {
                    if let Err(wait) = admit() {
                        return Outcome::Refused(wait);
                    }
                    self.make_room(&mut inner);
                    let cell = Arc::new(OnceCell::new());
                    inner.codes.insert(
                        code.to_owned(),
                        Entry {
                            state: state.to_owned(),
                            created: now,
                            cell: cell.clone(),
                        },
                    );
                    inner.states.insert(state.to_owned(), now);
                    (cell, true)
                }
            }
        };
        // Failures are kept too: whoever comes next with this code gets this result, not another call.
        let result = cell.get_or_init(exchange).await.clone();
        if fresh {
            Outcome::Exchanged(result)
        } else {
            Outcome::Replayed(result)
        }
    }

    /// Drops what has expired: at most once a second, or when full.
    fn sweep(&self, inner: &mut Inner<T, E>, now: Instant) {
        let full = inner.codes.len() >= self.capacity || inner.states.len() >= self.capacity;
        if !full && now.duration_since(inner.swept) < Duration::from_secs(1) {
            return;
        }
        inner.swept = now;
        inner.codes.retain(|_, e| now.duration_since(e.created) < CODE_LIFETIME);
        inner.states.retain(|_, at| now.duration_since(*at) < STATE_LIFETIME);
    }

    /// Room for one more code and state: the oldest failed code goes first, then the oldest code; the oldest state.
    fn make_room(&self, inner: &mut Inner<T, E>) {
        if inner.codes.len() >= self.capacity {
            let oldest_failed = inner
                .codes
                .iter()
                .filter(|(_, e)| e.failed())
                .min_by_key(|(_, e)| e.created)
                .map(|(k, _)| k.clone());
            let victim = oldest_failed.or_else(|| {
                inner
                    .codes
                    .iter()
                    .min_by_key(|(_, e)| e.created)
                    .map(|(k, _)| k.clone())
            });
            if let Some(k) = victim {
                inner.codes.remove(&k);
            }
        }
        if inner.states.len() >= self.capacity
            && let Some(k) = inner.states.iter().min_by_key(|(_, at)| **at).map(|(k, _)| k.clone())
        {
            inner.states.remove(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn failed_exchanges_do_not_push_real_sessions_out() {
        let cache = ReplayCache::<String, ()>::new(2);
        let admit = || Ok(());
        let first = cache
            .exchange("real", "s", admit, || async { Ok("session".to_owned()) })
            .await;
        assert_eq!(first, Outcome::Exchanged(Ok("session".to_owned())));
        for junk in 0..10 {
            let failed = cache
                .exchange(&format!("junk{junk}"), &format!("s{junk}"), admit, || async { Err(()) })
                .await;
            assert_eq!(failed, Outcome::Exchanged(Err(())));
        }
        // The reload still gets its session from the cache (an exchange now would fail: the code is used).
        let reload = cache.exchange("real", "s", admit, || async { Err(()) }).await;
        assert_eq!(reload, Outcome::Replayed(Ok("session".to_owned())));
    }

    #[tokio::test]
    async fn a_refused_exchange_spends_neither_the_code_nor_the_state() {
        let cache = ReplayCache::<String, ()>::new(10);
        let refused = cache
            .exchange(
                "c",
                "s",
                || Err(Duration::from_secs(2)),
                || async { Ok("x".to_owned()) },
            )
            .await;
        assert_eq!(refused, Outcome::Refused(Duration::from_secs(2)));
        let later = cache
            .exchange("c", "s", || Ok(()), || async { Ok("x".to_owned()) })
            .await;
        assert_eq!(later, Outcome::Exchanged(Ok("x".to_owned())));
    }
}
