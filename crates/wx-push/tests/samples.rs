//! Every push type, from the samples in WeChat's "receiving messages" and "receiving events" docs, parsed into its
//! typed value; then every value written back and parsed again.

use wx_push::{
    DedupeKey, Event, Message, ParseError, Push, PushBody, ScanCodeInfo, Scene, SendLocationInfo, SendPicsInfo,
};

fn head(to: &str, from: &str, time: u64) -> String {
    format!(
        "<ToUserName><![CDATA[{to}]]></ToUserName>\n<FromUserName><![CDATA[{from}]]></FromUserName>\n\
         <CreateTime>{time}</CreateTime>\n"
    )
}

fn doc(body: &str) -> String {
    format!("<xml>\n{}{body}</xml>", head("toUser", "fromUser", 1348831860))
}

fn event_doc(to: &str, from: &str, time: u64, body: &str) -> String {
    format!(
        "<xml>{}<MsgType><![CDATA[event]]></MsgType>\n{body}</xml>",
        head(to, from, time)
    )
}

fn pics(count: u32, sums: &[&str]) -> SendPicsInfo {
    SendPicsInfo {
        count,
        pic_md5_sums: sums.iter().map(|s| s.to_string()).collect(),
    }
}

/// (name, XML as WeChat's docs show it, expected body)
fn samples() -> Vec<(&'static str, String, PushBody)> {
    use Message as M;
    let msg = |m| PushBody::Message(m);
    let ev = |e| PushBody::Event(e);
    vec![
        (
            "text",
            doc(
                "<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[this is a test]]></Content>\n\
                 <MsgId>1234567890123456</MsgId>\n<MsgDataId>xxxx</MsgDataId>\n<Idx>xxxx</Idx>\n",
            ),
            msg(M::Text {
                content: "this is a test".into(),
                msg_id: 1234567890123456,
            }),
        ),
        (
            "image",
            doc(
                "<MsgType><![CDATA[image]]></MsgType>\n<PicUrl><![CDATA[this is a url]]></PicUrl>\n\
                 <MediaId><![CDATA[media_id]]></MediaId>\n<MsgId>1234567890123456</MsgId>\n",
            ),
            msg(M::Image {
                pic_url: "this is a url".into(),
                media_id: "media_id".into(),
                msg_id: 1234567890123456,
            }),
        ),
        (
            "voice with Recognition",
            doc(
                "<MsgType><![CDATA[voice]]></MsgType>\n<MediaId><![CDATA[media_id]]></MediaId>\n\
                 <Format><![CDATA[Format]]></Format>\n<Recognition><![CDATA[腾讯微信团队]]></Recognition>\n\
                 <MsgId>1234567890123456</MsgId>\n",
            ),
            msg(M::Voice {
                media_id: "media_id".into(),
                format: "Format".into(),
                recognition: Some("腾讯微信团队".into()),
                msg_id: 1234567890123456,
            }),
        ),
        (
            "voice without Recognition",
            doc(
                "<MsgType><![CDATA[voice]]></MsgType>\n<MediaId><![CDATA[media_id]]></MediaId>\n\
                 <Format><![CDATA[amr]]></Format>\n<MsgId>1234567890123456</MsgId>\n",
            ),
            msg(M::Voice {
                media_id: "media_id".into(),
                format: "amr".into(),
                recognition: None,
                msg_id: 1234567890123456,
            }),
        ),
        (
            "video",
            doc(
                "<MsgType><![CDATA[video]]></MsgType>\n<MediaId><![CDATA[media_id]]></MediaId>\n\
                 <ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>\n<MsgId>1234567890123456</MsgId>\n",
            ),
            msg(M::Video {
                media_id: "media_id".into(),
                thumb_media_id: "thumb_media_id".into(),
                msg_id: 1234567890123456,
            }),
        ),
        (
            "shortvideo",
            doc(
                "<MsgType><![CDATA[shortvideo]]></MsgType>\n<MediaId><![CDATA[media_id]]></MediaId>\n\
                 <ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>\n<MsgId>1234567890123456</MsgId>\n",
            ),
            msg(M::ShortVideo {
                media_id: "media_id".into(),
                thumb_media_id: "thumb_media_id".into(),
                msg_id: 1234567890123456,
            }),
        ),
        (
            "location",
            doc(
                "<MsgType><![CDATA[location]]></MsgType>\n<Location_X>23.134521</Location_X>\n\
                 <Location_Y>113.358803</Location_Y>\n<Scale>20</Scale>\n<Label><![CDATA[位置信息]]></Label>\n\
                 <MsgId>1234567890123456</MsgId>\n",
            ),
            msg(M::Location {
                latitude: 23.134521,
                longitude: 113.358803,
                scale: 20,
                label: "位置信息".into(),
                msg_id: 1234567890123456,
            }),
        ),
        (
            "link",
            doc(
                "<MsgType><![CDATA[link]]></MsgType>\n<Title><![CDATA[公众平台官网链接]]></Title>\n\
                 <Description><![CDATA[公众平台官网链接]]></Description>\n<Url><![CDATA[url]]></Url>\n\
                 <MsgId>1234567890123456</MsgId>\n",
            ),
            msg(M::Link {
                title: "公众平台官网链接".into(),
                description: "公众平台官网链接".into(),
                url: "url".into(),
                msg_id: 1234567890123456,
            }),
        ),
        (
            "subscribe",
            event_doc(
                "toUser",
                "FromUser",
                123456789,
                "<Event><![CDATA[subscribe]]></Event>\n",
            ),
            ev(Event::Subscribe { scene: None }),
        ),
        (
            "subscribe with an empty EventKey",
            event_doc(
                "toUser",
                "FromUser",
                123456789,
                "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[]]></EventKey>",
            ),
            ev(Event::Subscribe { scene: None }),
        ),
        (
            "subscribe from a scene QR code",
            event_doc(
                "toUser",
                "FromUser",
                123456789,
                "<Event><![CDATA[subscribe]]></Event>\n<EventKey><![CDATA[qrscene_123123]]></EventKey>\n\
                 <Ticket><![CDATA[TICKET]]></Ticket>\n",
            ),
            ev(Event::Subscribe {
                scene: Some(Scene {
                    value: "123123".into(),
                    ticket: Some("TICKET".into()),
                }),
            }),
        ),
        (
            "unsubscribe",
            event_doc(
                "toUser",
                "FromUser",
                123456789,
                "<Event><![CDATA[unsubscribe]]></Event>\n",
            ),
            ev(Event::Unsubscribe),
        ),
        (
            "SCAN",
            event_doc(
                "toUser",
                "FromUser",
                123456789,
                "<Event><![CDATA[SCAN]]></Event>\n<EventKey><![CDATA[SCENE_VALUE]]></EventKey>\n\
                 <Ticket><![CDATA[TICKET]]></Ticket>\n",
            ),
            ev(Event::Scan(Scene {
                value: "SCENE_VALUE".into(),
                ticket: Some("TICKET".into()),
            })),
        ),
        (
            "LOCATION",
            event_doc(
                "toUser",
                "fromUser",
                123456789,
                "<Event><![CDATA[LOCATION]]></Event>\n<Latitude>23.137466</Latitude>\n\
                 <Longitude>113.352425</Longitude>\n<Precision>119.385040</Precision>\n",
            ),
            ev(Event::Location {
                latitude: 23.137466,
                longitude: 113.352425,
                precision: 119.38504,
            }),
        ),
        (
            "CLICK",
            event_doc(
                "toUser",
                "FromUser",
                123456789,
                "<Event><![CDATA[CLICK]]></Event>\n<EventKey><![CDATA[EVENTKEY]]></EventKey>\n",
            ),
            ev(Event::Click { key: "EVENTKEY".into() }),
        ),
        (
            "VIEW",
            event_doc(
                "toUser",
                "FromUser",
                123456789,
                "<Event><![CDATA[VIEW]]></Event>\n<EventKey><![CDATA[www.qq.com]]></EventKey>\n\
                 <MenuId>MENUID</MenuId>\n",
            ),
            ev(Event::View {
                url: "www.qq.com".into(),
                menu_id: Some("MENUID".into()),
            }),
        ),
        (
            "view_miniprogram",
            event_doc(
                "toUser",
                "FromUser",
                123456789,
                "<Event><![CDATA[view_miniprogram]]></Event>\n<EventKey><![CDATA[pages/index/index]]></EventKey>\n\
                 <MenuId>MENUID</MenuId>\n",
            ),
            ev(Event::ViewMiniprogram {
                page_path: "pages/index/index".into(),
                menu_id: Some("MENUID".into()),
            }),
        ),
        (
            "scancode_push",
            event_doc(
                "gh_e136c6e50636",
                "oMgHVjngRipVsoxg6TuX3vz6glDg",
                1408090502,
                "<Event><![CDATA[scancode_push]]></Event>\n<EventKey><![CDATA[6]]></EventKey>\n\
                 <ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>\n<ScanResult><![CDATA[1]]></ScanResult>\n\
                 </ScanCodeInfo>\n",
            ),
            ev(Event::ScanCodePush {
                key: "6".into(),
                info: ScanCodeInfo {
                    scan_type: "qrcode".into(),
                    scan_result: "1".into(),
                },
            }),
        ),
        (
            "scancode_waitmsg",
            event_doc(
                "gh_e136c6e50636",
                "oMgHVjngRipVsoxg6TuX3vz6glDg",
                1408090606,
                "<Event><![CDATA[scancode_waitmsg]]></Event>\n<EventKey><![CDATA[6]]></EventKey>\n\
                 <ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>\n<ScanResult><![CDATA[2]]></ScanResult>\n\
                 </ScanCodeInfo>\n",
            ),
            ev(Event::ScanCodeWaitMsg {
                key: "6".into(),
                info: ScanCodeInfo {
                    scan_type: "qrcode".into(),
                    scan_result: "2".into(),
                },
            }),
        ),
        (
            "pic_sysphoto",
            event_doc(
                "gh_e136c6e50636",
                "oMgHVjngRipVsoxg6TuX3vz6glDg",
                1408090651,
                "<Event><![CDATA[pic_sysphoto]]></Event>\n<EventKey><![CDATA[6]]></EventKey>\n\
                 <SendPicsInfo><Count>1</Count>\n<PicList><item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]>\
                 </PicMd5Sum>\n</item>\n</PicList>\n</SendPicsInfo>\n",
            ),
            ev(Event::PicSysPhoto {
                key: "6".into(),
                pics: pics(1, &["1b5f7c23b5bf75682a53e7b6d163e185"]),
            }),
        ),
        (
            "pic_photo_or_album",
            event_doc(
                "gh_e136c6e50636",
                "oMgHVjngRipVsoxg6TuX3vz6glDg",
                1408090816,
                "<Event><![CDATA[pic_photo_or_album]]></Event>\n<EventKey><![CDATA[6]]></EventKey>\n\
                 <SendPicsInfo><Count>1</Count>\n<PicList><item><PicMd5Sum><![CDATA[5a75aaca956d97be686719218f275c6b]]>\
                 </PicMd5Sum>\n</item>\n</PicList>\n</SendPicsInfo>\n",
            ),
            ev(Event::PicPhotoOrAlbum {
                key: "6".into(),
                pics: pics(1, &["5a75aaca956d97be686719218f275c6b"]),
            }),
        ),
        (
            "pic_weixin with two pictures",
            event_doc(
                "gh_e136c6e50636",
                "oMgHVjngRipVsoxg6TuX3vz6glDg",
                1408090816,
                "<Event><![CDATA[pic_weixin]]></Event>\n<EventKey><![CDATA[6]]></EventKey>\n\
                 <SendPicsInfo><Count>2</Count>\n<PicList><item><PicMd5Sum><![CDATA[5a75aaca956d97be686719218f275c6b]]>\
                 </PicMd5Sum>\n</item>\n<item><PicMd5Sum><![CDATA[aaaa]]></PicMd5Sum></item></PicList>\n</SendPicsInfo>\n",
            ),
            ev(Event::PicWeixin {
                key: "6".into(),
                pics: pics(2, &["5a75aaca956d97be686719218f275c6b", "aaaa"]),
            }),
        ),
        (
            "location_select",
            event_doc(
                "gh_e136c6e50636",
                "oMgHVjngRipVsoxg6TuX3vz6glDg",
                1408091189,
                "<Event><![CDATA[location_select]]></Event>\n<EventKey><![CDATA[6]]></EventKey>\n\
                 <SendLocationInfo><Location_X><![CDATA[23]]></Location_X>\n<Location_Y><![CDATA[113]]></Location_Y>\n\
                 <Scale><![CDATA[15]]></Scale>\n<Label><![CDATA[ 广州市海珠区客村艺苑路 106号]]></Label>\n\
                 <Poiname><![CDATA[]]></Poiname>\n</SendLocationInfo>\n",
            ),
            ev(Event::LocationSelect {
                key: "6".into(),
                location: SendLocationInfo {
                    latitude: 23.0,
                    longitude: 113.0,
                    scale: 15,
                    label: " 广州市海珠区客村艺苑路 106号".into(),
                    poi_name: None,
                },
            }),
        ),
        (
            "TEMPLATESENDJOBFINISH",
            event_doc(
                "gh_7f083739789a",
                "oia2TjuEGTNoeX76QEjQNrcURxG8",
                1395658920,
                "<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>\n<MsgID>200163836</MsgID>\n\
                 <Status><![CDATA[success]]></Status>\n",
            ),
            ev(Event::TemplateSendJobFinish {
                msg_id: 200163836,
                status: "success".into(),
            }),
        ),
    ]
}

