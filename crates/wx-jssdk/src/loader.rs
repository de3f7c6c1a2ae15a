//! Loading jweixin into the page, once, shared by concurrent callers.

use crate::{
    WxError,
    js::{self, deferred},
};
use js_sys::Promise;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};

/// WeChat's official script URL.
pub const JWEIXIN_URL: &str = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";
/// WeChat's documented fallback.
pub const JWEIXIN_FALLBACK_URL: &str = "https://res2.wx.qq.com/open/js/jweixin-1.6.0.js";

/// Where [`load_sdk`] takes jweixin from. Three ways:
///
/// - **WeChat's CDN, in WeChat** (the default): [`SdkSource::Urls`] with [`JWEIXIN_URL`], then
///   [`JWEIXIN_FALLBACK_URL`].
/// - **A local copy** (no CDN: the emulator in a desktop browser, a page that self-hosts its scripts): the npm
///   `weixin-js-sdk` file served by your page, [`SdkSource::CommonJsUrl`] (it is a CommonJS module, not a
///   classic script: as a plain `Urls` entry it throws `module is not defined`, and the error says to use this);
///   or a classic copy of
///   the CDN file, in [`SdkSource::Urls`].
/// - **Inline text** the page already has (`include_str!`, a bundle): [`SdkSource::CommonJs`] for the npm
///   file, [`SdkSource::Script`] for the CDN file.
///
/// ```
/// use wx_jssdk::SdkSource;
/// let SdkSource::Urls(urls) = SdkSource::default() else { unreachable!() };
/// assert_eq!(urls[0], wx_jssdk::JWEIXIN_URL);
/// // A self-hosted npm copy (what `cargo xtask setup` vendors as target/tools/vendor/jweixin-1.6.0.cjs.js):
/// let local = SdkSource::CommonJsUrl("/vendor/jweixin-1.6.0.cjs.js".into());
/// # let _ = local;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkSource {
    /// Classic script URLs (the CDN file) tried in order until one loads (default: [`JWEIXIN_URL`], then
    /// [`JWEIXIN_FALLBACK_URL`]).
    Urls(Vec<String>),
    /// The text of a classic script that defines `window.wx` itself (the CDN file), injected inline.
    Script(String),
    /// The text of the npm `weixin-js-sdk` CommonJS module, wrapped so that its `module.exports` becomes
    /// `window.wx` (and `window.jWeixin`, as the CDN file does).
    CommonJs(String),
    /// The URL of the npm `weixin-js-sdk` CommonJS module (e.g. a copy your page serves), loaded as a script
    /// with a `module` global for the time it runs; its `module.exports` becomes `window.wx` (and
    /// `window.jWeixin`). Any origin (no CORS needed), no inline script.
    CommonJsUrl(String),
}

impl Default for SdkSource {
    fn default() -> Self {
        SdkSource::Urls(vec![JWEIXIN_URL.to_owned(), JWEIXIN_FALLBACK_URL.to_owned()])
    }
}

/// Why a script URL that loaded did not define `window.wx`, almost always.
pub(crate) const NOT_A_SCRIPT: &str = "loaded but did not define window.wx: if the console says `module is not \
     defined`, this is the npm CommonJS build; load it with SdkSource::CommonJsUrl";

