//! Substring search for the short texts wx-jssdk reads (user agents, errMsgs, URLs): a plain scan. `str`'s own
//! search methods take a `&str` needle through core's two-way searcher, kilobytes in every page, so clippy.toml
//! disallows them here (ARCHITECTURE.md, "Size rules"); char needles go through these too, for one rule.

/// Where `needle` first occurs in `haystack` (`str::find`).
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// Where `needle` last occurs in `haystack` (`str::rfind`).
pub(crate) fn rfind(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(haystack.len());
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .rposition(|w| w == needle.as_bytes())
}

/// `haystack.contains(needle)`.
pub(crate) fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// `haystack.split_once(needle)`.
pub(crate) fn split_once<'a>(haystack: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    around(haystack, find(haystack, needle)?, needle)
}

/// `haystack.rsplit_once(needle)`.
pub(crate) fn rsplit_once<'a>(haystack: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    around(haystack, rfind(haystack, needle)?, needle)
}

/// The text before and after the `needle` found at `at`. A match of UTF-8 in UTF-8 starts and ends on character
/// boundaries, so `get` never refuses one; it is `get` rather than slicing so that no panic path is linked.
fn around<'a>(haystack: &'a str, at: usize, needle: &str) -> Option<(&'a str, &'a str)> {
    Some((haystack.get(..at)?, haystack.get(at + needle.len()..)?))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "checked against str's own search, on the host")]
mod tests {
    use super::{contains, find, rfind, rsplit_once, split_once};

    #[test]
    fn finds_like_str() {
        for (h, n) in [
            ("abcabd", "abd"),
            ("abc", ""),
            ("", "a"),
            ("", ""),
            ("ab", "abc"),
            ("你好ab", "ab"),
            ("a好b好c", "好"),
            ("aaa", "aa"),
            ("a:b:c", ":"),
            ("https://a@b@c/", "@"),
        ] {
            assert_eq!(find(h, n), h.find(n), "{h} {n}");
            assert_eq!(rfind(h, n), h.rfind(n), "{h} {n}");
            assert_eq!(contains(h, n), h.contains(n), "{h} {n}");
            assert_eq!(split_once(h, n), h.split_once(n), "{h} {n}");
            assert_eq!(rsplit_once(h, n), h.rsplit_once(n), "{h} {n}");
        }
    }
}
