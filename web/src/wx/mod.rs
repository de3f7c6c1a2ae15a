//! The WeChat context of the app: one provider that loads and configures the JS-SDK, and hooks to read it.
//! Lift this folder into your own Yew app: `<WxProvider>` around your routes, `use_wx()` in components.

mod boot;
mod emulation;
mod provider;

pub use emulation::{emulator_enabled, set_emulator_enabled};
pub use provider::{WxProvider, WxStatus, use_wx};

use wx_jssdk::JsApi;

/// The APIs this app asks WeChat for (its `jsApiList`).
pub const JS_API_LIST: [JsApi; 11] = [
    JsApi::UpdateAppMessageShareData,
    JsApi::UpdateTimelineShareData,
    JsApi::ScanQrCode,
    JsApi::ChooseImage,
    JsApi::PreviewImage,
    JsApi::UploadImage,
    JsApi::GetLocalImgData,
    JsApi::GetLocation,
    JsApi::OpenLocation,
    JsApi::GetNetworkType,
    JsApi::CloseWindow,
];
