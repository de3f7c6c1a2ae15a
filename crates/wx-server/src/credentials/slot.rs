//! One cached credential (memory value + single-flight mutex + store key) and what a refresh may adopt
//! from the shared store instead of calling WeChat.

use super::CredentialError;
use crate::{Secret, metrics::UpstreamKind, store::Cached, wechat::UpstreamError};
use std::{
    sync::{Mutex, PoisonError, RwLock},
    time::{Duration, Instant},
};

/// After a failed refresh, requests get the same error without calling WeChat for this long, so an
/// outage or a configuration error costs WeChat one attempt per hold, not one per request.
const HOLD_TRANSIENT: Duration = Duration::from_secs(2);
const HOLD_PERMANENT: Duration = Duration::from_secs(10);

/// What a refresh accepts from the shared store instead of calling WeChat.
#[derive(Clone)]
pub(super) enum Accept {
    /// Anything still usable (a request on a cold or stale cache).
    Usable,
    /// Anything not yet due for refresh (the background refresh-ahead).
    NotDue,
    /// Only a usable value other than this one (a forced refresh).
    Replacing(Option<Secret>),
}

impl Accept {
    pub(super) fn takes(&self, c: &Cached, now: u64) -> bool {
        match self {
            Self::Usable => c.is_usable(now),
            Self::NotDue => !c.is_due(now),
            Self::Replacing(old) => c.is_usable(now) && old.as_ref() != Some(&c.value),
        }
    }
}

pub(super) struct Slot {
    pub(super) kind: UpstreamKind,
    pub(super) name: &'static str,
    pub(super) key: String,
    pub(super) lock: String,
    pub(super) cached: RwLock<Option<Cached>>,
    pub(super) flight: tokio::sync::Mutex<()>,
    failure: Mutex<Option<(Instant, CredentialError)>>,
}

impl Slot {
    pub(super) fn new(kind: UpstreamKind, name: &'static str, key: String) -> Self {
        let lock = format!("{key}:lock");
        Self {
            kind,
            name,
            key,
            lock,
            cached: RwLock::new(None),
            flight: tokio::sync::Mutex::new(()),
            failure: Mutex::new(None),
        }
    }

    pub(super) fn current(&self) -> Option<Cached> {
        self.cached.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(super) fn set(&self, c: Cached) {
        *self.cached.write().unwrap_or_else(PoisonError::into_inner) = Some(c);
        *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Remembers a failed request-path refresh (see [`HOLD_TRANSIENT`]).
    pub(super) fn failed(&self, e: &CredentialError) {
        *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), e.clone()));
    }

    /// The last failure, while it is still held.
    pub(super) fn held_failure(&self) -> Option<CredentialError> {
        let failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        failure.as_ref().and_then(|(at, e)| {
            let hold = if e.source.is_transient() {
                HOLD_TRANSIENT
            } else {
                HOLD_PERMANENT
            };
            (at.elapsed() < hold).then(|| e.clone())
        })
    }

    pub(super) fn err(&self, source: UpstreamError) -> CredentialError {
        CredentialError {
            credential: self.name,
            source,
        }
    }
}
