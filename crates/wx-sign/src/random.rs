//! The two inputs that are not pure: a fresh nonce and the current time. Kept apart from signing so that
//! signing stays deterministic and testable.

use crate::SignError;

/// Length of a nonce made by [`nonce`]: 16, like WeChat's own examples.
pub const NONCE_LEN: usize = 16;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh 16-character alphanumeric nonce from the platform's cryptographic RNG
/// (the OS on native targets, Web Crypto on wasm32).
///
/// ```
/// let n = wx_sign::nonce()?;
/// assert_eq!(n.len(), wx_sign::NONCE_LEN);
/// assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
/// # Ok::<(), wx_sign::SignError>(())
/// ```
///
/// # Errors
/// [`SignError::RandomUnavailable`] when the platform has no random source.
pub fn nonce() -> Result<String, SignError> {
    let mut out = String::with_capacity(NONCE_LEN);
    let mut buf = [0u8; 32];
    while out.len() < NONCE_LEN {
        getrandom::fill(&mut buf).map_err(|e| SignError::RandomUnavailable(e.to_string()))?;
        // Rejection sampling: 248 = 4 × 62, so accepted bytes map onto the alphabet without bias.
        for b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == NONCE_LEN {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

/// Seconds since the Unix epoch, the `timestamp` of `wx.config`.
///
/// ```
/// assert!(wx_sign::unix_timestamp() > 1_700_000_000);
/// ```
pub fn unix_timestamp() -> u64 {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        // std's clock panics on this target; the browser's clock is the one the page has.
        (js_sys::Date::now() / 1000.0) as u64
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}
