//! Whether to run the WeixinJSBridge emulator outside WeChat, and how to load jweixin there.
//!
//! On by default in dev builds; `?emulator=on|off` in the URL switches it and is remembered in localStorage.

use wx_jssdk::{
    SdkSource, WxError,
    emulator::{Device, EmulatorOptions},
};

const STORAGE_KEY: &str = "wxkit.emulator";
/// Where Trunk copies the npm `weixin-js-sdk` file (see index.html): the official jweixin 1.6.0 code.
const LOCAL_JWEIXIN: &str = "/vendor/jweixin-1.6.0.js";

fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The user's choice: the URL parameter, else the remembered choice, else on in dev builds.
pub fn emulator_enabled() -> bool {
    if let Some(v) = query_param("emulator") {
        let on = v == "on" || v == "1";
        set_emulator_enabled(on);
        return on;
    }
    match storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .as_deref()
    {
        Some("on") => true,
        Some("off") => false,
        _ => cfg!(debug_assertions),
    }
}

/// Remembers the choice; it takes effect on the next load (jweixin reads the user agent once).
pub fn set_emulator_enabled(on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, if on { "on" } else { "off" });
    }
}

/// Emulator options: an Android phone by default, `?device=ios` for the iOS landing-URL rule.
pub fn options() -> EmulatorOptions {
    let device = if query_param("device").as_deref() == Some("ios") {
        Device::Ios
    } else {
        Device::Android
    };
    EmulatorOptions {
        device,
        ..EmulatorOptions::default()
    }
}

/// The emulator has no CDN to reach: the page loads the npm copy of jweixin that Trunk put in dist.
pub async fn local_sdk_source() -> Result<SdkSource, WxError> {
    let failed = |detail: String| WxError::LoadFailed { detail };
    let window = web_sys::window().ok_or_else(|| failed("no window".into()))?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(LOCAL_JWEIXIN))
        .await
        .map_err(|e| failed(format!("GET {LOCAL_JWEIXIN}: {e:?}")))?;
    let response: web_sys::Response =
        wasm_bindgen::JsCast::dyn_into(response).map_err(|_| failed(format!("GET {LOCAL_JWEIXIN}: not a response")))?;
    if !response.ok() {
        return Err(failed(format!("GET {LOCAL_JWEIXIN} answered {}", response.status())));
    }
    let text = response.text().map_err(|e| failed(format!("{e:?}")))?;
    let text = wasm_bindgen_futures::JsFuture::from(text)
        .await
        .map_err(|e| failed(format!("{e:?}")))?;
    Ok(SdkSource::CommonJs(text.as_string().unwrap_or_default()))
}
