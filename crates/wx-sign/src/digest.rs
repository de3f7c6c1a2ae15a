//! SHA-1 to lowercase hex, and the constant-time comparison of two hex signatures.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// SHA-1 of the concatenated parts, as 40 lowercase hex digits.
pub(crate) fn sha1_hex(parts: &[&str]) -> String {
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    // A table instead of `format!("{:x}")`: this runs on every signed config and every push.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    digest
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]])
        .map(char::from)
        .collect()
}

/// SHA-1 of the values sorted by byte order and concatenated: WeChat's "sort then join" family.
pub(crate) fn sorted_sha1_hex(values: &[&str]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sha1_hex(&sorted)
}

/// Compares an expected lowercase-hex signature with a received one without leaking where they differ.
/// Upper-case hex is accepted: some peers send it, and it names the same digest.
pub(crate) fn hex_eq(expected: &str, received: &str) -> bool {
    // A SHA-1 in hex is 40 bytes; lower-case the received one on the stack (anything longer cannot match).
    let mut lower = [0u8; 64];
    let Some(lower) = lower.get_mut(..received.len()) else {
        return false;
    };
    lower.copy_from_slice(received.as_bytes());
    lower.make_ascii_lowercase();
    expected.as_bytes().ct_eq(lower).into()
}
