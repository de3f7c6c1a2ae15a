//! Adopting what a page's inline script started before its wasm ran: jweixin and the signed config, fetched
//! while the wasm downloads and compiles, as a hand-written JS page starts both at once.
//!
//! A wasm page cannot ask for anything until its module is instantiated. A few lines of plain JS in the page's
//! HTML can: they start the requests and leave their promises on `window.__wxkit_preload`; [`Preload::adopt`]
//! takes them once, and [`Preload::load_sdk`] / [`Preload::signed_config`] use them, or fall back to fetching
//! as usual when the page has no such script, the request failed, or the URL to sign changed meanwhile (a
//! single-page app that navigated: the signature covers one URL).
//!
//! The script, before the page's own module script (in a Trunk `index.html`, anywhere in `<head>`):
//!
//! ```html
//! <script>
//!   // wx_jssdk::Preload: jweixin and the signed config, requested while the wasm downloads.
//!   (function (d) {
//!     var url = location.href.split("#")[0], p = { url: url };
//!     p.config = fetch("/api/jssdk/config?url=" + encodeURIComponent(url)).then(function (r) {
//!       if (!r.ok) throw r.status;
//!       return r.json();
//!     });
//!     if (/MicroMessenger/i.test(navigator.userAgent)) {
//!       // In WeChat: WeChat's CDN file (a classic script), run at once.
//!       p.sdk = new Promise(function (ok, fail) {
//!         var s = d.createElement("script");
//!         s.src = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";
//!         s.onload = ok;
//!         s.onerror = fail;
//!         d.head.appendChild(s);
//!       });
//!     } else {
//!       // Elsewhere the emulator must be installed before jweixin runs: the npm (CommonJS) copy is fetched
//!       // now and run when wx-jssdk calls the function.
//!       p.sdk = fetch("/vendor/jweixin-1.6.0.js").then(function (r) {
//!         if (!r.ok) throw r.status;
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

use crate::{Backend, ConfigOptions, Configured, SdkSource, SignedConfig, WxError, js};
use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The global a page's preload script fills: `window.__wxkit_preload = {url, config, sdk}`.
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
        }
    }

    /// Whether the preload script started the SDK or the config (and they are not used yet).
    pub fn is_empty(&self) -> bool {
        self.sdk.is_none() && self.config.is_none()
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
        crate::configure_with(options, async |url: &str, refresh: bool| {
            self.signed_config(backend, url, refresh).await
        })
        .await
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
