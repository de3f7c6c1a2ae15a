//! [`Push`] → XML, exactly as WeChat would push it: for the push builder, the fake WeChat and round-trip tests.

use crate::message::{Event, Message, Push, PushBody, ScanCodeInfo, Scene, SendLocationInfo, SendPicsInfo};
use crate::xml::XmlOut;

impl Push {
    /// The XML WeChat would push for this value (for [`PushBody::Unknown`], the raw XML).
    ///
    /// ```
    /// use wx_push::{Event, Push, PushBody};
    /// let push = Push { to_user_name: "gh_1".into(), from_user_name: "o1".into(), create_time: 9,
    ///                   body: PushBody::Event(Event::Unsubscribe) };
    /// assert_eq!(Push::parse(push.to_xml().as_bytes())?, push);
    /// # Ok::<(), wx_push::ParseError>(())
    /// ```
    pub fn to_xml(&self) -> String {
        write_push(self, None)
    }
}

/// Writes the push, with an `Encrypt` element appended for compatible mode.
pub(crate) fn write_push(push: &Push, encrypt: Option<&str>) -> String {
    if let PushBody::Unknown { raw_xml, .. } = &push.body {
        return match encrypt {
            Some(encrypted) => splice_encrypt(raw_xml, encrypted),
            None => raw_xml.clone(),
        };
    }
    let mut out = XmlOut::new();
    out.cdata("ToUserName", &push.to_user_name);
    out.cdata("FromUserName", &push.from_user_name);
    out.bare("CreateTime", push.create_time);
    match &push.body {
        PushBody::Message(message) => write_message(&mut out, message),
        PushBody::Event(event) => write_event(&mut out, event),
        PushBody::Unknown { .. } => {}
    }
    if let Some(encrypted) = encrypt {
        out.cdata("Encrypt", encrypted);
    }
    out.finish()
}

fn write_message(out: &mut XmlOut, message: &Message) {
    out.cdata("MsgType", message.msg_type());
    match message {
        Message::Text { content, .. } => out.cdata("Content", content),
        Message::Image { pic_url, media_id, .. } => {
            out.cdata("PicUrl", pic_url);
            out.cdata("MediaId", media_id);
        }
        Message::Voice {
            media_id,
            format,
            recognition,
            ..
        } => {
            out.cdata("MediaId", media_id);
            out.cdata("Format", format);
            if let Some(recognition) = recognition {
                out.cdata("Recognition", recognition);
            }
        }
        Message::Video {
            media_id,
            thumb_media_id,
            ..
        }
        | Message::ShortVideo {
            media_id,
            thumb_media_id,
            ..
        } => {
            out.cdata("MediaId", media_id);
            out.cdata("ThumbMediaId", thumb_media_id);
        }
        Message::Location {
            latitude,
            longitude,
            scale,
            label,
            ..
        } => {
            out.bare("Location_X", latitude);
            out.bare("Location_Y", longitude);
            out.bare("Scale", scale);
            out.cdata("Label", label);
        }
        Message::Link {
            title,
            description,
            url,
            ..
        } => {
            out.cdata("Title", title);
            out.cdata("Description", description);
            out.cdata("Url", url);
        }
    }
    out.bare("MsgId", message.msg_id());
}

fn write_event(out: &mut XmlOut, event: &Event) {
    out.cdata("MsgType", "event");
    out.cdata("Event", event.name());
    match event {
        Event::Subscribe { scene: Some(scene) } => write_scene(out, "qrscene_", scene),
        Event::Subscribe { scene: None } | Event::Unsubscribe => {}
        Event::Scan(scene) => write_scene(out, "", scene),
        Event::Location {
            latitude,
            longitude,
            precision,
        } => {
            out.bare("Latitude", latitude);
            out.bare("Longitude", longitude);
            out.bare("Precision", precision);
        }
        Event::Click { key } => out.cdata("EventKey", key),
        Event::View { url: key, menu_id }
        | Event::ViewMiniprogram {
            page_path: key,
            menu_id,
        } => {
            out.cdata("EventKey", key);
            if let Some(menu_id) = menu_id {
                out.cdata("MenuId", menu_id);
            }
        }
        Event::ScanCodePush { key, info } | Event::ScanCodeWaitMsg { key, info } => {
            out.cdata("EventKey", key);
            write_scan(out, info);
        }
        Event::PicSysPhoto { key, pics } | Event::PicPhotoOrAlbum { key, pics } | Event::PicWeixin { key, pics } => {
            out.cdata("EventKey", key);
            write_pics(out, pics);
        }
        Event::LocationSelect { key, location } => {
            out.cdata("EventKey", key);
            write_location(out, location);
        }
        Event::TemplateSendJobFinish { msg_id, status } => {
            out.bare("MsgID", msg_id);
            out.cdata("Status", status);
        }
    }
}

fn write_scene(out: &mut XmlOut, prefix: &str, scene: &Scene) {
    out.cdata("EventKey", &format!("{prefix}{}", scene.value));
    if let Some(ticket) = &scene.ticket {
        out.cdata("Ticket", ticket);
    }
}

fn write_scan(out: &mut XmlOut, info: &ScanCodeInfo) {
    out.start("ScanCodeInfo");
    out.cdata("ScanType", &info.scan_type);
    out.cdata("ScanResult", &info.scan_result);
    out.end("ScanCodeInfo");
}

fn write_pics(out: &mut XmlOut, pics: &SendPicsInfo) {
    out.start("SendPicsInfo");
    out.bare("Count", pics.count);
    out.start("PicList");
    for sum in &pics.pic_md5_sums {
        out.start("item");
        out.cdata("PicMd5Sum", sum);
        out.end("item");
    }
    out.end("PicList");
    out.end("SendPicsInfo");
}

fn write_location(out: &mut XmlOut, location: &SendLocationInfo) {
    out.start("SendLocationInfo");
    out.bare("Location_X", location.latitude);
    out.bare("Location_Y", location.longitude);
    out.bare("Scale", location.scale);
    out.cdata("Label", &location.label);
    out.cdata("Poiname", location.poi_name.as_deref().unwrap_or(""));
    out.end("SendLocationInfo");
}

/// Inserts `<Encrypt>` before the document's closing `</xml>` (compatible mode for XML given as text); a
/// document without one gets the element appended.
pub(crate) fn splice_encrypt(xml: &str, encrypted: &str) -> String {
    let mut out = XmlOut::new();
    out.cdata("Encrypt", encrypted);
    let element = out.finish();
    // `<xml><Encrypt>…</Encrypt></xml>` without its own root tags.
    let inner = &element["<xml>".len()..element.len() - "</xml>".len()];
    let end = xml.rfind("</xml>").unwrap_or(xml.len());
    format!("{}{}{}", &xml[..end], inner, &xml[end..])
}
