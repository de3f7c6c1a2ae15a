//! What WeChat pushes, as types: a user's message or an event, plus the envelope common to both.

/// One push from WeChat: who sent it to which account, when, and what.
///
/// ```
/// let push = wx_push::Push::parse(
///     b"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>\
///       <CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>\
///       <Content><![CDATA[hi]]></Content><MsgId>1234567890123456</MsgId></xml>",
/// )?;
/// assert_eq!(push.from_user_name, "o1");
/// assert!(matches!(push.body, wx_push::PushBody::Message(wx_push::Message::Text { ref content, .. }) if content == "hi"));
/// # Ok::<(), wx_push::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    /// `ToUserName`: the account's original id (`gh_…`).
    pub to_user_name: String,
    /// `FromUserName`: the user's openid.
    pub from_user_name: String,
    /// `CreateTime`: Unix seconds.
    pub create_time: u64,
    /// The message or event.
    pub body: PushBody,
}

/// A user's message, an event, or a type this crate does not know yet.
#[derive(Debug, Clone, PartialEq)]
pub enum PushBody {
    /// A message the user sent (`MsgType` other than `event`).
    Message(Message),
    /// An event (`MsgType` = `event`).
    Event(Event),
    /// A `MsgType` or `Event` this crate does not model: kept whole so nothing is lost.
    Unknown {
        /// The `MsgType`.
        msg_type: String,
        /// The `Event`, for events.
        event: Option<String>,
        /// The `MsgId`, when present (used for de-duplication).
        msg_id: Option<u64>,
        /// The whole XML document as received (decrypted in safe mode).
        raw_xml: String,
    },
}

/// A message a user sent to the account. Every message carries a `MsgId`, its de-duplication key.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// `text`.
    Text {
        /// `Content`.
        content: String,
        /// `MsgId`.
        msg_id: u64,
    },
    /// `image`.
    Image {
        /// `PicUrl`.
        pic_url: String,
        /// `MediaId`.
        media_id: String,
        /// `MsgId`.
        msg_id: u64,
    },
    /// `voice`; `recognition` is WeChat's speech-to-text when the account enabled it.
    Voice {
        /// `MediaId`.
        media_id: String,
        /// `Format` (amr, speex).
        format: String,
        /// `Recognition`.
        recognition: Option<String>,
        /// `MsgId`.
        msg_id: u64,
    },
    /// `video`.
    Video {
        /// `MediaId`.
        media_id: String,
        /// `ThumbMediaId`.
        thumb_media_id: String,
        /// `MsgId`.
        msg_id: u64,
    },
    /// `shortvideo`.
    ShortVideo {
        /// `MediaId`.
        media_id: String,
        /// `ThumbMediaId`.
        thumb_media_id: String,
        /// `MsgId`.
        msg_id: u64,
    },
    /// `location`, a place the user shared.
    Location {
        /// `Location_X`: latitude.
        latitude: f64,
        /// `Location_Y`: longitude.
        longitude: f64,
        /// `Scale`: map zoom.
        scale: u32,
        /// `Label`: the place's description.
        label: String,
        /// `MsgId`.
        msg_id: u64,
    },
    /// `link`.
    Link {
        /// `Title`.
        title: String,
        /// `Description`.
        description: String,
        /// `Url`.
        url: String,
        /// `MsgId`.
        msg_id: u64,
    },
}

/// The scene a user scanned: `EventKey` without the `qrscene_` prefix, and the code's `Ticket`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scene {
    /// The scene value (`scene_id` or `scene_str` given when the code was created).
    pub value: String,
    /// The code's ticket, which can be exchanged for its image.
    pub ticket: Option<String>,
}

/// `ScanCodeInfo` of the scancode menu events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanCodeInfo {
    /// `ScanType`, e.g. `qrcode`.
    pub scan_type: String,
    /// `ScanResult`: the decoded content.
    pub scan_result: String,
}

/// `SendPicsInfo` of the picture menu events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendPicsInfo {
    /// `Count`.
    pub count: u32,
    /// `PicList/item/PicMd5Sum`, one per picture.
    pub pic_md5_sums: Vec<String>,
}

/// `SendLocationInfo` of the `location_select` menu event.
#[derive(Debug, Clone, PartialEq)]
pub struct SendLocationInfo {
    /// `Location_X`: latitude.
    pub latitude: f64,
    /// `Location_Y`: longitude.
    pub longitude: f64,
    /// `Scale`.
    pub scale: u32,
    /// `Label`.
    pub label: String,
    /// `Poiname`: the point of interest, often empty.
    pub poi_name: Option<String>,
}

