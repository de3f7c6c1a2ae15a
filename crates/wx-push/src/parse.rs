//! Push XML → [`Push`]: one guarded pass over the body (see `xml`) fills a flat shape with every field WeChat
//! uses, then the typed value is built from it.

use std::borrow::Cow;

use crate::message::{Event, Message, Push, PushBody, ScanCodeInfo, Scene, SendLocationInfo, SendPicsInfo};
use crate::xml::{ParseError, number, read, read_text};

mod raw;

use raw::{RawPush, RawScanCodeInfo, RawSendLocationInfo, RawSendPicsInfo, Text};

/// The prefix WeChat puts before the scene of a `subscribe` from a scene QR code.
const QRSCENE_PREFIX: &str = "qrscene_";

/// Looks up required fields and names the push type in errors: `push`, the MsgType, or `event/` and the Event
/// (that name is built only for an error).
struct Fields<'k> {
    kind: &'k str,
    event: Option<&'k str>,
}

impl Fields<'_> {
    /// A required field's text, copied for the typed value.
    fn req(&self, field: &'static str, value: Text<'_>) -> Result<String, ParseError> {
        self.present(field, value).map(Cow::into_owned)
    }

    /// A required field's number, parsed from the borrowed text.
    fn num<T: std::str::FromStr>(&self, field: &'static str, value: Text<'_>) -> Result<T, ParseError> {
        number(field, &self.present(field, value)?)
    }

    fn present<'a>(&self, field: &'static str, value: Text<'a>) -> Result<Cow<'a, str>, ParseError> {
        value.ok_or_else(|| self.missing(field))
    }

    fn missing(&self, field: &'static str) -> ParseError {
        ParseError::MissingField {
            msg_type: match self.event {
                Some(event) => format!("{}/{event}", self.kind),
                None => self.kind.to_owned(),
            },
            field,
        }
    }
}

/// An optional field's text, copied for the typed value (empty when absent).
fn or_empty(value: Text<'_>) -> String {
    value.map(Cow::into_owned).unwrap_or_default()
}

/// An optional field's text, copied for the typed value.
fn owned(value: Text<'_>) -> Option<String> {
    value.map(Cow::into_owned)
}

impl Push {
    /// Parses a plain push body (or the decrypted XML of a safe-mode push).
    ///
    /// Unknown `MsgType`s and `Event`s become [`PushBody::Unknown`] with the raw XML; a known type missing a
    /// required field is an error. The body is refused before parsing when larger than
    /// [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES), and refused at the first DOCTYPE or non-predefined entity.
    ///
    /// ```
    /// let bomb = br#"<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>"#;
    /// assert_eq!(wx_push::Push::parse(bomb), Err(wx_push::ParseError::Doctype));
    /// ```
    ///
    /// # Errors
    /// A [`ParseError`] saying what is wrong with the body.
    pub fn parse(body: &[u8]) -> Result<Push, ParseError> {
        let mut raw = RawPush::default();
        let text = read(body, &mut raw)?;
        Self::from_raw(raw, text)
    }

    /// [`parse`](Self::parse) for XML already known to be text (the verifier's output), which skips UTF-8
    /// validation.
    pub(crate) fn parse_text(text: &str) -> Result<Push, ParseError> {
        let mut raw = RawPush::default();
        let text = read_text(text, &mut raw)?;
        Self::from_raw(raw, text)
    }

    fn from_raw(mut raw: RawPush<'_>, text: &str) -> Result<Push, ParseError> {
        let common = Fields {
            kind: "push",
            event: None,
        };
        let to_user_name = common.req("ToUserName", raw.to_user_name.take())?;
        let from_user_name = common.req("FromUserName", raw.from_user_name.take())?;
        let create_time = common.num("CreateTime", raw.create_time.take())?;
        let msg_type = common.present("MsgType", raw.msg_type.take())?;
        let body = if msg_type.eq_ignore_ascii_case("event") {
            parse_event(&msg_type, raw, text)?
        } else {
            parse_message(&msg_type, raw, text)?
        };
        Ok(Push {
            to_user_name,
            from_user_name,
            create_time,
            body,
        })
    }
}

/// A push this crate does not model, kept whole.
fn unknown(msg_type: &str, event: Option<&str>, msg_id: Option<&str>, text: &str) -> PushBody {
    PushBody::Unknown {
        msg_type: msg_type.to_owned(),
        event: event.map(str::to_owned),
        msg_id: msg_id.and_then(|id| id.trim().parse().ok()),
        raw_xml: text.to_owned(),
    }
}

