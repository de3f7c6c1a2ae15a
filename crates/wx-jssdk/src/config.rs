//! `wx.config` as an async function.

use crate::{
    Environment, JsApi, OpenTag, WxError,
    call::to_js,
    js::{self, deferred},
};
use js_sys::{Function, Object};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// The signed part of `wx.config`, exactly as the backend's `GET /api/jssdk/config?url=…` returns it.
///
/// ```
/// # #[cfg(not(target_arch = "wasm32"))] {
/// let json = r#"{"appId":"wx123","timestamp":1700000000,"nonceStr":"Wm3WZYTPz0wzccnW","signature":"0f9de62f"}"#;
/// let c: wx_jssdk::SignedConfig = serde_json::from_str(json).unwrap();
/// assert_eq!(c.app_id, "wx123");
/// assert_eq!(c.timestamp, 1700000000);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedConfig {
    /// The Official Account's appId (the one whose jsapi_ticket signed).
    pub app_id: String,
    /// Seconds since the epoch used in the signature.
    pub timestamp: u64,
    /// The nonce used in the signature.
    pub nonce_str: String,
    /// SHA-1 hex of the canonical string (not secret: the ticket is).
    pub signature: String,
}

/// The unsigned part of `wx.config`: which APIs and open tags the page will use.
///
/// ```
/// use wx_jssdk::{ConfigOptions, JsApi, OpenTag};
/// let opts = ConfigOptions::new([JsApi::UpdateAppMessageShareData, JsApi::ChooseImage])
///     .with_open_tags([OpenTag::LaunchWeapp])
///     .with_timeout_ms(5_000);
/// assert_eq!(opts.js_api_list.len(), 2);
/// assert!(!opts.debug);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigOptions {
    /// APIs to verify; calling an API not listed fails with [`WxError::NotVerified`].
    pub js_api_list: Vec<JsApi>,
    /// Open tags to enable.
    pub open_tag_list: Vec<OpenTag>,
    /// jweixin's debug mode: WeChat alerts every result. Never in production.
    pub debug: bool,
    /// How long to wait for WeChat's answer (default 10 000 ms).
    pub timeout_ms: u32,
}

impl Default for ConfigOptions {
    fn default() -> Self {
        ConfigOptions {
            js_api_list: Vec::new(),
            open_tag_list: Vec::new(),
            debug: false,
            timeout_ms: 10_000,
        }
    }
}

impl ConfigOptions {
    /// Options verifying `apis`.
    ///
    /// ```
    /// let opts = wx_jssdk::ConfigOptions::new([wx_jssdk::JsApi::ScanQrCode]);
    /// assert_eq!(opts.timeout_ms, 10_000);
    /// ```
    pub fn new(apis: impl IntoIterator<Item = JsApi>) -> Self {
        ConfigOptions {
            js_api_list: apis.into_iter().collect(),
            ..ConfigOptions::default()
        }
    }
    /// Adds open tags.
    ///
    /// ```
    /// let opts = wx_jssdk::ConfigOptions::default().with_open_tags([wx_jssdk::OpenTag::Subscribe]);
    /// assert_eq!(opts.open_tag_list, [wx_jssdk::OpenTag::Subscribe]);
    /// ```
    pub fn with_open_tags(mut self, tags: impl IntoIterator<Item = OpenTag>) -> Self {
        self.open_tag_list.extend(tags);
        self
    }
    /// Sets jweixin's debug flag.
    ///
    /// ```
    /// assert!(wx_jssdk::ConfigOptions::default().with_debug(true).debug);
    /// ```
    pub fn with_debug(mut self, debug: bool) -> Self {
        self.debug = debug;
        self
    }
    /// Sets the answer timeout.
    ///
    /// ```
    /// assert_eq!(wx_jssdk::ConfigOptions::default().with_timeout_ms(3_000).timeout_ms, 3_000);
    /// ```
    pub fn with_timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = ms;
        self
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WxConfigArgs<'a> {
    debug: bool,
    app_id: &'a str,
    timestamp: u64,
    nonce_str: &'a str,
    signature: &'a str,
    js_api_list: &'a [JsApi],
    open_tag_list: &'a [OpenTag],
}

