//! Safe mode (`encrypt_type=aes`): the EncodingAESKey, AES-256-CBC with WeChat's 32-byte PKCS#7 padding, and the
//! plaintext frame `16 random bytes ‖ u32 BE length ‖ XML ‖ appid`.
//!
//! The AES itself is RustCrypto's (`aes` + `cbc`); this module only frames, pads and checks. The ciphertext's
//! base64, on every safe-mode push and reply, is `base64-simd`'s; the key's, read once and leniently, `base64`'s.

use aes::Aes256;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit};

/// Length of an EncodingAESKey as the account's admin page shows it.
pub const ENCODING_AES_KEY_LEN: usize = 43;

/// WeChat pads to 32-byte blocks (not AES's 16), so a pad byte is 1..=32.
const PAD_BLOCK: usize = 32;
/// 16 random bytes and the 4-byte length come before the XML.
const FRAME_HEADER: usize = 20;

/// The 43rd character of a random alphanumeric key carries 2 bits beyond the 256 the key needs; WeChat (and
/// Python's `base64`) ignore them, so the key decoder must too.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Why a safe-mode key, ciphertext or plaintext was refused. Each variant says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The EncodingAESKey does not have 43 characters.
    #[error("the EncodingAESKey must be 43 characters, found {found}: copy it whole from the account's settings")]
    KeyLength {
        /// How many characters were given.
        found: usize,
    },
    /// The EncodingAESKey contains characters outside base64's alphabet.
    #[error("the EncodingAESKey is not base64 (letters, digits, `+`, `/`): copy it again from the account's settings")]
    KeyBase64,
    /// The `Encrypt` element is not base64.
    #[error("the Encrypt element is not valid base64")]
    CiphertextBase64,
    /// The ciphertext is empty or not a whole number of AES blocks.
    #[error("the ciphertext is {len} bytes: it must be a non-zero multiple of 16")]
    CiphertextLength {
        /// The decoded ciphertext length.
        len: usize,
    },
    /// The last byte is not a valid 32-byte PKCS#7 pad (wrong key, or a corrupted message).
    #[error("bad PKCS#7 padding (pad byte {value}): the EncodingAESKey is probably wrong")]
    Padding {
        /// The final byte of the decrypted text.
        value: u8,
    },
    /// The length field points beyond the decrypted text.
    #[error("the plaintext declares a {declared}-byte message but only {available} bytes follow")]
    MessageLength {
        /// The u32 length field.
        declared: u32,
        /// The bytes left after the 20-byte header.
        available: usize,
    },
    /// The message was encrypted for another account.
    #[error("the message is for appid `{found}`, this server is `{expected}`: check the configured appid")]
    AppIdMismatch {
        /// The configured appid.
        expected: String,
        /// The appid found in the plaintext.
        found: String,
    },
    /// The decrypted message is not UTF-8.
    #[error("the decrypted message is not UTF-8")]
    NotUtf8,
    /// The XML to encrypt does not fit the u32 length field.
    #[error("the message is {len} bytes, too long to encrypt")]
    TooLong {
        /// The XML length.
        len: usize,
    },
    /// The server token used to sign an encrypted reply is empty.
    #[error("the server token is empty: set it to the token configured for the account's server URL")]
    EmptyToken,
    /// The operating system could not provide random bytes for the 16-byte prefix.
    #[error("no cryptographic random source is available: {0}")]
    RandomUnavailable(String),
}

/// The 32-byte AES key behind a 43-character EncodingAESKey. Its IV is its first 16 bytes.
///
/// `Debug` never prints the key.
///
/// ```
/// let key = wx_push::EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?;
/// assert_eq!(format!("{key:?}"), "EncodingAesKey(<redacted>)");
/// # Ok::<(), wx_push::CryptoError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct EncodingAesKey([u8; 32]);

