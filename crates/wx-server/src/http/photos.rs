//! `POST /api/photos` and `GET /media/{name}`: the photos a page uploaded with `wx.uploadImage`, brought to the
//! server before WeChat forgets them (temporary media live 3 days), and served back from its media directory.
//!
//! A download spends the account's API quota and the server's disk, so it is allowed to a signed-in browser (a
//! valid `wx_session` cookie) or else under a per-client limit; it reads at most the size bound (10 MiB by
//! default, WeChat's own limit for images) and keeps only what its first bytes say is a JPEG, PNG, GIF or WebP
//! image, whatever content type WeChat gave. Files are named by the SHA-256 of their content, so a name is
//! served with a year-long immutable cache and only names of that exact shape are ever opened.

use super::{SharedState, body::read_body, error::ApiError};
use crate::oauth::limit::{ClientLimiter, client_key};
use axum::{
    Extension, Json,
    body::Body,
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::{net::SocketAddr, num::NonZeroU32, path::PathBuf};
use wx_api::Media;

/// A request body is a serverId and an account name: a few hundred bytes at most.
const MAX_REQUEST_BYTES: usize = 4096;
/// WeChat's media ids are 64 characters; anything much longer is not one.
const MAX_SERVER_ID_BYTES: usize = 256;

/// What the photo routes share.
pub(crate) struct PhotoState {
    /// `None`: `POST /api/photos` answers 503 `no_media_dir`.
    dir: Option<PathBuf>,
    max_bytes: usize,
    limiter: ClientLimiter,
    /// (account name, serverId) → the saved file's name, for `GET /api/photos/{serverId}`.
    copied: std::sync::Mutex<std::collections::HashMap<(String, String), String>>,
}

/// Copies `GET /api/photos/{serverId}` remembers.
const MAX_REMEMBERED: usize = 4096;

impl PhotoState {
    pub(crate) fn new(dir: Option<PathBuf>, max_bytes: usize, per_minute: NonZeroU32) -> Self {
        Self {
            dir,
            max_bytes,
            limiter: ClientLimiter::new(per_minute),
            copied: Default::default(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PhotoRequest {
    server_id: String,
    #[serde(default)]
    account: Option<String>,
}

/// An image kind told by its first bytes: (file extension, content type).
///
/// ```text
/// JPEG FF D8 FF · PNG 89 'PNG' 0D 0A 1A 0A · GIF 'GIF87a' / 'GIF89a' · WebP 'RIFF' <len> 'WEBP'
/// ```
pub(crate) fn sniff_image(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("jpg", "image/jpeg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("png", "image/png"))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(("gif", "image/gif"))
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(("webp", "image/webp"))
    } else {
        None
    }
}

/// The content type of a media file name this server wrote (`<64 hex>.<ext>`), or `None` for any other name:
/// nothing but names of that exact shape is ever opened, so no path (`..`, `/`, `%2f`, a NUL) reaches the disk.
pub(crate) fn media_name_type(name: &str) -> Option<&'static str> {
    let (hash, ext) = name.split_once('.')?;
    let hex = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex {
        return None;
    }
    match ext {
        "jpg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

fn error(status: StatusCode, error: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        status,
        error,
        message: message.into(),
        errcode: None,
    }
}

/// WeChat's (or the way there's) failure as the answer to the page.
fn upstream(e: wx_api::ApiError, max_bytes: usize) -> ApiError {
    use wx_api::ApiError as E;
    let errcode = e.errcode();
    let (status, code, message) = match &e {
        E::InvalidMedia => (
            StatusCode::NOT_FOUND,
            "invalid_media_id",
            "WeChat does not know this serverId (errcode 40007): it is mistyped, of another account, or older than \
             WeChat's 3 days; upload the photo again with wx.uploadImage and send the new serverId"
                .to_owned(),
        ),
        E::TooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
            format!("the photo is more than {max_bytes} bytes, this server's limit: upload a smaller one"),
        ),
        E::Token(_) | E::Network(_) | E::Http(_) | E::Malformed(_) | E::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            "wechat_unavailable",
            format!("could not download the photo from WeChat: {e}; try again later"),
        ),
        E::Quota(_) => (
            StatusCode::BAD_GATEWAY,
            "wechat_quota_exceeded",
            format!("could not download the photo: {e}"),
        ),
        _ => (
            StatusCode::BAD_GATEWAY,
            "wechat_error",
            format!("could not download the photo: {e}"),
        ),
    };
    ApiError {
        status,
        error: code,
        message,
        errcode,
    }
}

/// `POST /api/photos` `{"serverId","account"?}` → `{"url":"/media/<name>","bytes":N,"contentType":"image/…"}`.
pub(super) async fn download(
    State(state): State<SharedState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let how = r#"send JSON {"serverId":"<the serverId of wx.uploadImage>"} (optionally "account":"<name>")"#;
    let request = match read_body(body, MAX_REQUEST_BYTES).await {
        Err(e) => return error(e.status(), "invalid_body", format!("{e}: {how}")).into_response(),
        Ok(bytes) => match serde_json::from_slice::<PhotoRequest>(&bytes) {
            Ok(request) => request,
            Err(e) => {
                let message = format!("the body is not the expected JSON ({e}): {how}");
                return ApiError::bad_request("invalid_body", message).into_response();
            }
        },
    };
    let account = request
        .account
        .filter(|n| !n.is_empty())
        .or_else(|| super::query_account(query.as_deref()));
    match copy(&state, peer, account, &request.server_id, &headers).await {
        Ok(copied) => {
            let mut r = Json(serde_json::json!({
                "url": format!("/media/{}", copied.name),
                "bytes": copied.bytes,
                "contentType": copied.content_type,
            }))
            .into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(refused) => refused.into_response(),
    }
}

/// `GET /api/photos/{serverId}[?account=]`: the same download, answered with a redirect to the copy, so that a
/// page shows it with `<img src="/api/photos/{serverId}">` and no code of its own. A copy made before (by
/// this server since it started) is not downloaded again.
pub(super) async fn show(
    State(state): State<SharedState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(server_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let account = super::query_account(query.as_deref());
    let key = (account.clone().unwrap_or_default(), server_id.clone());
    let known = state.photos.copied.lock().ok().and_then(|m| m.get(&key).cloned());
    let name = match known {
        Some(name) => name,
        None => match copy(&state, peer, account, &server_id, &headers).await {
            Ok(copied) => {
                if let Ok(mut m) = state.photos.copied.lock() {
                    // Bounded: a full map starts afresh (a forgotten id is only downloaded again).
                    if m.len() >= MAX_REMEMBERED {
                        m.clear();
                    }
                    m.insert(key, copied.name.clone());
                }
                copied.name
            }
            Err(refused) => return refused.into_response(),
        },
    };
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/media/{name}")) {
        r.headers_mut().insert(header::LOCATION, location);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A photo saved in the media directory.
struct Copied {
    name: String,
    bytes: usize,
    content_type: &'static str,
}

/// Why a copy was not made: an error, or the per-client limit's 429 with its `Retry-After`.
enum Refused {
    Api(ApiError),
    Limited(Response),
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Self {
        Refused::Api(e)
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::Api(e) => e.into_response(),
            Refused::Limited(r) => r,
        }
    }
}

/// Downloads `id` as the account `name` (the default one when `None`) into the media directory, within the
/// limits.
async fn copy(
    state: &SharedState,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    name: Option<String>,
    id: &str,
    headers: &HeaderMap,
) -> Result<Copied, Refused> {
    let photos = &state.photos;
    if id.is_empty() || id.len() > MAX_SERVER_ID_BYTES || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "invalid_server_id",
            "serverId is not one WeChat issues (1 to 256 printable ASCII characters): pass the serverId \
             wx.uploadImage gave",
        )
        .into());
    }
    let account = state.accounts.chosen(name.as_deref())?;
    let Some(dir) = &photos.dir else {
        return Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_media_dir",
            "this server keeps no photos: set WX_MEDIA_DIR (or --media-dir) to a writable directory",
        )
        .into());
    };
    // A signed-in browser downloads freely; anyone else within the per-client limit.
    if super::oauth::session(&state.oauth, headers).is_none()
        && let Err(wait) = photos
            .limiter
            .try_take(client_key(peer.map(|Extension(ConnectInfo(a))| a)))
    {
        let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "photo_rate_limited",
            format!(
                "too many photo downloads from this address: wait {secs} s, or sign in (/api/oauth/start) to \
                 download without this limit"
            ),
        )
        .into_response();
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return Err(Refused::Limited(r));
    }
    let media = account
        .api
        .get_media_limited(id, photos.max_bytes)
        .await
        .map_err(|e| upstream(e, photos.max_bytes))?;
    let Media::File { bytes, .. } = media else {
        return Err(not_an_image().into());
    };
    let Some((ext, content_type)) = sniff_image(&bytes) else {
        return Err(not_an_image().into());
    };
    let hash: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("{hash}.{ext}");
    store(dir, &name, &bytes).await?;
    Ok(Copied {
        name,
        bytes: bytes.len(),
        content_type,
    })
}

