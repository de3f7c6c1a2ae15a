//! Push XML → [`Push`]: one guarded pass of quick-xml's pull reader fills a flat shape with every field WeChat
//! uses, then the typed value is built from it.

use crate::message::{Event, Message, Push, PushBody, ScanCodeInfo, Scene, SendLocationInfo, SendPicsInfo};
use crate::xml::{ParseError, XmlVisitor, number, read, read_text};

/// The prefix WeChat puts before the scene of a `subscribe` from a scene QR code.
const QRSCENE_PREFIX: &str = "qrscene_";

/// Every field WeChat uses, filled in the guard's own pass over the body (quick-xml's pull reader, no second
/// pass): `POST /wechat` parses one of these per push, and this is most of its cost.
#[derive(Default)]
struct RawPush {
    to_user_name: Option<String>,
    from_user_name: Option<String>,
    create_time: Option<String>,
    msg_type: Option<String>,
    content: Option<String>,
    msg_id: Option<String>,
    pic_url: Option<String>,
    media_id: Option<String>,
    format: Option<String>,
    recognition: Option<String>,
    thumb_media_id: Option<String>,
    location_x: Option<String>,
    location_y: Option<String>,
    scale: Option<String>,
    label: Option<String>,
    title: Option<String>,
    description: Option<String>,
    url: Option<String>,
    event: Option<String>,
    event_key: Option<String>,
    ticket: Option<String>,
    latitude: Option<String>,
    longitude: Option<String>,
    precision: Option<String>,
    menu_id: Option<String>,
    scan_code_info: Option<RawScanCodeInfo>,
    send_pics_info: Option<RawSendPicsInfo>,
    send_location_info: Option<RawSendLocationInfo>,
    /// `TEMPLATESENDJOBFINISH` spells it `MsgID`.
    template_msg_id: Option<String>,
    status: Option<String>,
    /// The element path below the root of the innermost open element, e.g. `/SendPicsInfo/PicList/item`.
    path: String,
    /// `path`'s length before each open element, to cut it back on close.
    opened_at: Vec<usize>,
    /// True while the innermost open element is the first copy of a field: only its text counts.
    filling: bool,
}

#[derive(Default)]
struct RawScanCodeInfo {
    scan_type: Option<String>,
    scan_result: Option<String>,
}

#[derive(Default)]
struct RawSendPicsInfo {
    count: Option<String>,
    pic_md5_sums: Vec<Option<String>>,
}

#[derive(Default)]
struct RawSendLocationInfo {
    location_x: Option<String>,
    location_y: Option<String>,
    scale: Option<String>,
    label: Option<String>,
    poiname: Option<String>,
}

impl RawPush {
    /// The text slot an element path fills; `None` for containers and elements WeChat's pushes do not use.
    fn slot(&mut self, path: &str) -> Option<&mut Option<String>> {
        Some(match path {
            "/ToUserName" => &mut self.to_user_name,
            "/FromUserName" => &mut self.from_user_name,
            "/CreateTime" => &mut self.create_time,
            "/MsgType" => &mut self.msg_type,
            "/Content" => &mut self.content,
            "/MsgId" => &mut self.msg_id,
            "/PicUrl" => &mut self.pic_url,
            "/MediaId" => &mut self.media_id,
            "/Format" => &mut self.format,
            "/Recognition" => &mut self.recognition,
            "/ThumbMediaId" => &mut self.thumb_media_id,
            "/Location_X" => &mut self.location_x,
            "/Location_Y" => &mut self.location_y,
            "/Scale" => &mut self.scale,
            "/Label" => &mut self.label,
            "/Title" => &mut self.title,
            "/Description" => &mut self.description,
            "/Url" => &mut self.url,
            "/Event" => &mut self.event,
            "/EventKey" => &mut self.event_key,
            "/Ticket" => &mut self.ticket,
            "/Latitude" => &mut self.latitude,
            "/Longitude" => &mut self.longitude,
            "/Precision" => &mut self.precision,
            "/MenuId" => &mut self.menu_id,
            "/MsgID" => &mut self.template_msg_id,
            "/Status" => &mut self.status,
            "/ScanCodeInfo/ScanType" => &mut self.scan_code_info.as_mut()?.scan_type,
            "/ScanCodeInfo/ScanResult" => &mut self.scan_code_info.as_mut()?.scan_result,
            "/SendPicsInfo/Count" => &mut self.send_pics_info.as_mut()?.count,
            "/SendPicsInfo/PicList/item/PicMd5Sum" => self.send_pics_info.as_mut()?.pic_md5_sums.last_mut()?,
            "/SendLocationInfo/Location_X" => &mut self.send_location_info.as_mut()?.location_x,
            "/SendLocationInfo/Location_Y" => &mut self.send_location_info.as_mut()?.location_y,
            "/SendLocationInfo/Scale" => &mut self.send_location_info.as_mut()?.scale,
            "/SendLocationInfo/Label" => &mut self.send_location_info.as_mut()?.label,
            "/SendLocationInfo/Poiname" => &mut self.send_location_info.as_mut()?.poiname,
            _ => return None,
        })
    }
}