#[test]
fn every_documented_sample_parses_into_its_type() {
    for (name, xml, expected) in samples() {
        let push = Push::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}\n{xml}"));
        assert_eq!(push.body, expected, "{name}");
        assert!(
            !push.to_user_name.is_empty() && !push.from_user_name.is_empty(),
            "{name}"
        );
    }
}

#[test]
fn the_envelope_fields_are_read() {
    let (_, xml, _) = &samples()[0];
    let push = Push::parse(xml.as_bytes()).expect("text sample");
    assert_eq!(
        (push.to_user_name.as_str(), push.from_user_name.as_str()),
        ("toUser", "fromUser")
    );
    assert_eq!(push.create_time, 1348831860);
}

#[test]
fn every_sample_writes_back_to_xml_that_parses_to_the_same_value() {
    for (name, xml, _) in samples() {
        let push = Push::parse(xml.as_bytes()).expect(name);
        let again = Push::parse(push.to_xml().as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, push, "{name}");
    }
}

/// What the simulator sends (`PushSigner`, in each of WeChat's three modes) reaches a handler as the same typed push,
/// and raw XML signed as it is parses as the same push too: every documented sample, through `PushService`.
#[tokio::test]
async fn every_sample_signed_in_every_mode_reaches_the_handler_unchanged() {
    use std::sync::{Arc, Mutex};
    use wx_push::{EncodingAesKey, Mode, PushCipher, PushService, PushSigner, PushVerifier, Reply};
    const TOKEN: &str = "samples-token";
    const APPID: &str = "wx2c2769f8efd9abc2";
    let cipher = || {
        PushCipher::new(
            EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").expect("valid key"),
            APPID,
        )
    };
    let signers = [
        (Mode::Plain, PushSigner::plain(TOKEN)),
        (Mode::Compatible, PushSigner::compatible(TOKEN, cipher())),
        (Mode::Safe, PushSigner::safe(TOKEN, cipher())),
    ];
    let mut nonce = 0u32;
    for (name, xml, _) in samples() {
        let push = Push::parse(xml.as_bytes()).expect(name);
        for (mode, signer) in &signers {
            for raw in [false, true] {
                nonce += 1;
                // A service per delivery: each runs its handler once per push, and the samples share MsgIds.
                let received: Arc<Mutex<Vec<Push>>> = Arc::default();
                let seen = received.clone();
                let service = PushService::new(
                    PushVerifier::new(TOKEN, Some(cipher())).with_account_mode(Mode::Plain),
                    move |push: Push| {
                        seen.lock().expect("lock").push(push);
                        async { Reply::Success }
                    },
                );
                let now = wx_sign::unix_timestamp();
                let signed = if raw {
                    signer.sign_xml(&xml, now, &format!("n{nonce}"), &push.from_user_name)
                } else {
                    signer.sign(&push, now, &format!("n{nonce}"))
                }
                .expect("signs");
                let response = service.handle(&signed.query, signed.body.as_bytes()).await;
                assert_eq!(
                    (response.status, response.body.as_str()),
                    (200, "success"),
                    "{name} in {mode:?} (raw: {raw})"
                );
                let got = received.lock().expect("lock").clone();
                assert_eq!(got, vec![push.clone()], "{name} in {mode:?} (raw: {raw})");
            }
        }
    }
}