fn not_an_image() -> ApiError {
    error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "not_an_image",
        "the medium is not a JPEG, PNG, GIF or WebP image (by its content, whatever its declared type): upload a \
         photo with wx.uploadImage",
    )
}

/// Writes `name` into `dir` (created if missing) through a temporary file and a rename, so a reader never sees
/// half a file; a name already there is the same content (names are content hashes).
async fn store(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<(), ApiError> {
    let failed = |e: std::io::Error| {
        tracing::error!("WX_MEDIA_DIR: cannot write {}: {e}", dir.display());
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "media_dir_unavailable",
            format!(
                "the photo could not be saved in the media directory ({e}): check that WX_MEDIA_DIR ({}) is a \
                 writable directory",
                dir.display()
            ),
        )
    };
    let target = dir.join(name);
    if tokio::fs::metadata(&target).await.is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    tokio::fs::create_dir_all(dir).await.map_err(failed)?;
    let nonce = wx_sign::nonce().unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{nonce}.part"));
    if let Err(e) = tokio::fs::write(&temporary, bytes).await {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(failed(e));
    }
    if let Err(e) = tokio::fs::rename(&temporary, &target).await {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(failed(e));
    }
    Ok(())
}

/// `GET /media/{name}`: a photo `POST /api/photos` saved, with its type and a year-long immutable cache.
pub(super) async fn serve(State(state): State<SharedState>, Path(name): Path<String>) -> Response {
    let missing = || ApiError::not_found("no such photo: use the url POST /api/photos answered").into_response();
    let (Some(dir), Some(content_type)) = (&state.photos.dir, media_name_type(&name)) else {
        return missing();
    };
    match tokio::fs::read(dir.join(&name)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => missing(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_told_by_their_first_bytes() {
        let cases: [(&[u8], Option<&str>); 8] = [
            (b"\xFF\xD8\xFF\xE0rest", Some("image/jpeg")),
            (b"\x89PNG\r\n\x1a\n....", Some("image/png")),
            (b"GIF89a..", Some("image/gif")),
            (b"GIF87a..", Some("image/gif")),
            (b"RIFF\x10\0\0\0WEBPVP8 ", Some("image/webp")),
            (b"RIFF\x10\0\0\0WAVEfmt ", None),
            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
            (b"", None),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff_image(bytes).map(|(_, t)| t), expected, "{bytes:?}");
        }
    }

    #[test]
    fn only_content_hash_names_are_served() {
        let hash = "a".repeat(64);
        assert_eq!(media_name_type(&format!("{hash}.png")), Some("image/png"));
        for bad in [
            format!("{hash}.svg"),
            format!("{}.png", "A".repeat(64)),
            format!("{}.png", "a".repeat(63)),
            format!("../{hash}.png"),
            format!("{hash}.png/.."),
            ".png".into(),
            "..".into(),
            format!("{hash}.jpg.png"),
        ] {
            assert_eq!(media_name_type(&bad), None, "{bad}");
        }
    }
}
