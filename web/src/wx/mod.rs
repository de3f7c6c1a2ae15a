//! The WeChat state of the app: one hook that loads and configures the JS-SDK, a provider and a hook to read
//! it. Lift this folder into your own Yew app: `use_wx_state(&location)` in your root component, its `WxContext`
//! given to a `<WxProvider context={…}>` around your tree, and `use_wx()` in any component below. It uses
//! `task.rs` (spawning) and `effect.rs` (its one effect) beside it, and takes the router's `Location`.

mod boot;
mod emulation;
mod provider;

pub use emulation::{emulator_enabled, switch_emulator};
pub use provider::{WxContext, WxProvider, WxStatus, use_wx, use_wx_state};

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