thread_local! {
    static LOADING: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// Loads jweixin once and resolves when `window.wx` exists. Concurrent callers share one load; after success
/// later calls return at once (whatever `source` they pass). A failed load may be retried.
///
/// Install the emulator (feature `emulator`) *before* this when testing in a desktop browser: jweixin reads
/// the user agent once, while loading.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::load_sdk(&wx_jssdk::SdkSource::default()).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] naming each source that failed; a script URL that loaded without defining
/// `window.wx` (the npm CommonJS build does that) says to use [`SdkSource::CommonJsUrl`].
pub async fn load_sdk(source: &SdkSource) -> Result<(), WxError> {
    crate::remember_landing_url();
    if js::wx().is_ok() {
        return Ok(());
    }
    let loading = LOADING.with(|cell| cell.borrow().clone());
    let promise = match loading {
        Some(promise) => promise,
        None => {
            // The load runs on its own (a caller that stops waiting does not stop it) and settles `done`.
            let done = deferred()?;
            LOADING.with(|cell| cell.replace(Some(done.promise.clone())));
            let source = source.clone();
            spawn_local(async move {
                let result = load_from(&source).await;
                LOADING.with(|cell| cell.borrow_mut().take());
                // The detail alone crosses the shared promise: its prefix is added once, below.
                let _ = match result {
                    Ok(()) => done.resolve.call0(&JsValue::UNDEFINED),
                    Err(WxError::LoadFailed { detail }) => {
                        done.reject.call1(&JsValue::UNDEFINED, &JsValue::from_str(&detail))
                    }
                    Err(e) => done
                        .reject
                        .call1(&JsValue::UNDEFINED, &JsValue::from_str(&e.to_string())),
                };
            });
            done.promise
        }
    };
    JsFuture::from(promise)
        .await
        .map(drop)
        .map_err(|e| WxError::LoadFailed {
            detail: js::describe(&e),
        })
}

async fn load_from(source: &SdkSource) -> Result<(), WxError> {
    match source {
        SdkSource::Urls(urls) => {
            let mut failures = Vec::new();
            for url in urls {
                match inject_src(url).await {
                    Ok(()) if js::wx().is_ok() => return Ok(()),
                    // What the npm CommonJS build does as a script (the console shows `module is not defined`).
                    Ok(()) => failures.push(format!("{url}: {NOT_A_SCRIPT}")),
                    Err(detail) => failures.push(format!("{url}: {detail}")),
                }
            }
            if failures.is_empty() {
                failures.push("no URL given".into());
            }
            Err(WxError::LoadFailed {
                detail: failures.join("; "),
            })
        }
        SdkSource::Script(text) => inject_inline(text),
        SdkSource::CommonJs(text) => inject_inline(&commonjs_shim(text)),
        SdkSource::CommonJsUrl(url) => load_commonjs_src(url).await,
    }
}

/// The npm file as a `<script src>` with a `module` (and `exports`) global for the time it runs, whose
/// `module.exports` becomes `window.wx` and `window.jWeixin`, as the CDN file defines them. No fetch: a script
/// URL needs no CORS, and no inline script (a Content-Security-Policy may forbid those).
async fn load_commonjs_src(url: &str) -> Result<(), WxError> {
    let window: JsValue = js::window()?.into();
    let (module, exports) = (js_sys::Object::new(), js_sys::Object::new());
    js::set(&module, "exports", &exports)?;
    // A page's own `module`/`exports` globals, if any, are put back afterwards.
    let saved = [js::get(&window, "module"), js::get(&window, "exports")];
    js::set(&window, "module", &module)?;
    js::set(&window, "exports", &exports)?;
    let loaded = inject_src(url).await;
    for (key, value) in ["module", "exports"].into_iter().zip(saved) {
        let _ = js::set(&window, key, &value);
    }
    let failed = |detail: &str| WxError::LoadFailed {
        detail: format!("{url}: {detail}"),
    };
    if loaded.is_err() {
        return Err(failed("the script failed to load"));
    }
    let sdk = js::get(&module, "exports");
    // Only jweixin becomes `window.jWeixin`: jweixin itself returns an existing one instead of loading.
    if !js::get(&sdk, "config").is_function() {
        return Err(failed(
            "loaded but module.exports is not jweixin (is it the npm weixin-js-sdk file?)",
        ));
    }
    js::set(&window, "wx", &sdk)?;
    js::set(&window, "jWeixin", &sdk)?;
    Ok(())
}

/// Wraps the text of the npm `weixin-js-sdk` module (CommonJS: `module.exports = jweixin`) into a classic
/// script that sets `window.wx` and `window.jWeixin`, like the CDN build. [`SdkSource::CommonJs`] uses it; it
/// is public for pages that serve the npm file themselves.
///
/// ```
/// let script = wx_jssdk::commonjs_shim("module.exports = {config: function () {}};");
/// assert!(script.contains("window.wx=window.jWeixin=module.exports"));
/// ```
pub fn commonjs_shim(text: &str) -> String {
    format!(
        "(function(){{var module={{exports:{{}}}};var exports=module.exports;\n{text}\n;\
         if(module.exports){{window.wx=window.jWeixin=module.exports;}}}})();"
    )
}

fn script_element() -> Result<web_sys::HtmlScriptElement, WxError> {
    let document = js::window()?
        .document()
        .ok_or_else(|| WxError::Js("no document".into()))?;
    Ok(document.create_element("script")?.unchecked_into())
}

fn append_to_head(script: &web_sys::HtmlScriptElement) -> Result<(), WxError> {
    let document = js::window()?
        .document()
        .ok_or_else(|| WxError::Js("no document".into()))?;
    let parent: web_sys::Node = match document.head() {
        Some(h) => h.into(),
        None => document
            .document_element()
            .ok_or_else(|| WxError::Js("no document element".into()))?
            .into(),
    };
    parent.append_child(script)?;
    Ok(())
}

async fn inject_src(url: &str) -> Result<(), String> {
    let other = |e: WxError| e.to_string();
    let script = script_element().map_err(other)?;
    let done = deferred().map_err(other)?;
    script.set_onload(Some(&done.resolve));
    script.set_onerror(Some(&done.reject));
    script.set_src(url);
    append_to_head(&script).map_err(other)?;
    let outcome = JsFuture::from(done.promise).await;
    script.set_onload(None);
    script.set_onerror(None);
    if outcome.is_err() {
        // A failed script leaves no element behind (a retry adds its own).
        script.remove();
        return Err("the script failed to load".into());
    }
    Ok(())
}

fn inject_inline(text: &str) -> Result<(), WxError> {
    let script = script_element()?;
    script.set_text(text)?;
    // An inline script runs synchronously when inserted; its exceptions go to window.onerror, so check the result.
    append_to_head(&script)?;
    js::wx().map_err(|_| WxError::LoadFailed {
        detail: "the inline SDK source ran but did not define window.wx (see the console)".into(),
    })?;
    Ok(())
}
