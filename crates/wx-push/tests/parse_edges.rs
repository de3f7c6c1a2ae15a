//! How the push parser reads text and nesting at the edges WeChat's samples do not reach: text in several pieces
//! (references, CDATA, comments, line ends), empty and repeated elements, elements inside fields and containers,
//! and the case rules for `MsgType` and `Event`. Each row is a whole body through `Push::parse`.

use wx_push::{Event, Message, ParseError, Push, PushBody, ScanCodeInfo, SendLocationInfo, SendPicsInfo};

const HEAD: &str = "<ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>5</CreateTime>";

fn parse(body: &str) -> Result<PushBody, ParseError> {
    Push::parse(format!("<xml>{HEAD}{body}</xml>").as_bytes()).map(|push| push.body)
}

/// The text of `<Content>` in a text message.
fn content(inner: &str) -> Result<String, ParseError> {
    match parse(&format!("<MsgType>text</MsgType>{inner}<MsgId>7</MsgId>"))? {
        PushBody::Message(Message::Text { content, .. }) => Ok(content),
        other => panic!("{inner}: not a text message: {other:?}"),
    }
}

#[test]
fn a_fields_text_is_joined_from_its_pieces() {
    let cases = [
        ("one CDATA section", "<Content><![CDATA[a b]]></Content>", "a b"),
        ("plain text keeps its spaces", "<Content>  a b  </Content>", "  a b  "),
        ("a reference first", "<Content>&lt;a</Content>", "<a"),
        ("only a reference", "<Content>&amp;</Content>", "&"),
        ("only a character reference", "<Content>&#20320;</Content>", "你"),
        (
            "text, references and CDATA",
            "<Content>a&amp;<![CDATA[b]]>&#x63;d</Content>",
            "a&bcd",
        ),
        ("an empty CDATA section first", "<Content><![CDATA[]]>z</Content>", "z"),
        (
            "two CDATA sections",
            "<Content><![CDATA[a]]]]><![CDATA[>b]]></Content>",
            "a]]>b",
        ),
        ("a comment between pieces", "<Content>a<!-- c -->b</Content>", "ab"),
        (
            "a processing instruction between pieces",
            "<Content>a<?pi x?>b</Content>",
            "ab",
        ),
        (
            "CR LF and CR in text become LF",
            "<Content>a\r\nb\rc</Content>",
            "a\nb\nc",
        ),
        (
            "CR LF in CDATA becomes LF",
            "<Content><![CDATA[a\r\nb]]></Content>",
            "a\nb",
        ),
        (
            "a CR written as a reference stays",
            "<Content>a&#13;b</Content>",
            "a\rb",
        ),
        ("an empty element", "<Content/>", ""),
        ("an element with no text", "<Content></Content>", ""),
        ("an empty first copy wins", "<Content/><Content>later</Content>", ""),
        (
            "text after an element inside the field is not read",
            "<Content>a<b>x</b>c</Content>",
            "a",
        ),
        (
            "an empty element inside the field ends its text",
            "<Content>a<br/>c</Content>",
            "a",
        ),
    ];
    for (name, inner, want) in cases {
        assert_eq!(content(inner).as_deref(), Ok(want), "{name}: {inner}");
    }
}

