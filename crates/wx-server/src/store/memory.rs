//! The in-process store: a map behind a mutex.

use super::{Cached, CredentialStore, StoreFuture, now_ms};
use crate::Secret;
use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::Duration,
};

/// Keeps credentials in this process only (`WX_STORE=memory`): a restart fetches anew.
///
/// ```
/// # tokio_test_block_on(async {
/// use wx_server::store::{Cached, CredentialStore, MemoryStore};
/// let store = MemoryStore::default();
/// let c = Cached::new("T".into(), 0, std::time::Duration::from_secs(60));
/// store.save("k", &c).await.unwrap();
/// assert_eq!(store.load("k").await.unwrap(), Some(c));
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<String, Cached>>,
    locks: Mutex<HashMap<String, (String, u64)>>,
}

impl CredentialStore for MemoryStore {
    fn describe(&self) -> String {
        "memory".into()
    }

    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Cached>> {
        let v = self
            .values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned();
        Box::pin(async move { Ok(v) })
    }

    fn save<'a>(&'a self, key: &'a str, value: &'a Cached) -> StoreFuture<'a, ()> {
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), value.clone());
        Box::pin(async { Ok(()) })
    }

    fn remove_if<'a>(&'a self, key: &'a str, expected: &'a Secret) -> StoreFuture<'a, bool> {
        let mut map = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let removed = map.get(key).is_some_and(|c| &c.value == expected);
        if removed {
            map.remove(key);
        }
        Box::pin(async move { Ok(removed) })
    }

    fn try_lock<'a>(&'a self, name: &'a str, owner: &'a str, lease: Duration) -> StoreFuture<'a, bool> {
        let now = now_ms();
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        let free = locks.get(name).is_none_or(|(_, until)| *until <= now);
        if free {
            let until = now.saturating_add(u64::try_from(lease.as_millis()).unwrap_or(u64::MAX / 4));
            locks.insert(name.to_owned(), (owner.to_owned(), until));
        }
        Box::pin(async move { Ok(free) })
    }

    fn unlock<'a>(&'a self, name: &'a str, owner: &'a str) -> StoreFuture<'a, ()> {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        if locks.get(name).is_some_and(|(o, _)| o == owner) {
            locks.remove(name);
        }
        Box::pin(async { Ok(()) })
    }
}