fn parse_message(msg_type: &str, raw: RawPush<'_>, text: &str) -> Result<PushBody, ParseError> {
    let f = Fields {
        kind: msg_type,
        event: None,
    };
    let message = match msg_type {
        "text" => Message::Text {
            content: f.req("Content", raw.content)?,
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        "image" => Message::Image {
            pic_url: f.req("PicUrl", raw.pic_url)?,
            media_id: f.req("MediaId", raw.media_id)?,
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        "voice" => Message::Voice {
            media_id: f.req("MediaId", raw.media_id)?,
            format: f.req("Format", raw.format)?,
            recognition: owned(raw.recognition),
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        "video" => Message::Video {
            media_id: f.req("MediaId", raw.media_id)?,
            thumb_media_id: f.req("ThumbMediaId", raw.thumb_media_id)?,
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        "shortvideo" => Message::ShortVideo {
            media_id: f.req("MediaId", raw.media_id)?,
            thumb_media_id: f.req("ThumbMediaId", raw.thumb_media_id)?,
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        "location" => Message::Location {
            latitude: f.num("Location_X", raw.location_x)?,
            longitude: f.num("Location_Y", raw.location_y)?,
            scale: f.num("Scale", raw.scale)?,
            label: or_empty(raw.label),
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        "link" => Message::Link {
            title: f.req("Title", raw.title)?,
            description: or_empty(raw.description),
            url: f.req("Url", raw.url)?,
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        _ => return Ok(unknown(msg_type, raw.event.as_deref(), raw.msg_id.as_deref(), text)),
    };
    Ok(PushBody::Message(message))
}

fn parse_event(msg_type: &str, mut raw: RawPush<'_>, text: &str) -> Result<PushBody, ParseError> {
    let Some(name) = raw.event.take() else {
        return Ok(unknown(msg_type, None, raw.msg_id.as_deref(), text));
    };
    let f = Fields {
        kind: "event",
        event: Some(&name),
    };
    let is = |expected: &str| name.eq_ignore_ascii_case(expected);
    let event = if is("subscribe") {
        let scene = raw
            .event_key
            .as_deref()
            .and_then(|key| key.strip_prefix(QRSCENE_PREFIX));
        Event::Subscribe {
            scene: scene.map(|value| Scene {
                value: value.to_owned(),
                ticket: owned(raw.ticket),
            }),
        }
    } else if is("unsubscribe") {
        Event::Unsubscribe
    } else if is("SCAN") {
        Event::Scan(Scene {
            value: f.req("EventKey", raw.event_key)?,
            ticket: owned(raw.ticket),
        })
    } else if is("LOCATION") {
        Event::Location {
            latitude: f.num("Latitude", raw.latitude)?,
            longitude: f.num("Longitude", raw.longitude)?,
            precision: f.num("Precision", raw.precision)?,
        }
    } else if is("CLICK") {
        Event::Click {
            key: f.req("EventKey", raw.event_key)?,
        }
    } else if is("VIEW") {
        Event::View {
            url: f.req("EventKey", raw.event_key)?,
            menu_id: owned(raw.menu_id),
        }
    } else if is("view_miniprogram") {
        Event::ViewMiniprogram {
            page_path: f.req("EventKey", raw.event_key)?,
            menu_id: owned(raw.menu_id),
        }
    } else if is("scancode_push") || is("scancode_waitmsg") {
        let info = f.req_scan(raw.scan_code_info)?;
        let key = or_empty(raw.event_key);
        if is("scancode_push") {
            Event::ScanCodePush { key, info }
        } else {
            Event::ScanCodeWaitMsg { key, info }
        }
    } else if is("pic_sysphoto") {
        Event::PicSysPhoto {
            pics: f.req_pics(raw.send_pics_info)?,
            key: or_empty(raw.event_key),
        }
    } else if is("pic_photo_or_album") {
        Event::PicPhotoOrAlbum {
            pics: f.req_pics(raw.send_pics_info)?,
            key: or_empty(raw.event_key),
        }
    } else if is("pic_weixin") {
        Event::PicWeixin {
            pics: f.req_pics(raw.send_pics_info)?,
            key: or_empty(raw.event_key),
        }
    } else if is("location_select") {
        Event::LocationSelect {
            location: f.req_location(raw.send_location_info)?,
            key: or_empty(raw.event_key),
        }
    } else if is("TEMPLATESENDJOBFINISH") {
        Event::TemplateSendJobFinish {
            msg_id: f.num("MsgID", raw.template_msg_id)?,
            status: f.req("Status", raw.status)?,
        }
    } else {
        return Ok(unknown(msg_type, Some(&name), raw.msg_id.as_deref(), text));
    };
    Ok(PushBody::Event(event))
}

impl Fields<'_> {
    fn req_scan(&self, info: Option<RawScanCodeInfo<'_>>) -> Result<ScanCodeInfo, ParseError> {
        let info = info.ok_or_else(|| self.missing("ScanCodeInfo"))?;
        Ok(ScanCodeInfo {
            scan_type: self.req("ScanType", info.scan_type)?,
            scan_result: self.req("ScanResult", info.scan_result)?,
        })
    }

    fn req_pics(&self, info: Option<RawSendPicsInfo<'_>>) -> Result<SendPicsInfo, ParseError> {
        let info = info.ok_or_else(|| self.missing("SendPicsInfo"))?;
        Ok(SendPicsInfo {
            count: self.num("Count", info.count)?,
            pic_md5_sums: info.pic_md5_sums.into_iter().flatten().map(Cow::into_owned).collect(),
        })
    }

    fn req_location(&self, info: Option<RawSendLocationInfo<'_>>) -> Result<SendLocationInfo, ParseError> {
        let info = info.ok_or_else(|| self.missing("SendLocationInfo"))?;
        Ok(SendLocationInfo {
            latitude: self.num("Location_X", info.location_x)?,
            longitude: self.num("Location_Y", info.location_y)?,
            scale: self.num("Scale", info.scale)?,
            label: or_empty(info.label),
            poi_name: info.poiname.filter(|p| !p.is_empty()).map(Cow::into_owned),
        })
    }
}
