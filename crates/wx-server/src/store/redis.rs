//! The Redis store: instances share one access_token and one jsapi_ticket, and a `SET NX PX` lock with a
//! lease makes one instance refresh while the others wait for its result.

use super::{Cached, CredentialStore, StoreError, StoreFuture};
use crate::Secret;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::{
    sync::{Mutex, PoisonError},
    time::Duration,
};

// Compare-and-delete: the value (or the lock owner) must still be ours, atomically.
const REMOVE_IF_VALUE: &str = r#"
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, v = pcall(cjson.decode, raw)
if ok and v['value'] == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;
const UNLOCK_IF_OWNER: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// Keeps credentials in Redis (`WX_STORE=redis://host:port/db`), shared by every instance.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_server::store::StoreError> {
/// use wx_server::store::{CredentialStore, RedisStore};
/// let store = RedisStore::connect("redis://127.0.0.1:6379/0").await?;
/// let cached = store.load("wxkit:wx1234567890abcdef:jsapi_ticket").await?;
/// # let _ = cached; Ok(()) }
/// ```
///
/// Values are JSON under their key, with a TTL equal to their remaining lifetime. Operations time out
/// after one second; the connection is re-established in the background after Redis comes back. If Redis
/// is unreachable at start-up, the store still opens (every operation then fails until Redis answers, and
/// the service serves from memory): an instance can start during a Redis outage.
pub struct RedisStore {
    client: redis::Client,
    conn: Mutex<Option<ConnectionManager>>,
    described: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.described)
            .finish_non_exhaustive()
    }
}

fn redis_err(e: redis::RedisError) -> StoreError {
    StoreError::Redis(e.to_string())
}

impl RedisStore {
    /// Opens a store on `url` (`redis://[:password@]host:port[/db]`) and tries to connect once.
    ///
    /// # Errors
    /// [`StoreError::Redis`] when the URL is invalid. An unreachable Redis is not an error here: the
    /// connection is retried on each operation.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(redis_err)?;
        let store = Self {
            client,
            conn: Mutex::new(None),
            described: describe_url(url),
        };
        if let Err(e) = store.connection().await {
            tracing::warn!(
                "credential store {} unreachable at start-up ({e}); serving from memory until it answers",
                store.described
            );
        }
        Ok(store)
    }

    /// The shared connection manager, connecting first if there is none yet.
    pub(super) async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        if let Some(conn) = self.conn.lock().unwrap_or_else(PoisonError::into_inner).clone() {
            return Ok(conn);
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let conn = self
            .client
            .get_connection_manager_with_config(config)
            .await
            .map_err(redis_err)?;
        *self.conn.lock().unwrap_or_else(PoisonError::into_inner) = Some(conn.clone());
        Ok(conn)
    }
}

impl RedisStore {
    /// Runs `op` on the shared connection (connecting first if needed), with Redis errors as [`StoreError`]s.
    pub(crate) async fn run<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let conn = self.connection().await?;
        op(conn).await.map_err(redis_err)
    }
}

/// The URL without its password, for logs.
fn describe_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "redis://(unparseable)".into(),
    }
}

impl CredentialStore for RedisStore {
    fn describe(&self) -> String {
        self.described.clone()
    }

    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Cached>> {
        Box::pin(async move {
            let mut conn = self.connection().await?;
            let raw: Option<String> = redis::cmd("GET")
                .arg(key)
                .query_async(&mut conn)
                .await
                .map_err(redis_err)?;
            raw.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::corrupt(key.to_owned(), &e)))
                .transpose()
        })
    }

    fn save<'a>(&'a self, key: &'a str, value: &'a Cached) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let json = serde_json::to_string(value).map_err(|e| StoreError::corrupt(key.to_owned(), &e))?;
            let ttl_ms = value.expires_at_ms.saturating_sub(super::now_ms()).max(1);
            let mut conn = self.connection().await?;
            redis::cmd("SET")
                .arg(key)
                .arg(json)
                .arg("PX")
                .arg(ttl_ms)
                .query_async::<()>(&mut conn)
                .await
                .map_err(redis_err)
        })
    }

    fn remove_if<'a>(&'a self, key: &'a str, expected: &'a Secret) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut conn = self.connection().await?;
            let n: i64 = redis::Script::new(REMOVE_IF_VALUE)
                .key(key)
                .arg(expected.expose())
                .invoke_async(&mut conn)
                .await
                .map_err(redis_err)?;
            Ok(n == 1)
        })
    }

    fn try_lock<'a>(&'a self, name: &'a str, owner: &'a str, lease: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut conn = self.connection().await?;
            let ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX / 4).max(1);
            let set: Option<String> = redis::cmd("SET")
                .arg(name)
                .arg(owner)
                .arg("NX")
                .arg("PX")
                .arg(ms)
                .query_async(&mut conn)
                .await
                .map_err(redis_err)?;
            Ok(set.is_some())
        })
    }

    fn unlock<'a>(&'a self, name: &'a str, owner: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut conn = self.connection().await?;
            redis::Script::new(UNLOCK_IF_OWNER)
                .key(name)
                .arg(owner)
                .invoke_async::<i64>(&mut conn)
                .await
                .map(|_| ())
                .map_err(redis_err)
        })
    }
}
