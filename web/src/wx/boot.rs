//! The start-up sequence: emulator (outside WeChat, if enabled) → jweixin → signed config → `wx.config`, run by
//! index.html's boot script (while the wasm downloads, or when asked again) and adopted with
//! `wx_jssdk::Preload`; then the self-heal of a stale ticket and every later configuration, in Rust.

use super::{JS_API_LIST, emulation};
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wx_jssdk::{Backend, ConfigOptions, Configured, Environment, Preload, SignedConfig, WxError};

thread_local! {
    /// What index.html's script started, until the first boot takes it.
    static PRELOAD: Cell<Preload> = Cell::default();
}

/// Takes index.html's script's work and returns the environment before the script's emulator, if any.
pub fn adopt_preload() -> Environment {
    let preload = Preload::adopt();
    let env = preload.environment();
    PRELOAD.set(preload);
    env
}

/// What index.html's script started, once (empty afterwards, or when the page has no such script).
pub fn take_preload() -> Preload {
    PRELOAD.take()
}

/// Why the page is not configured, with what is needed to debug it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFailure {
    pub error: WxError,
    /// The last config the backend signed, if any (shown in the canonical string).
    pub signed: Option<SignedConfig>,
    /// The URL that was sent to be signed (the page's URL when nothing was signed).
    pub url: String,
}

/// Starts loading: index.html's boot script installs the emulator (outside WeChat, when it is on), loads
/// jweixin and runs `wx.config`. `preload` is that boot when the page's load started it; else (a dev build's
/// emulator, on by default; a reconfigure) it runs now, for the URL to sign now. Returns whether the page runs on the emulator, and the
/// boot for [`configure`] to adopt.
pub fn start(env: &Environment, preload: Preload) -> Result<(bool, Preload), WxError> {
    let emulated = !env.in_wechat && emulation::emulator_enabled();
    if !env.in_wechat && !emulated {
        return Err(WxError::NotInWechat);
    }
    if preload.runs_config() {
        return Ok((emulated, preload));
    }
    let failed = |detail: String| WxError::LoadFailed {
        detail: "index.html's boot script (window.__wxkitBoot): ".to_owned() + &detail,
    };
    let window = web_sys::window().ok_or_else(|| failed("no window".into()))?;
    js_sys::Reflect::get(&window, &"__wxkitBoot".into())
        .ok()
        .and_then(|boot| boot.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| failed("missing".into()))?
        .call2(&window, &emulated.into(), &wx_jssdk::url_to_sign().into())
        .map_err(|e| failed(format!("{e:?}")))?;
    Ok((emulated, Preload::adopt()))
}

/// Signs the current URL through the backend and configures, healing a stale ticket once; adopts the
/// `wx.config` index.html's script ran when `preload` has it.
pub async fn configure(mut preload: Preload) -> Result<Configured, ConfigFailure> {
    let backend = Backend::default();
    let options = ConfigOptions::new(JS_API_LIST);
    // The last config signed and the URL it was signed for: a failure pairs its nonce with that URL, not with
    // the page's URL when it failed (which a navigation may have changed).
    let mut last: Option<(SignedConfig, String)> = None;
    let result = preload
        .configure_with(&options, async |url: &str, refresh: bool| {
            let signed = backend.signed_config(url, refresh).await?;
            last = Some((signed.clone(), url.to_owned()));
            Ok(signed)
        })
        .await;
    result.map_err(|error| {
        let (signed, url) = match last {
            Some((signed, url)) => (Some(signed), url),
            None => (None, wx_jssdk::url_to_sign()),
        };
        ConfigFailure { error, signed, url }
    })
}
