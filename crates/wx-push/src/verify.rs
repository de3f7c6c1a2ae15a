//! Who may push: the query's `signature` (plain mode) or `msg_signature` over the `Encrypt` element (safe and
//! compatible modes) is checked before anything in the body is believed.

use std::borrow::Cow;
use std::time::Duration;

use serde::Deserialize;

use crate::crypto::{CryptoError, PushCipher};
use crate::replay::Signed;
use crate::xml::{ParseError, flat_fields};

/// The query string WeChat adds to `/wechat`: `signature`, `timestamp`, `nonce`, `openid`, and in safe and
/// compatible modes `encrypt_type=aes` and `msg_signature`; `echostr` on the URL check.
///
/// ```
/// let q = wx_push::PushQuery::parse("signature=ab&timestamp=1&nonce=n&openid=o%2D1&encrypt_type=aes");
/// assert_eq!(q.openid.as_deref(), Some("o-1"));
/// assert!(q.is_encrypted());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PushQuery<'a> {
    /// `signature`: SHA-1 of sorted token, timestamp, nonce.
    pub signature: Option<Cow<'a, str>>,
    /// `timestamp`.
    pub timestamp: Option<Cow<'a, str>>,
    /// `nonce`.
    pub nonce: Option<Cow<'a, str>>,
    /// `openid` of the user (pushes only).
    pub openid: Option<Cow<'a, str>>,
    /// `encrypt_type`: `aes` in safe and compatible modes, absent or `raw` in plain mode.
    pub encrypt_type: Option<Cow<'a, str>>,
    /// `msg_signature`: SHA-1 of sorted token, timestamp, nonce and `Encrypt`.
    pub msg_signature: Option<Cow<'a, str>>,
    /// `echostr`: the URL check's challenge.
    pub echostr: Option<Cow<'a, str>>,
}

impl<'a> PushQuery<'a> {
    /// Parses a raw (percent-encoded) query string; unknown parameters are ignored and the first of repeated
    /// ones wins. Names and values are form-decoded (`+` is a space, `%XX` a byte, invalid UTF-8 replaced);
    /// values with nothing to decode borrow from `raw_query`.
    pub fn parse(raw_query: &'a str) -> PushQuery<'a> {
        let mut q = PushQuery::default();
        // Split by hand rather than with `form_urlencoded::parse`, with byte loops rather than `split`: the query
        // is a few short ASCII pairs, too short for a vector search to pay, and this runs on every push.
        let mut rest = raw_query.trim_start_matches('?');
        // Empty pairs (`a&&b`, a trailing `&`) name nothing and are skipped, as `split('&')` would yield them.
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b'&').unwrap_or(rest.len());
            let pair = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or("");
            let (name, value) = match pair.bytes().position(|b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, ""),
            };
            let slot = match &*form_decode(name) {
                "signature" => &mut q.signature,
                "timestamp" => &mut q.timestamp,
                "nonce" => &mut q.nonce,
                "openid" => &mut q.openid,
                "encrypt_type" => &mut q.encrypt_type,
                "msg_signature" => &mut q.msg_signature,
                "echostr" => &mut q.echostr,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(form_decode(value));
            }
        }
        q
    }

    /// True when `encrypt_type=aes`.
    pub fn is_encrypted(&self) -> bool {
        self.encrypt_type.as_deref() == Some("aes")
    }
}

/// How messages are protected: the mode a push came in, or the account's setting (消息加解密方式), which is
/// the weakest mode a server accepts. Ordered from weakest to strongest: `Plain < Compatible < Safe`.
///
/// ```
/// use wx_push::Mode;
/// assert!(Mode::Plain < Mode::Compatible && Mode::Compatible < Mode::Safe);
/// assert_eq!("safe".parse::<Mode>(), Ok(Mode::Safe));
/// assert_eq!(Mode::Compatible.as_str(), "compatible");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// 明文模式: plain XML, authenticated only by `signature` over token, timestamp and nonce.
    Plain,
    /// 兼容模式: plain fields and `Encrypt` side by side; only the encrypted part is trusted.
    Compatible,
    /// 安全模式: only `Encrypt`.
    Safe,
}

