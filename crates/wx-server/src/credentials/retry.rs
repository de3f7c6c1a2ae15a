//! Bounded retries with exponential backoff for transient WeChat failures.

use crate::wechat::{Issued, UpstreamError};
use std::{future::Future, time::Duration};

const RETRIES: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// Calls `f` up to [`RETRIES`] times while it fails transiently, doubling the pause each time.
pub(super) async fn with_retries<F, Fut>(mut f: F) -> Result<Issued, UpstreamError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Issued, UpstreamError>>,
{
    let mut pause = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        match f().await {
            Err(e) if e.is_transient() && attempt < RETRIES => {
                tracing::warn!(
                    "WeChat call failed ({e}); retry {attempt} of {} in {pause:?}",
                    RETRIES - 1
                );
                tokio::time::sleep(pause).await;
                pause *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}
