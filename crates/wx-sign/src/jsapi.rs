//! The JS-SDK `wx.config` signature.

use crate::{SignError, digest::sha1_hex};

/// A computed `wx.config` signature together with the exact string that was hashed.
///
/// Its `Debug` output leaves the ticket out (the canonical string starts with it):
///
/// ```
/// let signed = wx_sign::sign_config("T1CKET", "n", 1, "https://a.com/")?;
/// assert!(signed.canonical.starts_with("jsapi_ticket=T1CKET&"));
/// assert!(!format!("{signed:?}").contains("T1CKET"));
/// assert_eq!(signed.canonical_redacted(), "jsapi_ticket=<redacted>&noncestr=n&timestamp=1&url=https://a.com/");
/// # Ok::<(), wx_sign::SignError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ConfigSignature {
    /// SHA-1 of [`canonical`](Self::canonical), 40 lowercase hex digits: `wx.config`'s `signature`.
    pub signature: String,
    /// `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, the string WeChat's servers rebuild and hash. It holds
    /// the ticket: show [`canonical_redacted`](Self::canonical_redacted) instead.
    pub canonical: String,
    /// Where the ticket ends in `canonical`.
    ticket_end: usize,
}

const TICKET_KEY: &str = "jsapi_ticket=";

impl ConfigSignature {
    /// [`canonical`](Self::canonical) with the ticket replaced by `<redacted>`: what to log or print when a
    /// signature needs explaining.
    pub fn canonical_redacted(&self) -> String {
        let rest = self.canonical.get(self.ticket_end..).unwrap_or_default();
        format!("{TICKET_KEY}<redacted>{rest}")
    }
}

impl std::fmt::Debug for ConfigSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigSignature")
            .field("signature", &self.signature)
            .field("canonical", &self.canonical_redacted())
            .finish()
    }
}

/// The URL WeChat signs for a page: `href` without `#` and everything after it.
///
/// Nothing else is changed: no re-encoding, no normalising, no trailing-slash fixes. WeChat compares
/// the string byte for byte, so any "cleanup" here would cause `invalid signature`.
///
/// ```
/// assert_eq!(
///     wx_sign::url_for_signing("https://a.com/p?x=1&y=%E4%BD%A0#/share?z=2"),
///     "https://a.com/p?x=1&y=%E4%BD%A0",
/// );
/// assert_eq!(wx_sign::url_for_signing("https://a.com/"), "https://a.com/");
/// ```
pub fn url_for_signing(href: &str) -> &str {
    href.split_once('#').map_or(href, |(before, _)| before)
}

/// The canonical string of a `wx.config` signature: the four fields sorted by name, joined as `k=v&…` with
/// raw (unescaped) values.
///
/// ```
/// let s = wx_sign::canonical_config_string("T", "N", 1700000000, "https://a.com/?q=1")?;
/// assert_eq!(s, "jsapi_ticket=T&noncestr=N&timestamp=1700000000&url=https://a.com/?q=1");
/// # Ok::<(), wx_sign::SignError>(())
/// ```
///
/// # Errors
/// [`SignError::Empty`] for an empty ticket, nonce or URL; [`SignError::UrlHasFragment`] when `url` still
/// contains `#` (strip it with [`url_for_signing`] first).
pub fn canonical_config_string(
    jsapi_ticket: &str,
    noncestr: &str,
    timestamp: u64,
    url: &str,
) -> Result<String, SignError> {
    require("jsapi_ticket", jsapi_ticket)?;
    require("noncestr", noncestr)?;
    require("url", url)?;
    if url.contains('#') {
        return Err(SignError::UrlHasFragment);
    }
    // The field names are already in ASCII order: jsapi_ticket < noncestr < timestamp < url. Built into one
    // allocation: `format!` here cost as much as the SHA-1 itself.
    let ts = timestamp.to_string();
    let mut s = String::with_capacity(48 + jsapi_ticket.len() + noncestr.len() + ts.len() + url.len());
    for (key, value) in [
        (TICKET_KEY, jsapi_ticket),
        ("&noncestr=", noncestr),
        ("&timestamp=", &ts),
        ("&url=", url),
    ] {
        s.push_str(key);
        s.push_str(value);
    }
    Ok(s)
}

/// Signs a page for `wx.config`.
///
/// `noncestr` and `timestamp` must be the exact values passed to `wx.config` as `nonceStr` and `timestamp`;
/// `url` is the page URL without its fragment ([`url_for_signing`]).
///
/// ```
/// let signed = wx_sign::sign_config("ticket", "Wm3WZYTPz0wzccnW", 1414587457, "https://a.com/")?;
/// assert_eq!(signed.signature.len(), 40);
/// assert!(signed.canonical.starts_with("jsapi_ticket=ticket&"));
/// # Ok::<(), wx_sign::SignError>(())
/// ```
///
/// # Errors
/// As [`canonical_config_string`].
pub fn sign_config(
    jsapi_ticket: &str,
    noncestr: &str,
    timestamp: u64,
    url: &str,
) -> Result<ConfigSignature, SignError> {
    let canonical = canonical_config_string(jsapi_ticket, noncestr, timestamp, url)?;
    let signature = sha1_hex(&[&canonical]);
    Ok(ConfigSignature {
        signature,
        canonical,
        ticket_end: TICKET_KEY.len() + jsapi_ticket.len(),
    })
}

pub(crate) fn require(field: &'static str, value: &str) -> Result<(), SignError> {
    if value.is_empty() {
        Err(SignError::Empty(field))
    } else {
        Ok(())
    }
}
