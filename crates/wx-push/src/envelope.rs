//! The signed envelope of an encrypted reply: `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`.

use serde::Deserialize;

use crate::crypto::{CryptoError, PushCipher};
use crate::verify::VerifyError;
use crate::xml::{XmlOut, from_guarded, guard};

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawSealed {
    encrypt: Option<String>,
    msg_signature: Option<String>,
    time_stamp: Option<String>,
    nonce: Option<String>,
}

impl PushCipher {
    /// Encrypts a reply's XML and wraps it in the envelope WeChat expects in safe and compatible modes, signed
    /// with the server `token`.
    ///
    /// ```
    /// # use wx_push::{EncodingAesKey, PushCipher};
    /// let cipher = PushCipher::new(EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?, "wxid");
    /// let sealed = cipher.seal("token", "<xml>reply</xml>", 1700000000, "nonce")?;
    /// assert_eq!(cipher.open_sealed("token", sealed.as_bytes())?, "<xml>reply</xml>");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`CryptoError::EmptyToken`], or [`CryptoError::RandomUnavailable`] when the OS has no random source.
    pub fn seal(&self, token: &str, xml: &str, timestamp: u64, nonce: &str) -> Result<String, CryptoError> {
        let encrypted = self.encrypt(xml)?;
        let timestamp = timestamp.to_string();
        let signature =
            wx_sign::msg_signature(token, &timestamp, nonce, &encrypted).map_err(|_| CryptoError::EmptyToken)?;
        let mut out = XmlOut::new();
        out.cdata("Encrypt", &encrypted);
        out.cdata("MsgSignature", &signature);
        out.bare("TimeStamp", &timestamp);
        out.cdata("Nonce", nonce);
        Ok(out.finish())
    }

    /// Opens an envelope made by [`seal`](Self::seal): checks `MsgSignature` against `token`, then decrypts.
    /// This is what WeChat does with an encrypted reply; the fake WeChat and tests use it.
    ///
    /// # Errors
    /// [`VerifyError::Envelope`], [`VerifyError::MissingEncrypt`], [`VerifyError::MissingParam`],
    /// [`VerifyError::MsgSignature`] or [`VerifyError::Decrypt`].
    pub fn open_sealed(&self, token: &str, body: &[u8]) -> Result<String, VerifyError> {
        let raw: RawSealed = guard(body).and_then(from_guarded).map_err(VerifyError::Envelope)?;
        let encrypted = raw.encrypt.ok_or(VerifyError::MissingEncrypt)?;
        let signature = raw.msg_signature.ok_or(VerifyError::MissingParam("MsgSignature"))?;
        let timestamp = raw.time_stamp.ok_or(VerifyError::MissingParam("TimeStamp"))?;
        let nonce = raw.nonce.ok_or(VerifyError::MissingParam("Nonce"))?;
        if !wx_sign::verify_msg_signature(token, timestamp.trim(), &nonce, &encrypted, &signature) {
            return Err(VerifyError::MsgSignature);
        }
        self.decrypt(&encrypted).map_err(VerifyError::Decrypt)
    }
}
