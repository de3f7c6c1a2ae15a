//! The signed envelope of an encrypted reply: `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`.

use crate::crypto::{CryptoError, PushCipher, random_prefix};
use crate::verify::VerifyError;
use crate::xml::{XmlOut, flat_fields};

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
        wrap(token, &self.encrypt_frame(xml, random_prefix()?)?, timestamp, nonce)
    }

    /// [`seal`](Self::seal) with a fresh random nonce (16 hex digits), drawn with the ciphertext's random prefix
    /// from the thread's block of OS randomness.
    pub(crate) fn seal_fresh(&self, token: &str, xml: &str, timestamp: u64) -> Result<String, CryptoError> {
        let mut random = [0u8; 24];
        crate::random::fill(&mut random).map_err(|e| CryptoError::RandomUnavailable(e.to_string()))?;
        let (prefix, nonce) = random.split_at(16);
        let mut prefix_bytes = [0u8; 16];
        prefix_bytes.copy_from_slice(prefix);
        let mut nonce_hex = [0u8; 16];
        for (pair, byte) in nonce_hex.chunks_exact_mut(2).zip(nonce) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xf)];
        }
        let nonce = std::str::from_utf8(&nonce_hex).unwrap_or_default();
        wrap(token, &self.encrypt_frame(xml, prefix_bytes)?, timestamp, nonce)
    }

    /// Opens an envelope made by [`seal`](Self::seal): checks `MsgSignature` against `token`, then decrypts.
    /// This is what WeChat does with an encrypted reply; the fake WeChat and tests use it.
    ///
    /// # Errors
    /// [`VerifyError::Envelope`], [`VerifyError::MissingEncrypt`], [`VerifyError::MissingParam`],
    /// [`VerifyError::MsgSignature`] or [`VerifyError::Decrypt`].
    pub fn open_sealed(&self, token: &str, body: &[u8]) -> Result<String, VerifyError> {
        let [encrypted, signature, timestamp, nonce] =
            flat_fields(body, ["Encrypt", "MsgSignature", "TimeStamp", "Nonce"]).map_err(VerifyError::Envelope)?;
        let encrypted = encrypted.ok_or(VerifyError::MissingEncrypt)?;
        let signature = signature.ok_or(VerifyError::MissingParam("MsgSignature"))?;
        let timestamp = timestamp.ok_or(VerifyError::MissingParam("TimeStamp"))?;
        let nonce = nonce.ok_or(VerifyError::MissingParam("Nonce"))?;
        if !wx_sign::verify_msg_signature(token, timestamp.trim(), &nonce, &encrypted, &signature) {
            return Err(VerifyError::MsgSignature);
        }
        self.decrypt(&encrypted).map_err(VerifyError::Decrypt)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`, signed with the server `token`. The ciphertext
/// is base64-encoded straight into the envelope and signed where it lies there: one buffer for the whole reply.
fn wrap(token: &str, ciphertext: &[u8], timestamp: u64, nonce: &str) -> Result<String, CryptoError> {
    let timestamp = timestamp.to_string();
    // The fixed markup, signature, timestamp and nonce take under 200 bytes.
    let mut out = XmlOut::with_capacity(ciphertext.len().div_ceil(3) * 4 + nonce.len() + 200);
    let encrypted = out.base64_cdata("Encrypt", ciphertext);
    let signature = wx_sign::msg_signature(token, &timestamp, nonce, &out.as_str()[encrypted])
        .map_err(|_| CryptoError::EmptyToken)?;
    out.cdata("MsgSignature", &signature);
    out.bare("TimeStamp", &timestamp);
    out.cdata("Nonce", nonce);
    Ok(out.finish())
}