impl Mode {
    /// True for the modes whose replies must be encrypted.
    pub fn is_encrypted(self) -> bool {
        self != Mode::Plain
    }

    /// `plain`, `compatible` or `safe`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Plain => "plain",
            Mode::Compatible => "compatible",
            Mode::Safe => "safe",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mode name other than `plain`, `compatible` or `safe`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a message encryption mode: use `plain`, `compatible` or `safe`")]
pub struct UnknownMode(String);

impl std::str::FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "plain" => Ok(Mode::Plain),
            "compatible" => Ok(Mode::Compatible),
            "safe" => Ok(Mode::Safe),
            other => Err(UnknownMode(other.chars().take(32).collect())),
        }
    }
}

/// How far a request's `timestamp` may be from this server's clock, either way, by default: WeChat stamps a
/// request when it sends it (and keeps the stamp on its retries, which end within 15 s), so anything older is a
/// replay or a wrong clock.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// The longest `echostr` the URL check answers: WeChat sends a number of about 19 digits. The bound keeps the
/// endpoint from echoing whatever a stranger sends from the site's own origin.
pub const MAX_ECHOSTR_LEN: usize = 128;

/// Why a request was not accepted as coming from WeChat.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A query parameter needed to verify the request is absent.
    #[error("the query lacks `{0}`: WeChat always sends it, so this request is not from WeChat")]
    MissingParam(&'static str),
    /// `signature` does not match the token.
    #[error(
        "`signature` does not match: the request is not from WeChat, or the server token differs from the account's"
    )]
    Signature,
    /// `msg_signature` does not match the token and `Encrypt`.
    #[error("`msg_signature` does not match: the request is not from WeChat, or the server token differs")]
    MsgSignature,
    /// `encrypt_type` has a value other than `aes` or `raw`.
    #[error("unsupported encrypt_type `{0}`: expected `aes` or none")]
    EncryptType(String),
    /// An encrypted push arrived but this server has no EncodingAESKey.
    #[error("an encrypted push arrived but no EncodingAESKey is configured: set it to the account's key")]
    NoKey,
    /// An encrypted push's body has no `Encrypt` element.
    #[error("an encrypted push's body lacks the <Encrypt> element")]
    MissingEncrypt,
    /// The envelope of an encrypted push is not acceptable XML.
    #[error("the encrypted push's envelope: {0}")]
    Envelope(ParseError),
    /// The `Encrypt` element passed its signature but does not decrypt.
    #[error("the encrypted push does not decrypt: {0}")]
    Decrypt(CryptoError),
    /// A plain push's body is not acceptable (not UTF-8).
    #[error("the push's body: {0}")]
    Body(ParseError),
    /// The request came in a weaker mode than the account's: a plain push to an account in compatible or safe
    /// mode (its `signature` does not cover the body, so anyone who saw one query could post any body), or a
    /// compatible-mode envelope to an account in safe mode.
    #[error(
        "a {push}-mode push was refused: this account accepts {account} mode or stronger (WX_ENCRYPTION_MODE); \
         if WeChat's console was switched to {push} mode, switch the server too"
    )]
    Downgrade {
        /// The mode the request came in.
        push: Mode,
        /// The account's mode, the weakest accepted.
        account: Mode,
    },
    /// `timestamp` is not a number of seconds.
    #[error("`timestamp` is not a Unix time in seconds: WeChat always sends one, so this request is not from WeChat")]
    Timestamp,
    /// `timestamp` is further from this server's clock than the allowed skew.
    #[error(
        "`timestamp` is {off_secs} s from this server's clock, more than the {max_secs} s allowed: a replayed \
         request, or this server's clock is wrong (check NTP)"
    )]
    Stale {
        /// How far it is, in seconds.
        off_secs: u64,
        /// The allowed skew, in seconds.
        max_secs: u64,
    },
    /// The signed request was accepted before, and this is not a retry of it that can share its reply.
    #[error("this signed request was already received (timestamp, nonce and signature are accepted once)")]
    Replayed,
    /// The URL check's `echostr` is not what WeChat sends.
    #[error(
        "`echostr` must be 1 to {MAX_ECHOSTR_LEN} letters, digits, `-` or `_`, as WeChat sends: this request is \
         not from WeChat"
    )]
    Echostr,
}