/// An event WeChat reports (`MsgType` = `event`). Events have no `MsgId`; they are de-duplicated by
/// `FromUserName` + `CreateTime` with the event's name and key (see [`DedupeKey`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `subscribe`; `scene` is set when the user followed by scanning a scene QR code (`qrscene_…`).
    Subscribe {
        /// The scene, for a follow from a scene QR code.
        scene: Option<Scene>,
    },
    /// `unsubscribe`.
    Unsubscribe,
    /// `SCAN`: a follower scanned a scene QR code.
    Scan(Scene),
    /// `LOCATION`: the periodic location report.
    Location {
        /// `Latitude`.
        latitude: f64,
        /// `Longitude`.
        longitude: f64,
        /// `Precision`.
        precision: f64,
    },
    /// `CLICK` on a menu button.
    Click {
        /// `EventKey`: the button's key.
        key: String,
    },
    /// `VIEW`: a menu link was opened.
    View {
        /// `EventKey`: the URL.
        url: String,
        /// `MenuId`, for personalised menus.
        menu_id: Option<String>,
    },
    /// `scancode_push`: the menu's scanner opened and WeChat handled the result.
    ScanCodePush {
        /// `EventKey`.
        key: String,
        /// `ScanCodeInfo`.
        info: ScanCodeInfo,
    },
    /// `scancode_waitmsg`: the menu's scanner opened and the user waits for the account's reply.
    ScanCodeWaitMsg {
        /// `EventKey`.
        key: String,
        /// `ScanCodeInfo`.
        info: ScanCodeInfo,
    },
    /// `pic_sysphoto`: the menu took a photo.
    PicSysPhoto {
        /// `EventKey`.
        key: String,
        /// `SendPicsInfo`.
        pics: SendPicsInfo,
    },
    /// `pic_photo_or_album`.
    PicPhotoOrAlbum {
        /// `EventKey`.
        key: String,
        /// `SendPicsInfo`.
        pics: SendPicsInfo,
    },
    /// `pic_weixin`: pictures from the WeChat album.
    PicWeixin {
        /// `EventKey`.
        key: String,
        /// `SendPicsInfo`.
        pics: SendPicsInfo,
    },
    /// `location_select`: the menu's location picker.
    LocationSelect {
        /// `EventKey`.
        key: String,
        /// `SendLocationInfo`.
        location: SendLocationInfo,
    },
    /// `view_miniprogram`: a menu button opened a mini program.
    ViewMiniprogram {
        /// `EventKey`: the mini program page opened (`pagepath`).
        page_path: String,
        /// `MenuId`, for personalised menus.
        menu_id: Option<String>,
    },
    /// `TEMPLATESENDJOBFINISH`: a template message was delivered (or not).
    TemplateSendJobFinish {
        /// `MsgID` of the template message.
        msg_id: u64,
        /// `Status`: `success`, `failed:user block` or `failed: system failed`.
        status: String,
    },
}

/// What identifies a push across WeChat's retries: `MsgId` for messages; for events `FromUserName` + `CreateTime`,
/// as WeChat recommends, with the event's name and key (both scoped to the receiving account). One user can cause
/// two events in the same second (`subscribe` and then `LOCATION`, two menu buttons, two template messages
/// delivered); a retry repeats them all.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DedupeKey {
    /// A message (or unknown push carrying a `MsgId`).
    Message {
        /// `ToUserName`.
        to: String,
        /// `MsgId`.
        msg_id: u64,
    },
    /// An event.
    Event {
        /// `ToUserName`.
        to: String,
        /// `FromUserName`.
        from: String,
        /// `CreateTime`.
        create_time: u64,
        /// `Event` (`MsgType` for an unknown push without one).
        event: String,
        /// What tells two events of that name apart: the `EventKey` (the scene for `SCAN`, the URL for `VIEW`, the
        /// page for `view_miniprogram`) or the template `MsgID`; `None` for events without one.
        key: Option<String>,
    },
}

