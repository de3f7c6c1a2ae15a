//! checkJsApi and getNetworkType.

use crate::{JsApi, WxError, call::call};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckArgs<'a> {
    js_api_list: &'a [JsApi],
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckResult {
    #[serde(default)]
    check_result: BTreeMap<String, bool>,
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
    let r: CheckResult = call("checkJsApi", &CheckArgs { js_api_list: apis }).await?;
    Ok(r.check_result
        .into_iter()
        .filter_map(|(name, ok)| JsApi::from_any_name(&name).map(|api| (api, ok)))
        .collect())
}

/// The network type as WeChat reports it: `wifi`, `2g`, `3g`, `4g`, `5g`, `edge`, `wwan`, …
///
/// ```
/// let n = wx_jssdk::device::NetworkType("wifi".into());
/// assert!(n.is_wifi());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NetworkType(pub String);

impl NetworkType {
    /// `true` on Wi-Fi.
    pub fn is_wifi(&self) -> bool {
        self.0 == "wifi"
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetworkResult {
    network_type: String,
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
    call::<_, NetworkResult>("getNetworkType", &crate::api::Empty {})
        .await
        .map(|r| NetworkType(r.network_type))
}
