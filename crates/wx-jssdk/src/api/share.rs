//! Sharing: the 1.4+ `update*ShareData` APIs and the legacy `onMenuShare*` listeners.

use crate::{
    Listener, WxError,
    call::{call_unit, to_js},
    listener::listen,
};
use serde::Serialize;
use wasm_bindgen::JsValue;

/// What "send to a friend" (and QQ) shows: `updateAppMessageShareData`.
///
/// `link` must be on a JS safe domain of the account; `img_url` must be an http(s) URL (no base64).
///
/// ```
/// let data = wx_jssdk::share::AppMessageShare {
///     title: "wxkit".into(),
///     desc: "WeChat H5 toolkit".into(),
///     link: "https://example.com/".into(),
///     img_url: "https://example.com/icon.png".into(),
/// };
/// assert_eq!(data.title, "wxkit");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppMessageShare {
    /// Share title.
    pub title: String,
    /// Share description.
    pub desc: String,
    /// The link shared (same domain/path as the page or a JS safe domain).
    pub link: String,
    /// Icon URL.
    pub img_url: String,
}

/// What "share to Moments" (and QZone) shows: `updateTimelineShareData`.
///
/// ```
/// let data = wx_jssdk::share::TimelineShare { title: "wxkit".into(), ..Default::default() };
/// assert!(data.link.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineShare {
    /// Share title.
    pub title: String,
    /// The link shared.
    pub link: String,
    /// Icon URL.
    pub img_url: String,
}

/// Sets what "send to a friend" / "share to QQ" will share. Call after `config` resolved; resolves when
/// WeChat stored the data (not when the user shares).
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::share::update_app_message_share_data(&wx_jssdk::share::AppMessageShare {
///     title: "Hello".into(), desc: "from wxkit".into(),
///     link: wx_jssdk::url_to_sign(), img_url: "https://example.com/i.png".into(),
/// }).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::NotVerified`] if the API is not in `jsApiList`; other failures typed.
pub async fn update_app_message_share_data(data: &AppMessageShare) -> Result<(), WxError> {
    call_unit("updateAppMessageShareData", data).await
}

/// Sets what "share to Moments" / "share to QZone" will share.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::share::update_timeline_share_data(&wx_jssdk::share::TimelineShare {
///     title: "Hello".into(), link: wx_jssdk::url_to_sign(), img_url: "https://example.com/i.png".into(),
/// }).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`update_app_message_share_data`].
pub async fn update_timeline_share_data(data: &TimelineShare) -> Result<(), WxError> {
    call_unit("updateTimelineShareData", data).await
}

/// The legacy `onMenuShare*` share content (deprecated by WeChat in favour of `update*ShareData`, still served).
///
/// ```
/// let d = wx_jssdk::share::MenuShare { title: "t".into(), link: "https://a.com/".into(), ..Default::default() };
/// assert!(d.desc.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MenuShare {
    /// Share title (jweixin defaults to the document title).
    pub title: String,
    /// Description (not used by Moments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// The link shared (jweixin defaults to `location.href`).
    pub link: String,
    /// Icon URL.
    pub img_url: String,
    /// `music`, `video` or `link` (default), app-message only.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Data URL for music/video, app-message only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_url: Option<String>,
}

/// What happens after a legacy share listener is registered.
///
/// ```
/// use wx_jssdk::share::MenuShareEvent;
/// let done = |e: &MenuShareEvent| matches!(e, MenuShareEvent::Shared | MenuShareEvent::Cancelled);
/// assert!(done(&MenuShareEvent::Shared));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuShareEvent {
    /// The user tapped the share menu item (`trigger`).
    Triggered,
    /// The user completed the share (`success`).
    Shared,
    /// The user cancelled (`cancel`).
    Cancelled,
    /// The share failed.
    Failed(WxError),
}

fn menu_share_event(api: &'static str) -> fn(&str, JsValue) -> MenuShareEvent {
    fn convert(api: &str, tag: &str, res: JsValue) -> MenuShareEvent {
        if tag == "trigger" {
            return MenuShareEvent::Triggered;
        }
        match crate::call::check(api, res) {
            Ok(_) => MenuShareEvent::Shared,
            Err(WxError::Cancelled { .. }) => MenuShareEvent::Cancelled,
            Err(e) => MenuShareEvent::Failed(e),
        }
    }
    match api {
        "onMenuShareTimeline" => |t, r| convert("onMenuShareTimeline", t, r),
        "onMenuShareAppMessage" => |t, r| convert("onMenuShareAppMessage", t, r),
        "onMenuShareQQ" => |t, r| convert("onMenuShareQQ", t, r),
        "onMenuShareWeibo" => |t, r| convert("onMenuShareWeibo", t, r),
        _ => |t, r| convert("onMenuShareQZone", t, r),
    }
}

async fn register_menu_share(api: &'static str, data: &MenuShare) -> Result<Listener<MenuShareEvent>, WxError> {
    let options: js_sys::Object = wasm_bindgen::JsCast::unchecked_into(to_js(data)?);
    // jweixin calls `complete` after success/cancel/fail of the share itself.
    listen(api, options, &["trigger", "complete"], menu_share_event(api)).await
}

/// Legacy: share-to-Moments content and its events. See [`Listener`] for what replacing or dropping the handle
/// does.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::share::{MenuShare, MenuShareEvent};
/// let mut events =
///     wx_jssdk::share::on_menu_share_timeline(&MenuShare { title: "t".into(), ..Default::default() }).await?;
/// while let Some(MenuShareEvent::Triggered) = events.next().await {}
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] before `load_sdk`; [`WxError::NotInWechat`] without `WeixinJSBridge` (jweixin would
/// drop the registration).
pub async fn on_menu_share_timeline(data: &MenuShare) -> Result<Listener<MenuShareEvent>, WxError> {
    register_menu_share("onMenuShareTimeline", data).await
}

/// Legacy: send-to-friend content and its events.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let _events = wx_jssdk::share::on_menu_share_app_message(&Default::default()).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`on_menu_share_timeline`].
pub async fn on_menu_share_app_message(data: &MenuShare) -> Result<Listener<MenuShareEvent>, WxError> {
    register_menu_share("onMenuShareAppMessage", data).await
}

/// Legacy: share-to-QQ content and its events.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let _events = wx_jssdk::share::on_menu_share_qq(&Default::default()).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`on_menu_share_timeline`].
pub async fn on_menu_share_qq(data: &MenuShare) -> Result<Listener<MenuShareEvent>, WxError> {
    register_menu_share("onMenuShareQQ", data).await
}

/// Legacy: share-to-Weibo content and its events.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let _events = wx_jssdk::share::on_menu_share_weibo(&Default::default()).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`on_menu_share_timeline`].
pub async fn on_menu_share_weibo(data: &MenuShare) -> Result<Listener<MenuShareEvent>, WxError> {
    register_menu_share("onMenuShareWeibo", data).await
}

/// Legacy: share-to-QZone content and its events.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let _events = wx_jssdk::share::on_menu_share_qzone(&Default::default()).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`on_menu_share_timeline`].
pub async fn on_menu_share_qzone(data: &MenuShare) -> Result<Listener<MenuShareEvent>, WxError> {
    register_menu_share("onMenuShareQZone", data).await
}
