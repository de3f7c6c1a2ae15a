//! [`SimulatedPush`]: every push WeChat sends, described by its type and the fields a test (JSON, for
//! `POST /test-only/push`) or a person (the `push` and `chat` subcommands) chooses; the rest gets plausible values.

use serde::{Deserialize, Serialize};
use wx_push::{Event, Message, Push, PushBody, ScanCodeInfo, Scene, SendLocationInfo, SendPicsInfo};

/// The ticket of the scene QR code the simulator pretends was scanned.
const FAKE_TICKET: &str = "gQfake-ticket";

/// A push described in JSON (`"type"` selects it) or on the command line (the subcommand selects it): what a test
/// or the CLI asks the simulator to send. One variant per message and event type WeChat pushes; fields left out
/// get plausible values (a fresh random `MsgId`, a media id derived from it, `amr` voice, zoom 15, …).
///
/// ```
/// let p: wx_server::fake::SimulatedPush = serde_json::from_str(r#"{"type":"text","content":"hi"}"#).unwrap();
/// assert!(matches!(p, wx_server::fake::SimulatedPush::Text { .. }));
/// let p: wx_server::fake::SimulatedPush = serde_json::from_str(r#"{"type":"subscribe","scene":"42"}"#).unwrap();
/// let p: wx_server::fake::SimulatedPush =
///     serde_json::from_str(r#"{"type":"scancode_waitmsg","key":"scan","scan_result":"https://a.example/"}"#).unwrap();
/// let push = p.to_push("gh_1", "o1", 1700000000);
/// assert_eq!(wx_push::Push::parse(push.to_xml().as_bytes()).unwrap(), push);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Subcommand))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SimulatedPush {
    /// A text message; `msg_id` defaults to a fresh random id.
    Text {
        /// `Content`.
        content: String,
        /// `MsgId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        msg_id: Option<u64>,
    },
    /// An image message.
    Image {
        /// `PicUrl`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        pic_url: Option<String>,
        /// `MediaId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        media_id: Option<String>,
        /// `MsgId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        msg_id: Option<u64>,
    },
    /// A voice message; `recognition` is WeChat's speech-to-text (when the account enabled it).
    Voice {
        /// `Recognition`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        recognition: Option<String>,
        /// `Format` (`amr` unless given).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        format: Option<String>,
        /// `MediaId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        media_id: Option<String>,
        /// `MsgId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        msg_id: Option<u64>,
    },
    /// A video message.
    Video {
        /// `MediaId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        media_id: Option<String>,
        /// `ThumbMediaId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        thumb_media_id: Option<String>,
        /// `MsgId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        msg_id: Option<u64>,
    },
    /// A short video message.
    Shortvideo {
        /// `MediaId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        media_id: Option<String>,
        /// `ThumbMediaId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        thumb_media_id: Option<String>,
        /// `MsgId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        msg_id: Option<u64>,
    },
    /// A location message (a place the user shared in the chat).
    Location {
        /// `Location_X`: latitude.
        #[cfg_attr(feature = "cli", arg(allow_negative_numbers = true))]
        latitude: f64,
        /// `Location_Y`: longitude.
        #[cfg_attr(feature = "cli", arg(allow_negative_numbers = true))]
        longitude: f64,
        /// `Scale` (15 unless given).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        scale: Option<u32>,
        /// `Label`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        label: Option<String>,
        /// `MsgId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        msg_id: Option<u64>,
    },
    /// A link message.
    Link {
        /// `Url`.
        url: String,
        /// `Title`.
        #[cfg_attr(feature = "cli", arg(long))]
        title: String,
        /// `Description`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        description: Option<String>,
        /// `MsgId`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        msg_id: Option<u64>,
    },
    /// A follow, from a scene QR code when `scene` is set (`EventKey` `qrscene_<scene>`).
    Subscribe {
        /// The scene value.
        #[serde(default)]
        scene: Option<String>,
    },
    /// An unfollow.
    Unsubscribe,
    /// `SCAN`: a follower scanned a scene QR code.
    Scan {
        /// The scene value.
        scene: String,
    },
    /// `LOCATION`: the periodic location report (named apart from the location message).
    #[cfg_attr(feature = "cli", command(name = "location_report"))]
    LocationReport {
        /// `Latitude`.
        #[cfg_attr(feature = "cli", arg(allow_negative_numbers = true))]
        latitude: f64,
        /// `Longitude`.
        #[cfg_attr(feature = "cli", arg(allow_negative_numbers = true))]
        longitude: f64,
        /// `Precision` (65 unless given).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        precision: Option<f64>,
    },
    /// `CLICK`: a menu button click.
    Click {
        /// The button's key.
        key: String,
    },
    /// `VIEW`: a menu link opened.
    View {
        /// The link (`EventKey`).
        url: String,
        /// `MenuId`, for personalised menus.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        menu_id: Option<String>,
    },
    /// `scancode_push`: the menu's scanner read a code and WeChat handled it.
    #[cfg_attr(feature = "cli", command(name = "scancode_push"))]
    ScancodePush {
        /// The button's key.
        key: String,
        /// `ScanResult`: what the code holds.
        #[cfg_attr(feature = "cli", arg(long))]
        scan_result: String,
        /// `ScanType` (`qrcode` unless given).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        scan_type: Option<String>,
    },
    /// `scancode_waitmsg`: the menu's scanner read a code and the follower waits for the account's reply.
    #[cfg_attr(feature = "cli", command(name = "scancode_waitmsg"))]
    ScancodeWaitmsg {
        /// The button's key.
        key: String,
        /// `ScanResult`: what the code holds.
        #[cfg_attr(feature = "cli", arg(long))]
        scan_result: String,
        /// `ScanType` (`qrcode` unless given).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        scan_type: Option<String>,
    },
    /// `pic_sysphoto`: the menu took photos.
    #[cfg_attr(feature = "cli", command(name = "pic_sysphoto"))]
    PicSysphoto {
        /// The button's key.
        key: String,
        /// `PicMd5Sum` of each picture (`Count` is their number).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long = "pic-md5"))]
        pic_md5_sums: Vec<String>,
    },
    /// `pic_photo_or_album`: the menu sent photos or album pictures.
    #[cfg_attr(feature = "cli", command(name = "pic_photo_or_album"))]
    PicPhotoOrAlbum {
        /// The button's key.
        key: String,
        /// `PicMd5Sum` of each picture (`Count` is their number).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long = "pic-md5"))]
        pic_md5_sums: Vec<String>,
    },
    /// `pic_weixin`: the menu sent pictures from the WeChat album.
    #[cfg_attr(feature = "cli", command(name = "pic_weixin"))]
    PicWeixin {
        /// The button's key.
        key: String,
        /// `PicMd5Sum` of each picture (`Count` is their number).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long = "pic-md5"))]
        pic_md5_sums: Vec<String>,
    },
    /// `location_select`: the menu's location picker.
    #[cfg_attr(feature = "cli", command(name = "location_select"))]
    LocationSelect {
        /// The button's key.
        key: String,
        /// `Location_X`: latitude.
        #[cfg_attr(feature = "cli", arg(long, allow_negative_numbers = true))]
        latitude: f64,
        /// `Location_Y`: longitude.
        #[cfg_attr(feature = "cli", arg(long, allow_negative_numbers = true))]
        longitude: f64,
        /// `Scale` (15 unless given).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        scale: Option<u32>,
        /// `Label`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        label: Option<String>,
        /// `Poiname`.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        poi_name: Option<String>,
    },
    /// `TEMPLATESENDJOBFINISH`: a template message's delivery report.
    #[cfg_attr(feature = "cli", command(name = "template_send_job_finish"))]
    TemplateSendJobFinish {
        /// `MsgID` of the template message (random unless given).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        msg_id: Option<u64>,
        /// `Status` (`success` unless given; WeChat also sends `failed:user block` and `failed: system failed`).
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        status: Option<String>,
    },
    /// `view_miniprogram`: a menu button opened a mini program page.
    #[cfg_attr(feature = "cli", command(name = "view_miniprogram"))]
    ViewMiniprogram {
        /// The page path (`EventKey`).
        page_path: String,
        /// `MenuId`, for personalised menus.
        #[serde(default)]
        #[cfg_attr(feature = "cli", arg(long))]
        menu_id: Option<String>,
    },
}

