//! iBeacons ("shake nearby"): startSearchBeacons, stopSearchBeacons, onSearchBeacons.

use crate::{Listener, WxError, call::call_unit, listener::listen};
use serde::Serialize;
use wasm_bindgen::JsValue;

#[derive(Serialize)]
struct Ticket<'a> {
    ticket: &'a str,
}

/// Starts searching iBeacons; `ticket` is the one WeChat appended to the page URL.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::beacon::start_search_beacons("t").await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn start_search_beacons(ticket: &str) -> Result<(), WxError> {
    call_unit("startSearchBeacons", &Ticket { ticket }).await
}

/// Stops searching iBeacons.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::beacon::stop_search_beacons().await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn stop_search_beacons() -> Result<(), WxError> {
    call_unit("stopSearchBeacons", &crate::api::Empty {}).await
}

/// iBeacons in range, as WeChat's raw result object (`beacons: [{major, minor, uuid, accuracy, proximity, …}]`,
/// and `errMsg`, which a failed search also reports here). See [`Listener`] for what replacing or dropping
/// the handle does.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let mut found = wx_jssdk::beacon::on_search_beacons().await?;
/// let raw = found.next().await;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] before `load_sdk`; [`WxError::NotInWechat`] without `WeixinJSBridge` (jweixin would
/// drop the registration).
pub async fn on_search_beacons() -> Result<Listener<JsValue>, WxError> {
    listen("onSearchBeacons", js_sys::Object::new(), &["complete"], |_tag, res| res).await
}