impl EncodingAesKey {
    /// Decodes the key as WeChat does: base64 of the 43 characters plus `=`.
    ///
    /// # Errors
    /// [`CryptoError::KeyLength`] unless the key has 43 characters, [`CryptoError::KeyBase64`] when it is not base64.
    pub fn parse(encoding_aes_key: &str) -> Result<Self, CryptoError> {
        let found = encoding_aes_key.chars().count();
        if found != ENCODING_AES_KEY_LEN {
            return Err(CryptoError::KeyLength { found });
        }
        // 43 characters, but not all of them base64's (a stray non-ASCII one): the length is right, the text is not.
        if !encoding_aes_key.is_ascii() {
            return Err(CryptoError::KeyBase64);
        }
        let bytes = LENIENT
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CryptoError::KeyBase64)?;
        bytes.try_into().map(Self).map_err(|_| CryptoError::KeyBase64)
    }

    /// The raw 32 key bytes (for an independent implementation to compare against).
    ///
    /// ```
    /// let key = wx_push::EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?;
    /// assert_eq!(&key.as_bytes()[..3], &[0x69, 0xb7, 0x1d]);
    /// # Ok::<(), wx_push::CryptoError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.0[..16]);
        iv
    }
}

impl std::fmt::Debug for EncodingAesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncodingAesKey(<redacted>)")
    }
}

/// Encrypts and decrypts one account's safe-mode messages: the key and the appid the plaintext must carry.
///
/// ```
/// use wx_push::{EncodingAesKey, PushCipher};
/// let cipher = PushCipher::new(EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?, "wx2c2769f8efd9abc2");
/// let encrypted = cipher.encrypt("<xml>hi</xml>")?;
/// assert_eq!(cipher.decrypt(&encrypted)?, "<xml>hi</xml>");
/// # Ok::<(), wx_push::CryptoError>(())
/// ```
#[derive(Clone)]
pub struct PushCipher {
    key: EncodingAesKey,
    /// The key schedule, expanded once rather than on every push and reply.
    aes: Aes256,
    appid: String,
}

impl std::fmt::Debug for PushCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushCipher")
            .field("key", &self.key)
            .field("appid", &self.appid)
            .finish()
    }
}

impl PushCipher {
    /// A cipher for the account `appid` with its EncodingAESKey.
    pub fn new(key: EncodingAesKey, appid: impl Into<String>) -> Self {
        Self {
            aes: Aes256::new(key.as_bytes().into()),
            key,
            appid: appid.into(),
        }
    }

