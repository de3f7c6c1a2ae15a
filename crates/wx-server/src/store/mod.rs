//! Where credentials live between requests, processes and instances: one small trait, three stores.
//!
//! | `WX_STORE` | store | shared by |
//! |---|---|---|
//! | `memory` | [`MemoryStore`] | this process only; lost on restart |
//! | `file:<path>` (default) | [`FileStore`] | processes on one machine; survives a restart |
//! | `redis://…` | `RedisStore` (the `redis` feature) | every instance using that Redis |
//!
//! A store holds [`Cached`] values under string keys and offers a lock with a lease (so one instance
//! refreshes while the others wait for its result) and a compare-and-swap delete (so a failed token is
//! only dropped if nobody replaced it meanwhile).

#[cfg(feature = "redis")]
mod claims;
mod file;
mod memory;
#[cfg(feature = "redis")]
mod redis;
pub(crate) mod seen;
pub(crate) mod sessions;

#[cfg(feature = "redis")]
pub use claims::RedisClaims;
pub use file::FileStore;
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::RedisStore;

use crate::Secret;
use serde::{Deserialize, Serialize};
use std::{future::Future, pin::Pin, time::Duration};

/// A credential with its expiry, as cached and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cached {
    /// The access_token or jsapi_ticket.
    pub value: Secret,
    /// When WeChat said it expires, in Unix milliseconds.
    pub expires_at_ms: u64,
    /// The lifetime WeChat announced (`expires_in`), in milliseconds; sets the refresh-ahead margin.
    pub lifetime_ms: u64,
}

impl Cached {
    /// A credential fetched at `now_ms` that lives `lifetime`.
    ///
    /// ```
    /// use wx_server::store::Cached;
    /// let c = Cached::new("T".into(), 1_000, std::time::Duration::from_secs(7200));
    /// assert_eq!(c.expires_at_ms, 7_201_000);
    /// assert_eq!(c.refresh_at_ms(), 7_201_000 - 300_000); // 5 minutes ahead for a 2-hour credential
    /// assert!(c.is_usable(7_000_000) && !c.is_usable(7_200_000));
    /// ```
    pub fn new(value: Secret, now_ms: u64, lifetime: Duration) -> Self {
        let lifetime_ms = u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX / 4);
        Self {
            value,
            expires_at_ms: now_ms.saturating_add(lifetime_ms),
            lifetime_ms,
        }
    }

    /// When the background task refreshes it: 10% of its lifetime before expiry, at most 5 minutes.
    pub fn refresh_at_ms(&self) -> u64 {
        self.expires_at_ms.saturating_sub((self.lifetime_ms / 10).min(300_000))
    }

    /// True while a request may still be signed with it: more than a small guard (5% of the lifetime,
    /// at most 60 s) before expiry, so a page never receives a signature that dies while it loads.
    pub fn is_usable(&self, now_ms: u64) -> bool {
        now_ms.saturating_add((self.lifetime_ms / 20).min(60_000)) < self.expires_at_ms
    }

    /// True until the moment WeChat said it expires (the last resort when WeChat is unavailable).
    pub fn is_unexpired(&self, now_ms: u64) -> bool {
        now_ms < self.expires_at_ms
    }

    /// True once the refresh-ahead point has passed.
    pub fn is_due(&self, now_ms: u64) -> bool {
        now_ms >= self.refresh_at_ms()
    }
}

/// Why a store operation failed. The service logs it, counts it and carries on from memory.
///
/// ```
/// let e = wx_server::store::StoreError::Redis("connection refused".into());
/// assert_eq!(e.to_string(), "redis: connection refused");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing the store file failed.
    #[error("credential file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Redis is unreachable or answered an error.
    #[error("redis: {0}")]
    Redis(String),
    /// A stored value could not be decoded (it is then ignored and overwritten).
    #[error("stored value under {key} is corrupt: {reason}")]
    Corrupt {
        /// The key.
        key: String,
        /// What was wrong, and where; never the stored text (it may hold a token).
        reason: String,
    },
}

impl StoreError {
    /// A value under `key` that JSON could not read or write. serde_json's own message quotes the offending
    /// value (`invalid type: string "<the token>"`), so only its category and position are kept.
    pub(crate) fn corrupt(key: impl Into<String>, error: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let what = match error.classify() {
            Category::Io => "cannot be read",
            Category::Syntax => "is not JSON",
            Category::Data => "has the wrong shape for a cached credential (an older wxkit, or written by hand?)",
            Category::Eof => "ends early",
        };
        Self::Corrupt {
            key: key.into(),
            reason: format!("the JSON {what} (line {}, column {})", error.line(), error.column()),
        }
    }
}

/// The future a store operation returns (boxed so the trait stays object-safe).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A place to keep credentials, shared by every request of a process and, depending on the store, by
/// processes and instances.
///
/// Keys are namespaced by the caller (`wxkit:<appid>:jsapi_ticket`). Implementations must be safe to call
/// concurrently. A `try_lock` lease expires on its own, so a crashed holder never blocks the others for
/// longer than the lease.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use std::time::Duration;
/// use wx_server::store::{CredentialStore, MemoryStore};
/// let store: Box<dyn CredentialStore> = Box::new(MemoryStore::default());
/// assert!(store.try_lock("refresh", "instance-a", Duration::from_secs(30)).await.unwrap());
/// assert!(!store.try_lock("refresh", "instance-b", Duration::from_secs(30)).await.unwrap());
/// store.unlock("refresh", "instance-a").await.unwrap();
/// # });
/// ```
pub trait CredentialStore: Send + Sync + 'static {
    /// A description for logs, without any password (`memory`, `file:/path`, `redis://host:port/db`).
    fn describe(&self) -> String;
    /// The value under `key`, if any (expired values may be returned; callers check).
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Cached>>;
    /// Stores `value` under `key`, replacing what was there.
    fn save<'a>(&'a self, key: &'a str, value: &'a Cached) -> StoreFuture<'a, ()>;
    /// Deletes `key` only if it still holds `expected` (compare-and-swap); true when it deleted.
    fn remove_if<'a>(&'a self, key: &'a str, expected: &'a Secret) -> StoreFuture<'a, bool>;
    /// Takes the lock `name` for `owner` for `lease` unless someone else holds an unexpired lease.
    fn try_lock<'a>(&'a self, name: &'a str, owner: &'a str, lease: Duration) -> StoreFuture<'a, bool>;
    /// Releases the lock `name` if `owner` still holds it.
    fn unlock<'a>(&'a self, name: &'a str, owner: &'a str) -> StoreFuture<'a, ()>;
}

/// Unix time in milliseconds.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
