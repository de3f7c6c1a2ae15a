//! Waiting for something to hold, within a time limit.

use std::time::{Duration, Instant};

/// How often [`eventually`] asks.
const POLL: Duration = Duration::from_millis(50);

/// What [`eventually`] waited for did not come within its time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedOut {
    /// What was waited for.
    pub what: String,
    /// How long.
    pub after: Duration,
}

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "timed out after {:?} waiting for {}", self.after, self.what)
    }
}

impl std::error::Error for TimedOut {}

/// Asks `f` every 50 ms until it returns `Some`, or fails after `timeout` naming `what`.
///
/// # Errors
/// [`TimedOut`] when `f` still returns `None` after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut f: F) -> Result<T, TimedOut>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return Ok(v);
        }
        if start.elapsed() > timeout {
            return Err(TimedOut {
                what: what.to_owned(),
                after: timeout,
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The blocking kind, for threads and synchronous tests: asks `f` every `interval` until it returns `Some`;
/// `None` once `timeout` has passed.
pub fn poll_until<T>(timeout: Duration, interval: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn eventually_names_what_never_came() {
        let e = eventually(Duration::from_millis(100), "godot", || async { None::<()> })
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), "timed out after 100ms waiting for godot");
        let mut n = 0;
        let got = eventually(Duration::from_secs(5), "the third try", || {
            n += 1;
            let n = n;
            async move { (n == 3).then_some(n) }
        })
        .await;
        assert_eq!(got, Ok(3));
    }
}
