//! Talking to `WeixinJSBridge` directly, for what works without `wx.config`.

use crate::{
    Environment, WxError,
    js::{self, deferred},
};
use wasm_bindgen::JsCast;

/// How long [`close_window`] waits for `WeixinJSBridgeReady` and for the bridge's answer.
const BRIDGE_WAIT_MS: u32 = 5_000;

/// Closes the page with `WeixinJSBridge.invoke('closeWindow')`: works before (or without) `wx.config` and
/// without loading jweixin. Waits for `WeixinJSBridgeReady` if the bridge is not there yet.
///
/// ```no_run
/// # async fn demo() {
/// if let Err(e) = wx_jssdk::close_window().await {
///     web_sys::console::warn_1(&format!("{e}: {}", e.hint()).into());
/// }
/// # }
/// ```
///
/// # Errors
/// [`WxError::NotInWechat`] outside WeChat; [`WxError::Timeout`] if the bridge never appears or answers.
pub async fn close_window() -> Result<(), WxError> {
    if !Environment::detect().in_wechat {
        return Err(WxError::NotInWechat);
    }
    let bridge = bridge().await?;
    let invoke: js_sys::Function = js::get(&bridge, "invoke")
        .dyn_into()
        .map_err(|_| WxError::FunctionNotExist {
            api: "WeixinJSBridge.invoke".into(),
        })?;
    let done = deferred()?;
    invoke.call3(&bridge, &"closeWindow".into(), &js_sys::Object::new(), &done.resolve)?;
    let result = js::with_timeout(&done.promise, BRIDGE_WAIT_MS, "closeWindow").await?;
    outcome("closeWindow", &result)
}

/// A bridge answer read directly, as jweixin left it: `errMsg` once jweixin converted it, the native `err_msg`
/// otherwise (an answer holds one of the two); `…:ok` or the typed failure for `api`.
pub(crate) fn outcome(api: &str, answer: &wasm_bindgen::JsValue) -> Result<(), WxError> {
    let err_msg = js::get_string(answer, "errMsg")
        .or_else(|| js::get_string(answer, "err_msg"))
        .unwrap_or_default();
    if err_msg.ends_with(":ok") {
        Ok(())
    } else {
        Err(WxError::from_err_msg(api, &err_msg))
    }
}

/// For what jweixin drops without a word when `WeixinJSBridge` is absent (listener registrations) or defers
/// forever (`miniProgram.getEnv`): the bridge is there, or WeChat's user agent is and the bridge comes within
/// [`BRIDGE_WAIT_MS`]; otherwise [`WxError::NotInWechat`].
pub(crate) async fn required() -> Result<(), WxError> {
    if !js::get(&js::window()?.into(), "WeixinJSBridge").is_object() && !Environment::detect().in_wechat {
        return Err(WxError::NotInWechat);
    }
    match bridge().await {
        Ok(_) => Ok(()),
        Err(WxError::Timeout { .. }) => Err(WxError::NotInWechat),
        Err(e) => Err(e),
    }
}

/// `window.WeixinJSBridge`, waiting (bounded) for the `WeixinJSBridgeReady` event if needed.
pub(crate) async fn bridge() -> Result<wasm_bindgen::JsValue, WxError> {
    let window = js::window()?;
    let existing = js::get(&window, "WeixinJSBridge");
    if existing.is_object() {
        return Ok(existing);
    }
    let document = window.document().ok_or_else(|| WxError::Js("no document".into()))?;
    let ready = deferred()?;
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    document.add_event_listener_with_callback_and_add_event_listener_options(
        "WeixinJSBridgeReady",
        &ready.resolve,
        &options,
    )?;
    let waited = js::with_timeout(&ready.promise, BRIDGE_WAIT_MS, "WeixinJSBridgeReady").await;
    let _ = document.remove_event_listener_with_callback("WeixinJSBridgeReady", &ready.resolve);
    waited?;
    let bridge = js::get(&window, "WeixinJSBridge");
    if bridge.is_object() {
        Ok(bridge)
    } else {
        Err(WxError::NotInWechat)
    }
}