    /// The appid plaintexts must end with.
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// Decrypts the base64 `Encrypt` element and returns the XML, after checking the frame and the appid.
    ///
    /// # Errors
    /// Every [`CryptoError`] about ciphertext, padding, length, appid and UTF-8.
    pub fn decrypt(&self, encrypted: &str) -> Result<String, CryptoError> {
        let ciphertext = base64_simd::STANDARD
            .decode_to_vec(encrypted.trim())
            .map_err(|_| CryptoError::CiphertextBase64)?;
        if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
            return Err(CryptoError::CiphertextLength { len: ciphertext.len() });
        }
        let mut buf = ciphertext;
        let len = buf.len();
        // In place: the decoded buffer becomes the plaintext, then the XML, with no second copy.
        let padded = cbc::Decryptor::<Aes256>::inner_iv_init(self.aes.clone(), &self.key.iv().into())
            .decrypt_padded::<NoPadding>(&mut buf)
            .map_err(|_| CryptoError::CiphertextLength { len })?;
        let plain = unpad(padded)?;
        let (xml, appid) = unframe(plain)?;
        if appid != self.appid.as_bytes() {
            return Err(CryptoError::AppIdMismatch {
                expected: self.appid.clone(),
                found: String::from_utf8_lossy(appid).into_owned(),
            });
        }
        let xml_len = xml.len();
        buf.truncate(FRAME_HEADER + xml_len);
        buf.drain(..FRAME_HEADER);
        String::from_utf8(buf).map_err(|_| CryptoError::NotUtf8)
    }

    /// Encrypts `xml` with a fresh random 16-byte prefix and returns the base64 `Encrypt` value.
    ///
    /// # Errors
    /// [`CryptoError::RandomUnavailable`] without an OS random source, [`CryptoError::TooLong`] past 4 GiB.
    pub fn encrypt(&self, xml: &str) -> Result<String, CryptoError> {
        self.encrypt_with_prefix(xml, random_prefix()?)
    }

    /// [`encrypt`](Self::encrypt) with a chosen prefix: deterministic, for tests and cross-checks. Production code
    /// uses `encrypt`; a fixed prefix makes equal messages encrypt equally.
    ///
    /// ```
    /// # use wx_push::{EncodingAesKey, PushCipher};
    /// # let cipher = PushCipher::new(EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")?, "wxid");
    /// let a = cipher.encrypt_with_prefix("<xml/>", [7; 16])?;
    /// assert_eq!(a, cipher.encrypt_with_prefix("<xml/>", [7; 16])?);
    /// # Ok::<(), wx_push::CryptoError>(())
    /// ```
    ///
    /// # Errors
    /// [`CryptoError::TooLong`] when `xml` is longer than `u32::MAX` bytes.
    pub fn encrypt_with_prefix(&self, xml: &str, prefix: [u8; 16]) -> Result<String, CryptoError> {
        Ok(base64_simd::STANDARD.encode_to_string(self.encrypt_frame(xml, prefix)?))
    }

    /// The ciphertext bytes of `prefix ‖ length ‖ xml ‖ appid`, padded: [`encrypt_with_prefix`] before base64,
    /// for a caller that encodes it straight into its own buffer.
    ///
    /// [`encrypt_with_prefix`]: Self::encrypt_with_prefix
    pub(crate) fn encrypt_frame(&self, xml: &str, prefix: [u8; 16]) -> Result<Vec<u8>, CryptoError> {
        let len = u32::try_from(xml.len()).map_err(|_| CryptoError::TooLong { len: xml.len() })?;
        let mut plain = Vec::with_capacity(FRAME_HEADER + xml.len() + self.appid.len() + PAD_BLOCK);
        plain.extend_from_slice(&prefix);
        plain.extend_from_slice(&len.to_be_bytes());
        plain.extend_from_slice(xml.as_bytes());
        plain.extend_from_slice(self.appid.as_bytes());
        pad(&mut plain);
        let len = plain.len();
        // In place; the frame is already padded to whole blocks, so this cannot fail.
        cbc::Encryptor::<Aes256>::inner_iv_init(self.aes.clone(), &self.key.iv().into())
            .encrypt_padded::<NoPadding>(&mut plain, len)
            .map_err(|_| CryptoError::TooLong { len: xml.len() })?;
        Ok(plain)
    }
}

/// The frame's 16 random bytes, straight from the OS.
pub(crate) fn random_prefix() -> Result<[u8; 16], CryptoError> {
    let mut prefix = [0u8; 16];
    getrandom::fill(&mut prefix).map_err(|e| CryptoError::RandomUnavailable(e.to_string()))?;
    Ok(prefix)
}

/// PKCS#7 to a multiple of 32: always adds 1..=32 bytes, each equal to the count.
fn pad(plain: &mut Vec<u8>) {
    let n = PAD_BLOCK - plain.len() % PAD_BLOCK;
    // n is in 1..=32, so the cast cannot truncate.
    plain.resize(plain.len() + n, n as u8);
}

fn unpad(padded: &[u8]) -> Result<&[u8], CryptoError> {
    let value = padded.last().copied().unwrap_or(0);
    let n = usize::from(value);
    if n == 0 || n > PAD_BLOCK || n > padded.len() {
        return Err(CryptoError::Padding { value });
    }
    let (plain, pad) = padded.split_at(padded.len() - n);
    if pad.iter().any(|&b| b != value) {
        return Err(CryptoError::Padding { value });
    }
    Ok(plain)
}

/// Splits `random16 ‖ len ‖ xml ‖ appid` into (xml, appid).
fn unframe(plain: &[u8]) -> Result<(&[u8], &[u8]), CryptoError> {
    let available = plain.len().saturating_sub(FRAME_HEADER);
    let Some(len_bytes) = plain.get(16..FRAME_HEADER) else {
        return Err(CryptoError::MessageLength { declared: 0, available });
    };
    let declared = u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
    let rest = &plain[FRAME_HEADER..];
    match usize::try_from(declared) {
        Ok(len) if len <= rest.len() => Ok(rest.split_at(len)),
        _ => Err(CryptoError::MessageLength { declared, available }),
    }
}