impl XmlVisitor for RawPush {
    fn start(&mut self, depth: usize, name: &str) {
        self.opened_at.push(self.path.len());
        self.filling = false;
        if depth == 1 {
            return; // the root, whatever its name
        }
        self.path.push('/');
        self.path.push_str(name);
        let path = std::mem::take(&mut self.path);
        match path.as_str() {
            "/ScanCodeInfo" => drop(self.scan_code_info.get_or_insert_default()),
            "/SendPicsInfo" => drop(self.send_pics_info.get_or_insert_default()),
            "/SendLocationInfo" => drop(self.send_location_info.get_or_insert_default()),
            "/SendPicsInfo/PicList/item" => {
                if let Some(pics) = self.send_pics_info.as_mut() {
                    pics.pic_md5_sums.push(None);
                }
            }
            // The first occurrence of a field wins; an empty element is present with empty text.
            leaf => {
                if let Some(slot @ None) = self.slot(leaf) {
                    *slot = Some(String::new());
                    self.filling = true;
                }
            }
        }
        self.path = path;
    }

    fn text(&mut self, text: &str) {
        if !self.filling {
            return;
        }
        let path = std::mem::take(&mut self.path);
        if let Some(slot) = self.slot(&path).and_then(Option::as_mut) {
            slot.push_str(text);
        }
        self.path = path;
    }

    fn end(&mut self) {
        self.filling = false;
        if let Some(len) = self.opened_at.pop() {
            self.path.truncate(len);
        }
    }
}

/// Looks up required fields and names the push type in errors.
struct Fields<'a> {
    kind: &'a str,
}

