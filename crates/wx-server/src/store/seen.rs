//! The shared half of push replay protection ([`wx_push::ReplayStore`]): every accepted `/wechat` request is
//! recorded where the other instances (Redis) or processes (the credential file's directory) see it, so a request
//! captured at one cannot be sent again to another. The memory store has none: its process's own memory (in
//! wx-push) is all there is to share.

#[cfg(feature = "redis")]
use super::{CredentialStore, RedisStore};
use super::{
    FileStore, StoreError,
    file::{blocking, suffixed},
};
use crate::Metrics;
use std::{
    path::PathBuf,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant, SystemTime},
};
use wx_push::{ReplayFuture, ReplayStore, ReplayStoreError};

/// How often the file-backed record drops markers older than their TTL.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Accepted requests in Redis: `SET wxkit:<appid>:seen:<key> seen NX PX <ttl>`, one round trip per push.
#[cfg(feature = "redis")]
pub(crate) struct RedisSeen {
    store: Arc<RedisStore>,
    prefix: String,
    metrics: Arc<Metrics>,
}

#[cfg(feature = "redis")]
impl RedisSeen {
    pub(crate) fn new(store: Arc<RedisStore>, appid: &str, metrics: Arc<Metrics>) -> Self {
        Self {
            store,
            prefix: format!("wxkit:{appid}:seen:"),
            metrics,
        }
    }
}

#[cfg(feature = "redis")]
impl ReplayStore for RedisSeen {
    fn first_sighting<'a>(&'a self, key: &'a str, ttl: Duration) -> ReplayFuture<'a> {
        Box::pin(async move {
            // A lock that is never released is exactly `SET key owner NX PX ttl`.
            let first = self.store.try_lock(&format!("{}{key}", self.prefix), "seen", ttl).await;
            counted(&self.metrics, first)
        })
    }
}

/// Accepted requests as empty marker files in `<credential file>.seen/` (another account's in
/// `<credential file>.<name>.seen/`), created exclusively (the first
/// creator wins, across processes); markers past their TTL are swept once a minute. A marker that outlived its
/// TTL needs no check: its request's timestamp can no longer pass the window.
pub(crate) struct FileSeen {
    dir: PathBuf,
    last_sweep: Arc<Mutex<Option<Instant>>>,
    metrics: Arc<Metrics>,
}

impl FileSeen {
    /// The record of `account`'s pushes: `<file>.seen/` for the default account, `<file>.<name>.seen/` for
    /// another (its signatures are its own Token's, but its markers are kept apart all the same).
    pub(crate) fn new(store: &FileStore, account: &str, metrics: Arc<Metrics>) -> Self {
        let suffix = if account == crate::settings::DEFAULT_ACCOUNT {
            ".seen".to_owned()
        } else {
            format!(".{account}.seen")
        };
        Self {
            dir: suffixed(store.path(), &suffix),
            last_sweep: Arc::new(Mutex::new(None)),
            metrics,
        }
    }
}

impl ReplayStore for FileSeen {
    fn first_sighting<'a>(&'a self, key: &'a str, ttl: Duration) -> ReplayFuture<'a> {
        // Keys are `p:`/`e:` and hex digits; anything else is replaced, so a key never names another path.
        let name: String = key
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let (dir, last_sweep) = (self.dir.clone(), Arc::clone(&self.last_sweep));
        Box::pin(async move {
            let marked = blocking(move || {
                let io = |source: std::io::Error| StoreError::Io {
                    path: dir.display().to_string(),
                    source,
                };
                sweep_now(&last_sweep).then(|| sweep(&dir, ttl));
                std::fs::create_dir_all(&dir).map_err(io)?;
                match std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(dir.join(name))
                {
                    Ok(_) => Ok(true),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                    Err(e) => Err(io(e)),
                }
            })
            .await;
            counted(&self.metrics, marked)
        })
    }
}

/// True once a minute (for the caller that should sweep).
fn sweep_now(last: &Mutex<Option<Instant>>) -> bool {
    let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
    if last.is_some_and(|at| at.elapsed() < SWEEP_EVERY) {
        return false;
    }
    *last = Some(Instant::now());
    true
}

/// Removes markers older than `ttl`; best effort (another process may be sweeping too).
fn sweep(dir: &std::path::Path, ttl: Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|at| now.duration_since(at).is_ok_and(|age| age > ttl));
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A store failure is counted like the credential store's own (wx-push logs it and goes on).
fn counted(metrics: &Metrics, result: Result<bool, StoreError>) -> Result<bool, ReplayStoreError> {
    result.map_err(|e| {
        metrics.store_error();
        ReplayStoreError(e.to_string())
    })
}
