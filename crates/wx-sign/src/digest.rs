//! SHA-1 to lowercase hex, and the constant-time comparison of two hex signatures.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// A SHA-1 as 40 lowercase hex digits, on the stack: verifying a push compares one of these without allocating.
pub(crate) struct Sha1Hex([u8; 40]);

impl Sha1Hex {
    /// SHA-1 of the concatenated parts.
    fn of(parts: &[&str]) -> Self {
        let mut hasher = Sha1::new();
        for part in parts {
            hasher.update(part.as_bytes());
        }
        // A table instead of `format!("{:x}")`: this runs on every signed config and every push.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0u8; 40];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(hasher.finalize()) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xf)];
        }
        Self(hex)
    }

    /// SHA-1 of the values sorted by byte order and concatenated: WeChat's "sort then join" family.
    pub(crate) fn sorted<const N: usize>(mut values: [&str; N]) -> Self {
        values.sort_unstable();
        Self::of(&values)
    }

    /// Compares with a received signature without leaking where they differ. Upper-case hex is accepted: some
    /// peers send it, and it names the same digest.
    pub(crate) fn matches(&self, received: &str) -> bool {
        let mut lower = [0u8; 40];
        if received.len() != lower.len() {
            return false;
        }
        lower.copy_from_slice(received.as_bytes());
        lower.make_ascii_lowercase();
        self.0.ct_eq(&lower).into()
    }

    /// The digits as a `String` (char by char: no UTF-8 check to carry into the browser's wasm).
    pub(crate) fn into_string(self) -> String {
        self.0.iter().copied().map(char::from).collect()
    }
}

/// SHA-1 of the concatenated parts, as 40 lowercase hex digits.
pub(crate) fn sha1_hex(parts: &[&str]) -> String {
    Sha1Hex::of(parts).into_string()
}

/// SHA-1 of the values sorted by byte order and concatenated, for a number of values known only at run time.
pub(crate) fn sorted_sha1_hex(values: &[&str]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sha1_hex(&sorted)
}
