//! `wx.miniProgram`: talking to the mini program that hosts the page in a `<web-view>`.

use crate::{
    WxError,
    call::{call_raw, to_js},
    js::{self, deferred},
};
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

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
/// [`WxError::LoadFailed`] before `load_sdk`.
pub async fn get_env() -> Result<bool, WxError> {
    let wx = js::wx()?;
    let mp = js::get(&wx, "miniProgram");
    let get_env: js_sys::Function =
        wasm_bindgen::JsCast::dyn_into(js::get(&mp, "getEnv")).map_err(|_| WxError::FunctionNotExist {
            api: "miniProgram.getEnv".into(),
        })?;
    // jweixin calls back only when the user agent says WeChat (the check `Environment` makes).
    if !crate::Environment::detect().in_wechat {
        return Ok(false);
    }
    let done = deferred()?;
    get_env.call1(&mp, &done.resolve)?;
    let res: JsValue = JsFuture::from(done.promise).await?;
    Ok(js::get(&res, "miniprogram").is_truthy())
}
