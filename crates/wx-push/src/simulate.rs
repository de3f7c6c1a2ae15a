//! Signed pushes from typed messages, as WeChat sends them: for tests, the fake WeChat and its push simulator.

use crate::crypto::{CryptoError, PushCipher};
use crate::message::Push;
use crate::reply::ReplyMessage;
use crate::verify::{Mode, VerifyError};
use crate::write::{splice_encrypt, write_push};
use crate::xml::{ParseError, XmlOut};

/// How long WeChat waits for an answer before it retries a push.
pub const WECHAT_REPLY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// How many times WeChat delivers a push that gets no answer (the first delivery and two retries).
pub const WECHAT_ATTEMPTS: u32 = 3;

/// A push ready to send: `POST /wechat?{query}` with `body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPush {
    /// The query string, percent-encoded, without `?`.
    pub query: String,
    /// The XML body.
    pub body: String,
}

/// Why a push could not be signed or a reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// Encrypting or signing failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// An encrypted reply's envelope does not verify or decrypt.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The reply is not a passive reply.
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Signs (and in safe and compatible modes encrypts) pushes like WeChat, and reads replies like WeChat.
///
/// ```
/// use wx_push::{EncodingAesKey, Event, Push, PushBody, PushCipher, PushSigner};
/// let cipher = PushCipher::new(EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?, "wxid");
/// let push = Push { to_user_name: "gh".into(), from_user_name: "o".into(), create_time: 1,
///                   body: PushBody::Event(Event::Unsubscribe) };
/// let signed = PushSigner::safe("token", cipher).sign(&push, 1700000000, "nonce")?;
/// assert!(signed.query.contains("encrypt_type=aes&msg_signature="));
/// assert!(signed.body.contains("<Encrypt>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PushSigner {
    token: String,
    cipher: Option<PushCipher>,
    mode: Mode,
}

impl std::fmt::Debug for PushSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushSigner")
            .field("token", &"<redacted>")
            .field("cipher", &self.cipher)
            .field("mode", &self.mode)
            .finish()
    }
}

impl PushSigner {
    /// Plain mode: XML as is, `signature` only.
    pub fn plain(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            cipher: None,
            mode: Mode::Plain,
        }
    }

    /// Safe mode: `<xml><ToUserName/><Encrypt/></xml>` and `msg_signature`.
    pub fn safe(token: impl Into<String>, cipher: PushCipher) -> Self {
        Self {
            token: token.into(),
            cipher: Some(cipher),
            mode: Mode::Safe,
        }
    }

    /// Compatible mode: the plain fields plus `Encrypt`, and both signatures.
    pub fn compatible(token: impl Into<String>, cipher: PushCipher) -> Self {
        Self {
            token: token.into(),
            cipher: Some(cipher),
            mode: Mode::Compatible,
        }
    }

    /// Signs `push` as WeChat would at `timestamp` with `nonce`; `openid` is the push's `FromUserName`.
    ///
    /// # Errors
    /// [`SimulateError::Crypto`] for an empty token or no random source.
    pub fn sign(&self, push: &Push, timestamp: u64, nonce: &str) -> Result<SignedPush, SimulateError> {
        let plain = push.to_xml();
        self.sign_parts(
            &plain,
            Some(push),
            Some(&push.to_user_name),
            timestamp,
            nonce,
            &push.from_user_name,
        )
    }

    /// Signs arbitrary XML (also malformed or hostile XML, for tests); `openid` goes in the query.
    ///
    /// # Errors
    /// [`SimulateError::Crypto`] for an empty token or no random source.
    pub fn sign_xml(&self, xml: &str, timestamp: u64, nonce: &str, openid: &str) -> Result<SignedPush, SimulateError> {
        let to = Push::parse(xml.as_bytes()).ok().map(|p| p.to_user_name);
        self.sign_parts(xml, None, to.as_deref(), timestamp, nonce, openid)
    }

    fn sign_parts(
        &self,
        xml: &str,
        push: Option<&Push>,
        to_user_name: Option<&str>,
        timestamp: u64,
        nonce: &str,
        openid: &str,
    ) -> Result<SignedPush, SimulateError> {
        let ts = timestamp.to_string();
        let signature = wx_sign::server_signature(&self.token, &ts, nonce).map_err(|_| CryptoError::EmptyToken)?;
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("signature", &signature)
            .append_pair("timestamp", &ts)
            .append_pair("nonce", nonce);
        query.append_pair("openid", openid);
        let Some(cipher) = self.cipher.as_ref().filter(|_| self.mode.is_encrypted()) else {
            return Ok(SignedPush {
                query: query.finish(),
                body: xml.to_owned(),
            });
        };
        let encrypted = cipher.encrypt(xml)?;
        let msg_signature =
            wx_sign::msg_signature(&self.token, &ts, nonce, &encrypted).map_err(|_| CryptoError::EmptyToken)?;
        query
            .append_pair("encrypt_type", "aes")
            .append_pair("msg_signature", &msg_signature);
        let body = match (self.mode, push) {
            (Mode::Compatible, Some(push)) => write_push(push, Some(&encrypted)),
            (Mode::Compatible, None) => splice_encrypt(xml, &encrypted),
            _ => {
                let mut out = XmlOut::new();
                if let Some(to) = to_user_name {
                    out.cdata("ToUserName", to);
                }
                out.cdata("Encrypt", &encrypted);
                out.finish()
            }
        };
        Ok(SignedPush {
            query: query.finish(),
            body,
        })
    }

    /// Reads a server's answer as WeChat does: `None` for `success` or an empty body; otherwise the reply,
    /// after checking the envelope's `MsgSignature` and decrypting it in safe and compatible modes.
    ///
    /// # Errors
    /// [`SimulateError::Verify`] for a bad envelope, [`SimulateError::Parse`] for a body that is not a reply.
    pub fn open_reply(&self, body: &str) -> Result<Option<ReplyMessage>, SimulateError> {
        let body = body.trim();
        if body.is_empty() || body == "success" {
            return Ok(None);
        }
        let xml = match self.cipher.as_ref().filter(|_| self.mode.is_encrypted()) {
            Some(cipher) => cipher.open_sealed(&self.token, body.as_bytes())?,
            None => body.to_owned(),
        };
        Ok(Some(ReplyMessage::parse(xml.as_bytes())?))
    }
}