/// A push whose origin is verified: its mode and its XML (the body itself in plain mode, decrypted in safe and
/// compatible modes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPush<'a> {
    /// The protection mode the push came in.
    pub mode: Mode,
    /// The XML to parse with [`Push::parse`](crate::Push::parse).
    pub xml: Cow<'a, str>,
}

/// What [`PushVerifier::verify_query`] settled; only this crate makes one, so holding one means the query passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueryChecked {
    /// Plain mode, `signature` verified: the body is WeChat's.
    PlainSigned,
    /// Safe or compatible mode with every parameter present: `msg_signature` is checked with the body.
    Encrypted,
}

/// Checks requests against the account's server token (and opens encrypted ones with its cipher).
///
/// `Debug` never prints the token.
///
/// ```
/// let verifier = wx_push::PushVerifier::new("token", None);
/// let ts = wx_sign::unix_timestamp().to_string(); // WeChat's requests are fresh: ±5 minutes by default
/// let sig = wx_sign::server_signature("token", &ts, "n")?;
/// let query = format!("signature={sig}&timestamp={ts}&nonce=n&echostr=hello");
/// let q = wx_push::PushQuery::parse(&query);
/// assert_eq!(verifier.verify_url(&q)?, "hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PushVerifier {
    token: String,
    cipher: Option<PushCipher>,
    account_mode: Mode,
    max_skew: Option<Duration>,
}

impl std::fmt::Debug for PushVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushVerifier")
            .field("token", &"<redacted>")
            .field("cipher", &self.cipher)
            .field("account_mode", &self.account_mode)
            .field("max_skew", &self.max_skew)
            .finish()
    }
}

impl PushVerifier {
    /// A verifier for the server `token`; `cipher` is the account's safe-mode key and appid, if it has one.
    ///
    /// The account's mode is what the key implies: [`Mode::Compatible`] with a cipher (plain pushes, whose
    /// signature does not cover the body, are refused; compatible and safe ones accepted), [`Mode::Plain`]
    /// without. Timestamps may be [`DEFAULT_MAX_CLOCK_SKEW`] from this server's clock.
    pub fn new(token: impl Into<String>, cipher: Option<PushCipher>) -> Self {
        let account_mode = if cipher.is_some() {
            Mode::Compatible
        } else {
            Mode::Plain
        };
        Self {
            token: token.into(),
            cipher,
            account_mode,
            max_skew: Some(DEFAULT_MAX_CLOCK_SKEW),
        }
    }

