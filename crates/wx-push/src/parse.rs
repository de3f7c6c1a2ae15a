//! Push XML → [`Push`]: one guarded pass of quick-xml's pull reader fills a flat shape with every field WeChat
//! uses, then the typed value is built from it.

use std::borrow::Cow;

use crate::message::{Event, Message, Push, PushBody, ScanCodeInfo, Scene, SendLocationInfo, SendPicsInfo};
use crate::xml::{ParseError, XmlVisitor, append, number, read, read_text};

/// The prefix WeChat puts before the scene of a `subscribe` from a scene QR code.
const QRSCENE_PREFIX: &str = "qrscene_";

/// A field's text, borrowed from the body unless it had to be joined from pieces; `None` when the element is absent.
type Text<'a> = Option<Cow<'a, str>>;

/// Every field WeChat uses, filled in the guard's own pass over the body (quick-xml's pull reader, no second
/// pass): `POST /wechat` parses one of these per push, and this is most of its cost. Nothing is copied until the
/// typed value is built, and then only the text that ends up in it.
#[derive(Default)]
struct RawPush<'a> {
    to_user_name: Text<'a>,
    from_user_name: Text<'a>,
    create_time: Text<'a>,
    msg_type: Text<'a>,
    content: Text<'a>,
    msg_id: Text<'a>,
    pic_url: Text<'a>,
    media_id: Text<'a>,
    format: Text<'a>,
    recognition: Text<'a>,
    thumb_media_id: Text<'a>,
    location_x: Text<'a>,
    location_y: Text<'a>,
    scale: Text<'a>,
    label: Text<'a>,
    title: Text<'a>,
    description: Text<'a>,
    url: Text<'a>,
    event: Text<'a>,
    event_key: Text<'a>,
    ticket: Text<'a>,
    latitude: Text<'a>,
    longitude: Text<'a>,
    precision: Text<'a>,
    menu_id: Text<'a>,
    scan_code_info: Option<RawScanCodeInfo<'a>>,
    send_pics_info: Option<RawSendPicsInfo<'a>>,
    send_location_info: Option<RawSendLocationInfo<'a>>,
    /// `TEMPLATESENDJOBFINISH` spells it `MsgID`.
    template_msg_id: Text<'a>,
    status: Text<'a>,
    /// The innermost open element that WeChat's pushes use.
    at: Node,
    /// How many elements WeChat's pushes do not use are open inside `at`: nothing inside them is read.
    unknown: usize,
    /// The field whose text is being read: set while the innermost open element is the first copy of a field.
    filling: Option<Field>,
}

#[derive(Default)]
struct RawScanCodeInfo<'a> {
    scan_type: Text<'a>,
    scan_result: Text<'a>,
}

#[derive(Default)]
struct RawSendPicsInfo<'a> {
    count: Text<'a>,
    pic_md5_sums: Vec<Text<'a>>,
}

#[derive(Default)]
struct RawSendLocationInfo<'a> {
    location_x: Text<'a>,
    location_y: Text<'a>,
    scale: Text<'a>,
    label: Text<'a>,
    poiname: Text<'a>,
}

/// Where an element sits in the shape of WeChat's pushes. Knowing the innermost open one is enough to place its
/// children, so no element path is built (nesting is shallow and fixed: `SendPicsInfo/PicList/item/PicMd5Sum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Node {
    /// Outside the root element.
    #[default]
    Document,
    /// The root, whatever its name.
    Root,
    ScanCodeInfo,
    SendPicsInfo,
    PicList,
    PicItem,
    SendLocationInfo,
    /// An element with text.
    Field(Field),
}

/// The elements with text, each where WeChat puts it: the root's children, then each container's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ToUserName,
    FromUserName,
    CreateTime,
    MsgType,
    Content,
    MsgId,
    PicUrl,
    MediaId,
    Format,
    Recognition,
    ThumbMediaId,
    LocationX,
    LocationY,
    Scale,
    Label,
    Title,
    Description,
    Url,
    Event,
    EventKey,
    Ticket,
    Latitude,
    Longitude,
    Precision,
    MenuId,
    TemplateMsgId,
    Status,
    /// `ScanCodeInfo`'s.
    ScanType,
    ScanResult,
    /// `SendPicsInfo`'s.
    PicCount,
    /// `SendPicsInfo/PicList/item`'s.
    PicMd5Sum,
    /// `SendLocationInfo`'s.
    SendLocationX,
    SendLocationY,
    SendScale,
    SendLabel,
    SendPoiname,
}

