//! Card signatures: the `signature` inside `cardExt` (addCard) and `cardSign` (chooseCard).

use crate::{SignError, digest::sorted_sha1_hex};

/// SHA-1 of the given values sorted as strings and concatenated: the algorithm of both the card ticket
/// signature in `cardExt` (values: api_ticket, timestamp, card_id, code, openid, nonce_str…) and `cardSign`
/// (api_ticket, app_id, location_id, timestamp, nonce_str, card_id, card_type).
///
/// Pass only the values that are present; empty values are skipped, as WeChat skips absent fields.
///
/// ```
/// // The example of the JS-SDK documentation, appendix 6.
/// let sig = wx_sign::card_signature(&["141231233", "23456", "345667", "456789"])?;
/// assert_eq!(sig, "4f76593a4245644fae4e1bc940f6422a0c3ec03e");
/// # Ok::<(), wx_sign::SignError>(())
/// ```
///
/// # Errors
/// [`SignError::Empty`] when no value is left to sign.
pub fn card_signature(values: &[&str]) -> Result<String, SignError> {
    let present: Vec<&str> = values.iter().copied().filter(|v| !v.is_empty()).collect();
    if present.is_empty() {
        return Err(SignError::Empty("card values"));
    }
    Ok(sorted_sha1_hex(&present))
}
