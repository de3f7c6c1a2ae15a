//! checkJsApi and getNetworkType.

use crate::{JsApi, WxError, call::call, js, read};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckArgs<'a> {
    js_api_list: &'a [JsApi],
}

/// Which of `apis` this WeChat client supports (`true` = available). Names WeChat does not report are left out.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::JsApi;
/// let support = wx_jssdk::device::check_js_api(&[JsApi::ChooseImage, JsApi::OpenCard]).await?;
/// if support.get(&JsApi::OpenCard) != Some(&true) { /* hide the card button */ }
/// # Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn check_js_api(apis: &[JsApi]) -> Result<BTreeMap<JsApi, bool>, WxError> {
    let res = call("checkJsApi", &CheckArgs { js_api_list: apis }).await?;
    let result = js::get(&res, "checkResult");
    if !result.is_object() {
        return Ok(BTreeMap::new());
    }
    let mut support = BTreeMap::new();
    for key in js_sys::Object::keys(&js_sys::Object::from(result.clone())).iter() {
        let name = key.as_string().unwrap_or_default();
        if let Some(api) = JsApi::from_any_name(&name) {
            support.insert(api, js::get(&result, &name).is_truthy());
        }
    }
    Ok(support)
}

/// The network type as WeChat reports it: `wifi`, `2g`, `3g`, `4g`, `5g`, `edge`, `wwan`, …
///
/// ```
/// let n = wx_jssdk::device::NetworkType("wifi".into());
/// assert!(n.is_wifi());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkType(pub String);

impl NetworkType {
    /// `true` on Wi-Fi.
    ///
    /// ```
    /// assert!(!wx_jssdk::device::NetworkType("4g".into()).is_wifi());
    /// ```
    pub fn is_wifi(&self) -> bool {
        self.0 == "wifi"
    }
}

/// The current network type.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let net = wx_jssdk::device::get_network_type().await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn get_network_type() -> Result<NetworkType, WxError> {
    let res = call("getNetworkType", &crate::api::Empty {}).await?;
    read::string("getNetworkType", &res, "networkType").map(NetworkType)
}