#[test]
fn tricky_text_round_trips() {
    let contents = [
        "",
        " padded ",
        "a]]>b",
        "]]>",
        "]]]]>>",
        "<not a tag> & \"quotes\"",
        "emoji 😀 中文",
        "line\nbreak",
        "crlf\r\nand cr\r",
    ];
    for content in contents {
        let push = Push {
            to_user_name: "gh_1".into(),
            from_user_name: "o_1".into(),
            create_time: 1,
            body: PushBody::Message(Message::Text {
                content: content.into(),
                msg_id: 7,
            }),
        };
        assert_eq!(Push::parse(push.to_xml().as_bytes()), Ok(push), "{content:?}");
    }
}

#[test]
fn unknown_types_keep_their_raw_xml_and_are_never_errors() {
    let cases = [
        (
            "miniprogrampage",
            None,
            Some(99),
            "<MsgType>miniprogrampage</MsgType><MsgId>99</MsgId><Title>x</Title>",
        ),
        (
            "event",
            Some("MASSSENDJOBFINISH"),
            None,
            "<MsgType>event</MsgType><Event>MASSSENDJOBFINISH</Event>",
        ),
        ("event", None, None, "<MsgType>event</MsgType>"),
        (
            "future",
            None,
            None,
            "<MsgType>future</MsgType><MsgId>not-a-number</MsgId>",
        ),
    ];
    for (msg_type, event, msg_id, body) in cases {
        let xml = format!("<xml>{}{body}</xml>", head("gh", "o", 5));
        let push = Push::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"));
        let expected = PushBody::Unknown {
            msg_type: msg_type.into(),
            event: event.map(Into::into),
            msg_id,
            raw_xml: xml.clone(),
        };
        assert_eq!(push.body, expected);
    }
}

