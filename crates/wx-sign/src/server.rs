//! The server URL check and the `msg_signature` of encrypted pushes.

use crate::{SignError, digest::Sha1Hex, jsapi::require};

/// The `signature` WeChat sends to the account's server URL: SHA-1 of the sorted concatenation of
/// `token`, `timestamp` and `nonce`.
///
/// ```
/// let sig = wx_sign::server_signature("token", "1700000000", "nonce")?;
/// assert!(wx_sign::verify_server_signature("token", "1700000000", "nonce", &sig));
/// # Ok::<(), wx_sign::SignError>(())
/// ```
///
/// # Errors
/// [`SignError::Empty`] when the token is empty (an account's server token is never empty).
pub fn server_signature(token: &str, timestamp: &str, nonce: &str) -> Result<String, SignError> {
    require("token", token)?;
    Ok(Sha1Hex::sorted([token, timestamp, nonce]).into_string())
}

/// Checks a server URL `signature` in constant time. An empty token never verifies.
///
/// ```
/// assert!(!wx_sign::verify_server_signature("token", "1", "n", "0000000000000000000000000000000000000000"));
/// ```
pub fn verify_server_signature(token: &str, timestamp: &str, nonce: &str, signature: &str) -> bool {
    require("token", token).is_ok() && Sha1Hex::sorted([token, timestamp, nonce]).matches(signature)
}

/// The `msg_signature` of a safe-mode push or reply: SHA-1 of the sorted concatenation of `token`,
/// `timestamp`, `nonce` and the base64 `Encrypt` body.
///
/// ```
/// let sig = wx_sign::msg_signature("token", "1700000000", "nonce", "c2VjcmV0")?;
/// assert!(wx_sign::verify_msg_signature("token", "1700000000", "nonce", "c2VjcmV0", &sig));
/// # Ok::<(), wx_sign::SignError>(())
/// ```
///
/// # Errors
/// [`SignError::Empty`] when the token or the encrypted body is empty.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, encrypted: &str) -> Result<String, SignError> {
    require("token", token)?;
    require("encrypted", encrypted)?;
    Ok(Sha1Hex::sorted([token, timestamp, nonce, encrypted]).into_string())
}

/// Checks a `msg_signature` in constant time. An empty token or body never verifies.
///
/// ```
/// assert!(!wx_sign::verify_msg_signature("token", "1", "n", "", "anything"));
/// ```
pub fn verify_msg_signature(token: &str, timestamp: &str, nonce: &str, encrypted: &str, signature: &str) -> bool {
    require("token", token).is_ok()
        && require("encrypted", encrypted).is_ok()
        && Sha1Hex::sorted([token, timestamp, nonce, encrypted]).matches(signature)
}
