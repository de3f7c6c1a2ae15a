//! Adopting what a page's inline script started before its wasm ran: jweixin, the signed config, and even
//! `wx.config` itself, while the wasm downloads and compiles, as a hand-written JS page starts them at once.
//!
//! A wasm page cannot ask for anything until its module is instantiated. A few lines of plain JS in the page's
//! HTML can: they start the requests (and may run `wx.config` once both are there) and leave their promises on
//! `window.__wxkit_preload`; [`Preload::adopt`] takes them once, and [`Preload::load_sdk`] /
//! [`Preload::signed_config`] / [`Preload::configure_with`] use them, or fall back to doing it as usual when the
//! page has no such script, the request failed, or the URL to sign changed meanwhile (a single-page app that
//! navigated: the signature covers one URL).
//!
//! The script, before the page's own module script (in a Trunk `index.html`, anywhere in `<head>`):
//!
//! ```html
//! <script>
//!   // wx_jssdk::Preload: jweixin, the signed config and wx.config, started while the wasm downloads.
//!   (function (d) {
//!     var url = location.href.split("#")[0], p = { url: url };
//!     function ok(r) {
//!       if (!r.ok) throw r.status;
//!       return r;
//!     }
//!     p.config = fetch("/api/jssdk/config?url=" + encodeURIComponent(url)).then(ok).then(function (r) {
//!       return r.json();
//!     });
//!     if (/MicroMessenger/i.test(navigator.userAgent)) {
//!       // In WeChat: WeChat's CDN file (a classic script), run at once.
//!       p.sdk = new Promise(function (done, fail) {
//!         var s = d.createElement("script");
//!         s.src = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";
//!         s.onload = done;
//!         s.onerror = fail;
//!         d.head.appendChild(s);
//!       });
//!     } else {
//!       // Elsewhere the emulator must be installed before jweixin runs: the npm (CommonJS) copy is fetched
//!       // now and run when wx-jssdk calls the function.
//!       p.sdk = fetch("/vendor/jweixin-1.6.0.cjs.js").then(ok).then(function (r) {
//!         return r.text();
//!       }).then(function (t) {
//!         return function () {
//!           var s = d.createElement("script");
//!           s.text = "(function(){var module={exports:{}},exports=module.exports;\n" + t +
//!             "\n;window.wx=window.jWeixin=module.exports})()";
//!           d.head.appendChild(s);
//!         };
//!       });
//!     }
//!     window.__wxkit_preload = p;
//!   })(document);
//! </script>
//! ```
//!
//! - `url`: the URL the config request signs (`location.href` without `#…`);
//! - `config`: a promise of the backend's JSON answer for `url` (`{appId, timestamp, nonceStr, signature}`),
//!   rejected when the request failed;
//! - `sdk`: a promise of a function that runs jweixin (called when the page is ready for it, after the
//!   emulator), or of anything else once a script has defined `window.wx`.
//!
//! Either member may be left out; a rejected one is fetched again by wx-jssdk.
//!
//! # Running `wx.config` from the script
//! The page is at `wx.ready` soonest when the script also runs `wx.config` as soon as jweixin and the config
//! are there, long before the wasm starts. In WeChat nothing has to come first; add to `p`:
//!
//! - `jsApiList`: the APIs the script's `wx.config` lists, exactly the page's [`ConfigOptions::js_api_list`]
//!   (no open tags, no debug); [`Preload::configure_with`] adopts the script's configuration only then;
//! - `configured`: a promise of WeChat's answer, `{errMsg: "config:ok"}` at `wx.ready` or what `wx.error`
//!   gave (rejected when the script could not call `wx.config`: the page configures as usual);
//! - `userAgent`: when the script installed an emulator (which changes `navigator.userAgent`), the user agent
//!   before it, for [`Preload::environment`].
//!
//! ```js
//! if (/MicroMessenger/i.test(navigator.userAgent)) {
//!   p.jsApiList = ["updateAppMessageShareData", "chooseImage"];
//!   p.configured = Promise.all([p.sdk, p.config]).then(function (a) {
//!     var c = a[1];
//!     return new Promise(function (done) {
//!       wx.error(done); // jweixin runs `ready` callbacks even after `error`: the first settles the promise
//!       wx.ready(function () { done({ errMsg: "config:ok" }); });
//!       wx.config({ appId: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr, signature: c.signature,
//!                   jsApiList: p.jsApiList.slice() }); // a copy: jweixin renames the entries in place
//!     });
//!   });
//!   p.configured.catch(function () {});
//! }
//! ```
//!
//! Outside WeChat an emulator has to be installed before jweixin runs, so a script does the same only when it
//! installs the emulator itself, then runs jweixin (not leaving it to wx-jssdk): [`Preload::runs_config`] tells
//! the page that loading is done. wxkit's own app does all of it in its `index.html`, with its emulator module outside WeChat.

