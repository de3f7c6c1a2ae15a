//! [`WxError`]: every way a JS-SDK call can end other than success, each with a [`hint`](WxError::hint).

/// Why loading, configuring or calling the JS-SDK did not succeed.
///
/// A user cancel is [`WxError::Cancelled`], distinct from every failure. Each variant's
/// [`hint`](WxError::hint) says what to fix (the error appendix of WeChat's JS-SDK docs).
///
/// ```
/// use wx_jssdk::WxError;
/// let e = WxError::from_err_msg("config", "config:invalid signature");
/// assert!(matches!(e, WxError::InvalidSignature { .. }));
/// assert!(e.hint().contains("location.href"));
/// assert!(!WxError::from_err_msg("chooseImage", "chooseImage:cancel").is_failure());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WxError {
    /// The page is not running inside WeChat (no `MicroMessenger` in the user agent, no `WeixinJSBridge`).
    #[error("not inside WeChat: the JS-SDK only works in WeChat's browser (or with the wx-jssdk emulator installed)")]
    NotInWechat,
    /// The jweixin script could not be loaded from any source.
    #[error("the JS-SDK script could not be loaded: {detail}")]
    LoadFailed {
        /// What failed, per source tried.
        detail: String,
    },
    /// The emulator refused to install ([`emulator::install`](crate::emulator::install)).
    #[cfg(feature = "emulator")]
    #[error(transparent)]
    Emulator(#[from] crate::emulator::EmulatorError),
    /// `invalid signature`: the signature does not match what WeChat computes for this page.
    #[error("{err_msg}")]
    InvalidSignature {
        /// The SDK's errMsg, e.g. `config:invalid signature`.
        err_msg: String,
    },
    /// `invalid url domain`: the page's domain is not a JS safe domain of this appId.
    #[error("{err_msg}")]
    InvalidUrlDomain {
        /// The SDK's errMsg.
        err_msg: String,
    },
    /// `permission denied`: the API is not in the config's `jsApiList`, or the account lacks the permission for
    /// it (some APIs need a verified account).
    #[error("{err_msg}")]
    PermissionDenied {
        /// The API that was refused (`config` when the whole config was refused).
        api: String,
        /// The SDK's errMsg.
        err_msg: String,
    },
    /// `the permission value is offline verifying`: the API was called before `config` finished, or it is
    /// not in the `jsApiList` that was verified.
    #[error("{api}: the permission value is offline verifying (called before config finished, or not in jsApiList)")]
    NotVerified {
        /// The API that was refused.
        api: String,
    },
    /// `require subscribe`: a test account's page opened by a user who does not follow the test account.
    #[error("{err_msg}")]
    RequireSubscribe {
        /// The SDK's errMsg.
        err_msg: String,
    },
    /// `function not exist`: this WeChat client is too old for the API.
    #[error("{api}: function not exist (this WeChat version does not have it)")]
    FunctionNotExist {
        /// The missing API.
        api: String,
    },
    /// `config:fail` or a required config field missing (appId, timestamp, nonceStr, signature, jsApiList).
    #[error("config is missing a required field: {detail}")]
    ConfigMissingFields {
        /// Which field, or the SDK's errMsg.
        detail: String,
    },
    /// Nothing answered in time.
    #[error("{what} did not finish within {after_ms} ms")]
    Timeout {
        /// What was awaited (`config`, `load`, an API name).
        what: String,
        /// The limit that was reached.
        after_ms: u32,
    },
    /// The user cancelled (`"<api>:cancel"`). Not a failure.
    #[error("{api}: cancelled by the user")]
    Cancelled {
        /// The API the user cancelled.
        api: String,
    },
    /// The API failed with a text the SDK does not classify (`"<api>:fail…"`).
    #[error("{err_msg}")]
    Failed {
        /// The API that failed.
        api: String,
        /// The SDK's errMsg, verbatim.
        err_msg: String,
    },
    /// A config error the SDK does not classify.
    #[error("{err_msg}")]
    Other {
        /// The SDK's errMsg, verbatim.
        err_msg: String,
    },
    /// The backend refused to sign (`{"error","message"}` with a 4xx/5xx status) or could not be reached.
    // The status shown as a u32: the page then carries one integer formatter fewer (u16's).
    #[error("the signing backend answered {}: {error}: {message}", u32::from(*.status))]
    Backend {
        /// HTTP status (0 when the request itself failed).
        status: u16,
        /// The backend's machine-readable `error`.
        error: String,
        /// The backend's `message`, which says what to fix.
        message: String,
    },
    /// The SDK answered `ok` but its result did not have the documented shape.
    #[error("{api}: unexpected result shape: {detail}")]
    BadResult {
        /// The API whose result could not be read.
        api: String,
        /// What did not match.
        detail: String,
    },
    /// A JavaScript exception from the SDK or the browser.
    #[error("JavaScript error: {0}")]
    Js(String),
}

