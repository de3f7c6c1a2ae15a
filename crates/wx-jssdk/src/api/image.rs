//! Images: chooseImage, previewImage, uploadImage, downloadImage, getLocalImgData.

use crate::{WxError, call::call, read};
use serde::Serialize;

/// `sizeType`: original or compressed.
///
/// ```
/// let opts = wx_jssdk::image::ChooseImage { size_type: vec![wx_jssdk::image::SizeType::Compressed], ..Default::default() };
/// assert_eq!(opts.size_type.len(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeType {
    /// The original file.
    Original,
    /// A compressed copy.
    Compressed,
}

/// `sourceType`: album or camera.
///
/// ```
/// let opts = wx_jssdk::image::ChooseImage { source_type: vec![wx_jssdk::image::SourceType::Camera], ..Default::default() };
/// assert_eq!(opts.source_type, [wx_jssdk::image::SourceType::Camera]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceType {
    /// Pick from the album.
    Album,
    /// Take a photo.
    Camera,
}

/// Options of `chooseImage`; the defaults are jweixin's (9 images, both sizes, both sources).
///
/// ```
/// use wx_jssdk::image::{ChooseImage, SourceType};
/// let opts = ChooseImage { count: 1, source_type: vec![SourceType::Camera], ..Default::default() };
/// assert_eq!(ChooseImage::default().count, 9);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChooseImage {
    /// At most this many images (1–9).
    pub count: u8,
    /// Which sizes the user may pick.
    pub size_type: Vec<SizeType>,
    /// Where the images may come from.
    pub source_type: Vec<SourceType>,
}

impl Default for ChooseImage {
    fn default() -> Self {
        ChooseImage {
            count: 9,
            size_type: vec![SizeType::Original, SizeType::Compressed],
            source_type: vec![SourceType::Album, SourceType::Camera],
        }
    }
}

/// What `chooseImage` returns.
///
/// ```
/// let chosen = wx_jssdk::image::ChosenImages { local_ids: vec!["wxLocalResource://1".into()], source_type: None };
/// assert_eq!(chosen.local_ids.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenImages {
    /// Local ids, usable as `<img src>` (Android) or via [`get_local_img_data`] (iOS WKWebView).
    pub local_ids: Vec<String>,
    /// `album`, `camera` or `weixin`, when the client says.
    pub source_type: Option<String>,
}

/// Lets the user pick photos. A user who closes the picker gets [`WxError::Cancelled`].
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let chosen = wx_jssdk::image::choose_image(&Default::default()).await?;
/// for id in &chosen.local_ids { web_sys::console::log_1(&id.into()); }
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel, permission and failure, typed.
pub async fn choose_image(options: &ChooseImage) -> Result<ChosenImages, WxError> {
    let res = call("chooseImage", options).await?;
    Ok(ChosenImages {
        local_ids: read::strings("chooseImage", &res, "localIds")?,
        source_type: read::opt_string(&res, "sourceType"),
    })
}

/// Options of `previewImage`.
///
/// ```
/// let p = wx_jssdk::image::PreviewImage { current: "https://a.com/1.jpg".into(), urls: vec!["https://a.com/1.jpg".into()] };
/// assert_eq!(p.urls.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PreviewImage {
    /// The http(s) URL shown first.
    pub current: String,
    /// All URLs of the gallery.
    pub urls: Vec<String>,
}

/// Opens WeChat's full-screen image viewer.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::image::preview_image(&wx_jssdk::image::PreviewImage {
///     current: "https://a.com/1.jpg".into(), urls: vec!["https://a.com/1.jpg".into()],
/// }).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn preview_image(options: &PreviewImage) -> Result<(), WxError> {
    crate::call::call_unit("previewImage", options).await
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Transfer<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    local_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_id: Option<&'a str>,
    is_show_progress_tips: u8,
}

impl<'a> Transfer<'a> {
    pub(crate) fn upload(local_id: &'a str, progress: bool) -> Self {
        Transfer {
            local_id: Some(local_id),
            server_id: None,
            is_show_progress_tips: u8::from(progress),
        }
    }
    pub(crate) fn download(server_id: &'a str, progress: bool) -> Self {
        Transfer {
            local_id: None,
            server_id: Some(server_id),
            is_show_progress_tips: u8::from(progress),
        }
    }
}

/// Uploads a chosen image to WeChat's media store (kept 3 days) and returns its `serverId` (a media_id your
/// backend can download). `show_progress` shows WeChat's progress toast.
///
/// ```no_run
/// # async fn demo(local_id: &str) -> Result<(), wx_jssdk::WxError> {
/// let server_id = wx_jssdk::image::upload_image(local_id, true).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn upload_image(local_id: &str, show_progress: bool) -> Result<String, WxError> {
    let res = call("uploadImage", &Transfer::upload(local_id, show_progress)).await?;
    read::string("uploadImage", &res, "serverId")
}

/// Downloads an image by `serverId` and returns its local id.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let local_id = wx_jssdk::image::download_image("media-id", false).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn download_image(server_id: &str, show_progress: bool) -> Result<String, WxError> {
    let res = call("downloadImage", &Transfer::download(server_id, show_progress)).await?;
    read::string("downloadImage", &res, "localId")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LocalIdArg<'a> {
    pub(crate) local_id: &'a str,
}

/// The image of a local id as a `data:` URL (needed on iOS WKWebView, where local ids are not `<img src>`).
/// jweixin serialises concurrent calls itself.
///
/// ```no_run
/// # async fn demo(local_id: &str) -> Result<(), wx_jssdk::WxError> {
/// let data_url = wx_jssdk::image::get_local_img_data(local_id).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn get_local_img_data(local_id: &str) -> Result<String, WxError> {
    let res = call("getLocalImgData", &LocalIdArg { local_id }).await?;
    read::string("getLocalImgData", &res, "localData")
}
