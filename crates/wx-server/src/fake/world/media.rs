//! The fake's media: temporary media expire 3 days after upload (on the account clock), permanent material stays
//! until deleted. WeChat's limits and errcodes: 40004 an unknown type, 40005 a file type the kind does not take,
//! 40006 an empty file, 40009 / 40010 / 40011 / 40012 an image / voice / video / thumb over its size, 41005 no
//! `media` part, 40007 an unknown or expired media_id.

use super::{Reply, World, error};
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a temporary medium lives (WeChat: 3 days).
pub(crate) const TEMPORARY_LIFETIME: Duration = Duration::from_secs(3 * 24 * 3600);

pub(crate) struct Medium {
    pub(crate) kind: String,
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Vec<u8>,
    /// None: permanent.
    pub(crate) expires: Option<Instant>,
    pub(crate) created_at: u64,
    pub(crate) title: Option<String>,
    pub(crate) introduction: Option<String>,
}

/// An uploaded part, as the route read it.
pub(crate) struct Upload {
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) description: Option<Value>,
}

/// A file a medium answers with: content type, file name, bytes.
pub(crate) type File = (String, String, Vec<u8>);

fn limits(kind: &str) -> Option<(usize, &'static [&'static str], i64)> {
    Some(match kind {
        "image" => (10 * 1024 * 1024, &["png", "jpeg", "jpg", "gif"][..], 40009),
        "voice" => (2 * 1024 * 1024, &["amr", "mp3"][..], 40010),
        "video" => (10 * 1024 * 1024, &["mp4"][..], 40011),
        "thumb" => (64 * 1024, &["jpg"][..], 40012),
        _ => return None,
    })
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// What a route answers for media: JSON (errors included) or a file.
pub(crate) enum MediaReply {
    Reply(Reply),
    File(File),
}

impl From<Reply> for MediaReply {
    fn from(r: Reply) -> Self {
        Self::Reply(r)
    }
}

impl World {
    fn check_upload(kind: &str, upload: Option<&Upload>) -> Result<(), i64> {
        let (max, extensions, too_big) = limits(kind).ok_or(40004)?;
        let upload = upload.ok_or(41005)?;
        let ext = upload
            .filename
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !extensions.contains(&ext.as_str()) {
            return Err(40005);
        }
        if upload.bytes.is_empty() {
            return Err(40006);
        }
        if upload.bytes.len() > max {
            return Err(too_big);
        }
        Ok(())
    }

    fn store_medium(&mut self, appid: &str, kind: &str, upload: Upload, permanent: bool) -> (String, u64) {
        let expires = (!permanent).then(|| self.account_now() + TEMPORARY_LIFETIME);
        let id = super::fresh(if permanent { "fake-material-" } else { "fake-media-" });
        let created_at = unix_now().saturating_add(self.shift.as_secs());
        let text = |k: &str| {
            upload
                .description
                .as_ref()
                .and_then(|d| d.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let medium = Medium {
            kind: kind.to_owned(),
            title: text("title"),
            introduction: text("introduction"),
            filename: upload.filename,
            content_type: upload.content_type,
            bytes: upload.bytes,
            expires,
            created_at,
        };
        if let Some(account) = self.account_mut(appid) {
            account.media.insert(id.clone(), medium);
        }
        (id, created_at)
    }

    /// `POST /cgi-bin/media/upload?type=` → `{"type","media_id","created_at"}`.
    pub(crate) fn media_upload(&mut self, access_token: &str, kind: &str, upload: Option<Upload>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        if let Err(code) = Self::check_upload(kind, upload.as_ref()) {
            return error(code);
        }
        let Some(upload) = upload else {
            return error(41005);
        };
        let (id, created_at) = self.store_medium(&appid, kind, upload, false);
        Reply::Json(json!({"type": kind, "media_id": id, "created_at": created_at}))
    }

    /// `POST /test-only/client-media?appid=`: what a phone's WeChat client does for the page's `uploadImage`, whose
    /// `serverId` is a temporary image medium of the account. Answers as `media/upload` does (`{"type":"image",
    /// "media_id","created_at"}`; 40013 an unknown appid, 40006 an empty file, 40009 one over 10 MB). The bytes
    /// are kept as sent, with the content type the client claimed: the fake does not judge what a phone uploads,
    /// so that a server's own checks of what it downloads can be tested.
    pub(crate) fn client_media(&mut self, appid: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
        if !self.accounts.contains_key(appid) {
            return error(40013);
        }
        let Some((max, _, too_big)) = limits("image") else {
            return error(40004);
        };
        if bytes.is_empty() {
            return error(40006);
        }
        if bytes.len() > max {
            return error(too_big);
        }
        let ext = match content_type.split(';').next().unwrap_or("").trim() {
            "image/png" => "png",
            "image/gif" => "gif",
            "image/webp" => "webp",
            _ => "jpg",
        };
        let upload = Upload {
            filename: format!("client-upload.{ext}"),
            content_type: content_type.to_owned(),
            bytes,
            description: None,
        };
        let (id, created_at) = self.store_medium(appid, "image", upload, false);
        Reply::Json(json!({"type": "image", "media_id": id, "created_at": created_at}))
    }

    /// `POST /cgi-bin/material/add_material?type=` → `{"media_id","url"?}`; a video needs the `description` part.
    pub(crate) fn material_add(&mut self, access_token: &str, kind: &str, upload: Option<Upload>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        if let Err(code) = Self::check_upload(kind, upload.as_ref()) {
            return error(code);
        }
        let Some(upload) = upload else {
            return error(41005);
        };
        let titled = upload
            .description
            .as_ref()
            .and_then(|d| d.get("title"))
            .and_then(Value::as_str)
            .is_some_and(|t| !t.is_empty());
        if kind == "video" && !titled {
            return error(40097);
        }
        let (id, _) = self.store_medium(&appid, kind, upload, true);
        if kind == "image" {
            let url = format!("http://mmbiz.qpic.cn/mmbiz/{id}/0");
            Reply::Json(json!({"media_id": id, "url": url}))
        } else {
            Reply::Json(json!({"media_id": id}))
        }
    }

    /// A medium of the account, if it exists and has not expired.
    fn medium(&self, appid: &str, media_id: &str, permanent: bool) -> Option<&Medium> {
        let now = self.account_now();
        self.accounts
            .get(appid)?
            .media
            .get(media_id)
            .filter(|m| m.expires.is_none() == permanent && m.expires.is_none_or(|e| now < e))
    }

    /// True for a medium of the account that has not expired (temporary or permanent).
    pub(crate) fn media_known(&self, appid: &str, media_id: &str) -> bool {
        self.medium(appid, media_id, false).is_some() || self.medium(appid, media_id, true).is_some()
    }

    /// `GET /cgi-bin/media/get` (`jssdk`: `media/get/jssdk`, voice only, as speex).
    pub(crate) fn media_get(&mut self, access_token: &str, media_id: &str, jssdk: bool) -> MediaReply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r.into(),
        };
        let Some(m) = self.medium(&appid, media_id, false) else {
            return error(40007).into();
        };
        if jssdk {
            if m.kind != "voice" {
                return error(40007).into();
            }
            let name = format!("{media_id}.speex");
            return MediaReply::File(("voice/speex".into(), name, m.bytes.clone()));
        }
        if m.kind == "video" {
            let url = format!("http://vweixinf.tc.qq.com/fake/{media_id}.mp4");
            return Reply::Json(json!({"video_url": url})).into();
        }
        MediaReply::File((m.content_type.clone(), m.filename.clone(), m.bytes.clone()))
    }

    /// `POST /cgi-bin/material/get_material {media_id}`: the file, or JSON for a video.
    pub(crate) fn material_get(&mut self, access_token: &str, body: Option<&Value>) -> MediaReply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r.into(),
        };
        let id = body
            .and_then(|b| b.get("media_id"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let Some(m) = self.medium(&appid, id, true) else {
            return error(40007).into();
        };
        if m.kind == "video" {
            let url = format!("http://vweixinf.tc.qq.com/fake/{id}.mp4");
            return Reply::Json(json!({"title": m.title, "description": m.introduction, "down_url": url})).into();
        }
        MediaReply::File((m.content_type.clone(), m.filename.clone(), m.bytes.clone()))
    }

    /// `POST /cgi-bin/material/del_material {media_id}`.
    pub(crate) fn material_delete(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let id = body
            .and_then(|b| b.get("media_id"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let removed = self
            .account_mut(&appid)
            .and_then(|a| match a.media.get(id) {
                Some(m) if m.expires.is_none() => a.media.remove(id),
                _ => None,
            })
            .is_some();
        if removed {
            Reply::Json(json!({"errcode": 0, "errmsg": "ok"}))
        } else {
            error(40007)
        }
    }

    fn permanent<'a>(&'a self, appid: &str) -> impl Iterator<Item = (&'a String, &'a Medium)> + 'a {
        self.accounts
            .get(appid)
            .into_iter()
            .flat_map(|a| a.media.iter())
            .filter(|(_, m)| m.expires.is_none())
    }

    /// `GET /cgi-bin/material/get_materialcount`. `news_count` is 0 because it is the truth here: the fake holds no
    /// permanent news material (WeChat retired `material/add_news`; articles are drafts and publications now, which
    /// the fake does not model), so there is nothing to count.
    pub(crate) fn material_count(&mut self, access_token: &str) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let count = |kind: &str| self.permanent(&appid).filter(|(_, m)| m.kind == kind).count();
        Reply::Json(json!({"voice_count": count("voice"), "video_count": count("video"),
                           "image_count": count("image"), "news_count": 0}))
    }

    /// `POST /cgi-bin/material/batchget_material {type,offset,count}` (count 1 to 20, else 40097).
    pub(crate) fn material_batchget(&mut self, access_token: &str, body: Option<&Value>) -> Reply {
        let appid = match self.account_call(access_token) {
            Ok(a) => a,
            Err(r) => return r,
        };
        let Some(body) = body else {
            return error(47001);
        };
        let kind = body.get("type").and_then(Value::as_str).unwrap_or("");
        let offset = body.get("offset").and_then(Value::as_u64).unwrap_or(0);
        let count = body.get("count").and_then(Value::as_u64).unwrap_or(0);
        if limits(kind).is_none() || !(1..=20).contains(&count) {
            return error(40097);
        }
        // Newest first, as WeChat lists them; the id breaks ties so pages are stable.
        let mut all: Vec<(&String, &Medium)> = self.permanent(&appid).filter(|(_, m)| m.kind == kind).collect();
        all.sort_by(|a, b| b.1.created_at.cmp(&a.1.created_at).then(a.0.cmp(b.0)));
        let total = all.len();
        let items: Vec<Value> = all
            .iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(count).unwrap_or(20))
            .map(|(id, m)| {
                let url = (m.kind == "image").then(|| format!("http://mmbiz.qpic.cn/mmbiz/{id}/0"));
                json!({"media_id": id, "name": m.filename, "update_time": m.created_at, "url": url})
            })
            .collect();
        Reply::Json(json!({"total_count": total, "item_count": items.len(), "item": items}))
    }
}