#[test]
fn numbers_are_read_from_their_trimmed_text() {
    let msg_id = |inner: &str| match parse(&format!("<MsgType>text</MsgType><Content>x</Content>{inner}")) {
        Ok(PushBody::Message(message)) => Ok(message.msg_id()),
        Ok(other) => panic!("{inner}: {other:?}"),
        Err(e) => Err(e),
    };
    assert_eq!(msg_id("<MsgId> 42\n</MsgId>"), Ok(42));
    assert_eq!(msg_id("<MsgId><![CDATA[42]]></MsgId>"), Ok(42));
    assert_eq!(msg_id("<MsgId>4&#50;</MsgId>"), Ok(42), "a number in pieces");
    assert_eq!(msg_id("<MsgId>42</MsgId><MsgId>43</MsgId>"), Ok(42));
    assert_eq!(
        msg_id("<MsgId/>"),
        Err(ParseError::BadNumber {
            field: "MsgId",
            value: String::new()
        })
    );
    assert_eq!(
        msg_id("<MsgId>4 2</MsgId>"),
        Err(ParseError::BadNumber {
            field: "MsgId",
            value: "4 2".into()
        })
    );
    let time = Push::parse(b"<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime> 9 </CreateTime><MsgType>event</MsgType><Event>unsubscribe</Event></xml>");
    assert_eq!(time.map(|push| push.create_time), Ok(9));
}

#[test]
fn the_root_may_have_any_name_and_only_its_children_are_fields() {
    let text = |xml: &str| match Push::parse(xml.as_bytes()).map(|push| push.body) {
        Ok(PushBody::Message(Message::Text { content, .. })) => Ok(content),
        Ok(other) => panic!("{xml}: {other:?}"),
        Err(e) => Err(e),
    };
    let fields = "<MsgType>text</MsgType><Content>c</Content><MsgId>1</MsgId>";
    assert_eq!(text(&format!("<push>{HEAD}{fields}</push>")), Ok("c".into()));
    assert_eq!(
        text(&format!("<xml><wrap>{HEAD}{fields}</wrap></xml>")),
        Err(ParseError::MissingField {
            msg_type: "push".into(),
            field: "ToUserName"
        }),
        "fields one level too deep"
    );
}

#[test]
fn containers_are_read_only_in_their_place() {
    let pics = |inner: &str| match parse(&format!(
        "<MsgType>event</MsgType><Event>pic_weixin</Event><EventKey>k</EventKey>{inner}"
    )) {
        Ok(PushBody::Event(Event::PicWeixin { pics, .. })) => Ok(pics),
        Ok(other) => panic!("{inner}: {other:?}"),
        Err(e) => Err(e),
    };
    let sums = |count: u32, sums: &[&str]| {
        Ok(SendPicsInfo {
            count,
            pic_md5_sums: sums.iter().map(|s| s.to_string()).collect(),
        })
    };
    let cases = [
        (
            "an item without PicMd5Sum is skipped; the first PicMd5Sum of an item wins",
            "<SendPicsInfo><Count>3</Count><PicList><item/><item><PicMd5Sum>a</PicMd5Sum><PicMd5Sum>b</PicMd5Sum></item>\
             <item><x><PicMd5Sum>deep</PicMd5Sum></x></item></PicList></SendPicsInfo>",
            sums(3, &["a"]),
        ),
        (
            "a second SendPicsInfo adds items and fills what the first lacked",
            "<SendPicsInfo><PicList><item><PicMd5Sum>a</PicMd5Sum></item></PicList></SendPicsInfo>\
             <SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo>",
            sums(2, &["a", "b"]),
        ),
        (
            "items outside PicList and PicMd5Sum outside item are not pictures",
            "<SendPicsInfo><Count>0</Count><item><PicMd5Sum>a</PicMd5Sum></item><PicList><PicMd5Sum>b</PicMd5Sum>\
             </PicList></SendPicsInfo><PicList><item><PicMd5Sum>c</PicMd5Sum></item></PicList>",
            sums(0, &[]),
        ),
        (
            "an unknown element inside the container hides what it holds",
            "<SendPicsInfo><Extra><Count>9</Count></Extra><Count>1</Count></SendPicsInfo>",
            sums(1, &[]),
        ),
        (
            "an empty container is there, without its fields",
            "<SendPicsInfo/><Count>1</Count>",
            Err(ParseError::MissingField {
                msg_type: "event/pic_weixin".into(),
                field: "Count",
            }),
        ),
    ];
    for (name, inner, want) in cases {
        assert_eq!(pics(inner), want, "{name}");
    }

    let scan = parse(
        "<MsgType>event</MsgType><Event>scancode_waitmsg</Event><ScanType>top</ScanType>\
         <ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo><ScanCodeInfo><ScanType>barcode</ScanType>\
         <ScanResult>r</ScanResult></ScanCodeInfo>",
    );
    assert_eq!(
        scan,
        Ok(PushBody::Event(Event::ScanCodeWaitMsg {
            key: String::new(),
            info: ScanCodeInfo {
                scan_type: "qrcode".into(),
                scan_result: "r".into()
            }
        }))
    );

    // The container's Location_X is not the message's, and the other way round.
    let location = parse(
        "<MsgType>event</MsgType><Event>location_select</Event><EventKey>k</EventKey><Location_X>1</Location_X>\
         <SendLocationInfo><Location_X>23</Location_X><Location_Y>113</Location_Y><Scale>15</Scale>\
         <Poiname>  </Poiname></SendLocationInfo>",
    );
    assert_eq!(
        location,
        Ok(PushBody::Event(Event::LocationSelect {
            key: "k".into(),
            location: SendLocationInfo {
                latitude: 23.0,
                longitude: 113.0,
                scale: 15,
                label: String::new(),
                poi_name: Some("  ".into()),
            }
        }))
    );
}