#[test]
fn known_types_missing_a_field_or_with_a_bad_number_are_typed_errors() {
    let cases: [(&str, ParseError); 6] = [
        (
            "<MsgType>text</MsgType><MsgId>1</MsgId>",
            ParseError::MissingField {
                msg_type: "text".into(),
                field: "Content",
            },
        ),
        (
            "<MsgType>text</MsgType><Content>x</Content>",
            ParseError::MissingField {
                msg_type: "text".into(),
                field: "MsgId",
            },
        ),
        (
            "<MsgType>text</MsgType><Content>x</Content><MsgId>12ab</MsgId>",
            ParseError::BadNumber {
                field: "MsgId",
                value: "12ab".into(),
            },
        ),
        (
            "<MsgType>event</MsgType><Event>CLICK</Event>",
            ParseError::MissingField {
                msg_type: "event/CLICK".into(),
                field: "EventKey",
            },
        ),
        (
            "<MsgType>event</MsgType><Event>scancode_push</Event><EventKey>6</EventKey>",
            ParseError::MissingField {
                msg_type: "event/scancode_push".into(),
                field: "ScanCodeInfo",
            },
        ),
        (
            "<MsgType>location</MsgType><Location_X>north</Location_X><Location_Y>1</Location_Y><Scale>1</Scale><MsgId>1</MsgId>",
            ParseError::BadNumber {
                field: "Location_X",
                value: "north".into(),
            },
        ),
    ];
    for (body, expected) in cases {
        let xml = format!("<xml>{}{body}</xml>", head("gh", "o", 5));
        assert_eq!(Push::parse(xml.as_bytes()), Err(expected), "{body}");
    }
    let no_time = "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType></xml>";
    assert_eq!(
        Push::parse(no_time.as_bytes()),
        Err(ParseError::MissingField {
            msg_type: "push".into(),
            field: "CreateTime"
        })
    );
}

