//! Media: temporary uploads (`media/upload`, valid 3 days) and downloads (`media/get`, `media/get/jssdk`), and
//! permanent material (`material/add_material`, `get_material`, `del_material`, `get_materialcount`,
//! `batchget_material`). Uploads are checked against WeChat's size and type limits before they are sent.

use crate::{
    client::{AccountClient, Answer, Ok},
    error::{ApiError, InvalidRequest},
    token::TokenSource,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What a media file is, as WeChat's `type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// ≤ 10 MB, png / jpeg / jpg / gif.
    Image,
    /// ≤ 2 MB (and ≤ 60 s, which only WeChat checks), amr / mp3.
    Voice,
    /// ≤ 10 MB, mp4.
    Video,
    /// ≤ 64 KB, jpg.
    Thumb,
}

impl MediaKind {
    /// WeChat's `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Voice => "voice",
            Self::Video => "video",
            Self::Thumb => "thumb",
        }
    }

    /// The largest file WeChat takes, in bytes.
    ///
    /// ```
    /// assert_eq!(wx_api::MediaKind::Thumb.max_bytes(), 64 * 1024);
    /// ```
    pub fn max_bytes(self) -> usize {
        match self {
            Self::Image | Self::Video => 10 * 1024 * 1024,
            Self::Voice => 2 * 1024 * 1024,
            Self::Thumb => 64 * 1024,
        }
    }

    /// The file name extensions WeChat takes.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Image => &["png", "jpeg", "jpg", "gif"],
            Self::Voice => &["amr", "mp3"],
            Self::Video => &["mp4"],
            Self::Thumb => &["jpg"],
        }
    }

    /// The content type sent with the file.
    fn mime(self, ext: &str) -> &'static str {
        match ext {
            "png" => "image/png",
            "gif" => "image/gif",
            "jpg" | "jpeg" => "image/jpeg",
            "amr" => "audio/amr",
            "mp3" => "audio/mpeg",
            "mp4" => "video/mp4",
            _ => "application/octet-stream",
        }
    }
}

/// A file to upload: its name (WeChat reads the type from the extension) and bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// `photo.jpg`.
    pub filename: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for MediaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaFile")
            .field("filename", &self.filename)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// A temporary upload's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedMedia {
    /// `image`, `voice`, `video` or `thumb`.
    #[serde(rename = "type")]
    pub kind: MediaKind,
    /// Valid 3 days.
    pub media_id: String,
    /// Unix seconds.
    pub created_at: u64,
}

/// A permanent material's answer (`url` for images).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AddedMaterial {
    /// The permanent media_id.
    pub media_id: String,
    /// The image's URL (images only).
    #[serde(default)]
    pub url: Option<String>,
}

/// A downloaded medium.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Media {
    /// The file, with WeChat's content type and file name.
    File {
        /// `image/jpeg`, …
        content_type: String,
        /// From `Content-Disposition`.
        filename: Option<String>,
        /// The content.
        bytes: Vec<u8>,
    },
    /// A video: where to download it (`video_url` / `down_url`).
    VideoUrl(String),
    /// Anything else WeChat answers as JSON (a permanent video's title and description with its `down_url`).
    Json(serde_json::Value),
}

impl std::fmt::Debug for Media {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File {
                content_type,
                filename,
                bytes,
            } => write!(f, "File({content_type}, {filename:?}, {} bytes)", bytes.len()),
            Self::VideoUrl(u) => write!(f, "VideoUrl({u})"),
            Self::Json(v) => write!(f, "Json({v})"),
        }
    }
}

/// `get_materialcount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct MaterialCount {
    /// Voices.
    pub voice_count: u64,
    /// Videos.
    pub video_count: u64,
    /// Images.
    pub image_count: u64,
    /// Articles.
    pub news_count: u64,
}

/// One item of `batchget_material`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MaterialItem {
    /// Its media_id.
    pub media_id: String,
    /// The file name.
    #[serde(default)]
    pub name: String,
    /// Unix seconds.
    #[serde(default)]
    pub update_time: u64,
    /// The URL (images).
    #[serde(default)]
    pub url: Option<String>,
}

