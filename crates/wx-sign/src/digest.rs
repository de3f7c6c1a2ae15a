//! SHA-1 to lowercase hex, and the constant-time comparison of two hex signatures.

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// SHA-1 of the concatenated parts, as 40 lowercase hex digits.
pub(crate) fn sha1_hex(parts: &[&str]) -> String {
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part.as_bytes());
    }
    format!("{:x}", hasher.finalize())
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
    let received = received.to_ascii_lowercase();
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}
