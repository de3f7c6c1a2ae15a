//! `wx.miniProgram`: talking to the mini program that hosts the page in a `<web-view>`; and the undocumented
//! `wx.launchMiniProgram`, which opens another mini program from the page.

use crate::{
    WxError,
    call::{call_raw, to_js},
    js::{self, deferred},
};
use serde::Serialize;

#[derive(Serialize)]
struct Url<'a> {
    url: &'a str,
}

#[derive(Serialize)]
struct Delta {
    delta: u32,
}

/// `wx.miniProgram.navigateTo({url})`.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::mini_program::navigate_to("/pages/a/a").await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn navigate_to(url: &str) -> Result<(), WxError> {
    call_raw("miniProgram.navigateTo", to_js(&Url { url })?)
        .await
        .map(|_| ())
}

/// `wx.miniProgram.navigateBack({delta})`.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::mini_program::navigate_back(1).await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn navigate_back(delta: u32) -> Result<(), WxError> {
    call_raw("miniProgram.navigateBack", to_js(&Delta { delta })?)
        .await
        .map(|_| ())
}

/// `wx.miniProgram.redirectTo({url})`.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::mini_program::redirect_to("/pages/a/a").await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn redirect_to(url: &str) -> Result<(), WxError> {
    call_raw("miniProgram.redirectTo", to_js(&Url { url })?)
        .await
        .map(|_| ())
}

/// `wx.miniProgram.switchTab({url})`.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::mini_program::switch_tab("/pages/a/a").await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn switch_tab(url: &str) -> Result<(), WxError> {
    call_raw("miniProgram.switchTab", to_js(&Url { url })?)
        .await
        .map(|_| ())
}

/// `wx.miniProgram.reLaunch({url})`.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::mini_program::re_launch("/pages/a/a").await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn re_launch(url: &str) -> Result<(), WxError> {
    call_raw("miniProgram.reLaunch", to_js(&Url { url })?).await.map(|_| ())
}

/// `wx.miniProgram.postMessage({data})`: delivered to the mini program at its next back/share/destroy.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::mini_program::post_message(&serde_json::json!({"order": 42})).await
/// # }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn post_message<T: Serialize + ?Sized>(data: &T) -> Result<(), WxError> {
    let options = js_sys::Object::new();
    js::set(&options, "data", &to_js(data)?)?;
    call_raw("miniProgram.postMessage", options.into()).await.map(|_| ())
}

/// `wx.miniProgram.getEnv`: `true` inside a mini program's `<web-view>`; `false` outside WeChat, where jweixin
/// never answers.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// if wx_jssdk::mini_program::get_env().await? { /* use mini_program::navigate_to */ }
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] before `load_sdk`; [`WxError::NotInWechat`] when the user agent says WeChat but no
/// `WeixinJSBridge` comes (jweixin would wait for it forever).
pub async fn get_env() -> Result<bool, WxError> {
    let wx = js::wx()?;
    let mp = js::get(&wx, "miniProgram");
    let get_env: js_sys::Function =
        wasm_bindgen::JsCast::dyn_into(js::get(&mp, "getEnv")).map_err(|_| WxError::FunctionNotExist {
            api: "miniProgram.getEnv".into(),
        })?;
    // jweixin calls back only when the user agent says WeChat (the check `Environment` makes), and only once
    // `WeixinJSBridge` is there.
    if !crate::Environment::detect().in_wechat {
        return Ok(false);
    }
    crate::bridge::required().await?;
    let done = deferred()?;
    get_env.call1(&mp, &done.resolve)?;
    // With the bridge there, jweixin answers at once; bounded all the same (it read the user agent at load).
    let res = js::with_timeout(&done.promise, 1_000, "miniProgram.getEnv").await?;
    Ok(js::get(&res, "miniprogram").is_truthy())
}

/// Which version of a mini program to open. WeChat honours it only while the target is not released (a
/// released mini program always opens as released).
///
/// ```
/// assert_eq!(wx_jssdk::mini_program::EnvVersion::default(), wx_jssdk::mini_program::EnvVersion::Release);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvVersion {
    /// `release`: the released version.
    #[default]
    Release,
    /// `trial`: the trial (体验版) version.
    Trial,
    /// `develop`: the development version.
    Develop,
}