/// A page of `batchget_material`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MaterialPage {
    /// Materials of this type in all.
    pub total_count: u64,
    /// On this page.
    pub item_count: u64,
    /// The page.
    pub item: Vec<MaterialItem>,
}

fn field(field: &'static str, problem: String) -> ApiError {
    InvalidRequest::Field { field, problem }.into()
}

/// WeChat's limits for `kind`, before any byte is sent.
fn check(kind: MediaKind, file: &MediaFile) -> Result<&'static str, ApiError> {
    let ext = file
        .filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some(ext) = kind.extensions().iter().copied().find(|e| *e == ext) else {
        return Err(field(
            "media",
            format!(
                "{:?}: a {} must be one of {}",
                file.filename,
                kind.as_str(),
                kind.extensions().join(", ")
            ),
        ));
    };
    if file.bytes.is_empty() || file.bytes.len() > kind.max_bytes() {
        return Err(field(
            "media",
            format!(
                "{:?} is {} bytes; a {} must be 1 to {} bytes",
                file.filename,
                file.bytes.len(),
                kind.as_str(),
                kind.max_bytes()
            ),
        ));
    }
    Ok(kind.mime(ext))
}

fn form(file: &MediaFile, mime: &str) -> Result<reqwest::multipart::Form, ApiError> {
    let part = reqwest::multipart::Part::bytes(file.bytes.clone())
        .file_name(file.filename.clone())
        .mime_str(mime)
        .map_err(|e| ApiError::Malformed(e.without_url().to_string()))?;
    Ok(reqwest::multipart::Form::new().part("media", part))
}

fn media(answer: Answer) -> Media {
    match answer {
        Answer::File {
            content_type,
            filename,
            bytes,
        } => Media::File {
            content_type,
            filename,
            bytes,
        },
        Answer::Json(v) => match v
            .get("video_url")
            .or_else(|| v.get("down_url"))
            .and_then(|u| u.as_str())
        {
            Some(url) if v.get("title").is_none() => Media::VideoUrl(url.to_owned()),
            _ => Media::Json(v),
        },
    }
}

impl<S: TokenSource> AccountClient<S> {
    /// `POST /cgi-bin/media/upload?type=…` (multipart field `media`): a temporary medium, valid 3 days.
    ///
    /// # Errors
    /// [`ApiError::Invalid`] for a file over the kind's size or of another type (nothing sent); WeChat's errcodes.
    pub async fn upload_media(&self, kind: MediaKind, file: &MediaFile) -> Result<UploadedMedia, ApiError> {
        let mime = check(kind, file)?;
        form(file, mime)?; // a bad part fails here, before the token is asked for
        let url = self.url("/cgi-bin/media/upload");
        self.call(|token| {
            let request = self
                .http()
                .post(&url)
                .query(&[("access_token", token.expose()), ("type", kind.as_str())]);
            match form(file, mime) {
                Result::Ok(f) => request.multipart(f),
                Err(_) => request,
            }
        })
        .await
    }

    /// `GET /cgi-bin/media/get`: the file (or, for a video, its URL). The page's `uploadImage` `serverId` is such
    /// a media_id.
    ///
    /// # Errors
    /// [`ApiError::InvalidMedia`] (40007) for an unknown or expired id.
    pub async fn get_media(&self, media_id: &str) -> Result<Media, ApiError> {
        self.download("/cgi-bin/media/get", media_id).await
    }

    /// As [`get_media`](Self::get_media), reading at most `max_bytes` of the answer: a larger file is not
    /// buffered, and the call fails with [`ApiError::TooLarge`]. For a server downloading what pages uploaded
    /// (`uploadImage`'s `serverId`), whose size it does not choose.
    ///
    /// # Errors
    /// [`ApiError::InvalidMedia`] (40007); [`ApiError::TooLarge`] past `max_bytes`.
    pub async fn get_media_limited(&self, media_id: &str, max_bytes: usize) -> Result<Media, ApiError> {
        if media_id.is_empty() {
            return Err(field("media_id", "empty".into()));
        }
        let url = self.url("/cgi-bin/media/get");
        let answer = self
            .call_bounded(
                |token| {
                    self.http()
                        .get(&url)
                        .query(&[("access_token", token.expose()), ("media_id", media_id)])
                },
                max_bytes,
            )
            .await?;
        Result::Ok(media(answer))
    }

