//! The shared half of push de-duplication ([`wx_push::ClaimStore`]) in Redis: the first instance to see a push
//! claims it with `SET NX PX` and leaves its reply under the claim, so WeChat's retry of it on any instance gets
//! that reply instead of running the handler again.

use super::{RedisStore, StoreError};
use crate::Metrics;
use std::{sync::Arc, time::Duration};
use wx_push::{ClaimFuture, ClaimStore, ClaimStoreError, Claimed};

/// The value of a claim whose handler still runs.
const RUNNING: &str = "?";
/// The prefix of a claim's value once replied: `=` and the reply's XML, or `-` alone for `success`.
const REPLIED: char = '=';
const SUCCESS: &str = "-";

/// Claims in Redis under `wxkit:<appid>:claim:<key>`: one round trip to claim a push (a script: the holder's
/// value, or the claim made), one to leave its reply (`SET … XX KEEPTTL`), and, only for a retry waiting for
/// another instance, one `GET` per poll.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_server::store::StoreError> {
/// use std::sync::Arc;
/// let redis = Arc::new(wx_server::store::RedisStore::connect("redis://127.0.0.1:6379/0").await?);
/// let claims = wx_server::store::RedisClaims::new(redis, "wx1234567890abcdef", Arc::default());
/// let service = wx_push::PushService::new(wx_push::PushVerifier::new("token", None), wx_push::DemoHandler)
///     .with_claim_store(Arc::new(claims));
/// # let _ = service; Ok(()) }
/// ```
pub struct RedisClaims {
    store: Arc<RedisStore>,
    prefix: String,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for RedisClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisClaims")
            .field("store", &self.store)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

// The holder's value, or the claim made (nil) when there was none: atomically, in one round trip.
const CLAIM: &str = r#"
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"#;

impl RedisClaims {
    /// Claims for the account `appid` in `store`; failures are counted in `metrics` like the store's own.
    pub fn new(store: Arc<RedisStore>, appid: &str, metrics: Arc<Metrics>) -> Self {
        Self {
            store,
            prefix: format!("wxkit:{appid}:claim:"),
            metrics,
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn counted<T>(&self, result: Result<T, StoreError>) -> Result<T, ClaimStoreError> {
        result.map_err(|e| {
            self.metrics.store_error();
            ClaimStoreError(e.to_string())
        })
    }
}

/// A stored value as what the holder left.
fn read(value: &str) -> Claimed {
    match value.strip_prefix(REPLIED) {
        Some(xml) => Claimed::Replied(Some(xml.to_owned())),
        None if value == SUCCESS => Claimed::Replied(None),
        // `?`, or anything this version does not write: still running, as far as a retry can tell.
        None => Claimed::Running,
    }
}

impl ClaimStore for RedisClaims {
    fn claim<'a>(&'a self, key: &'a str, ttl: Duration) -> ClaimFuture<'a, Option<Claimed>> {
        Box::pin(async move {
            let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX / 4).max(1);
            let held: Result<Option<String>, StoreError> = self
                .store
                .run(|mut conn| async move {
                    redis::Script::new(CLAIM)
                        .key(self.key(key))
                        .arg(RUNNING)
                        .arg(ms)
                        .invoke_async(&mut conn)
                        .await
                })
                .await;
            self.counted(held).map(|held| held.as_deref().map(read))
        })
    }

    fn reply<'a>(&'a self, key: &'a str, reply: Option<&'a str>) -> ClaimFuture<'a, ()> {
        Box::pin(async move {
            let value = match reply {
                Some(xml) => format!("{REPLIED}{xml}"),
                None => SUCCESS.to_owned(),
            };
            let set: Result<Option<String>, StoreError> = self
                .store
                .run(|mut conn| async move {
                    redis::cmd("SET")
                        .arg(self.key(key))
                        .arg(value)
                        .arg("XX")
                        .arg("KEEPTTL")
                        .query_async(&mut conn)
                        .await
                })
                .await;
            self.counted(set).map(drop)
        })
    }

    fn peek<'a>(&'a self, key: &'a str) -> ClaimFuture<'a, Option<Claimed>> {
        Box::pin(async move {
            let held: Result<Option<String>, StoreError> = self
                .store
                .run(|mut conn| async move { redis::cmd("GET").arg(self.key(key)).query_async(&mut conn).await })
                .await;
            self.counted(held).map(|held| held.as_deref().map(read))
        })
    }
}
