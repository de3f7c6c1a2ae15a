//! chooseWXPay.

use crate::{WxError, call::call_unit};
use serde::Serialize;

/// A WeChat Pay request, signed by your payment backend (JSAPI payment).
///
/// ```
/// let p = wx_jssdk::pay::ChooseWxPay {
///     timestamp: 1700000000, nonce_str: "n".into(), package: "prepay_id=wx1".into(),
///     sign_type: "RSA".into(), pay_sign: "sig".into(),
/// };
/// assert!(p.package.starts_with("prepay_id="));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChooseWxPay {
    /// Payment signature timestamp (jweixin sends it as `timeStamp`).
    pub timestamp: u64,
    /// Payment nonce (≤ 32 chars).
    pub nonce_str: String,
    /// `prepay_id=…`.
    pub package: String,
    /// `RSA` (API v3), `MD5` or `HMAC-SHA256` (v2); jweixin's default is `SHA1`.
    pub sign_type: String,
    /// The payment signature.
    pub pay_sign: String,
}

/// Opens WeChat Pay. `Ok` means WeChat reported success to the page; confirm with your backend.
///
/// ```no_run
/// # async fn demo(req: wx_jssdk::pay::ChooseWxPay) -> Result<(), wx_jssdk::WxError> {
/// match wx_jssdk::pay::choose_wx_pay(&req).await {
///     Err(wx_jssdk::WxError::Cancelled { .. }) => { /* the user closed the pay sheet */ }
///     other => other?,
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel and failures, typed.
pub async fn choose_wx_pay(request: &ChooseWxPay) -> Result<(), WxError> {
    call_unit("chooseWXPay", request).await
}
