//! The start-up sequence: emulator (outside WeChat, if enabled) → jweixin → signed config → `wx.config`.

use super::{JS_API_LIST, emulation};
use wx_jssdk::{Backend, ConfigOptions, Configured, Environment, SdkSource, SignedConfig, WxError};

/// Why the page is not configured, with what is needed to debug it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFailure {
    pub error: WxError,
    /// The last config the backend signed, if any (shown in the canonical string).
    pub signed: Option<SignedConfig>,
    /// The URL that was sent to be signed (the page's URL when nothing was signed).
    pub url: String,
}

/// Loads the SDK, installing the emulator first when the page is outside WeChat and the emulator is on.
/// Returns whether the page runs on the emulator.
pub async fn load(env: &Environment) -> Result<bool, WxError> {
    let emulated = !env.in_wechat && emulation::emulator_enabled();
    if emulated {
        emulation::install_emulator().await?;
    }
    if !env.in_wechat && !emulated {
        return Err(WxError::NotInWechat);
    }
    let source = if emulated {
        emulation::local_sdk_source()
    } else {
        SdkSource::default()
    };
    wx_jssdk::load_sdk(&source).await?;
    Ok(emulated)
}

/// Signs the current URL through the backend and configures, healing a stale ticket once.
pub async fn configure() -> Result<Configured, ConfigFailure> {
    let backend = Backend::default();
    let options = ConfigOptions::new(JS_API_LIST);
    // The last config signed and the URL it was signed for: a failure pairs its nonce with that URL, not with
    // the page's URL when it failed (which a navigation may have changed).
    let mut last: Option<(SignedConfig, String)> = None;
    let result = wx_jssdk::configure_with(&options, async |url: &str, refresh: bool| {
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