impl SimulatedPush {
    /// The typed push from `openid` to `original_id`, created at `create_time`.
    pub fn to_push(&self, original_id: &str, openid: &str, create_time: u64) -> Push {
        let body = match self.clone() {
            Self::Text { content, msg_id } => PushBody::Message(Message::Text {
                content,
                msg_id: msg_id.unwrap_or_else(random_msg_id),
            }),
            Self::Image {
                pic_url,
                media_id,
                msg_id,
            } => {
                let msg_id = msg_id.unwrap_or_else(random_msg_id);
                PushBody::Message(Message::Image {
                    pic_url: pic_url.unwrap_or_else(|| format!("http://mmbiz.qpic.cn/fake/{msg_id}/0")),
                    media_id: media_id.unwrap_or_else(|| media(msg_id)),
                    msg_id,
                })
            }
            Self::Voice {
                recognition,
                format,
                media_id,
                msg_id,
            } => {
                let msg_id = msg_id.unwrap_or_else(random_msg_id);
                PushBody::Message(Message::Voice {
                    media_id: media_id.unwrap_or_else(|| media(msg_id)),
                    format: format.unwrap_or_else(|| "amr".into()),
                    recognition,
                    msg_id,
                })
            }
            Self::Video {
                media_id,
                thumb_media_id,
                msg_id,
            } => {
                let msg_id = msg_id.unwrap_or_else(random_msg_id);
                PushBody::Message(Message::Video {
                    media_id: media_id.unwrap_or_else(|| media(msg_id)),
                    thumb_media_id: thumb_media_id.unwrap_or_else(|| format!("{}-thumb", media(msg_id))),
                    msg_id,
                })
            }
            Self::Shortvideo {
                media_id,
                thumb_media_id,
                msg_id,
            } => {
                let msg_id = msg_id.unwrap_or_else(random_msg_id);
                PushBody::Message(Message::ShortVideo {
                    media_id: media_id.unwrap_or_else(|| media(msg_id)),
                    thumb_media_id: thumb_media_id.unwrap_or_else(|| format!("{}-thumb", media(msg_id))),
                    msg_id,
                })
            }
            Self::Location {
                latitude,
                longitude,
                scale,
                label,
                msg_id,
            } => PushBody::Message(Message::Location {
                latitude,
                longitude,
                scale: scale.unwrap_or(15),
                label: label.unwrap_or_default(),
                msg_id: msg_id.unwrap_or_else(random_msg_id),
            }),
            Self::Link {
                url,
                title,
                description,
                msg_id,
            } => PushBody::Message(Message::Link {
                title,
                description: description.unwrap_or_default(),
                url,
                msg_id: msg_id.unwrap_or_else(random_msg_id),
            }),
            Self::Subscribe { scene } => PushBody::Event(Event::Subscribe {
                scene: scene.map(|value| Scene {
                    value,
                    ticket: Some(FAKE_TICKET.into()),
                }),
            }),
            Self::Unsubscribe => PushBody::Event(Event::Unsubscribe),
            Self::Scan { scene } => PushBody::Event(Event::Scan(Scene {
                value: scene,
                ticket: Some(FAKE_TICKET.into()),
            })),
            Self::LocationReport {
                latitude,
                longitude,
                precision,
            } => PushBody::Event(Event::Location {
                latitude,
                longitude,
                precision: precision.unwrap_or(65.0),
            }),
            Self::Click { key } => PushBody::Event(Event::Click { key }),
            Self::View { url, menu_id } => PushBody::Event(Event::View { url, menu_id }),
            Self::ScancodePush {
                key,
                scan_result,
                scan_type,
            } => PushBody::Event(Event::ScanCodePush {
                key,
                info: scan_info(scan_type, scan_result),
            }),
            Self::ScancodeWaitmsg {
                key,
                scan_result,
                scan_type,
            } => PushBody::Event(Event::ScanCodeWaitMsg {
                key,
                info: scan_info(scan_type, scan_result),
            }),
            Self::PicSysphoto { key, pic_md5_sums } => PushBody::Event(Event::PicSysPhoto {
                key,
                pics: pics(pic_md5_sums),
            }),
            Self::PicPhotoOrAlbum { key, pic_md5_sums } => PushBody::Event(Event::PicPhotoOrAlbum {
                key,
                pics: pics(pic_md5_sums),
            }),
            Self::PicWeixin { key, pic_md5_sums } => PushBody::Event(Event::PicWeixin {
                key,
                pics: pics(pic_md5_sums),
            }),
            Self::LocationSelect {
                key,
                latitude,
                longitude,
                scale,
                label,
                poi_name,
            } => PushBody::Event(Event::LocationSelect {
                key,
                location: SendLocationInfo {
                    latitude,
                    longitude,
                    scale: scale.unwrap_or(15),
                    label: label.unwrap_or_default(),
                    // WeChat sends an empty `Poiname` when there is none, which reads as `None`.
                    poi_name: poi_name.filter(|p| !p.is_empty()),
                },
            }),
            Self::TemplateSendJobFinish { msg_id, status } => PushBody::Event(Event::TemplateSendJobFinish {
                msg_id: msg_id.unwrap_or_else(random_msg_id),
                status: status.unwrap_or_else(|| "success".into()),
            }),
            Self::ViewMiniprogram { page_path, menu_id } => {
                PushBody::Event(Event::ViewMiniprogram { page_path, menu_id })
            }
        };
        Push {
            to_user_name: original_id.into(),
            from_user_name: openid.into(),
            create_time,
            body,
        }
    }
}

