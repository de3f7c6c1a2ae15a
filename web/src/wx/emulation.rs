//! Whether to run the WeixinJSBridge emulator outside WeChat: the switch, read here and by index.html's boot script.
//!
//! On by default in dev builds; `?emulator=on|off` in the URL switches it and is remembered in localStorage.
//! The emulator is its own wasm module (`web/emulator`, served at `/emulator/`), which index.html's boot script
//! imports only when it is used (and before jweixin), so phones in WeChat never download it.

use wasm_bindgen::JsCast;

const STORAGE_KEY: &str = "wxkit.emulator";

/// The page's location and its query, read in one place for the switch and the toggle.
fn location_and_query() -> Option<(web_sys::Location, web_sys::UrlSearchParams)> {
    let location = web_sys::window()?.location();
    let query = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
    Some((location, query))
}

fn query_param(name: &str) -> Option<String> {
    location_and_query()?.1.get(name)
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
fn set_emulator_enabled(on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, if on { "on" } else { "off" });
    }
}

/// Remembers the choice and loads the page again for it (jweixin reads the user agent once, while loading),
/// without the URL's `?emulator=`, which would override the choice (setting `search` always loads).
pub fn switch_emulator(on: bool) {
    set_emulator_enabled(on);
    if let Some((location, query)) = location_and_query() {
        if query.get("emulator").is_some() {
            query.delete("emulator");
            // As a JS string, straight from the query: no round trip through a Rust `String`.
            let _ = js_sys::Reflect::set(&location, &"search".into(), &query.to_string());
        } else if let Ok(reload) = js_sys::Reflect::get(&location, &"reload".into()) {
            // Setting an unchanged `search` on a URL with a fragment only moves to the fragment. Called through
            // Reflect, as `search` is set: a binding of its own costs the page glue code.
            let _ = reload.unchecked_into::<js_sys::Function>().call0(&location);
        }
    }
}
