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

/// Where [`load_sdk`] takes jweixin from.
///
/// ```
/// use wx_jssdk::SdkSource;
/// let SdkSource::Urls(urls) = SdkSource::default() else { unreachable!() };
/// assert_eq!(urls[0], wx_jssdk::JWEIXIN_URL);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkSource {
    /// Script URLs tried in order until one loads (default: [`JWEIXIN_URL`], then [`JWEIXIN_FALLBACK_URL`]).
    Urls(Vec<String>),
    /// The text of a classic script that defines `window.wx` itself (the CDN file), injected inline.
    Script(String),
    /// The text of the npm `weixin-js-sdk` CommonJS module, wrapped so that its `module.exports` becomes
    /// `window.wx` (and `window.jWeixin`, as the CDN file does).
    CommonJs(String),
}

impl Default for SdkSource {
    fn default() -> Self {
        SdkSource::Urls(vec![JWEIXIN_URL.to_owned(), JWEIXIN_FALLBACK_URL.to_owned()])
    }
}

thread_local! {
    static LOADING: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// Loads jweixin once and resolves when `window.wx` exists. Concurrent callers share one load; after success
/// later calls return at once (whatever `source` they pass). A failed load may be retried.
///
/// Install the [`emulator`](crate::emulator) *before* this when testing in a desktop browser: jweixin reads
/// the user agent once, while loading.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::load_sdk(&wx_jssdk::SdkSource::default()).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] naming each source that failed.
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
                let _ = match result {
                    Ok(()) => done.resolve.call0(&JsValue::UNDEFINED),
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
        .map(|_| ())
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
                    Ok(()) => failures.push(format!("{url}: loaded but did not define window.wx")),
                    Err(e) => failures.push(format!("{url}: {e}")),
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
    }
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

async fn inject_src(url: &str) -> Result<(), WxError> {
    let script = script_element()?;
    let done = deferred()?;
    script.set_onload(Some(&done.resolve));
    script.set_onerror(Some(&done.reject));
    script.set_src(url);
    append_to_head(&script)?;
    let outcome = JsFuture::from(done.promise).await;
    script.set_onload(None);
    script.set_onerror(None);
    outcome.map(|_| ()).map_err(|_| WxError::LoadFailed {
        detail: "the script failed to load".into(),
    })
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