impl Push {
    /// The key WeChat's retries of this push share.
    ///
    /// ```
    /// # let push = wx_push::Push::parse(b"<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName>\
    /// #   <CreateTime>7</CreateTime><MsgType>event</MsgType><Event>unsubscribe</Event></xml>")?;
    /// assert_eq!(
    ///     push.dedupe_key(),
    ///     wx_push::DedupeKey::Event {
    ///         to: "gh".into(), from: "o".into(), create_time: 7, event: "unsubscribe".into(), key: None
    ///     }
    /// );
    /// # Ok::<(), wx_push::ParseError>(())
    /// ```
    pub fn dedupe_key(&self) -> DedupeKey {
        let message = |msg_id| DedupeKey::Message {
            to: self.to_user_name.clone(),
            msg_id,
        };
        let event = |event, key| DedupeKey::Event {
            to: self.to_user_name.clone(),
            from: self.from_user_name.clone(),
            create_time: self.create_time,
            event,
            key,
        };
        match &self.body {
            PushBody::Message(m) => message(m.msg_id()),
            PushBody::Unknown {
                msg_id: Some(msg_id), ..
            } => message(*msg_id),
            PushBody::Unknown {
                msg_type, event: name, ..
            } => event(name.as_ref().unwrap_or(msg_type).clone(), None),
            PushBody::Event(e) => event(e.name().to_owned(), e.dedupe_detail()),
        }
    }

    /// True for a user's message (known or not), false for events. A passive reply to a message may carry only
    /// one news article.
    ///
    /// ```
    /// # let push = wx_push::Push::parse(b"<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName>\
    /// #   <CreateTime>7</CreateTime><MsgType>event</MsgType><Event>unsubscribe</Event></xml>")?;
    /// assert!(!push.is_user_message());
    /// # Ok::<(), wx_push::ParseError>(())
    /// ```
    pub fn is_user_message(&self) -> bool {
        match &self.body {
            PushBody::Message(_) => true,
            PushBody::Event(_) => false,
            PushBody::Unknown { msg_type, .. } => msg_type != "event",
        }
    }
}

impl Message {
    /// The message's `MsgId`.
    pub fn msg_id(&self) -> u64 {
        match self {
            Message::Text { msg_id, .. }
            | Message::Image { msg_id, .. }
            | Message::Voice { msg_id, .. }
            | Message::Video { msg_id, .. }
            | Message::ShortVideo { msg_id, .. }
            | Message::Location { msg_id, .. }
            | Message::Link { msg_id, .. } => *msg_id,
        }
    }

    /// The `MsgType` this message is pushed with.
    pub fn msg_type(&self) -> &'static str {
        match self {
            Message::Text { .. } => "text",
            Message::Image { .. } => "image",
            Message::Voice { .. } => "voice",
            Message::Video { .. } => "video",
            Message::ShortVideo { .. } => "shortvideo",
            Message::Location { .. } => "location",
            Message::Link { .. } => "link",
        }
    }
}

impl Event {
    /// What tells two events of this name apart in one second (for [`DedupeKey::Event`]).
    fn dedupe_detail(&self) -> Option<String> {
        match self {
            Event::Subscribe { .. } | Event::Unsubscribe | Event::Location { .. } => None,
            Event::Scan(scene) => Some(scene.value.clone()),
            Event::View { url, .. } => Some(url.clone()),
            Event::ViewMiniprogram { page_path, .. } => Some(page_path.clone()),
            Event::Click { key }
            | Event::ScanCodePush { key, .. }
            | Event::ScanCodeWaitMsg { key, .. }
            | Event::PicSysPhoto { key, .. }
            | Event::PicPhotoOrAlbum { key, .. }
            | Event::PicWeixin { key, .. }
            | Event::LocationSelect { key, .. } => Some(key.clone()),
            Event::TemplateSendJobFinish { msg_id, .. } => Some(msg_id.to_string()),
        }
    }

    /// The `Event` value this event is pushed with.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Subscribe { .. } => "subscribe",
            Event::Unsubscribe => "unsubscribe",
            Event::Scan(_) => "SCAN",
            Event::Location { .. } => "LOCATION",
            Event::Click { .. } => "CLICK",
            Event::View { .. } => "VIEW",
            Event::ScanCodePush { .. } => "scancode_push",
            Event::ScanCodeWaitMsg { .. } => "scancode_waitmsg",
            Event::PicSysPhoto { .. } => "pic_sysphoto",
            Event::PicPhotoOrAlbum { .. } => "pic_photo_or_album",
            Event::PicWeixin { .. } => "pic_weixin",
            Event::LocationSelect { .. } => "location_select",
            Event::ViewMiniprogram { .. } => "view_miniprogram",
            Event::TemplateSendJobFinish { .. } => "TEMPLATESENDJOBFINISH",
        }
    }
}