impl WxError {
    /// Classifies an SDK `errMsg` of `api` (`"<api>:ok"` is not an error and yields [`WxError::Other`]; check
    /// for `:ok` first).
    ///
    /// ```
    /// use wx_jssdk::WxError;
    /// assert_eq!(
    ///     WxError::from_err_msg("getLocation", "getLocation:permission denied"),
    ///     WxError::PermissionDenied { api: "getLocation".into(), err_msg: "getLocation:permission denied".into() },
    /// );
    /// ```
    pub fn from_err_msg(api: &str, err_msg: &str) -> WxError {
        let detail = crate::text::split_once(err_msg, ":")
            .map_or(err_msg, |(_, rest)| rest)
            .trim();
        let lower = detail.to_ascii_lowercase();
        let has = |needle: &str| crate::text::contains(&lower, needle);
        let err_msg = err_msg.to_owned();
        let api = api.to_owned();
        if lower == "cancel" {
            WxError::Cancelled { api }
        } else if has("invalid signature") {
            WxError::InvalidSignature { err_msg }
        } else if has("invalid url domain") {
            WxError::InvalidUrlDomain { err_msg }
        } else if has("offline verifying") {
            WxError::NotVerified { api }
        } else if has("permission denied") {
            WxError::PermissionDenied { api, err_msg }
        } else if has("require subscribe") {
            WxError::RequireSubscribe { err_msg }
        } else if has("function not exist") {
            WxError::FunctionNotExist { api }
        } else if api == "config" && (lower == "fail" || has("missing")) {
            WxError::ConfigMissingFields { detail: err_msg }
        } else if api == "config" {
            WxError::Other { err_msg }
        } else {
            WxError::Failed { api, err_msg }
        }
    }

    /// `false` only for [`WxError::Cancelled`]: a user's cancel is an answer, not a fault.
    ///
    /// ```
    /// assert!(!wx_jssdk::WxError::Cancelled { api: "scanQRCode".into() }.is_failure());
    /// ```
    pub fn is_failure(&self) -> bool {
        !matches!(self, WxError::Cancelled { .. })
    }

    /// What to do about it, in one sentence (from WeChat's JS-SDK error appendix).
    ///
    /// ```
    /// let e = wx_jssdk::WxError::InvalidUrlDomain { err_msg: "config:invalid url domain".into() };
    /// assert!(e.hint().contains("JS safe domain"));
    /// ```
    pub fn hint(&self) -> &'static str {
        match self {
            WxError::NotInWechat => {
                "open the page in WeChat, or install wx_jssdk::emulator before loading the SDK to test in a desktop browser"
            }
            WxError::LoadFailed { .. } => {
                "check that res.wx.qq.com (or your SdkSource) is reachable and not blocked by a Content-Security-Policy"
            }
            #[cfg(feature = "emulator")]
            WxError::Emulator(e) => e.hint(),
            WxError::InvalidSignature { .. } => {
                "sign location.href without '#' and what follows (on iOS single-page apps: the landing URL, see url_to_sign), \
                 with the same nonceStr/timestamp, the ticket of this appId, SHA-1 over the sorted raw fields; if the ticket \
                 may be stale, refetch the config with refresh=true (configure_from_backend does this once)"
            }
            WxError::InvalidUrlDomain { .. } => {
                "add the page's domain as a JS safe domain in the account settings (3 at most, ports 80/443 only)"
            }
            WxError::PermissionDenied { .. } => {
                "the API is not in jsApiList, or the account lacks this interface permission (often it needs verification)"
            }
            WxError::NotVerified { .. } => {
                "call the API after config has resolved, and add it to ConfigOptions::js_api_list"
            }
            WxError::RequireSubscribe { .. } => "follow the test account with this WeChat user, then reopen the page",
            WxError::FunctionNotExist { .. } => {
                "this WeChat client is too old for the API: check support with check_js_api and offer a fallback"
            }
            WxError::ConfigMissingFields { .. } => {
                "pass appId, timestamp, nonceStr, signature and a non-empty jsApiList to config"
            }
            WxError::Timeout { .. } => {
                "WeChat did not answer: check that the page is in WeChat (or the emulator is installed) and that config ran"
            }
            WxError::Cancelled { .. } => "the user cancelled; nothing to fix",
            WxError::Failed { .. } => "read the errMsg; the API's options may be invalid for this device",
            WxError::Other { .. } => "read the errMsg and WeChat's JS-SDK error appendix",
            WxError::Backend { error, .. } if error == NOT_THE_BACKEND => {
                "check that /api/ reaches wx-server (a dev server must proxy it)"
            }
            WxError::Backend { .. } => "read the backend's message; it names the setting or input to fix",
            WxError::BadResult { .. } => "report this: the SDK answered in a shape wx-jssdk does not know",
            WxError::Js(_) => "see the browser console for the JavaScript exception",
        }
    }
}

