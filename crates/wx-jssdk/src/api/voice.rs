//! Voice: record, play, upload/download, translate, and the two voice listeners.

use crate::{
    Listener, WxError,
    api::{
        Empty,
        image::{LocalIdArg as LocalIdOption, Transfer as TransferOption},
    },
    call::{call, call_unit},
    js, read,
};
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

fn voice_ended(_tag: &str, res: JsValue) -> VoiceEnded {
    VoiceEnded {
        local_id: js::get_string(&res, "localId").unwrap_or_default(),
    }
}

fn register(api: &str) -> Result<Listener<VoiceEnded>, WxError> {
    // Look the function up first: a listener closure is created only when it can be registered.
    let wx = js::wx()?;
    let register = crate::config::method(&wx, api)?;
    let (listener, callback) = Listener::new(voice_ended);
    let options = js_sys::Object::new();
    js::set(&options, "complete", &callback("complete"))?;
    register.call1(&wx, &options)?;
    Ok(listener)
}

/// Recording stopped by itself after one minute. See [`Listener`] for drop behaviour.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let mut ended = wx_jssdk::voice::on_voice_record_end()?;
/// let id = ended.next().await.local_id;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] before `load_sdk`.
pub fn on_voice_record_end() -> Result<Listener<VoiceEnded>, WxError> {
    register("onVoiceRecordEnd")
}

/// Playback finished.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let mut ended = wx_jssdk::voice::on_voice_play_end()?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`WxError::LoadFailed`] before `load_sdk`.
pub fn on_voice_play_end() -> Result<Listener<VoiceEnded>, WxError> {
    register("onVoicePlayEnd")
}
