//! Followers' sessions ([`wx_rules::SessionStore`]) in the same kind of store as the credentials (`WX_STORE`):
//! memory (wx-rules' own), one file per follower beside the credential file, or Redis. A dialogue kept in the
//! file store survives a restart; in Redis it goes on at whichever instance the next message reaches.

#[cfg(feature = "redis")]
use super::RedisStore;
use super::{
    FileStore, StoreError,
    file::{blocking, suffixed},
};
use crate::Metrics;
use std::{path::PathBuf, sync::Arc, time::Duration};
use wx_rules::{SessionFuture, SessionStore, SessionStoreError};

/// Sessions in Redis: `SET <key> <session> PX <ttl>` and `GET`, one round trip each.
#[cfg(feature = "redis")]
pub(crate) struct RedisSessions {
    store: Arc<RedisStore>,
    metrics: Arc<Metrics>,
}

#[cfg(feature = "redis")]
impl RedisSessions {
    pub(crate) fn new(store: Arc<RedisStore>, metrics: Arc<Metrics>) -> Self {
        Self { store, metrics }
    }
}

#[cfg(feature = "redis")]
impl SessionStore for RedisSessions {
    fn describe(&self) -> String {
        use super::CredentialStore;
        self.store.describe()
    }

    fn load<'a>(&'a self, key: &'a str) -> SessionFuture<'a, Option<String>> {
        Box::pin(async move {
            let got = async {
                let mut conn = self.store.connection().await?;
                redis::cmd("GET")
                    .arg(key)
                    .query_async::<Option<String>>(&mut conn)
                    .await
                    .map_err(|e| StoreError::Redis(e.to_string()))
            }
            .await;
            counted(&self.metrics, got)
        })
    }

    fn save<'a>(&'a self, key: &'a str, session: &'a str, ttl: Duration) -> SessionFuture<'a, ()> {
        Box::pin(async move {
            let done = async {
                let mut conn = self.store.connection().await?;
                let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
                redis::cmd("SET")
                    .arg(key)
                    .arg(session)
                    .arg("PX")
                    .arg(ms)
                    .query_async::<()>(&mut conn)
                    .await
                    .map_err(|e| StoreError::Redis(e.to_string()))
            }
            .await;
            counted(&self.metrics, done)
        })
    }
}

/// Sessions as files in `<credential file>.sessions/`, one per follower (the key hex-encoded, so no key names
/// another path): the expiry in Unix milliseconds on the first line, the session after it. Written to a
/// temporary file and renamed, so a reader never sees half a session.
pub(crate) struct FileSessions {
    dir: PathBuf,
    metrics: Arc<Metrics>,
}

impl FileSessions {
    pub(crate) fn new(store: &FileStore, metrics: Arc<Metrics>) -> Self {
        Self {
            dir: suffixed(store.path(), ".sessions"),
            metrics,
        }
    }

    fn file(&self, key: &str) -> PathBuf {
        let name: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        self.dir.join(name)
    }
}

impl SessionStore for FileSessions {
    fn describe(&self) -> String {
        // Not `file:…`: that names the credential store in the start-up log.
        format!("files in {}", self.dir.display())
    }

    fn load<'a>(&'a self, key: &'a str) -> SessionFuture<'a, Option<String>> {
        let (file, dir) = (self.file(key), self.dir.clone());
        Box::pin(async move {
            let got = blocking(move || {
                let text = match std::fs::read_to_string(&file) {
                    Ok(text) => text,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(source) => {
                        return Err(StoreError::Io {
                            path: dir.display().to_string(),
                            source,
                        });
                    }
                };
                let (until, session) = text.split_once('\n').unwrap_or(("0", ""));
                if until.parse::<u64>().unwrap_or(0) <= super::now_ms() {
                    // Expired (or not ours): gone, as in Redis.
                    let _ = std::fs::remove_file(&file);
                    return Ok(None);
                }
                Ok(Some(session.to_owned()))
            })
            .await;
            counted(&self.metrics, got)
        })
    }

    fn save<'a>(&'a self, key: &'a str, session: &'a str, ttl: Duration) -> SessionFuture<'a, ()> {
        let (file, dir) = (self.file(key), self.dir.clone());
        let until = super::now_ms().saturating_add(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX / 2));
        let text = format!("{until}\n{session}");
        Box::pin(async move {
            let done = blocking(move || {
                let io = |source| StoreError::Io {
                    path: dir.display().to_string(),
                    source,
                };
                std::fs::create_dir_all(&dir).map_err(io)?;
                let unique: u64 = getrandom::u64().unwrap_or(0);
                let temporary = suffixed(&file, &format!(".{unique:016x}.tmp"));
                std::fs::write(&temporary, text).map_err(io)?;
                std::fs::rename(&temporary, &file).map_err(|e| {
                    let _ = std::fs::remove_file(&temporary);
                    io(e)
                })
            })
            .await;
            counted(&self.metrics, done)
        })
    }
}

/// A failure is counted like the credential store's own (the router logs it and answers without the session).
fn counted<T>(metrics: &Metrics, result: Result<T, StoreError>) -> Result<T, SessionStoreError> {
    result.map_err(|e| {
        metrics.store_error();
        SessionStoreError(e.to_string())
    })
}