use crate::{Backend, ConfigOptions, Configured, Environment, SdkSource, SignedConfig, WxError, js};
use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The global a page's preload script fills: `window.__wxkit_preload = {url, config, sdk, …}`.
pub const PRELOAD_GLOBAL: &str = "__wxkit_preload";

/// What the page's preload script started (see the [module docs](self) for the script), taken once.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::{Backend, ConfigOptions, JsApi, Preload, SdkSource};
/// let mut preload = Preload::adopt();
/// // (outside WeChat, install the emulator here: before jweixin runs)
/// preload.load_sdk(&SdkSource::default()).await?;
/// preload.configure(&Backend::default(), &ConfigOptions::new([JsApi::ChooseImage])).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Preload {
    sdk: Option<Promise>,
    /// The URL signed and the promise of the backend's answer.
    config: Option<(String, Promise)>,
    /// The script's own `wx.config`: the APIs it listed and the promise of WeChat's answer.
    started: Option<(Array, Promise)>,
    /// The user agent before the script installed an emulator.
    user_agent: Option<String>,
}

impl Preload {
    /// Takes `window.__wxkit_preload` (and removes it: a later call, or another part of the page, finds
    /// nothing and fetches for itself). Empty when the page has no preload script.
    pub fn adopt() -> Preload {
        let Ok(window) = js::window() else {
            return Preload::default();
        };
        let found = js::get(&window, PRELOAD_GLOBAL);
        if !found.is_object() {
            return Preload::default();
        }
        let _ = js_sys::Reflect::delete_property(&window, &JsValue::from_str(PRELOAD_GLOBAL));
        // `Promise.resolve`: whatever the script left there can be awaited.
        let promise = |key: &str| {
            let value = js::get(&found, key);
            (!value.is_undefined()).then(|| Promise::resolve(&value))
        };
        Preload {
            sdk: promise("sdk"),
            config: js::get_string(&found, "url").zip(promise("config")),
            started: js::get(&found, "jsApiList").dyn_into().ok().zip(promise("configured")),
            user_agent: js::get_string(&found, "userAgent"),
        }
    }

    /// Where the page runs, as [`Environment::detect`] found it before the script installed an emulator (which
    /// makes the page look like WeChat): from the `userAgent` the script recorded, else detected now.
    ///
    /// ```no_run
    /// let preload = wx_jssdk::Preload::adopt();
    /// let on_a_phone_in_wechat = preload.environment().in_wechat;
    /// ```
    pub fn environment(&self) -> Environment {
        match &self.user_agent {
            Some(ua) => Environment::from_user_agent(ua, false),
            None => Environment::detect(),
        }
    }

    /// Whether the preload script started the SDK or the config (and they are not used yet).
    pub fn is_empty(&self) -> bool {
        self.sdk.is_none() && self.config.is_none() && self.started.is_none()
    }

    /// Loads jweixin from the preloaded SDK; when there is none, or it failed, from `fallback` (through
    /// [`load_sdk`](crate::load_sdk)). Outside WeChat, install the emulator before this, as before `load_sdk`.
    ///
    /// # Errors
    /// [`WxError::LoadFailed`] from the fallback.
    pub async fn load_sdk(&mut self, fallback: &SdkSource) -> Result<(), WxError> {
        match self.load_preloaded_sdk().await {
            Some(Ok(())) => Ok(()),
            _ => crate::load_sdk(fallback).await,
        }
    }

    /// Loads jweixin from the preloaded SDK only: `None` when the preload script started none (or it was
    /// used already), so the page loads it its own way; `Some(Err(..))` when the preloaded request failed or
    /// did not define `window.wx`.
    pub async fn load_preloaded_sdk(&mut self) -> Option<Result<(), WxError>> {
        let sdk = self.sdk.take()?;
        Some(adopt_sdk(sdk).await)
    }

    /// A signed config for `url`: the preloaded answer when it was requested for this `url` and `refresh` is
    /// false (once), else (or when the preloaded request failed) one fetched from `backend`. Pass it to
    /// [`configure_with`](crate::configure_with) as the signer, or use [`configure`](Self::configure).
    ///
    /// # Errors
    /// As [`Backend::signed_config`].
    pub async fn signed_config(
        &mut self,
        backend: &Backend,
        url: &str,
        refresh: bool,
    ) -> Result<SignedConfig, WxError> {
        // Taken whatever happens: signed for another URL (the page navigated) or failed, it is asked for again,
        // as without a preload.
        if !refresh
            && let Some((signed_url, config)) = self.config.take()
            && signed_url == url
            && let Ok(answer) = JsFuture::from(config).await
            && let Ok(signed) = crate::backend::signed_config_from_js(&answer)
        {
            return Ok(signed);
        }
        backend.signed_config(url, refresh).await
    }

