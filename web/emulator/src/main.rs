//! Installs wx-jssdk's emulator of WeChat's native bridge as soon as this module is initialised.
//!
//! The app (and the plain-JS bench page) `import()` this module only outside WeChat, when the emulator is on,
//! and before jweixin loads: phones never download it. Options come from the page URL: `?device=ios` emulates
//! an iPhone (the landing-URL signature rule); the default is Android.
//!
//! The outcome is left on `window.__wxkitEmulatorInstalled`: `true`, or the error text.

use wasm_bindgen::JsValue;
use wx_jssdk::emulator::{self, Device, EmulatorOptions};

fn device() -> Device {
    let ios = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok())
        .and_then(|p| p.get("device"))
        .is_some_and(|d| d == "ios");
    if ios { Device::Ios } else { Device::Android }
}

fn main() {
    let outcome = match emulator::install(EmulatorOptions {
        device: device(),
        ..EmulatorOptions::default()
    }) {
        Ok(_) | Err(emulator::EmulatorError::AlreadyInstalled) => JsValue::TRUE,
        Err(e) => {
            web_sys::console::error_1(&JsValue::from_str(&format!("wxkit emulator: {e}")));
            JsValue::from_str(&e.to_string())
        }
    };
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &JsValue::from_str("__wxkitEmulatorInstalled"), &outcome);
    }
}