#[test]
fn messages_dedupe_by_msg_id_and_events_by_sender_and_time() {
    let all = samples();
    let text = Push::parse(all[0].1.as_bytes()).expect("text");
    assert_eq!(
        text.dedupe_key(),
        DedupeKey::Message {
            to: "toUser".into(),
            msg_id: 1234567890123456
        }
    );
    assert!(text.is_user_message());
    let scan = Push::parse(all[12].1.as_bytes()).expect("SCAN");
    assert_eq!(
        scan.dedupe_key(),
        DedupeKey::Event {
            to: "toUser".into(),
            from: "FromUser".into(),
            create_time: 123456789,
            event: "SCAN".into(),
            key: Some("SCENE_VALUE".into())
        }
    );
    assert!(!scan.is_user_message());
    // Two different events from one user in the same second are two pushes.
    let location = Push::parse(
        all[12]
            .1
            .replace("<Event><![CDATA[SCAN]]></Event>", "<Event><![CDATA[LOCATION]]></Event><Latitude>1</Latitude><Longitude>2</Longitude><Precision>3</Precision>")
            .as_bytes(),
    )
    .expect("LOCATION");
    assert_ne!(location.dedupe_key(), scan.dedupe_key());
    // Two template messages delivered to one user in the same second, told apart by their MsgID; a retry of
    // either is the same push.
    let finished = all
        .iter()
        .find(|(name, _, _)| *name == "TEMPLATESENDJOBFINISH")
        .map(|(_, xml, _)| xml.clone())
        .expect("sample");
    let first = Push::parse(finished.as_bytes()).expect("first");
    let second = Push::parse(finished.replace("200163836", "200163837").as_bytes()).expect("second");
    assert_ne!(first.dedupe_key(), second.dedupe_key());
    assert_eq!(
        first.dedupe_key(),
        Push::parse(finished.as_bytes()).expect("retry").dedupe_key()
    );
}

