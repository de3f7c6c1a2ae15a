//! Where the page runs: in WeChat or not, which version, which platform, mini-program web-view.

/// The device family, from the user agent (what WeChat's signature rule depends on).
///
/// ```
/// assert_eq!(wx_jssdk::Environment::from_user_agent("… Android 14 … MicroMessenger/8.0.50", false).platform, wx_jssdk::Platform::Android);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// iPhone / iPad: WeChat checks signatures against the page's landing URL.
    Ios,
    /// Android: WeChat checks signatures against the current URL.
    Android,
    /// Windows or macOS (WeChat for PC / Mac, or a desktop browser).
    Desktop,
    /// Anything else.
    Other,
}

/// What the user agent says about the page's host.
///
/// ```
/// use wx_jssdk::{Environment, Platform};
/// let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
///           Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";
/// let env = Environment::from_user_agent(ua, false);
/// assert!(env.in_wechat);
/// assert_eq!(env.wechat_version.as_deref(), Some("8.0.47"));
/// assert_eq!(env.platform, Platform::Ios);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// The user agent contains `MicroMessenger` (what jweixin itself checks).
    pub in_wechat: bool,
    /// `MicroMessenger/x.y.z` (or `x.y`), when present.
    pub wechat_version: Option<String>,
    /// The device family.
    pub platform: Platform,
    /// Inside a mini program's `<web-view>` (`window.__wxjs_environment === "miniprogram"` or `miniProgram` in the UA).
    pub mini_program: bool,
    /// WeChat Work (企业微信, `wxwork` in the UA).
    pub wechat_work: bool,
}

impl Environment {
    /// Parses a user agent. `mini_program_flag` is `window.__wxjs_environment === "miniprogram"`.
    ///
    /// ```
    /// let env = wx_jssdk::Environment::from_user_agent("Mozilla/5.0 (X11; Linux x86_64) Chrome/120", false);
    /// assert!(!env.in_wechat);
    /// ```
    pub fn from_user_agent(user_agent: &str, mini_program_flag: bool) -> Environment {
        let ua = user_agent.to_ascii_lowercase();
        let has = |needle: &str| crate::text::contains(&ua, needle);
        let in_wechat = has("micromessenger");
        let wechat_version = crate::text::find(&ua, "micromessenger/").map(|at| {
            let rest = &ua[at + "micromessenger/".len()..];
            // A byte position, and a character boundary: every byte before it is ASCII.
            let end = rest
                .bytes()
                .position(|b| !(b.is_ascii_digit() || b == b'.'))
                .unwrap_or(rest.len());
            rest[..end].trim_end_matches('.').to_owned()
        });
        let platform = if has("iphone") || has("ipad") || has("ipod") {
            Platform::Ios
        } else if has("android") {
            Platform::Android
        } else if has("windows") || has("macintosh") || has("mac os x") {
            Platform::Desktop
        } else {
            Platform::Other
        };
        Environment {
            in_wechat,
            wechat_version: wechat_version.filter(|v| !v.is_empty()),
            platform,
            mini_program: mini_program_flag || has("miniprogram"),
            wechat_work: has("wxwork"),
        }
    }

    /// The environment of the current page (`navigator.userAgent`, `window.__wxjs_environment`). Outside a
    /// browser (no `window`) it reports "not in WeChat, other platform".
    ///
    /// ```no_run
    /// if !wx_jssdk::Environment::detect().in_wechat {
    ///     // show "open this page in WeChat"
    /// }
    /// ```
    pub fn detect() -> Environment {
        let Some(window) = web_sys::window() else {
            return Environment::from_user_agent("", false);
        };
        let ua = window.navigator().user_agent().unwrap_or_default();
        let flag = js_sys::Reflect::get(&window, &"__wxjs_environment".into())
            .ok()
            .and_then(|v| v.as_string())
            .is_some_and(|v| v == "miniprogram");
        Environment::from_user_agent(&ua, flag)
    }
}

#[cfg(test)]
mod tests {
    use super::{Environment, Platform};

    #[test]
    fn parses_real_user_agents() {
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/5279 MMWEBSDK/20230805 MMWEBID/2051 \
                 MicroMessenger/8.0.42.2460(0x28002A35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
                true,
                Some("8.0.42.2460"),
                Platform::Android,
                false,
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Mobile/15E148 MicroMessenger/8.0.40(0x1800282a) NetType/WIFI Language/zh_CN miniProgram/wx1234",
                true,
                Some("8.0.40"),
                Platform::Ios,
                true,
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 \
                 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090719)",
                true,
                Some("7.0.20.1781"),
                Platform::Desktop,
                false,
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
                false,
                None,
                Platform::Other,
                false,
            ),
            ("", false, None, Platform::Other, false),
        ];
        for (ua, in_wechat, version, platform, mini) in cases {
            let env = Environment::from_user_agent(ua, false);
            assert_eq!(env.in_wechat, in_wechat, "{ua}");
            assert_eq!(env.wechat_version.as_deref(), version, "{ua}");
            assert_eq!(env.platform, platform, "{ua}");
            assert_eq!(env.mini_program, mini, "{ua}");
        }
        assert!(Environment::from_user_agent("", true).mini_program);
    }
}
