//! Signed cookie values: `base64url(JSON payload) "." base64url(HMAC-SHA256(key, payload))`, with an expiry
//! inside the payload. Signed, not encrypted: they hold an openid and a nickname, never a token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{KeyInit, Mac};
use serde::{Serialize, de::DeserializeOwned};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The shortest accepted `WX_SESSION_KEY`.
pub const MIN_KEY_CHARS: usize = 32;

/// The HMAC key. `Debug` never shows it.
///
/// ```
/// use wx_server::oauth::cookie::SessionKey;
/// let key = SessionKey::from_secret("0123456789abcdef0123456789abcdef");
/// let value = key.sign(&serde_json::json!({"openid": "o1"}), 60).unwrap();
/// let back: serde_json::Value = key.verify(&value).unwrap();
/// assert_eq!(back["openid"], "o1");
/// assert!(SessionKey::random().unwrap().verify::<serde_json::Value>(&value).is_none()); // another key
/// assert_eq!(format!("{key:?}"), "SessionKey(***)");
/// ```
#[derive(Clone)]
pub struct SessionKey(Vec<u8>);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(***)")
    }
}

#[derive(Serialize, serde::Deserialize)]
struct Envelope<T> {
    exp: u64,
    #[serde(rename = "v")]
    value: T,
}

impl SessionKey {
    /// The key from `WX_SESSION_KEY` (validated for length by the settings).
    pub fn from_secret(secret: &str) -> Self {
        Self(secret.as_bytes().to_vec())
    }

    /// 32 random bytes: sessions then end when the process does and are not shared between instances.
    ///
    /// # Errors
    /// When the platform has no random source.
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut k = vec![0u8; 32];
        getrandom::fill(&mut k)?;
        Ok(Self(k))
    }

    fn mac(&self, data: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(data);
        mac
    }

    /// Signs `value`, valid for `ttl_secs` from now.
    ///
    /// # Errors
    /// When `value` cannot be serialised.
    pub fn sign<T: Serialize>(&self, value: &T, ttl_secs: u64) -> Result<String, serde_json::Error> {
        let envelope = Envelope {
            exp: wx_sign::unix_timestamp() + ttl_secs,
            value,
        };
        let payload = B64.encode(serde_json::to_vec(&envelope)?);
        let tag = B64.encode(self.mac(payload.as_bytes()).finalize().into_bytes());
        Ok(format!("{payload}.{tag}"))
    }

    /// The value, if the signature holds (checked in constant time) and it has not expired.
    pub fn verify<T: DeserializeOwned>(&self, signed: &str) -> Option<T> {
        let (payload, tag) = signed.split_once('.')?;
        let tag = B64.decode(tag).ok()?;
        self.mac(payload.as_bytes()).verify_slice(&tag).ok()?;
        let envelope: Envelope<T> = serde_json::from_slice(&B64.decode(payload).ok()?).ok()?;
        (envelope.exp > wx_sign::unix_timestamp()).then_some(envelope.value)
    }
}

/// The value of cookie `name` in a `Cookie` request header (the first, if it is there more than once).
///
/// ```
/// assert_eq!(wx_server::oauth::cookie::find("a=1; wx_session=x.y; b=2", "wx_session"), Some("x.y"));
/// ```
pub fn find<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    find_all(header, name).next()
}

/// Every value of cookie `name` in a `Cookie` request header, in order. A browser sends a name more than once
/// when cookies of that name were set for several paths or domains (a stale one from a parent domain, say):
/// the reader should take the first that verifies, not the first that comes.
///
/// ```
/// let header = "wx_session=stale; a=1; wx_session=x.y";
/// let all: Vec<_> = wx_server::oauth::cookie::find_all(header, "wx_session").collect();
/// assert_eq!(all, ["stale", "x.y"]);
/// ```
pub fn find_all<'a>(header: &'a str, name: &str) -> impl Iterator<Item = &'a str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, `Secure` when the site is served over https.
pub fn set_cookie(name: &str, value: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Max-Age={max_age_secs}; Path=/; HttpOnly; SameSite=Lax{secure}")
}