#[test]
fn fields_are_read_only_where_wechat_puts_them_and_the_first_copy_wins() {
    let cases = [
        (
            "a repeated field keeps its first value",
            "<MsgType>text</MsgType><Content>first</Content><Content>second</Content><MsgId>7</MsgId>",
            Ok("first"),
        ),
        (
            "a field nested where WeChat never puts it is ignored",
            "<MsgType>text</MsgType><Extra><Content>hidden</Content></Extra><Content>shown</Content><MsgId>7</MsgId>",
            Ok("shown"),
        ),
        (
            "an empty element is present with empty text",
            "<MsgType>text</MsgType><Content/><MsgId>7</MsgId>",
            Ok(""),
        ),
        (
            "text split by references and CDATA is joined",
            "<MsgType>text</MsgType><Content>a &amp; <![CDATA[<b>]]> c</Content><MsgId>7</MsgId>",
            Ok("a & <b> c"),
        ),
        (
            "a nested field outside its container does not count",
            "<MsgType>text</MsgType><ScanCodeInfo/><ScanType>qrcode</ScanType><MsgId>7</MsgId>",
            Err("Content"),
        ),
    ];
    for (name, body, want) in cases {
        let got = Push::parse(doc(body).as_bytes()).map(|p| match p.body {
            PushBody::Message(Message::Text { content, .. }) => content,
            other => panic!("{name}: not a text message: {other:?}"),
        });
        match (got, want) {
            (Ok(content), Ok(want)) => assert_eq!(content, want, "{name}"),
            (Err(ParseError::MissingField { field, .. }), Err(want)) => assert_eq!(field, want, "{name}"),
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
}
