//! What the emulator saw: the record the page's tests read (from Rust, or from JS as
//! `window.__wxkitEmulator.record()`, same shape, camelCase).

use serde::Serialize;

/// Everything the emulated WeChat was asked to do, in order.
///
/// JSON shape (`window.__wxkitEmulator.record()`):
/// ```text
/// { "device": "ios" | "android",
///   "configs": [{ "appId", "url", "ok", "errMsg", "jsApiList": [sdk names], "openTagList": [] }],
///   "appMessageShare": { "title", "desc", "link", "imgUrl" } | null,
///   "timelineShare": { "title", "link", "imgUrl" } | null,
///   "legacyShares": [{ "api": "shareTimeline" | "sendAppMessage" | …, "title", "desc", "link", "imgUrl", "outcome" }],
///   "calls": [{ "api": sdk name, "errMsg": as the SDK will report it, "args": JSON text the bridge received }],
///   "previews": [{ "current", "urls" }], "openedLocations": [{ "latitude", "longitude", "name", "address" }],
///   "hiddenMenuItems": [...], "optionMenuHidden": bool, "closed": bool, "payments": [{...}] }
/// ```
///
/// ```no_run
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// let record = emu.record();
/// if let Some(share) = &record.app_message_share { assert!(!share.title.is_empty()); }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmulatorRecord {
    /// `ios` or `android`.
    pub device: String,
    /// Every `wx.config` (preVerifyJSAPI) and its outcome.
    pub configs: Vec<ConfigAttempt>,
    /// The last `updateAppMessageShareData`.
    pub app_message_share: Option<ShareContent>,
    /// The last `updateTimelineShareData`.
    pub timeline_share: Option<ShareContent>,
    /// Shares completed through the legacy `onMenuShare*` listeners (after a triggered share).
    pub legacy_shares: Vec<LegacyShare>,
    /// API calls answered, in order, with the errMsg the SDK reports (the last
    /// [`MAX_RECORDED_CALLS`](super::MAX_RECORDED_CALLS)).
    pub calls: Vec<Call>,
    /// `previewImage` requests.
    pub previews: Vec<Preview>,
    /// `openLocation` requests.
    pub opened_locations: Vec<OpenedLocation>,
    /// Menu items hidden by `hideMenuItems` (and not shown again).
    pub hidden_menu_items: Vec<String>,
    /// `hideOptionMenu` in effect.
    pub option_menu_hidden: bool,
    /// `hideAllNonBaseMenuItem` in effect.
    pub non_base_menu_hidden: bool,
    /// `closeWindow` was called.
    pub closed: bool,
    /// `chooseWXPay` requests (package and signType only).
    pub payments: Vec<Payment>,
}

/// One `wx.config`.
///
/// ```
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// let last = emu.record().configs.pop();
/// assert!(last.is_none_or(|c| c.ok || c.err_msg.starts_with("config:")));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigAttempt {
    /// The appId sent.
    pub app_id: String,
    /// The URL the signature was checked against.
    pub url: String,
    /// Accepted?
    pub ok: bool,
    /// `config:ok`, `config:invalid signature`, …
    pub err_msg: String,
    /// jsApiList, as SDK names.
    pub js_api_list: Vec<String>,
    /// openTagList.
    pub open_tag_list: Vec<String>,
}

/// What a share would show.
///
/// ```
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// let shared = emu.record().app_message_share.map(|s| s.title);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareContent {
    /// Title.
    pub title: String,
    /// Description (empty for Moments).
    pub desc: String,
    /// Link.
    pub link: String,
    /// Icon URL.
    pub img_url: String,
}

/// A share done through a legacy listener.
///
/// ```
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// let done = emu.record().legacy_shares.iter().filter(|s| s.outcome == "ok").count();
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyShare {
    /// The bridge call: `shareTimeline`, `sendAppMessage`, `shareQQ`, `shareWeiboApp`, `shareQZone`.
    pub api: String,
    /// The content.
    #[serde(flatten)]
    pub content: ShareContent,
    /// `ok`, `cancel` or `fail`.
    pub outcome: String,
}

/// One answered API call.
///
/// ```
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// let cancels = emu.record().calls.iter().filter(|c| c.err_msg.ends_with(":cancel")).count();
/// let launched = emu.record().calls.iter().any(|c| c.api == "launchMiniProgram" && c.args.contains("targetAppId"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// SDK name (`getLocation`, not `geoLocation`).
    pub api: String,
    /// The errMsg the SDK reports for it.
    pub err_msg: String,
    /// What jweixin sent the bridge, as JSON text in WeChat's native field names (`{"pid":"p1","view_type":"0"}`
    /// for openProductSpecificView), without the `appId` / `verify*` fields jweixin adds to every call. Fields
    /// jweixin left `undefined` are absent. Text past [`MAX_RECORDED_ARGS`](super::MAX_RECORDED_ARGS) bytes is
    /// cut and ends with `…`.
    pub args: String,
}

/// A `previewImage` request.
///
/// ```
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// let shown = emu.record().previews.last().map(|p| p.current.clone());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// The first image.
    pub current: String,
    /// All images.
    pub urls: Vec<String>,
}

/// An `openLocation` request.
///
/// ```
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// let names: Vec<String> = emu.record().opened_locations.into_iter().map(|l| l.name).collect();
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenedLocation {
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
}

/// A `chooseWXPay` request.
///
/// ```
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// let paid = emu.record().payments.iter().any(|p| p.package.starts_with("prepay_id="));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// `prepay_id=…`.
    pub package: String,
    /// Signature type.
    pub sign_type: String,
}