/// Checks what WeChat would reject as `config:fail` before sending anything. WeChat documents `jsApiList` as
/// required, open tags or not.
fn validate(signed: &SignedConfig, options: &ConfigOptions) -> Result<(), WxError> {
    let missing = [
        ("appId", signed.app_id.is_empty()),
        ("nonceStr", signed.nonce_str.is_empty()),
        ("signature", signed.signature.is_empty()),
        ("timestamp", signed.timestamp == 0),
        ("jsApiList", options.js_api_list.is_empty()),
    ];
    match missing.iter().find(|(_, is_missing)| *is_missing) {
        Some((field, _)) => Err(WxError::ConfigMissingFields {
            detail: format!("`{field}` is empty"),
        }),
        None => Ok(()),
    }
}

thread_local! {
    /// The number of the latest [`config`] attempt in this page.
    static LATEST: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Runs `wx.config` and resolves when WeChat has verified it, or fails with the typed error WeChat answered
/// (`InvalidSignature`, `InvalidUrlDomain`, …), [`WxError::Timeout`] or [`WxError::NotInWechat`].
///
/// Calling it again in the same page (single-page apps re-sign after a URL change, or retry after a timeout)
/// is supported. jweixin keeps a single set of config callbacks, so each call takes WeChat's answer to its own
/// `preVerifyJSAPI` and hands it to jweixin only while it is the latest call: a late answer to an earlier
/// attempt never decides a later one.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::{ConfigOptions, JsApi, SdkSource, SignedConfig};
/// wx_jssdk::load_sdk(&SdkSource::default()).await?;
/// let signed: SignedConfig = todo!("GET /api/jssdk/config?url=<wx_jssdk::url_to_sign()>");
/// match wx_jssdk::config(&signed, &ConfigOptions::new([JsApi::UpdateAppMessageShareData])).await {
///     Ok(()) => {}
///     Err(e) => web_sys::console::error_1(&format!("{e}: {}", e.hint()).into()),
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// See above; every error has a [`hint`](WxError::hint).
pub async fn config(signed: &SignedConfig, options: &ConfigOptions) -> Result<(), WxError> {
    validate(signed, options)?;
    if !Environment::detect().in_wechat {
        return Err(WxError::NotInWechat);
    }
    let wx = js::wx()?;
    // With the bridge there, jweixin sends `preVerifyJSAPI` from inside `wx.config`, where it is caught below.
    let bridge = crate::bridge::bridge().await?;
    let attempt = LATEST.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    });
    let args = to_js(&WxConfigArgs {
        debug: options.debug,
        app_id: &signed.app_id,
        timestamp: signed.timestamp,
        nonce_str: &signed.nonce_str,
        signature: &signed.signature,
        js_api_list: &options.js_api_list,
        open_tag_list: &options.open_tag_list,
    })?;
    // While `wx.config` runs, `invoke(name, args, callback)` only records its arguments.
    let invoke: Function = method(bridge.unchecked_ref(), "invoke")?;
    let sent = js_sys::Array::new();
    // Pages hook `invoke` this way too; a client whose bridge is frozen would hide the answer from us.
    let wrapped = js_sys::Reflect::set(&bridge, &"invoke".into(), &method(&sent, "push")?.bind0(&sent))?;
    let called = method(&wx, "config")?.call1(&wx, &args);
    if wrapped {
        js::set(&bridge, "invoke", &invoke)?;
    }
    called?;
    // jweixin's own callback: converts the answer's errMsg in place and runs ready / error.
    let jweixin = sent.get(2).dyn_into::<Function>().map_err(|_| {
        WxError::Js(if wrapped {
            "jweixin did not ask WeChat to verify the config (is the SDK jweixin 1.6.0?)".into()
        } else {
            "WeixinJSBridge.invoke is read-only in this client: the answer to wx.config cannot be seen".into()
        })
    })?;
    let answered = deferred()?;
    invoke.call3(&bridge, &sent.get(0), &sent.get(1), &answered.resolve)?;
    let answer = js::with_timeout(&answered.promise, options.timeout_ms, "config").await?;
    if LATEST.with(|n| n.get()) == attempt {
        // What the page's own ready/error callbacks throw is theirs, not this config's outcome.
        let _ = jweixin.call1(&JsValue::NULL, &answer);
    }
    // Converted by jweixin (`config:invalid signature`), or as the bridge sent it when a later attempt took over.
    crate::bridge::outcome("config", &answer)
}

pub(crate) fn method(target: &Object, name: &str) -> Result<Function, WxError> {
    js::get(target, name)
        .dyn_into::<Function>()
        .map_err(|_| WxError::FunctionNotExist { api: name.to_owned() })
}