    /// [`configure_from_backend`](crate::configure_from_backend), starting from the preloaded config.
    ///
    /// # Errors
    /// As [`configure_from_backend`](crate::configure_from_backend).
    pub async fn configure(&mut self, backend: &Backend, options: &ConfigOptions) -> Result<Configured, WxError> {
        let started = self.take_started(options).await;
        crate::backend::configure_after(
            options,
            async |url: &str, refresh: bool| self.signed_config(backend, url, refresh).await,
            crate::url_to_sign(),
            started,
        )
        .await
    }

    /// [`configure_with`](crate::configure_with) that adopts the script's own `wx.config` when it ran one for
    /// [`url_to_sign`](crate::url_to_sign) with `options`' APIs (see the [module docs](self)): WeChat's answer
    /// to it decides, and `sign` is called only to heal an `invalid signature` (with `refresh = true`). Else,
    /// or when the script could not call `wx.config`, it is `configure_with(options, sign)`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_jssdk::WxError> {
    /// use wx_jssdk::{Backend, ConfigOptions, JsApi, Preload, SdkSource};
    /// let mut preload = Preload::adopt();
    /// preload.load_sdk(&SdkSource::default()).await?;
    /// let backend = Backend::default();
    /// let options = ConfigOptions::new([JsApi::UpdateAppMessageShareData, JsApi::ChooseImage]);
    /// let done = preload
    ///     .configure_with(&options, async |url: &str, refresh: bool| backend.signed_config(url, refresh).await)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// WeChat's answer to the script's `wx.config` ([`WxError::Timeout`] after `options.timeout_ms`), else as
    /// [`configure_with`](crate::configure_with).
    pub async fn configure_with<F>(&mut self, options: &ConfigOptions, sign: F) -> Result<Configured, WxError>
    where
        F: AsyncFnMut(&str, bool) -> Result<SignedConfig, WxError>,
    {
        let started = self.take_started(options).await;
        crate::backend::configure_after(options, sign, crate::url_to_sign(), started).await
    }

    /// The outcome of the script's `wx.config` (the config it used, once WeChat accepted it), when it ran one
    /// for the URL to sign now with `options`. Taken, and waited for, whether adopted or not: a page's own
    /// `wx.config` never runs beside it. `None` when there is nothing to adopt.
    async fn take_started(&mut self, options: &ConfigOptions) -> Option<Result<SignedConfig, WxError>> {
        let (apis, answer) = self.started.take()?;
        let (signed_for, config) = self.config.take().unzip();
        let both = Promise::all(&Array::of2(&config.map_or(JsValue::UNDEFINED, JsValue::from), &answer));
        let both: Array = match js::with_timeout(&both, options.timeout_ms, "config").await {
            Ok(both) => both.unchecked_into(),
            Err(timeout @ WxError::Timeout { .. }) => return Some(Err(timeout)),
            // The script never called `wx.config`: the page configures itself, once jweixin is there.
            Err(e) => {
                return js::wx().is_err().then(|| {
                    Err(WxError::LoadFailed {
                        detail: format!("the preloaded SDK: {e}"),
                    })
                });
            }
        };
        let same_apis = options.open_tag_list.is_empty()
            && !options.debug
            && apis.length() as usize == options.js_api_list.len()
            && options
                .js_api_list
                .iter()
                .zip(apis.iter())
                .all(|(api, listed)| listed.as_string().is_some_and(|l| l == api.name()));
        if !same_apis || signed_for.is_none_or(|url| url != crate::url_to_sign()) {
            return None;
        }
        let signed = crate::backend::signed_config_from_js(&both.get(0)).ok()?;
        Some(crate::bridge::outcome("config", &both.get(1)).map(|()| signed))
    }

    /// Whether the preload script runs `wx.config` itself (so it loads jweixin, and the emulator if any, too):
    /// then the page skips loading and lets [`configure_with`](Self::configure_with) adopt it.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_jssdk::WxError> {
    /// let mut preload = wx_jssdk::Preload::adopt();
    /// if !preload.runs_config() {
    ///     preload.load_sdk(&wx_jssdk::SdkSource::default()).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn runs_config(&self) -> bool {
        self.started.is_some()
    }
}

/// Waits for the preloaded SDK, runs it if it is a function, and checks that `window.wx` is there.
async fn adopt_sdk(sdk: Promise) -> Result<(), WxError> {
    let failed = |detail: String| WxError::LoadFailed {
        detail: "the preloaded SDK: ".to_owned() + &detail,
    };
    let run = JsFuture::from(sdk).await.map_err(|e| failed(js::describe(&e)))?;
    if run.is_function() {
        run.unchecked_ref::<Function>()
            .call0(&JsValue::UNDEFINED)
            .map_err(|e| failed(js::describe(&e)))?;
    }
    js::wx()
        .map(drop)
        .map_err(|_| failed("window.wx is not defined (see the console)".into()))
}