    /// `GET /cgi-bin/media/get/jssdk`: the high-quality (speex) voice of the page's `uploadVoice`.
    ///
    /// # Errors
    /// [`ApiError::InvalidMedia`] (40007).
    pub async fn get_jssdk_voice(&self, media_id: &str) -> Result<Media, ApiError> {
        self.download("/cgi-bin/media/get/jssdk", media_id).await
    }

    async fn download(&self, path: &str, media_id: &str) -> Result<Media, ApiError> {
        if media_id.is_empty() {
            return Err(field("media_id", "empty".into()));
        }
        let url = self.url(path);
        let answer = self
            .call_raw(|token| {
                self.http()
                    .get(&url)
                    .query(&[("access_token", token.expose()), ("media_id", media_id)])
            })
            .await?;
        Result::Ok(media(answer))
    }

    /// `POST /cgi-bin/material/add_material?type=…`: a permanent material. A video needs its `title` and
    /// `introduction` (sent as the `description` field).
    ///
    /// # Errors
    /// As [`upload_media`](Self::upload_media); [`ApiError::Invalid`] for a video without a title.
    pub async fn add_material(
        &self,
        kind: MediaKind,
        file: &MediaFile,
        video: Option<(&str, &str)>,
    ) -> Result<AddedMaterial, ApiError> {
        let mime = check(kind, file)?;
        let description = match (kind, video) {
            (MediaKind::Video, Some((title, introduction))) if !title.is_empty() => {
                Some(json!({"title": title, "introduction": introduction}).to_string())
            }
            (MediaKind::Video, _) => {
                return Err(field(
                    "description",
                    "a video needs a title (and an introduction)".into(),
                ));
            }
            _ => None,
        };
        form(file, mime)?;
        let url = self.url("/cgi-bin/material/add_material");
        self.call(|token| {
            let request = self
                .http()
                .post(&url)
                .query(&[("access_token", token.expose()), ("type", kind.as_str())]);
            match form(file, mime) {
                Result::Ok(mut f) => {
                    if let Some(d) = &description {
                        f = f.text("description", d.clone());
                    }
                    request.multipart(f)
                }
                Err(_) => request,
            }
        })
        .await
    }

    /// `POST /cgi-bin/material/get_material {media_id}`: the file, or JSON for a video (`title`, `description`,
    /// `down_url`).
    ///
    /// # Errors
    /// [`ApiError::InvalidMedia`] (40007).
    pub async fn get_material(&self, media_id: &str) -> Result<Media, ApiError> {
        let url = self.url("/cgi-bin/material/get_material");
        let body = json!({"media_id": media_id});
        let answer = self
            .call_raw(|token| {
                self.http()
                    .post(&url)
                    .query(&[("access_token", token.expose())])
                    .json(&body)
            })
            .await?;
        Result::Ok(media(answer))
    }

    /// `POST /cgi-bin/material/del_material {media_id}`.
    ///
    /// # Errors
    /// [`ApiError::InvalidMedia`] (40007).
    pub async fn delete_material(&self, media_id: &str) -> Result<(), ApiError> {
        let _: Ok = self
            .post("/cgi-bin/material/del_material", &json!({"media_id": media_id}))
            .await?;
        Result::Ok(())
    }

    /// `GET /cgi-bin/material/get_materialcount`.
    ///
    /// # Errors
    /// WeChat's errcodes.
    pub async fn material_count(&self) -> Result<MaterialCount, ApiError> {
        self.get("/cgi-bin/material/get_materialcount", &[]).await
    }

    /// `POST /cgi-bin/material/batchget_material {type,offset,count}` (`count` 1 to 20).
    ///
    /// # Errors
    /// [`ApiError::Invalid`] for a count outside 1–20; WeChat's errcodes.
    pub async fn batchget_material(&self, kind: MediaKind, offset: u64, count: u8) -> Result<MaterialPage, ApiError> {
        if !(1..=20).contains(&count) {
            return Err(field("count", format!("{count}: WeChat pages 1 to 20 materials")));
        }
        self.post(
            "/cgi-bin/material/batchget_material",
            &json!({"type": kind.as_str(), "offset": offset, "count": count}),
        )
        .await
    }
}
