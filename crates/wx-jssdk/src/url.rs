//! The URL to sign: `location.href` without `#…`, and the iOS landing-URL rule for single-page apps.

use crate::env::{Environment, Platform};
use std::cell::OnceCell;

thread_local! {
    static LANDING: OnceCell<String> = const { OnceCell::new() };
}

/// Remembers the current `location.href` as the page's landing URL, once; later calls keep the first value.
///
/// Call it as early as possible (before the first `history.pushState`); [`load_sdk`](crate::load_sdk),
/// [`url_to_sign`] and the emulator's `install` call it too. Returns the landing URL.
///
/// ```no_run
/// let landing = wx_jssdk::remember_landing_url();
/// assert!(landing.starts_with("http"));
/// ```
pub fn remember_landing_url() -> String {
    LANDING.with(|cell| cell.get_or_init(current_href).clone())
}

fn current_href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// The URL a `wx.config` signature must cover for this page, right now.
///
/// `location.href` without `#` and what follows; on iOS, the URL the page was first loaded with (WeChat on
/// iOS checks against it even after `pushState`), on other platforms the current URL.
///
/// ```no_run
/// let url = wx_jssdk::url_to_sign();
/// assert!(!url.contains('#'));
/// // send it to the backend: GET /api/jssdk/config?url=<url, percent-encoded>
/// ```
pub fn url_to_sign() -> String {
    let landing = remember_landing_url();
    pick_url_to_sign(Environment::detect().platform, &landing, &current_href())
}

/// The pure rule behind [`url_to_sign`]: the landing URL on iOS, the current URL elsewhere, both without `#…`.
///
/// ```
/// use wx_jssdk::{Platform, pick_url_to_sign};
/// let landing = "https://a.com/app?from=share#/";
/// let now = "https://a.com/app/photos?x=1#top";
/// assert_eq!(pick_url_to_sign(Platform::Ios, landing, now), "https://a.com/app?from=share");
/// assert_eq!(pick_url_to_sign(Platform::Android, landing, now), "https://a.com/app/photos?x=1");
/// ```
pub fn pick_url_to_sign(platform: Platform, landing: &str, current: &str) -> String {
    let chosen = if platform == Platform::Ios && !landing.is_empty() {
        landing
    } else {
        current
    };
    wx_sign::url_for_signing(chosen).to_owned()
}

#[cfg(test)]
mod tests {
    use super::pick_url_to_sign;
    use crate::Platform;

    #[test]
    fn per_platform_rule() {
        let cases = [
            (
                Platform::Ios,
                "https://a.com/?a=1#x",
                "https://a.com/b",
                "https://a.com/?a=1",
            ),
            (Platform::Ios, "", "https://a.com/b#c", "https://a.com/b"),
            (
                Platform::Android,
                "https://a.com/?a=1",
                "https://a.com/b?c=%20#d",
                "https://a.com/b?c=%20",
            ),
            (
                Platform::Desktop,
                "https://a.com/",
                "https://a.com/b",
                "https://a.com/b",
            ),
            (Platform::Other, "https://a.com/", "https://a.com/b", "https://a.com/b"),
        ];
        for (p, landing, now, want) in cases {
            assert_eq!(pick_url_to_sign(p, landing, now), want, "{p:?}");
        }
    }
}