impl Fields<'_> {
    fn req(&self, field: &'static str, value: Option<String>) -> Result<String, ParseError> {
        value.ok_or_else(|| ParseError::MissingField {
            msg_type: self.kind.to_owned(),
            field,
        })
    }

    fn num<T: std::str::FromStr>(&self, field: &'static str, value: Option<String>) -> Result<T, ParseError> {
        number(field, &self.req(field, value)?)
    }
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

    fn from_raw(mut raw: RawPush, text: &str) -> Result<Push, ParseError> {
        let common = Fields { kind: "push" };
        let to_user_name = common.req("ToUserName", raw.to_user_name.take())?;
        let from_user_name = common.req("FromUserName", raw.from_user_name.take())?;
        let create_time = common.num("CreateTime", raw.create_time.take())?;
        let msg_type = common.req("MsgType", raw.msg_type.clone())?;
        let body = if msg_type.eq_ignore_ascii_case("event") {
            parse_event(raw, text)?
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

fn unknown(raw: &RawPush, text: &str) -> PushBody {
    PushBody::Unknown {
        msg_type: raw.msg_type.clone().unwrap_or_default(),
        event: raw.event.clone(),
        msg_id: raw.msg_id.as_deref().and_then(|id| id.trim().parse().ok()),
        raw_xml: text.to_owned(),
    }
}

fn parse_message(msg_type: &str, raw: RawPush, text: &str) -> Result<PushBody, ParseError> {
    let f = Fields { kind: msg_type };
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
            recognition: raw.recognition,
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
            label: raw.label.unwrap_or_default(),
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        "link" => Message::Link {
            title: f.req("Title", raw.title)?,
            description: raw.description.unwrap_or_default(),
            url: f.req("Url", raw.url)?,
            msg_id: f.num("MsgId", raw.msg_id)?,
        },
        _ => return Ok(unknown(&raw, text)),
    };
    Ok(PushBody::Message(message))
}

fn parse_event(raw: RawPush, text: &str) -> Result<PushBody, ParseError> {
    let Some(name) = raw.event.clone() else {
        return Ok(unknown(&raw, text));
    };
    let kind = format!("event/{name}");
    let f = Fields { kind: &kind };
    let key = raw.event_key.clone().unwrap_or_default();
    let is = |expected: &str| name.eq_ignore_ascii_case(expected);
    let event = if is("subscribe") {
        let scene = key.strip_prefix(QRSCENE_PREFIX).map(|value| Scene {
            value: value.to_owned(),
            ticket: raw.ticket.clone(),
        });
        Event::Subscribe { scene }
    } else if is("unsubscribe") {
        Event::Unsubscribe
    } else if is("SCAN") {
        Event::Scan(Scene {
            value: f.req("EventKey", raw.event_key)?,
            ticket: raw.ticket,
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
            menu_id: raw.menu_id,
        }
    } else if is("scancode_push") || is("scancode_waitmsg") {
        let info = f.req_scan(raw.scan_code_info)?;
        if is("scancode_push") {
            Event::ScanCodePush { key, info }
        } else {
            Event::ScanCodeWaitMsg { key, info }
        }
    } else if is("pic_sysphoto") {
        Event::PicSysPhoto {
            key,
            pics: f.req_pics(raw.send_pics_info)?,
        }
    } else if is("pic_photo_or_album") {
        Event::PicPhotoOrAlbum {
            key,
            pics: f.req_pics(raw.send_pics_info)?,
        }
    } else if is("pic_weixin") {
        Event::PicWeixin {
            key,
            pics: f.req_pics(raw.send_pics_info)?,
        }
    } else if is("location_select") {
        Event::LocationSelect {
            key,
            location: f.req_location(raw.send_location_info)?,
        }
    } else if is("TEMPLATESENDJOBFINISH") {
        Event::TemplateSendJobFinish {
            msg_id: f.num("MsgID", raw.template_msg_id)?,
            status: f.req("Status", raw.status)?,
        }
    } else {
        return Ok(unknown(&raw, text));
    };
    Ok(PushBody::Event(event))
}

impl Fields<'_> {
    fn req_scan(&self, info: Option<RawScanCodeInfo>) -> Result<ScanCodeInfo, ParseError> {
        let info = info.ok_or_else(|| self.missing("ScanCodeInfo"))?;
        Ok(ScanCodeInfo {
            scan_type: self.req("ScanType", info.scan_type)?,
            scan_result: self.req("ScanResult", info.scan_result)?,
        })
    }

    fn req_pics(&self, info: Option<RawSendPicsInfo>) -> Result<SendPicsInfo, ParseError> {
        let info = info.ok_or_else(|| self.missing("SendPicsInfo"))?;
        Ok(SendPicsInfo {
            count: self.num("Count", info.count)?,
            pic_md5_sums: info.pic_md5_sums.into_iter().flatten().collect(),
        })
    }

    fn req_location(&self, info: Option<RawSendLocationInfo>) -> Result<SendLocationInfo, ParseError> {
        let info = info.ok_or_else(|| self.missing("SendLocationInfo"))?;
        Ok(SendLocationInfo {
            latitude: self.num("Location_X", info.location_x)?,
            longitude: self.num("Location_Y", info.location_y)?,
            scale: self.num("Scale", info.scale)?,
            label: info.label.unwrap_or_default(),
            poi_name: info.poiname.filter(|p| !p.is_empty()),
        })
    }

    fn missing(&self, field: &'static str) -> ParseError {
        ParseError::MissingField {
            msg_type: self.kind.to_owned(),
            field,
        }
    }
}
