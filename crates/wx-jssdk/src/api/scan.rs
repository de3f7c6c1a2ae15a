//! scanQRCode.

use crate::{WxError, call::call, read};
use serde::{Serialize, Serializer};

/// What the scanner looks for.
///
/// ```
/// let opts = wx_jssdk::scan::ScanQrCode { scan_type: vec![wx_jssdk::scan::ScanType::QrCode], ..Default::default() };
/// assert_eq!(opts.scan_type.len(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ScanType {
    /// QR codes.
    #[serde(rename = "qrCode")]
    QrCode,
    /// One-dimensional barcodes.
    #[serde(rename = "barCode")]
    BarCode,
}

/// Options of `scanQRCode`; defaults are jweixin's (WeChat handles the result, both code types).
///
/// ```
/// let opts = wx_jssdk::scan::ScanQrCode { need_result: true, ..Default::default() };
/// assert_eq!(opts.scan_type.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanQrCode {
    /// `true`: return the decoded text to the page; `false`: WeChat handles it (opens the URL, …).
    #[serde(serialize_with = "as_0_or_1")]
    pub need_result: bool,
    /// Code types.
    pub scan_type: Vec<ScanType>,
}

impl Default for ScanQrCode {
    fn default() -> Self {
        ScanQrCode {
            need_result: false,
            scan_type: vec![ScanType::QrCode, ScanType::BarCode],
        }
    }
}

fn as_0_or_1<S: Serializer>(b: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(u8::from(*b))
}

/// What `scanQRCode` returns.
///
/// ```
/// let r = wx_jssdk::scan::ScanResult { result_str: Some("EAN_13,6901234567892".into()) };
/// assert!(r.result_str.is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanResult {
    /// The decoded text when `need_result` was set (barcodes come as `FORMAT,digits`).
    pub result_str: Option<String>,
}

/// Opens WeChat's scanner.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::scan::{scan_qr_code, ScanQrCode};
/// let text = scan_qr_code(&ScanQrCode { need_result: true, ..Default::default() }).await?.result_str;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel and failures, typed.
pub async fn scan_qr_code(options: &ScanQrCode) -> Result<ScanResult, WxError> {
    let res = call("scanQRCode", options).await?;
    Ok(ScanResult {
        result_str: read::opt_string(&res, "resultStr"),
    })
}
