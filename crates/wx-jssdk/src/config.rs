//! `wx.config` as an async function.

use crate::{
    Environment, JsApi, OpenTag, WxError,
    call::{self, to_js},
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

/// Checks what WeChat would reject as `config:fail` before sending anything.
fn validate(signed: &SignedConfig, options: &ConfigOptions) -> Result<(), WxError> {
    let missing = [
        ("appId", signed.app_id.is_empty()),
        ("nonceStr", signed.nonce_str.is_empty()),
        ("signature", signed.signature.is_empty()),
        ("timestamp", signed.timestamp == 0),
        (
            "jsApiList (or openTagList)",
            options.js_api_list.is_empty() && options.open_tag_list.is_empty(),
        ),
    ];
    match missing.iter().find(|(_, is_missing)| *is_missing) {
        Some((field, _)) => Err(WxError::ConfigMissingFields {
            detail: format!("`{field}` is empty"),
        }),
        None => Ok(()),
    }
}

/// Runs `wx.config` and resolves when WeChat has verified it (`wx.ready`), or fails with the typed
/// `wx.error` (`InvalidSignature`, `InvalidUrlDomain`, …), [`WxError::Timeout`] or [`WxError::NotInWechat`].
///
/// A second call in the same page (single-page apps re-sign after a URL change) is supported: jweixin runs
/// `ready` callbacks at once after the first config, so for later calls wx-jssdk waits until `checkJsApi`
/// stops answering "offline verifying" (WeChat answers API calls only after verification) and then for an
/// error.
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
    let error = deferred()?;
    // jweixin keeps one error handler (the last registered); register ours for this config.
    method(&wx, "error")?.call1(&wx, &error.resolve)?;
    let args = to_js(&WxConfigArgs {
        debug: options.debug,
        app_id: &signed.app_id,
        timestamp: signed.timestamp,
        nonce_str: &signed.nonce_str,
        signature: &signed.signature,
        js_api_list: &options.js_api_list,
        open_tag_list: &options.open_tag_list,
    })?;
    method(&wx, "config")?.call1(&wx, &args)?;

    // A callback that records whether `ready` ran synchronously, i.e. jweixin already counts as configured.
    let probe = Object::new();
    method(&wx, "ready")?.call1(&wx, &js::flag_setter(&probe, "ran")?.into())?;
    let already_configured = js::get(&probe, "ran").is_truthy();

    if already_configured {
        return reconfigured(&error.promise, options.timeout_ms).await;
    }
    let ready = deferred()?;
    method(&wx, "ready")?.call1(&wx, &ready.resolve)?;
    // jweixin calls the error handler before the ready callbacks, so an error always wins this race.
    let raced = js_sys::Promise::race(&js_sys::Array::of2(&error.promise, &ready.promise));
    let value = js::with_timeout(&raced, options.timeout_ms, "config").await?;
    config_outcome(value)
}

/// `ready` resolves with `undefined`; `error` with `{errMsg}`.
fn config_outcome(value: JsValue) -> Result<(), WxError> {
    match js::get_string(&value, "errMsg") {
        Some(msg) => Err(WxError::from_err_msg("config", &msg)),
        None => Ok(()),
    }
}

async fn reconfigured(error: &js_sys::Promise, timeout_ms: u32) -> Result<(), WxError> {
    const PAUSE_MS: u32 = 50;
    let attempts = (timeout_ms / PAUSE_MS).max(1);
    for _ in 0..attempts {
        // checkJsApi's answer goes straight into the race (no Rust future to turn into a promise); if it cannot
        // even be asked, verification counts as over.
        let probe = call::start(
            "checkJsApi",
            to_js(&ProbeArgs {
                js_api_list: &[JsApi::GetNetworkType],
            })?,
        )
        .unwrap_or_else(|_| js_sys::Promise::resolve(&JsValue::TRUE));
        let raced = js_sys::Promise::race(&js_sys::Array::of2(error, &probe));
        let value = js::with_timeout(&raced, timeout_ms, "config").await?;
        // jweixin calls the error handler before any API answers, so a settled error is what ended the race.
        if let Some(v) = js::settled_value(error).await? {
            return config_outcome(v);
        }
        if !matches!(call::check("checkJsApi", value), Err(WxError::NotVerified { .. })) {
            // Verification is over, without an error.
            return Ok(());
        }
        js::sleep(PAUSE_MS).await?;
    }
    Err(WxError::Timeout {
        what: "config".into(),
        after_ms: timeout_ms,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProbeArgs<'a> {
    js_api_list: &'a [JsApi],
}

pub(crate) fn method(target: &Object, name: &str) -> Result<Function, WxError> {
    js::get(target, name)
        .dyn_into::<Function>()
        .map_err(|_| WxError::FunctionNotExist { api: name.to_owned() })
}
