//! `window.__wxkitEmulator`: the emulator's record and scripting, for tests driving the page over WebDriver.

use super::{Emulator, FixedLocation, MenuShareKind, Reply};
use crate::{WxError, js};
use js_sys::Object;
use wasm_bindgen::{JsValue, closure::Closure};

/// The JS name of the global.
pub const GLOBAL: &str = "__wxkitEmulator";

fn reply_from_js(value: &JsValue) -> Reply {
    let outcome = js::get_string(value, "outcome").unwrap_or_else(|| "ok".into());
    let reason = js::get_string(value, "reason").unwrap_or_default();
    let result = js::get(value, "result");
    match outcome.as_str() {
        "cancel" => Reply::Cancel,
        "fail" => Reply::Fail(reason),
        "denied" => Reply::PermissionDenied,
        "none" => Reply::NoAnswer,
        _ if result.is_object() => Reply::OkWith(result),
        _ => Reply::Ok,
    }
}

/// Installs the global. Its closures live as long as the page, like the bridge.
pub(super) fn install(emulator: &Emulator) -> Result<(), WxError> {
    let api = Object::new();
    js::set(&api, "version", &JsValue::from_f64(1.0))?;

    let emu = emulator.clone();
    let record = Closure::<dyn FnMut() -> JsValue>::new(move || {
        let ser = serde_wasm_bindgen::Serializer::json_compatible();
        serde::Serialize::serialize(&emu.record(), &ser).unwrap_or(JsValue::NULL)
    });
    js::set(&api, "record", record.as_ref())?;
    record.forget();

    let emu = emulator.clone();
    let script = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |name: JsValue, reply: JsValue| {
        if let Some(name) = name.as_string() {
            emu.script_name(&name, reply_from_js(&reply));
        }
    });
    js::set(&api, "script", script.as_ref())?;
    script.forget();

    let emu = emulator.clone();
    let scan = Closure::<dyn FnMut(JsValue)>::new(move |text: JsValue| {
        emu.next_scan_result(&text.as_string().unwrap_or_default());
    });
    js::set(&api, "nextScanResult", scan.as_ref())?;
    scan.forget();

    let emu = emulator.clone();
    let images = Closure::<dyn FnMut(JsValue)>::new(move |ids: JsValue| {
        emu.next_images(super::list(&ids).iter().filter_map(|v| v.as_string()).collect());
    });
    js::set(&api, "nextImages", images.as_ref())?;
    images.forget();

    let emu = emulator.clone();
    let locate =
        Closure::<dyn FnMut(JsValue, JsValue, JsValue)>::new(move |lat: JsValue, lon: JsValue, acc: JsValue| {
            let location = match (lat.as_f64(), lon.as_f64()) {
                (Some(latitude), Some(longitude)) => Some(FixedLocation {
                    latitude,
                    longitude,
                    accuracy: acc.as_f64().unwrap_or(30.0),
                }),
                _ => None,
            };
            emu.set_location(location);
        });
    js::set(&api, "setLocation", locate.as_ref())?;
    locate.forget();

    let emu = emulator.clone();
    let share = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |kind: JsValue| {
        let called = kind
            .as_string()
            .and_then(|k| MenuShareKind::parse(&k))
            .map_or(0, |k| emu.trigger_share(k));
        JsValue::from_f64(called as f64)
    });
    js::set(&api, "triggerShare", share.as_ref())?;
    share.forget();

    let emu = emulator.clone();
    let emit = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(move |event: JsValue, result: JsValue| {
        let result = if result.is_object() {
            result
        } else {
            Object::new().into()
        };
        let called = event.as_string().map_or(0, |e| emu.emit(&e, &result));
        JsValue::from_f64(called as f64)
    });
    js::set(&api, "emit", emit.as_ref())?;
    emit.forget();

    let emu = emulator.clone();
    let reset = Closure::<dyn FnMut()>::new(move || emu.reset());
    js::set(&api, "reset", reset.as_ref())?;
    reset.forget();

    js::set(&js::window()?.into(), GLOBAL, &api)
}
