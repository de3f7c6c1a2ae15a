//! Small JavaScript plumbing shared by the bindings and the emulator.
//!
//! One-shot callbacks are the `resolve` functions of JS promises (see [`Deferred`]), so the one-shot path
//! creates no Rust closure at all: nothing to leak, nothing that throws if the SDK calls back after the Rust
//! future was dropped.

use crate::WxError;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A promise and the function that resolves it, handed to JS as a callback.
pub(crate) struct Deferred {
    pub promise: Promise,
    pub resolve: Function,
    pub reject: Function,
}

pub(crate) fn deferred() -> Result<Deferred, WxError> {
    let mut fns = None;
    // The executor runs synchronously inside `new Promise`, so `fns` is always set when it returns.
    let promise = Promise::new(&mut |resolve, reject| fns = Some((resolve, reject)));
    let (resolve, reject) = fns.ok_or_else(|| WxError::Js("Promise executor did not run".into()))?;
    Ok(Deferred {
        promise,
        resolve,
        reject,
    })
}

/// A promise resolved with `marker` after `ms` milliseconds.
pub(crate) fn sleep_promise(ms: u32, marker: &JsValue) -> Result<Promise, WxError> {
    let d = deferred()?;
    let window = window()?;
    window.set_timeout_with_callback_and_timeout_and_arguments_1(
        &d.resolve,
        i32::try_from(ms).unwrap_or(i32::MAX),
        marker,
    )?;
    Ok(d.promise)
}

/// Resolves with the value of `promise`, or `Err(Timeout)` after `ms`.
pub(crate) async fn with_timeout(promise: &Promise, ms: u32, what: &str) -> Result<JsValue, WxError> {
    let marker: JsValue = Object::new().into();
    let timer = sleep_promise(ms, &marker)?;
    let raced = Promise::race(&js_sys::Array::of2(promise, &timer));
    let value = JsFuture::from(raced).await?;
    if Object::is(&value, &marker) {
        Err(WxError::Timeout {
            what: what.to_owned(),
            after_ms: ms,
        })
    } else {
        Ok(value)
    }
}

pub(crate) fn window() -> Result<web_sys::Window, WxError> {
    web_sys::window().ok_or_else(|| WxError::Js("no `window`: wx-jssdk runs in a browser page".into()))
}

pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub(crate) fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), WxError> {
    Reflect::set(target, &JsValue::from_str(key), value)?;
    Ok(())
}

pub(crate) fn get_string(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).as_string()
}

/// `window.wx`, once the SDK is loaded.
pub(crate) fn wx() -> Result<Object, WxError> {
    let wx = get(&window()?.into(), "wx");
    if wx.is_object() && get(&wx, "config").is_function() {
        Ok(wx.unchecked_into())
    } else {
        Err(WxError::LoadFailed {
            detail: "`window.wx` is not loaded: await wx_jssdk::load_sdk first".into(),
        })
    }
}

/// A readable description of a thrown JS value.
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.to_string());
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
