//! checkJsApi and getNetworkType.

use crate::{JsApi, WxError, call::call, js, read};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckArgs<'a> {
    js_api_list: &'a [JsApi],
}

/// What [`check_js_api`] found: each API WeChat reported, with whether it is available, in the order WeChat
/// reported them. A small list rather than a map: a page asks about a dozen APIs (ARCHITECTURE.md, "Size rules").
///
/// ```
/// use wx_jssdk::{JsApi, device::JsApiSupport};
/// let support = JsApiSupport::from_pairs([(JsApi::ChooseImage, true), (JsApi::OpenCard, false)]);
/// assert_eq!(support.get(&JsApi::ChooseImage), Some(&true));
/// assert_eq!(support.get(&JsApi::ScanQrCode), None);
/// assert_eq!(support.iter().filter(|(_, ok)| *ok).count(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsApiSupport(Vec<(JsApi, bool)>);

impl JsApiSupport {
    /// Builds the list from pairs; a later pair for the same API replaces an earlier one.
    ///
    /// ```
    /// use wx_jssdk::{JsApi, device::JsApiSupport};
    /// let support = JsApiSupport::from_pairs([(JsApi::OpenCard, false), (JsApi::OpenCard, true)]);
    /// assert_eq!(support.len(), 1);
    /// assert_eq!(support.get(&JsApi::OpenCard), Some(&true));
    /// ```
    pub fn from_pairs(pairs: impl IntoIterator<Item = (JsApi, bool)>) -> Self {
        let mut support = JsApiSupport::default();
        for (api, ok) in pairs {
            support.insert(api, ok);
        }
        support
    }

    fn insert(&mut self, api: JsApi, ok: bool) {
        match self.0.iter_mut().find(|(a, _)| *a == api) {
            Some(slot) => slot.1 = ok,
            None => self.0.push((api, ok)),
        }
    }

    /// Whether `api` is available, if WeChat reported it (same shape as `BTreeMap::get`).
    ///
    /// ```
    /// use wx_jssdk::{JsApi, device::JsApiSupport};
    /// assert_eq!(JsApiSupport::default().get(&JsApi::OpenCard), None);
    /// ```
    pub fn get(&self, api: &JsApi) -> Option<&bool> {
        self.0.iter().find(|(a, _)| a == api).map(|(_, ok)| ok)
    }

    /// The reported APIs and their availability, in the order WeChat reported them.
    ///
    /// ```
    /// use wx_jssdk::{JsApi, device::JsApiSupport};
    /// let support = JsApiSupport::from_pairs([(JsApi::ScanQrCode, true)]);
    /// assert_eq!(support.iter().collect::<Vec<_>>(), [(JsApi::ScanQrCode, true)]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (JsApi, bool)> + '_ {
        self.0.iter().copied()
    }

    /// How many APIs WeChat reported.
    ///
    /// ```
    /// assert_eq!(wx_jssdk::device::JsApiSupport::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when WeChat reported nothing.
    ///
    /// ```
    /// assert!(wx_jssdk::device::JsApiSupport::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
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
pub async fn check_js_api(apis: &[JsApi]) -> Result<JsApiSupport, WxError> {
    let res = call("checkJsApi", &CheckArgs { js_api_list: apis }).await?;
    let result = js::get(&res, "checkResult");
    let mut support = JsApiSupport::default();
    if !result.is_object() {
        return Ok(support);
    }
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