    /// Sets the account's message encryption mode, the weakest mode accepted: pushes in a weaker one are
    /// refused ([`VerifyError::Downgrade`]). `Plain` accepts every mode (encrypted pushes need the cipher).
    ///
    /// ```
    /// use wx_push::{Mode, PushQuery, PushVerifier, VerifyError};
    /// let verifier = PushVerifier::new("token", None).with_account_mode(Mode::Safe);
    /// let ts = wx_sign::unix_timestamp().to_string();
    /// let sig = wx_sign::server_signature("token", &ts, "n")?;
    /// let query = format!("signature={sig}&timestamp={ts}&nonce=n");
    /// let refused = verifier.verify(&PushQuery::parse(&query), b"<xml/>").unwrap_err();
    /// assert_eq!(refused, VerifyError::Downgrade { push: Mode::Plain, account: Mode::Safe });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_account_mode(mut self, mode: Mode) -> Self {
        self.account_mode = mode;
        self
    }

    /// The account's mode (the weakest accepted).
    pub fn account_mode(&self) -> Mode {
        self.account_mode
    }

    /// Sets how far a request's `timestamp` may be from this server's clock, either way; `None` accepts any
    /// timestamp (only for replaying recorded requests in tests: a captured request then stays valid forever).
    pub fn with_max_clock_skew(mut self, skew: Option<Duration>) -> Self {
        self.max_skew = skew;
        self
    }

    /// The allowed clock skew, if any.
    pub fn max_clock_skew(&self) -> Option<Duration> {
        self.max_skew
    }

    /// The account's cipher, if configured.
    pub fn cipher(&self) -> Option<&PushCipher> {
        self.cipher.as_ref()
    }

    /// The server token.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// The `GET /wechat` URL check: verifies `signature` and the timestamp's freshness, and returns the
    /// `echostr` to answer verbatim (bounded to what WeChat sends).
    ///
    /// # Errors
    /// [`VerifyError::MissingParam`], [`VerifyError::Signature`], [`VerifyError::Timestamp`],
    /// [`VerifyError::Stale`] or [`VerifyError::Echostr`].
    pub fn verify_url(&self, query: &PushQuery<'_>) -> Result<String, VerifyError> {
        let echostr = query.echostr.as_deref().ok_or(VerifyError::MissingParam("echostr"))?;
        self.check_signature(query)?;
        self.check_fresh(query)?;
        let plausible = (1..=MAX_ECHOSTR_LEN).contains(&echostr.len())
            && echostr
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !plausible {
            return Err(VerifyError::Echostr);
        }
        Ok(echostr.to_owned())
    }

    /// Verifies a `POST /wechat` push and returns its XML: plain mode checks `signature`; safe and compatible
    /// modes read only the `Encrypt` element, check `msg_signature` over it, then decrypt.
    ///
    /// # Errors
    /// A [`VerifyError`]; nothing in the body is parsed beyond the envelope until the signature holds.
    pub fn verify<'b>(&self, query: &PushQuery<'_>, body: &'b [u8]) -> Result<VerifiedPush<'b>, VerifyError> {
        let checked = self.verify_query(query)?;
        self.verify_body(checked, query, body)
    }

    /// The part of [`verify`](Self::verify) the query alone decides, so that a request failing it is refused
    /// before its body is read: plain mode's whole `signature`; in safe and compatible modes `encrypt_type` and
    /// the parameters `msg_signature`'s check will need (the check itself needs the body's `Encrypt`).
    ///
    /// Then the timestamp's freshness, and the account's mode for a plain push (only after its signature held:
    /// a stranger learns nothing of the configuration).
    pub(crate) fn verify_query(&self, query: &PushQuery<'_>) -> Result<QueryChecked, VerifyError> {
        match query.encrypt_type.as_deref() {
            None | Some("raw") => {
                self.check_signature(query)?;
                self.check_fresh(query)?;
                self.check_mode(Mode::Plain)?;
                Ok(QueryChecked::PlainSigned)
            }
            Some("aes") => {
                msg_signature_params(query)?;
                self.check_fresh(query)?;
                Ok(QueryChecked::Encrypted)
            }
            Some(other) => Err(VerifyError::EncryptType(other.chars().take(16).collect())),
        }
    }

    /// [`VerifyError::Downgrade`] for a push in a weaker mode than the account's.
    fn check_mode(&self, push: Mode) -> Result<(), VerifyError> {
        if push < self.account_mode {
            return Err(VerifyError::Downgrade {
                push,
                account: self.account_mode,
            });
        }
        Ok(())
    }

    /// The timestamp is a number within the allowed skew of this server's clock.
    fn check_fresh(&self, query: &PushQuery<'_>) -> Result<(), VerifyError> {
        let Some(max) = self.max_skew else {
            return Ok(());
        };
        let (timestamp, _) = timestamp_nonce(query)?;
        let timestamp: u64 = timestamp.parse().map_err(|_| VerifyError::Timestamp)?;
        let off_secs = wx_sign::unix_timestamp().abs_diff(timestamp);
        if off_secs > max.as_secs() {
            return Err(VerifyError::Stale {
                off_secs,
                max_secs: max.as_secs(),
            });
        }
        Ok(())
    }

    /// The signature that authenticated a verified request, by which it is remembered against replay (it covers
    /// timestamp and nonce, and in safe and compatible modes the `Encrypt` too).
    pub(crate) fn signed_by<'q>(query: &'q PushQuery<'_>, checked: QueryChecked) -> Option<Signed<'q>> {
        match checked {
            QueryChecked::PlainSigned => query.signature.as_deref().map(Signed::plain),
            QueryChecked::Encrypted => query.msg_signature.as_deref().map(Signed::encrypted),
        }
    }

    /// The rest of [`verify`](Self::verify), for a query [`verify_query`](Self::verify_query) passed.
    pub(crate) fn verify_body<'b>(
        &self,
        checked: QueryChecked,
        query: &PushQuery<'_>,
        body: &'b [u8],
    ) -> Result<VerifiedPush<'b>, VerifyError> {
        match checked {
            QueryChecked::PlainSigned => {
                let xml = std::str::from_utf8(body).map_err(|_| VerifyError::Body(ParseError::NotUtf8))?;
                Ok(VerifiedPush {
                    mode: Mode::Plain,
                    xml: Cow::Borrowed(xml),
                })
            }
            QueryChecked::Encrypted => self.open(query, body),
        }
    }

    fn check_signature(&self, query: &PushQuery<'_>) -> Result<(), VerifyError> {
        let (timestamp, nonce) = timestamp_nonce(query)?;
        let signature = query
            .signature
            .as_deref()
            .ok_or(VerifyError::MissingParam("signature"))?;
        if wx_sign::verify_server_signature(&self.token, timestamp, nonce, signature) {
            Ok(())
        } else {
            Err(VerifyError::Signature)
        }
    }

    fn open(&self, query: &PushQuery<'_>, body: &[u8]) -> Result<VerifiedPush<'static>, VerifyError> {
        let (timestamp, nonce, msg_signature) = msg_signature_params(query)?;
        let [encrypted, msg_type] = flat_fields(body, ["Encrypt", "MsgType"]).map_err(VerifyError::Envelope)?;
        let encrypted = encrypted.ok_or(VerifyError::MissingEncrypt)?;
        if !wx_sign::verify_msg_signature(&self.token, timestamp, nonce, &encrypted, msg_signature) {
            return Err(VerifyError::MsgSignature);
        }
        // Checked only for a push that is WeChat's: anyone else learns nothing of the server's configuration.
        let cipher = self.cipher.as_ref().ok_or(VerifyError::NoKey)?;
        let xml = cipher.decrypt(&encrypted).map_err(VerifyError::Decrypt)?;
        let mode = if msg_type.is_some() {
            Mode::Compatible
        } else {
            Mode::Safe
        };
        self.check_mode(mode)?;
        Ok(VerifiedPush {
            mode,
            xml: Cow::Owned(xml),
        })
    }
}

/// `application/x-www-form-urlencoded` decoding of one name or value; borrowed when there is nothing to decode.
fn form_decode(text: &str) -> Cow<'_, str> {
    // A plain loop: names and values are a few bytes long, too short for memchr's vector search to pay.
    if !text.bytes().any(|b| b == b'+' || b == b'%') {
        return Cow::Borrowed(text);
    }
    let spaced = text.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// What `msg_signature`'s check takes from the query: timestamp, nonce and the signature itself.
fn msg_signature_params<'q>(query: &'q PushQuery<'_>) -> Result<(&'q str, &'q str, &'q str), VerifyError> {
    let (timestamp, nonce) = timestamp_nonce(query)?;
    let msg_signature = query
        .msg_signature
        .as_deref()
        .ok_or(VerifyError::MissingParam("msg_signature"))?;
    Ok((timestamp, nonce, msg_signature))
}

fn timestamp_nonce<'q>(query: &'q PushQuery<'_>) -> Result<(&'q str, &'q str), VerifyError> {
    Ok((
        query
            .timestamp
            .as_deref()
            .ok_or(VerifyError::MissingParam("timestamp"))?,
        query.nonce.as_deref().ok_or(VerifyError::MissingParam("nonce"))?,
    ))
}