impl Node {
    /// The element `name` opened inside this one; `None` for one WeChat's pushes do not use there.
    fn child(self, name: &str) -> Option<Node> {
        use Field as F;
        let field = match (self, name) {
            (Node::Document, _) => return Some(Node::Root),
            (Node::Root, "ScanCodeInfo") => return Some(Node::ScanCodeInfo),
            (Node::Root, "SendPicsInfo") => return Some(Node::SendPicsInfo),
            (Node::Root, "SendLocationInfo") => return Some(Node::SendLocationInfo),
            (Node::SendPicsInfo, "PicList") => return Some(Node::PicList),
            (Node::PicList, "item") => return Some(Node::PicItem),
            (Node::Root, name) => match name {
                "ToUserName" => F::ToUserName,
                "FromUserName" => F::FromUserName,
                "CreateTime" => F::CreateTime,
                "MsgType" => F::MsgType,
                "Content" => F::Content,
                "MsgId" => F::MsgId,
                "PicUrl" => F::PicUrl,
                "MediaId" => F::MediaId,
                "Format" => F::Format,
                "Recognition" => F::Recognition,
                "ThumbMediaId" => F::ThumbMediaId,
                "Location_X" => F::LocationX,
                "Location_Y" => F::LocationY,
                "Scale" => F::Scale,
                "Label" => F::Label,
                "Title" => F::Title,
                "Description" => F::Description,
                "Url" => F::Url,
                "Event" => F::Event,
                "EventKey" => F::EventKey,
                "Ticket" => F::Ticket,
                "Latitude" => F::Latitude,
                "Longitude" => F::Longitude,
                "Precision" => F::Precision,
                "MenuId" => F::MenuId,
                "MsgID" => F::TemplateMsgId,
                "Status" => F::Status,
                _ => return None,
            },
            (Node::ScanCodeInfo, "ScanType") => F::ScanType,
            (Node::ScanCodeInfo, "ScanResult") => F::ScanResult,
            (Node::SendPicsInfo, "Count") => F::PicCount,
            (Node::PicItem, "PicMd5Sum") => F::PicMd5Sum,
            (Node::SendLocationInfo, "Location_X") => F::SendLocationX,
            (Node::SendLocationInfo, "Location_Y") => F::SendLocationY,
            (Node::SendLocationInfo, "Scale") => F::SendScale,
            (Node::SendLocationInfo, "Label") => F::SendLabel,
            (Node::SendLocationInfo, "Poiname") => F::SendPoiname,
            _ => return None,
        };
        Some(Node::Field(field))
    }

    /// The element this one opens in: the inverse of [`child`](Self::child).
    fn parent(self) -> Node {
        use Field as F;
        match self {
            Node::Document | Node::Root => Node::Document,
            Node::ScanCodeInfo | Node::SendPicsInfo | Node::SendLocationInfo => Node::Root,
            Node::PicList | Node::Field(F::PicCount) => Node::SendPicsInfo,
            Node::PicItem => Node::PicList,
            Node::Field(F::ScanType | F::ScanResult) => Node::ScanCodeInfo,
            Node::Field(F::PicMd5Sum) => Node::PicItem,
            Node::Field(F::SendLocationX | F::SendLocationY | F::SendScale | F::SendLabel | F::SendPoiname) => {
                Node::SendLocationInfo
            }
            Node::Field(_) => Node::Root,
        }
    }
}