/// An element name holding a `/` (which quick-xml reads as one name) is just an unknown element: it is not a
/// path into a container.
#[test]
fn a_slash_in_an_element_name_is_not_a_path() {
    let body = parse(
        "<MsgType>event</MsgType><Event>scancode_push</Event><ScanCodeInfo/>\
         <ScanCodeInfo/ScanType>qrcode</ScanCodeInfo/ScanType><ScanCodeInfo><ScanResult>r</ScanResult></ScanCodeInfo>",
    );
    assert_eq!(
        body,
        Err(ParseError::MissingField {
            msg_type: "event/scancode_push".into(),
            field: "ScanType"
        })
    );
}

#[test]
fn event_names_and_the_event_type_ignore_case_but_message_types_do_not() {
    let cases = [
        (
            "<MsgType>EVENT</MsgType><Event>UnSubscribe</Event>",
            "event",
            "unsubscribe",
        ),
        (
            "<MsgType>event</MsgType><Event>click</Event><EventKey>k</EventKey>",
            "event",
            "CLICK",
        ),
        (
            "<MsgType>text</MsgType><Content>c</Content><MsgId>1</MsgId>",
            "message",
            "text",
        ),
        (
            "<MsgType>Text</MsgType><Content>c</Content><MsgId>1</MsgId>",
            "unknown",
            "Text",
        ),
    ];
    for (body, kind, name) in cases {
        let got = match parse(body) {
            Ok(PushBody::Event(event)) => ("event", event.name().to_owned()),
            Ok(PushBody::Message(message)) => ("message", message.msg_type().to_owned()),
            Ok(PushBody::Unknown { msg_type, .. }) => ("unknown", msg_type),
            Err(e) => panic!("{body}: {e}"),
        };
        assert_eq!(got, (kind, name.to_owned()), "{body}");
    }
    // An event this crate does not model keeps its name as sent, and a MsgId when there is one.
    assert_eq!(
        parse("<MsgType>Event</MsgType><Event>Future</Event><MsgId> 8 </MsgId>"),
        Ok(PushBody::Unknown {
            msg_type: "Event".into(),
            event: Some("Future".into()),
            msg_id: Some(8),
            raw_xml: format!("<xml>{HEAD}<MsgType>Event</MsgType><Event>Future</Event><MsgId> 8 </MsgId></xml>"),
        })
    );
    // A missing field of an event is reported under the event's name as sent.
    assert_eq!(
        parse("<MsgType>event</MsgType><Event>Click</Event>"),
        Err(ParseError::MissingField {
            msg_type: "event/Click".into(),
            field: "EventKey"
        })
    );
}