/// The mini program `launchMiniProgram` opens.
///
/// ```
/// let target = wx_jssdk::mini_program::LaunchMiniProgram {
///     target_app_id: "wx1234567890abcdef".into(),
///     path: "pages/index/index?from=h5".into(),
///     env_version: None,
/// };
/// assert!(target.env_version.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LaunchMiniProgram {
    /// The mini program's appId.
    pub target_app_id: String,
    /// The page to open, with an optional query: `pages/index/index?from=h5`. Empty: the home page. A
    /// trailing `.html` on the page is optional (jweixin adds it; see [`launch_mini_program`]).
    pub path: String,
    /// Which version to open; `None` leaves it to WeChat (the released one).
    pub env_version: Option<EnvVersion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LaunchArgs<'a> {
    target_app_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    env_version: Option<EnvVersion>,
}

/// The path to hand jweixin so that WeChat receives `path` as meant. jweixin rewrites it to
/// `<page>.html[?<query>]`, where `<query>` is only the text between the first and a second `?`: so a
/// `.html` the caller already wrote is removed (else WeChat gets `.html.html`), and a `?` inside the query is
/// percent-encoded (else jweixin drops the rest of the query).
fn path_for_jweixin(path: &str) -> String {
    let (page, query) = match crate::text::split_once(path, "?") {
        Some((page, query)) => (page, Some(query)),
        None => (path, None),
    };
    let page = page.strip_suffix(".html").unwrap_or(page);
    match query {
        Some(query) => format!("{page}?{}", query.replace('?', "%3F")),
        None => page.to_owned(),
    }
}

/// Opens another mini program from the page (`wx.launchMiniProgram`).
///
/// **Undocumented** (see [`JsApi::UNDOCUMENTED`](crate::JsApi::UNDOCUMENTED)): for an ordinary Official
/// Account WeChat documents the `wx-open-launch-weapp` open tag
/// ([`OpenTag::LaunchWeapp`](crate::OpenTag::LaunchWeapp)) instead, and may answer this call with
/// `permission denied` or `function not exist`.
///
/// jweixin appends `.html` to the page before the bridge sees it: pass the page as mini programs name it
/// (`pages/index/index`); a `.html` you add is not doubled, and a `?` inside the query is sent as `%3F`.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::mini_program::{LaunchMiniProgram, launch_mini_program};
/// launch_mini_program(&LaunchMiniProgram {
///     target_app_id: "wx1234567890abcdef".into(),
///     path: "pages/index/index?from=h5".into(),
///     env_version: None,
/// })
/// .await
/// # }
/// ```
///
/// # Errors
/// Cancel and failures, typed.
pub async fn launch_mini_program(target: &LaunchMiniProgram) -> Result<(), WxError> {
    let args = LaunchArgs {
        target_app_id: &target.target_app_id,
        // jweixin sends no path for an empty one (WeChat then opens the home page).
        path: (!target.path.is_empty()).then(|| path_for_jweixin(&target.path)),
        env_version: target.env_version,
    };
    call_raw("launchMiniProgram", to_js(&args)?).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::path_for_jweixin;

    #[test]
    fn paths_survive_jweixins_rewrite() {
        for (given, handed_over) in [
            ("pages/index/index", "pages/index/index"),
            ("pages/index/index.html", "pages/index/index"),
            ("pages/a/a?x=1&y=2", "pages/a/a?x=1&y=2"),
            ("pages/a/a.html?x=1", "pages/a/a?x=1"),
            ("pages/a/a?next=/b?c=1", "pages/a/a?next=/b%3Fc=1"),
            ("pages/a/a?", "pages/a/a?"),
            // Only a trailing `.html` is jweixin's: one inside the query is the caller's data.
            ("pages/a/a?f=x.html", "pages/a/a?f=x.html"),
        ] {
            assert_eq!(path_for_jweixin(given), handed_over, "{given}");
        }
    }
}
