//! chooseWXPay, and the undocumented openEnterpriseRedPacket and openBusinessView (Pay Score).

use crate::{WxError, call::call, call::call_unit, mini_program::EnvVersion, read};
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

/// A WeCom enterprise red packet request, signed by your payment backend. jweixin sends exactly
/// [`ChooseWxPay`]'s fields (`timeStamp` as a string, `signType` defaulting to `SHA1`).
///
/// ```
/// let r = wx_jssdk::pay::EnterpriseRedPacket {
///     timestamp: 1700000000, nonce_str: "n".into(), package: "p".into(),
///     sign_type: "MD5".into(), pay_sign: "sig".into(),
/// };
/// assert_eq!(r.sign_type, "MD5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseRedPacket {
    /// Signature timestamp (jweixin sends it as `timeStamp`).
    pub timestamp: u64,
    /// Nonce (≤ 32 chars).
    pub nonce_str: String,
    /// The red packet's package string, as your payment backend issued it.
    pub package: String,
    /// Signature type; jweixin's default is `SHA1`.
    pub sign_type: String,
    /// The signature.
    pub pay_sign: String,
}

/// Opens a WeCom enterprise red packet (`wx.openEnterpriseRedPacket`; on the bridge
/// `getRecevieBizHongBaoRequest`, WeChat's own spelling).
///
/// **Undocumented** (see [`JsApi::UNDOCUMENTED`](crate::JsApi::UNDOCUMENTED)): WeChat may answer
/// `permission denied` or `function not exist` to an account it has not opened it to.
///
/// ```no_run
/// # async fn demo(req: wx_jssdk::pay::EnterpriseRedPacket) -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::pay::open_enterprise_red_packet(&req).await
/// # }
/// ```
///
/// # Errors
/// Cancel and failures, typed.
pub async fn open_enterprise_red_packet(request: &EnterpriseRedPacket) -> Result<(), WxError> {
    call_unit("openEnterpriseRedPacket", request).await
}

/// A business view to open, e.g. WeChat Pay Score's order confirmation.
///
/// ```
/// let v = wx_jssdk::pay::BusinessView {
///     business_type: "wxpayScoreUse".into(),
///     query_string: "mch_id=1230000109&package=XXXX".into(),
///     env_version: None,
/// };
/// assert!(v.env_version.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessView {
    /// What to open: Pay Score's `wxpayScoreUse` (confirm an order), `wxpayScoreDetail` (order details),
    /// `wxpayScoreEnable` (authorise), …
    pub business_type: String,
    /// The business parameters as `key=value&key2=value2`, values URL-encoded and signed as WeChat Pay
    /// specifies for the business type.
    pub query_string: String,
    /// Which version of the business's mini program to open; only honoured while that is not released.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_version: Option<EnvVersion>,
}

/// What `openBusinessView` answered when the user came back to the page.
///
/// ```
/// let r = wx_jssdk::pay::BusinessViewResult { err_code: Some(0), extra_data: Some("{}".into()) };
/// assert!(r.returned_normally());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BusinessViewResult {
    /// WeChat's `err_code` (a number on iOS, a numeric string on Android; read as a number either way).
    /// WeChat Pay says to check it for 0 rather than trust the `ok`.
    pub err_code: Option<i64>,
    /// `extraData`, as JSON text, only sent when `err_code` is 0: Android sends a JSON string (which
    /// jweixin parses), iOS an object; both end up here as the same JSON text.
    pub extra_data: Option<String>,
}

impl BusinessViewResult {
    /// `err_code` is 0: the user came back through the business view's own back button (WeChat Pay still
    /// wants your backend to query the order's state).
    ///
    /// ```
    /// assert!(!wx_jssdk::pay::BusinessViewResult::default().returned_normally());
    /// ```
    pub fn returned_normally(&self) -> bool {
        self.err_code == Some(0)
    }
}

/// Opens a WeChat business view (`wx.openBusinessView`), such as WeChat Pay Score (WeChat ≥ 7.0.5).
///
/// **Undocumented** in the JS-SDK docs (WeChat Pay documents it; see
/// [`JsApi::UNDOCUMENTED`](crate::JsApi::UNDOCUMENTED)): WeChat may answer `permission denied` or
/// `function not exist` to an account without the business's permission.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::pay::{BusinessView, open_business_view};
/// let back = open_business_view(&BusinessView {
///     business_type: "wxpayScoreUse".into(),
///     query_string: "mch_id=1230000109&package=XXXX&timestamp=1530097563&nonce_str=n&sign=S".into(),
///     env_version: None,
/// })
/// .await?;
/// if back.returned_normally() { /* ask your backend for the order's state */ }
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel and failures, typed; [`WxError::BadResult`] if `err_code` is not an integer.
pub async fn open_business_view(view: &BusinessView) -> Result<BusinessViewResult, WxError> {
    let res = call("openBusinessView", view).await?;
    Ok(BusinessViewResult {
        // jweixin renames `err_code` to `errCode` for this API.
        err_code: read::opt_integer("openBusinessView", &res, "errCode")?,
        extra_data: read::opt_json_text(&res, "extraData"),
    })
}
