//! Voice: record, play, upload/download, translate, and the two voice listeners.

use crate::{
    Listener, WxError,
    api::{
        Empty,
        image::{LocalIdArg as LocalIdOption, Transfer as TransferOption},
    },
    call::{call, call_unit, check},
    listener::listen,
    read,
};
use js_sys::Object;
use wasm_bindgen::JsValue;

/// Starts recording (WeChat stops by itself after one minute: see [`on_voice_record_end`]).
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::voice::start_record().await }
/// ```
///
/// # Errors
/// Cancel (the user refused the microphone) and failures, typed.
pub async fn start_record() -> Result<(), WxError> {
    call_unit("startRecord", &Empty {}).await
}

/// Stops recording and returns the recording's local id.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { let id = wx_jssdk::voice::stop_record().await?; Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn stop_record() -> Result<String, WxError> {
    read::string("stopRecord", &call("stopRecord", &Empty {}).await?, "localId")
}

/// Plays a recording.
///
/// ```no_run
/// # async fn demo(id: &str) -> Result<(), wx_jssdk::WxError> { wx_jssdk::voice::play_voice(id).await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn play_voice(local_id: &str) -> Result<(), WxError> {
    call_unit("playVoice", &LocalIdOption { local_id }).await
}

/// Pauses playback.
///
/// ```no_run
/// # async fn demo(id: &str) -> Result<(), wx_jssdk::WxError> { wx_jssdk::voice::pause_voice(id).await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn pause_voice(local_id: &str) -> Result<(), WxError> {
    call_unit("pauseVoice", &LocalIdOption { local_id }).await
}

/// Stops playback.
///
/// ```no_run
/// # async fn demo(id: &str) -> Result<(), wx_jssdk::WxError> { wx_jssdk::voice::stop_voice(id).await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn stop_voice(local_id: &str) -> Result<(), WxError> {
    call_unit("stopVoice", &LocalIdOption { local_id }).await
}

/// Uploads a recording (kept 3 days) and returns its `serverId`.
///
/// ```no_run
/// # async fn demo(id: &str) -> Result<(), wx_jssdk::WxError> { let s = wx_jssdk::voice::upload_voice(id, true).await?; Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn upload_voice(local_id: &str, show_progress: bool) -> Result<String, WxError> {
    let res = call("uploadVoice", &TransferOption::upload(local_id, show_progress)).await?;
    read::string("uploadVoice", &res, "serverId")
}

/// Downloads a recording by `serverId` and returns its local id.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { let l = wx_jssdk::voice::download_voice("media", true).await?; Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn download_voice(server_id: &str, show_progress: bool) -> Result<String, WxError> {
    let res = call("downloadVoice", &TransferOption::download(server_id, show_progress)).await?;
    read::string("downloadVoice", &res, "localId")
}

/// Speech to text of a recording.
///
/// ```no_run
/// # async fn demo(id: &str) -> Result<(), wx_jssdk::WxError> { let text = wx_jssdk::voice::translate_voice(id, true).await?; Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn translate_voice(local_id: &str, show_progress: bool) -> Result<String, WxError> {
    let res = call("translateVoice", &TransferOption::upload(local_id, show_progress)).await?;
    read::string("translateVoice", &res, "translateResult")
}

/// A voice listener event: the recording or playback that ended.
///
/// ```
/// let e = wx_jssdk::voice::VoiceEnded { local_id: "weixin://resourceid/1".into() };
/// assert!(e.local_id.starts_with("weixin://"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceEnded {
    /// The local id of the recording.
    pub local_id: String,
}

/// What the voice listeners yield: jweixin runs their `complete` for failed events too.
fn voice_ended(api: &str, res: JsValue) -> Result<VoiceEnded, WxError> {
    let res = check(api, res)?;
    Ok(VoiceEnded {
        local_id: read::string(api, &res, "localId")?,
    })
}

/// Recording stopped by itself after one minute. Each event is `Ok`, or the failure WeChat reported
/// ([`WxError::BadResult`] when it names no recording). See [`Listener`] for what replacing or dropping the
/// handle does.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let mut ended = wx_jssdk::voice::on_voice_record_end().await?;
/// if let Some(event) = ended.next().await {
///     let id = event?.local_id;
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] before `load_sdk`; [`WxError::NotInWechat`] without `WeixinJSBridge` (jweixin would
/// drop the registration).
pub async fn on_voice_record_end() -> Result<Listener<Result<VoiceEnded, WxError>>, WxError> {
    listen("onVoiceRecordEnd", Object::new(), &["complete"], |_, res| {
        voice_ended("onVoiceRecordEnd", res)
    })
    .await
}

/// Playback finished. Events as for [`on_voice_record_end`].
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let mut ended = wx_jssdk::voice::on_voice_play_end().await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`on_voice_record_end`].
pub async fn on_voice_play_end() -> Result<Listener<Result<VoiceEnded, WxError>>, WxError> {
    listen("onVoicePlayEnd", Object::new(), &["complete"], |_, res| {
        voice_ended("onVoicePlayEnd", res)
    })
    .await
}