impl<'a> RawPush<'a> {
    /// The text slot of a field; `None` inside a container that is not there (which `start` rules out).
    fn slot(&mut self, field: Field) -> Option<&mut Text<'a>> {
        use Field as F;
        Some(match field {
            F::ToUserName => &mut self.to_user_name,
            F::FromUserName => &mut self.from_user_name,
            F::CreateTime => &mut self.create_time,
            F::MsgType => &mut self.msg_type,
            F::Content => &mut self.content,
            F::MsgId => &mut self.msg_id,
            F::PicUrl => &mut self.pic_url,
            F::MediaId => &mut self.media_id,
            F::Format => &mut self.format,
            F::Recognition => &mut self.recognition,
            F::ThumbMediaId => &mut self.thumb_media_id,
            F::LocationX => &mut self.location_x,
            F::LocationY => &mut self.location_y,
            F::Scale => &mut self.scale,
            F::Label => &mut self.label,
            F::Title => &mut self.title,
            F::Description => &mut self.description,
            F::Url => &mut self.url,
            F::Event => &mut self.event,
            F::EventKey => &mut self.event_key,
            F::Ticket => &mut self.ticket,
            F::Latitude => &mut self.latitude,
            F::Longitude => &mut self.longitude,
            F::Precision => &mut self.precision,
            F::MenuId => &mut self.menu_id,
            F::TemplateMsgId => &mut self.template_msg_id,
            F::Status => &mut self.status,
            F::ScanType => &mut self.scan_code_info.as_mut()?.scan_type,
            F::ScanResult => &mut self.scan_code_info.as_mut()?.scan_result,
            F::PicCount => &mut self.send_pics_info.as_mut()?.count,
            F::PicMd5Sum => self.send_pics_info.as_mut()?.pic_md5_sums.last_mut()?,
            F::SendLocationX => &mut self.send_location_info.as_mut()?.location_x,
            F::SendLocationY => &mut self.send_location_info.as_mut()?.location_y,
            F::SendScale => &mut self.send_location_info.as_mut()?.scale,
            F::SendLabel => &mut self.send_location_info.as_mut()?.label,
            F::SendPoiname => &mut self.send_location_info.as_mut()?.poiname,
        })
    }
}

impl<'a> XmlVisitor<'a> for RawPush<'a> {
    fn start(&mut self, _depth: usize, name: &str) {
        self.filling = None;
        if self.unknown > 0 {
            self.unknown += 1;
            return;
        }
        let Some(node) = self.at.child(name) else {
            self.unknown = 1;
            return;
        };
        self.at = node;
        match node {
            Node::ScanCodeInfo => drop(self.scan_code_info.get_or_insert_default()),
            Node::SendPicsInfo => drop(self.send_pics_info.get_or_insert_default()),
            Node::SendLocationInfo => drop(self.send_location_info.get_or_insert_default()),
            Node::PicItem => self.send_pics_info.get_or_insert_default().pic_md5_sums.push(None),
            // The first occurrence of a field wins; an empty element is present with empty text.
            Node::Field(field) => {
                if let Some(slot @ None) = self.slot(field) {
                    *slot = Some(Cow::Borrowed(""));
                    self.filling = Some(field);
                }
            }
            Node::Document | Node::Root | Node::PicList => {}
        }
    }

    fn text(&mut self, text: Cow<'a, str>) {
        if let Some(field) = self.filling
            && let Some(Some(slot)) = self.slot(field)
        {
            append(slot, text);
        }
    }

    fn end(&mut self) {
        self.filling = None;
        if self.unknown > 0 {
            self.unknown -= 1;
        } else {
            self.at = self.at.parent();
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::{Field, Node};

    /// `parent` must undo `child` for every element WeChat's pushes use, or a closing tag would leave the parser
    /// in the wrong place.
    #[test]
    fn parent_undoes_child() {
        let containers = [
            Node::Document,
            Node::Root,
            Node::ScanCodeInfo,
            Node::SendPicsInfo,
            Node::PicList,
            Node::PicItem,
            Node::SendLocationInfo,
            Node::Field(Field::Content),
        ];
        let names = "xml ToUserName FromUserName CreateTime MsgType Content MsgId PicUrl MediaId Format Recognition \
            ThumbMediaId Location_X Location_Y Scale Label Title Description Url Event EventKey Ticket Latitude \
            Longitude Precision MenuId MsgID Status ScanCodeInfo ScanType ScanResult SendPicsInfo Count PicList item \
            PicMd5Sum SendLocationInfo Poiname Other";
        let mut known = 0;
        for node in containers {
            for name in names.split_whitespace() {
                if let Some(child) = node.child(name) {
                    assert_eq!(child.parent(), node, "<{name}> in {node:?}");
                    known += 1;
                }
            }
        }
        // Every name once under the document (as the root), the root's 27 fields and 3 containers, and the
        // containers' children: ScanCodeInfo's 2, SendPicsInfo's 2, PicList's 1, item's 1, SendLocationInfo's 5.
        assert_eq!(known, names.split_whitespace().count() + 27 + 3 + 2 + 2 + 1 + 1 + 5);
    }
}
