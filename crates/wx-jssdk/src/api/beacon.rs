//! iBeacons ("shake nearby"): startSearchBeacons, stopSearchBeacons, onSearchBeacons.

use crate::{Listener, WxError, call::call_unit, js};
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

/// iBeacons in range, as WeChat's raw result object (`beacons: [{major, minor, uuid, accuracy, proximity, …}]`).
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let mut found = wx_jssdk::beacon::on_search_beacons()?;
/// let raw = found.next().await;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] before `load_sdk`.
pub fn on_search_beacons() -> Result<Listener<JsValue>, WxError> {
    // Look the function up first: a listener closure is created only when it can be registered.
    let wx = js::wx()?;
    let register = crate::config::method(&wx, "onSearchBeacons")?;
    let (listener, callback) = Listener::new(|_tag, res| res);
    let options = js_sys::Object::new();
    js::set(&options, "complete", &callback("complete"))?;
    register.call1(&wx, &options)?;
    Ok(listener)
}
