//! Reading the SDK's result objects field by field.
//!
//! Hand-written rather than a serde deserializer, which would cost every page about a quarter of the crate's
//! size for a handful of fields (ARCHITECTURE.md, "Size rules").

use crate::{WxError, js};
use wasm_bindgen::JsValue;

fn bad(api: &str, detail: String) -> WxError {
    WxError::BadResult {
        api: api.to_owned(),
        detail,
    }
}

/// A required string field.
pub(crate) fn string(api: &str, v: &JsValue, key: &str) -> Result<String, WxError> {
    js::get_string(v, key).ok_or_else(|| bad(api, format!("`{key}` is missing or not a string")))
}

/// An optional string field (`None` when absent or not a string).
pub(crate) fn opt_string(v: &JsValue, key: &str) -> Option<String> {
    js::get_string(v, key)
}

/// A string field that defaults to empty.
pub(crate) fn string_or_empty(v: &JsValue, key: &str) -> String {
    js::get_string(v, key).unwrap_or_default()
}

/// A number field; some WeChat clients send numbers as strings.
pub(crate) fn number(api: &str, v: &JsValue, key: &str) -> Result<f64, WxError> {
    let value = js::get(v, key);
    value
        .as_f64()
        // JS's own parser, not Rust's (ARCHITECTURE.md, "Size rules").
        .or_else(|| {
            value
                .as_string()
                .map(|s| js_sys::Number::parse_float(&s))
                .filter(|n| !n.is_nan())
        })
        .ok_or_else(|| bad(api, format!("`{key}` is missing or not a number")))
}

/// An optional number field: `default` when absent, `null` or `""` (clients send either for "unknown").
pub(crate) fn number_or(api: &str, v: &JsValue, key: &str, default: f64) -> Result<f64, WxError> {
    let value = js::get(v, key);
    if value.is_undefined() || value.is_null() || value.as_string().is_some_and(|s| s.is_empty()) {
        Ok(default)
    } else {
        number(api, v, key)
    }
}

/// An array of strings, or JSON text holding one (WeChat's Android form, which jweixin parses only when the
/// user agent says Android).
pub(crate) fn strings(api: &str, v: &JsValue, key: &str) -> Result<Vec<String>, WxError> {
    let mut value = js::get(v, key);
    if let Some(text) = value.as_string() {
        value = js_sys::JSON::parse(&text).map_err(|_| bad(api, format!("`{key}` is text but not JSON")))?;
    }
    if !js_sys::Array::is_array(&value) {
        return Err(bad(api, format!("`{key}` is not an array")));
    }
    js_sys::Array::from(&value)
        .iter()
        .map(|item| {
            item.as_string()
                .ok_or_else(|| bad(api, format!("`{key}` holds a non-string")))
        })
        .collect()
}

/// An optional integer field that WeChat sends as a number on one platform and a numeric string on the other
/// (`err_code` of openBusinessView): `None` when absent or null, an error when present but not an integer.
pub(crate) fn opt_integer(api: &str, v: &JsValue, key: &str) -> Result<Option<i64>, WxError> {
    let value = js::get(v, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let parsed = match (value.as_f64(), value.as_string()) {
        // Integral and exactly representable, so the cast below loses nothing.
        (Some(n), _) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 => Some(n as i64),
        (_, Some(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    parsed
        .map(Some)
        .ok_or_else(|| bad(api, format!("`{key}` is not an integer")))
}

/// A field holding arbitrary data, as JSON text: an object is serialised, a string holding JSON is kept as
/// it is (WeChat sends some objects as JSON strings on one platform only), any other string becomes a JSON
/// string literal. `None` when absent or null.
pub(crate) fn opt_json_text(v: &JsValue, key: &str) -> Option<String> {
    let value = js::get(v, key);
    if value.is_undefined() || value.is_null() {
        return None;
    }
    if let Some(text) = value.as_string()
        && js_sys::JSON::parse(&text).is_ok()
    {
        return Some(text);
    }
    js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string())
}