/// A media id for a simulated media message (it names nothing the fake's media endpoints serve).
fn media(msg_id: u64) -> String {
    format!("fake-media-{msg_id}")
}

fn scan_info(scan_type: Option<String>, scan_result: String) -> ScanCodeInfo {
    ScanCodeInfo {
        scan_type: scan_type.unwrap_or_else(|| "qrcode".into()),
        scan_result,
    }
}

fn pics(pic_md5_sums: Vec<String>) -> SendPicsInfo {
    SendPicsInfo {
        count: u32::try_from(pic_md5_sums.len()).unwrap_or(u32::MAX),
        pic_md5_sums,
    }
}

/// A fresh `MsgId` (63 bits, like WeChat's).
pub(crate) fn random_msg_id() -> u64 {
    let mut b = [0u8; 8];
    // Without randomness the id is still unique enough for a fake: the clock.
    if getrandom::fill(&mut b).is_err() {
        return wx_sign::unix_timestamp().wrapping_mul(1_000_003);
    }
    u64::from_le_bytes(b) >> 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every type the simulator sends is one WeChat's parser reads back as the same typed push (none falls to
    /// `Unknown`), with the defaults filled in.
    #[test]
    fn every_simulated_push_parses_back_to_itself() {
        let json = r#"[
            {"type":"text","content":"hi"},
            {"type":"image"},
            {"type":"voice","recognition":"你好"},
            {"type":"video"},
            {"type":"shortvideo"},
            {"type":"location","latitude":23.134521,"longitude":-113.358803,"label":"x"},
            {"type":"link","url":"https://a.example/","title":"T"},
            {"type":"subscribe","scene":"42"},
            {"type":"subscribe"},
            {"type":"unsubscribe"},
            {"type":"scan","scene":"7"},
            {"type":"location_report","latitude":23.1,"longitude":113.3},
            {"type":"click","key":"K"},
            {"type":"view","url":"https://a.example/","menu_id":"3"},
            {"type":"scancode_push","key":"s","scan_result":"r"},
            {"type":"scancode_waitmsg","key":"s","scan_result":"r","scan_type":"barcode"},
            {"type":"pic_sysphoto","key":"p","pic_md5_sums":["a","b"]},
            {"type":"pic_photo_or_album","key":"p"},
            {"type":"pic_weixin","key":"p","pic_md5_sums":["c"]},
            {"type":"location_select","key":"l","latitude":1.5,"longitude":2.5,"poi_name":"Tower"},
            {"type":"template_send_job_finish","status":"failed:user block"},
            {"type":"view_miniprogram","page_path":"pages/index/index"}
        ]"#;
        let pushes: Vec<SimulatedPush> = serde_json::from_str(json).expect("every type");
        assert_eq!(pushes.len(), 22);
        for simulated in pushes {
            let push = simulated.to_push("gh_1", "o_1", 1_700_000_000);
            assert!(!matches!(push.body, PushBody::Unknown { .. }), "{simulated:?}");
            let parsed = Push::parse(push.to_xml().as_bytes()).expect("parses");
            assert_eq!(parsed, push, "{simulated:?}");
        }
    }
}