/// [`WxError::Backend`]'s `error` when the config endpoint answered something other than JSON (an HTML page:
/// the request never reached wx-server).
pub(crate) const NOT_THE_BACKEND: &str = "not_the_backend";

impl From<wasm_bindgen::JsValue> for WxError {
    fn from(value: wasm_bindgen::JsValue) -> Self {
        WxError::Js(crate::js::describe(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::WxError;

    #[test]
    fn classifies_every_documented_err_msg() {
        type Case = (&'static str, &'static str, fn(&WxError) -> bool);
        let cases: &[Case] = &[
            ("config", "config:invalid signature", |e| {
                matches!(e, WxError::InvalidSignature { .. })
            }),
            ("config", "config:invalid url domain", |e| {
                matches!(e, WxError::InvalidUrlDomain { .. })
            }),
            ("config", "config:require subscribe", |e| {
                matches!(e, WxError::RequireSubscribe { .. })
            }),
            ("config", "config:permission denied", |e| {
                matches!(e, WxError::PermissionDenied { .. })
            }),
            ("config", "config:fail", |e| {
                matches!(e, WxError::ConfigMissingFields { .. })
            }),
            ("config", "config:something new", |e| matches!(e, WxError::Other { .. })),
            ("chooseImage", "chooseImage:cancel", |e| {
                matches!(e, WxError::Cancelled { .. })
            }),
            (
                "chooseImage",
                "chooseImage:the permission value is offline verifying",
                |e| matches!(e, WxError::NotVerified { .. }),
            ),
            ("openCard", "openCard:function not exist", |e| {
                matches!(e, WxError::FunctionNotExist { .. })
            }),
            ("scanQRCode", "scanQRCode:fail", |e| matches!(e, WxError::Failed { .. })),
            ("getLocation", "getLocation:fail auth deny", |e| {
                matches!(e, WxError::Failed { .. })
            }),
        ];
        for (api, msg, check) in cases {
            let e = WxError::from_err_msg(api, msg);
            assert!(check(&e), "{api} {msg} → {e:?}");
            assert!(!e.hint().is_empty());
        }
    }

    /// Each message says what went wrong once, and each hint points at what to fix.
    #[test]
    #[allow(clippy::disallowed_methods, reason = "test code: the size rules are for pages")]
    fn messages_and_hints_point_the_right_way() {
        let cases: &[(WxError, &str, &str)] = &[
            (
                WxError::LoadFailed {
                    detail: "https://res.wx.qq.com/open/js/jweixin-1.6.0.js: the script failed to load".into(),
                },
                "the JS-SDK script could not be loaded: https://res.wx.qq.com/open/js/jweixin-1.6.0.js: the script failed to load",
                "res.wx.qq.com",
            ),
            (
                WxError::LoadFailed {
                    detail: format!("/vendor/jweixin-1.6.0.js: {}", crate::loader::NOT_A_SCRIPT),
                },
                "the JS-SDK script could not be loaded: /vendor/jweixin-1.6.0.js: loaded but did not define window.wx: \
                 if the console says `module is not defined`, this is the npm CommonJS build; load it with \
                 SdkSource::CommonJsUrl",
                "res.wx.qq.com",
            ),
            (
                WxError::Backend {
                    status: 200,
                    error: super::NOT_THE_BACKEND.into(),
                    message: "GET /api/jssdk/config?url=x answered an HTML page".into(),
                },
                "the signing backend answered 200: not_the_backend: GET /api/jssdk/config?url=x answered an HTML page",
                "reaches wx-server",
            ),
            (
                WxError::Backend {
                    status: 400,
                    error: "url_not_allowed".into(),
                    message: "add the domain to WX_PAGE_DOMAINS".into(),
                },
                "the signing backend answered 400: url_not_allowed: add the domain to WX_PAGE_DOMAINS",
                "backend's message",
            ),
            (
                WxError::Emulator(crate::emulator::EmulatorError::SdkAlreadyLoaded),
                "jweixin is already loaded: install the emulator before wx_jssdk::load_sdk",
                "before load_sdk",
            ),
        ];
        for (error, message, hint) in cases {
            assert_eq!(error.to_string(), *message);
            assert!(error.hint().contains(hint), "{error:?}: {}", error.hint());
            assert!(!error.hint().contains("report this"), "{error:?}");
        }
        // `?` turns the emulator's refusal into a WxError.
        let install = || -> Result<(), WxError> { Err(crate::emulator::EmulatorError::AlreadyInstalled)? };
        assert!(matches!(install(), Err(WxError::Emulator(_))));
    }
}
