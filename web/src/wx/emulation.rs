//! Whether to run the WeixinJSBridge emulator outside WeChat, and how to load jweixin there.
//!
//! On by default in dev builds; `?emulator=on|off` in the URL switches it and is remembered in localStorage.
//! The emulator is its own wasm module (`web/emulator`, served at `/emulator/`), imported only when it is
//! used, so phones in WeChat never download it.

use wasm_bindgen::{JsCast, JsValue, prelude::wasm_bindgen};
use wx_jssdk::{SdkSource, WxError};

/// Where `cargo xtask dist` (and `dev`) put the emulator module.
const EMULATOR_MODULE: &str = "/emulator/wxkit-emulator.js";

// The emulator's wasm comes compiled from index.html when it could start that (`__wxkitEmulatorWasm`), else
// wasm-bindgen's init fetches and compiles it.
#[wasm_bindgen(inline_js = "export async function import_emulator(url) {
    const module = await import(url);
    const compiled = await Promise.resolve(window.__wxkitEmulatorWasm).catch(() => undefined);
    await module.default(compiled && { module_or_path: compiled });
    return window.__wxkitEmulatorInstalled;
}")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn import_emulator(url: &str) -> Result<JsValue, JsValue>;
}

const STORAGE_KEY: &str = "wxkit.emulator";
/// Where Trunk copies the npm `weixin-js-sdk` file (see index.html): the official jweixin 1.6.0 code, as the
/// CommonJS module it is (`cargo xtask setup` names it so).
const LOCAL_JWEIXIN: &str = "/vendor/jweixin-1.6.0.cjs.js";

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

/// Imports and initialises the emulator module, which installs itself (`?device=ios` emulates an iPhone).
pub async fn install_emulator() -> Result<(), WxError> {
    let failed = |detail: String| WxError::LoadFailed {
        detail: format!("the emulator module {EMULATOR_MODULE}: {detail}"),
    };
    match import_emulator(EMULATOR_MODULE).await {
        Ok(v) if v.as_bool() == Some(true) => Ok(()),
        Ok(v) => Err(failed(v.as_string().unwrap_or_else(|| "did not install".into()))),
        // `import()` rejects with an Error in practice, but a module's init may throw anything.
        Err(e) => Err(failed(
            js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| format!("{e:?}")),
        )),
    }
}

/// The emulator has no CDN to reach: the page loads the npm copy of jweixin that Trunk put in dist.
pub fn local_sdk_source() -> SdkSource {
    SdkSource::CommonJsUrl(LOCAL_JWEIXIN.into())
}
