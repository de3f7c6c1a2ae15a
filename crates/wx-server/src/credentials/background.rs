//! The background refresh-ahead task: sleeps until the earliest credential is due (10% of its lifetime
//! before expiry, at most 5 minutes), refreshes it, and backs off when WeChat fails. Requests keep
//! being served from memory meanwhile.

use super::CredentialService;
use crate::store::now_ms;
use std::time::Duration;

const MIN_PAUSE: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Runs until the task is aborted (the server does that on shutdown).
pub(crate) async fn run(service: CredentialService) {
    let mut failures: u32 = 0;
    loop {
        let Some(at) = service.next_refresh_at_ms() else {
            // Nothing cached yet: the first request fills the cache and wakes us.
            service.changed().await;
            continue;
        };
        let now = now_ms();
        if at > now {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(at - now)) => {}
                () = service.changed() => continue, // a refresh elsewhere moved the schedule
            }
        }
        match service.refresh_due().await {
            Ok(()) => {
                failures = 0;
                service.metrics().background_refresh(true);
                // WeChat may hand back a value that is already due (same credential, little time left):
                // never spin on it.
                if service.next_refresh_at_ms().is_some_and(|at| at <= now_ms()) {
                    tokio::time::sleep(MIN_PAUSE).await;
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                service.metrics().background_refresh(false);
                let pause = (MIN_PAUSE * 2u32.saturating_pow(failures.min(6))).min(MAX_BACKOFF);
                tracing::warn!("background refresh failed: {e}; next attempt in {pause:?}, serving cached values");
                tokio::time::sleep(pause).await;
            }
        }
    }
}
