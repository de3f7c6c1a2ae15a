//! Typed bindings of the WeChat JS-SDK (jweixin 1.6.0) for any wasm page, and an emulator of WeChat's
//! `WeixinJSBridge` so the real SDK runs in a desktop browser.
//!
//! No UI framework: plain `wasm-bindgen`, `web-sys`, `js-sys`. Works the same from Yew, Leptos, Dioxus or
//! hand-written `web-sys` code.
//!
//! # The flow
//! 1. [`load_sdk`] injects jweixin once (from `res.wx.qq.com`, falling back to `res2.wx.qq.com`, or an
//!    [`SdkSource`] of your choice).
//! 2. [`url_to_sign`] gives the URL the backend must sign (`location.href` without `#`; the landing URL on iOS).
//! 3. [`config`] (or [`configure_from_backend`], which fetches the signature and self-heals a stale ticket
//!    once) resolves when WeChat verified the page, or fails with a typed [`WxError`] whose
//!    [`hint`](WxError::hint) says what to fix.
//! 4. Call the APIs: every one-shot API is an `async fn` returning `Result<T, WxError>`, where a user's
//!    cancel is [`WxError::Cancelled`]; listener APIs return a [`Listener`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), wx_jssdk::WxError> {
//! use wx_jssdk::{Backend, ConfigOptions, JsApi, SdkSource, share};
//! wx_jssdk::load_sdk(&SdkSource::default()).await?;
//! wx_jssdk::configure_from_backend(
//!     &Backend::default(),
//!     &ConfigOptions::new([JsApi::UpdateAppMessageShareData, JsApi::ChooseImage]),
//! )
//! .await?;
//! share::update_app_message_share_data(&share::AppMessageShare {
//!     title: "wxkit".into(),
//!     desc: "WeChat H5 in Rust".into(),
//!     link: wx_jssdk::url_to_sign(),
//!     img_url: "https://example.com/icon.png".into(),
//! })
//! .await?;
//! match wx_jssdk::image::choose_image(&Default::default()).await {
//!     Ok(chosen) => { /* chosen.local_ids */ }
//!     Err(wx_jssdk::WxError::Cancelled { .. }) => { /* the user closed the picker */ }
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```
//!
//! # As fast as a hand-written JS page
//! A wasm page can ask for nothing until its module runs. A few lines of JS in the page's HTML can start
//! jweixin and the signed config while the wasm downloads, and even run `wx.config`; [`Preload`] adopts them
//! (the scripts are in the [`preload`] module's docs). With a phone's network latency the page is then at
//! `wx.ready` sooner than a hand-written page that does each step in turn.
//!
//! # Loading jweixin
//! [`SdkSource`] covers the three ways: WeChat's CDN in WeChat (the default), a local copy of the npm file
//! ([`SdkSource::CommonJsUrl`]; it is CommonJS, not a classic script), or inline text ([`SdkSource::CommonJs`],
//! [`SdkSource::Script`]).
//!
//! # Testing without WeChat: the `emulator` feature
//! `emulator::install` before [`load_sdk`] makes the real jweixin work in desktop Chromium, checking
//! signatures exactly as WeChat does (see the `emulator` module). It is behind the `emulator` cargo feature,
//! off by default, so production pages do not ship it (44398 B gz more on the example page, whose bindings are
//! 31120 B gz; `cargo xtask bench` prints the figures). The debug-only pattern, with a feature of your page that turns on `wx-jssdk/emulator`:
//!
//! ```ignore
//! #[cfg(feature = "emulator")]
//! if !wx_jssdk::Environment::detect().in_wechat {
//!     wx_jssdk::emulator::install(Default::default())?; // EmulatorError → WxError through `?`
//! }
//! wx_jssdk::load_sdk(&source).await?;
//! ```
//!
//! # Leptos and other `Send`-bound APIs
//! The futures here are `!Send` (they hold JS values, which stay on the page's thread). Leptos's
//! `Action::new` and `Resource::new` require `Send`; use `Action::new_local` and `LocalResource::new`:
//!
//! ```ignore
//! let configure = Action::new_local(|_: &()| async {
//!     wx_jssdk::load_sdk(&SdkSource::default()).await?;
//!     wx_jssdk::configure_from_backend(&Backend::default(), &ConfigOptions::new([JsApi::ChooseImage])).await
//! });
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod backend;
mod bridge;
mod call;
mod config;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod env;
mod error;
mod js;
mod listener;
mod loader;
mod names;
pub mod open_tags;
pub mod preload;
mod read;
mod ser;
mod text;
mod url;

pub use api::{beacon, card, device, image, location, menu, mini_program, misc, pay, scan, share, voice};
pub use backend::{Backend, Configured, backend_json, configure_from_backend, configure_with};
pub use bridge::close_window;
pub use config::{ConfigOptions, SignedConfig, config};
pub use env::{Environment, Platform};
pub use error::WxError;
pub use listener::Listener;
pub use loader::{JWEIXIN_FALLBACK_URL, JWEIXIN_URL, SdkSource, commonjs_shim, load_sdk};
pub use names::{JsApi, OpenTag, UnknownName};
pub use preload::Preload;
pub use url::{pick_url_to_sign, remember_landing_url, url_to_sign};
