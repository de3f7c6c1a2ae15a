//! The app's own calls to wx-server besides the signed config: sign-in and photo copies, through wx-jssdk's
//! [`wx_jssdk::backend_json`] (the one fetch path in the page); JSON read with `js_sys::Reflect`, not serde
//! (ARCHITECTURE.md, "Size rules").

pub use wx_jssdk::backend_json as call;

/// The string field `key` of a JSON object, if it is one.
pub fn field(value: &wasm_bindgen::JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(value, &key.into()).ok()?.as_string()
}
