//! Loading jweixin into the page, once, shared by concurrent callers.

use crate::{
    WxError,
    js::{self, deferred},
};
use js_sys::Promise;
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
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
///   classic script: as a plain `Urls` entry it fails with [`WxError::CommonJsAsScript`]); or a classic copy of
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
    /// The URL of the npm `weixin-js-sdk` CommonJS module (e.g. a copy your page serves): fetched, then loaded
    /// as [`SdkSource::CommonJs`]. Same-origin, or served with CORS.
    CommonJsUrl(String),
}

impl Default for SdkSource {
    fn default() -> Self {
        SdkSource::Urls(vec![JWEIXIN_URL.to_owned(), JWEIXIN_FALLBACK_URL.to_owned()])
    }
}

/// The load in flight: settles when it ends; `failure` holds its typed error by then.
#[derive(Clone)]
struct Loading {
    done: Promise,
    failure: Rc<RefCell<Option<WxError>>>,
}

thread_local! {
    static LOADING: RefCell<Option<Loading>> = const { RefCell::new(None) };
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
/// [`WxError::LoadFailed`] naming each source that failed; [`WxError::CommonJsAsScript`] when a script URL
/// turned out to be the npm CommonJS build.
pub async fn load_sdk(source: &SdkSource) -> Result<(), WxError> {
    crate::remember_landing_url();
    if js::wx().is_ok() {
        return Ok(());
    }
    let loading = LOADING.with(|cell| cell.borrow().clone());
    let loading = match loading {
        Some(loading) => loading,
        None => {
            // The load runs on its own (a caller that stops waiting does not stop it) and settles `done`.
            let done = deferred()?;
            let loading = Loading {
                done: done.promise,
                failure: Rc::default(),
            };
            LOADING.with(|cell| cell.replace(Some(loading.clone())));
            let source = source.clone();
            let failure = loading.failure.clone();
            spawn_local(async move {
                let result = load_from(&source).await;
                LOADING.with(|cell| cell.borrow_mut().take());
                if let Err(e) = result {
                    failure.replace(Some(e));
                }
                let _ = done.resolve.call0(&JsValue::UNDEFINED);
            });
            loading
        }
    };
    JsFuture::from(loading.done).await?;
    match loading.failure.borrow().clone() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

async fn load_from(source: &SdkSource) -> Result<(), WxError> {
    match source {
        SdkSource::Urls(urls) => {
            let mut failures = Vec::new();
            let mut commonjs = None;
            for url in urls {
                match inject_src(url).await {
                    Ok(()) if js::wx().is_ok() => return Ok(()),
                    Ok(()) => failures.push(format!("{url}: loaded but did not define window.wx")),
                    Err(Failure::CommonJs) => commonjs = Some(url),
                    Err(Failure::Other(detail)) => failures.push(format!("{url}: {detail}")),
                }
            }
            if let Some(url) = commonjs {
                return Err(WxError::CommonJsAsScript { url: url.clone() });
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
        SdkSource::CommonJsUrl(url) => {
            let failed = |detail: String| WxError::LoadFailed {
                detail: format!("GET {url}: {detail}"),
            };
            let fetched = crate::fetch::get(url).await.map_err(failed)?;
            if !fetched.ok {
                return Err(failed(format!("answered {}", fetched.status)));
            }
            if fetched.is_html() {
                return Err(failed("answered an HTML page, not the npm weixin-js-sdk file".into()));
            }
            inject_inline(&commonjs_shim(&fetched.text))
        }
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

/// Why a script URL did not load.
enum Failure {
    /// It ran and threw `module is not defined`: the npm CommonJS build.
    CommonJs,
    /// Anything else, described.
    Other(String),
}

/// Whether a script error's message is a missing `module` (Chromium: `module is not defined`; Safari:
/// `Can't find variable: module`).
fn is_missing_module(message: &str) -> bool {
    crate::text::contains(message, "module is not defined")
        || crate::text::contains(message, "Can't find variable: module")
}

async fn inject_src(url: &str) -> Result<(), Failure> {
    let other = |e: WxError| Failure::Other(e.to_string());
    let script = script_element().map_err(other)?;
    let done = deferred().map_err(other)?;
    script.set_onload(Some(&done.resolve));
    script.set_onerror(Some(&done.reject));
    // A script that loads but throws reports to `window`'s "error" event, not to the element.
    let threw = Rc::new(RefCell::new(false));
    let seen = threw.clone();
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        if js::get_string(&event, "message").is_some_and(|m| is_missing_module(&m)) {
            seen.replace(true);
        }
    });
    let window = js::window().map_err(other)?;
    let listen = on_error.as_ref().unchecked_ref();
    window
        .add_event_listener_with_callback("error", listen)
        .map_err(|e| other(e.into()))?;
    script.set_src(url);
    let appended = append_to_head(&script);
    let outcome = match appended {
        Ok(()) => JsFuture::from(done.promise).await.map(drop).map_err(|_| ()),
        Err(_) => Err(()),
    };
    let _ = window.remove_event_listener_with_callback("error", listen);
    script.set_onload(None);
    script.set_onerror(None);
    let failure = if *threw.borrow() {
        Failure::CommonJs
    } else if outcome.is_err() {
        Failure::Other("the script failed to load".into())
    } else {
        return Ok(());
    };
    // A failed script leaves no element behind (a retry adds its own).
    script.remove();
    Err(failure)
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
