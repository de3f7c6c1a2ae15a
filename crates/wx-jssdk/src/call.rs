//! The one-shot call path: `wx.<api>(options)` with `complete` as the only callback, then the errMsg decides.

use crate::{
    WxError,
    js::{self, deferred},
};
use js_sys::{Function, Object, Promise};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Converts options to a plain JS object (structs become objects, `None` fields are left out), as
/// serde-wasm-bindgen's JSON-compatible serializer does (see [`crate::ser`]).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, WxError> {
    value
        .serialize(crate::ser::Lean)
        .map_err(|e| WxError::Js(format!("could not convert options: {e}")))
}

/// Calls `wx.<path>(options)` and waits for `complete`. `path` may be `miniProgram.navigateTo`.
pub(crate) async fn call_raw(api: &str, options: JsValue) -> Result<JsValue, WxError> {
    let result = JsFuture::from(start(api, options)?).await?;
    check(api, result)
}

/// Calls `wx.<path>(options)`; the promise resolves with what `complete` receives (the result object).
pub(crate) fn start(api: &str, options: JsValue) -> Result<Promise, WxError> {
    let options: Object = if options.is_object() {
        options.unchecked_into()
    } else {
        Object::new()
    };
    let (this, f) = resolve_fn(api)?;
    // jweixin hands each call to `WeixinJSBridge` and, when there is none (outside WeChat), drops it without a
    // callback: refuse here rather than leave the caller's future pending forever.
    let window = js::window()?;
    if !js::get(&window, "WeixinJSBridge").is_object() {
        return Err(WxError::NotInWechat);
    }
    let done = deferred()?;
    // jweixin calls `complete` after success/cancel/fail, always, with the result object carrying errMsg.
    js::set(&options, "complete", &done.resolve)?;
    f.call1(&this, &options)?;
    Ok(done.promise)
}

/// Calls an API with serialisable options and returns its `ok` result object.
pub(crate) async fn call<O: Serialize + ?Sized>(api: &str, options: &O) -> Result<JsValue, WxError> {
    call_raw(api, to_js(options)?).await
}

/// Calls an API whose `ok` result carries nothing of interest.
pub(crate) async fn call_unit<O: Serialize + ?Sized>(api: &str, options: &O) -> Result<(), WxError> {
    call_raw(api, to_js(options)?).await.map(|_| ())
}

/// `Ok(result)` for `"<api>:ok"`; the typed error otherwise. Mirrors jweixin's own switch on the text after
/// the first `:` (`ok` → success, `cancel` → cancel, anything else → fail).
pub(crate) fn check(api: &str, result: JsValue) -> Result<JsValue, WxError> {
    let err_msg = js::get_string(&result, "errMsg").unwrap_or_default();
    let outcome = crate::text::split_once(&err_msg, ":").map_or("", |(_, rest)| rest);
    if outcome == "ok" {
        Ok(result)
    } else {
        let short = crate::text::rsplit_once(api, ".").map_or(api, |(_, short)| short);
        Err(WxError::from_err_msg(short, &err_msg))
    }
}

fn resolve_fn(path: &str) -> Result<(JsValue, Function), WxError> {
    let mut this: JsValue = js::wx()?.into();
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let next = js::get(&this, part);
        if parts.peek().is_none() {
            let f = next
                .dyn_into::<Function>()
                .map_err(|_| WxError::FunctionNotExist { api: path.to_owned() })?;
            return Ok((this, f));
        }
        this = next;
    }
    Err(WxError::FunctionNotExist { api: path.to_owned() })
}
