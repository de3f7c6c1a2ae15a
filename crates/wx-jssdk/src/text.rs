//! Substring search for the short texts wx-jssdk reads (user agents, errMsgs): a plain scan rather than core's
//! two-way `str::contains` / `split_once(&str)` (ARCHITECTURE.md, "Size rules").

/// Where `needle` first occurs in `haystack`.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// `haystack.contains(needle)`.
pub(crate) fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::{contains, find};

    #[test]
    fn finds_like_str() {
        for (h, n) in [
            ("abcabd", "abd"),
            ("abc", ""),
            ("", "a"),
            ("ab", "abc"),
            ("你好ab", "ab"),
            ("aaa", "aa"),
        ] {
            assert_eq!(find(h, n), h.find(n), "{h} {n}");
            assert_eq!(contains(h, n), h.contains(n), "{h} {n}");
        }
    }
}
