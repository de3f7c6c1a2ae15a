//! Hostile bodies: entity bombs, external entities, DOCTYPEs, deep nesting, oversize, non-UTF-8. Each is refused
//! with a typed error before any expansion; text that merely *mentions* these constructs inside CDATA is fine.

use wx_push::{MAX_BODY_BYTES, Message, ParseError, Push, PushBody};

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"#;

const EXTERNAL_ENTITY: &str = r#"<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>"#;

fn text_push(content: &str) -> String {
    format!(
        "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>\
         <MsgType>text</MsgType><Content>{content}</Content><MsgId>1</MsgId></xml>"
    )
}

#[test]
fn hostile_bodies_are_refused_with_typed_errors() {
    let deep = format!("<xml>{}{}</xml>", "<a>".repeat(5_000), "</a>".repeat(5_000));
    let oversize = text_push(&"x".repeat(MAX_BODY_BYTES));
    let cases: Vec<(&str, Vec<u8>, ParseError)> = vec![
        ("billion laughs", BILLION_LAUGHS.into(), ParseError::Doctype),
        ("external entity", EXTERNAL_ENTITY.into(), ParseError::Doctype),
        ("bare DOCTYPE", b"<!DOCTYPE xml><xml/>".to_vec(), ParseError::Doctype),
        (
            "undeclared entity",
            text_push("&xxe;").into_bytes(),
            ParseError::Entity("xxe".into()),
        ),
        ("deep nesting", deep.into_bytes(), ParseError::TooDeep(8)),
        (
            "oversize",
            oversize.clone().into_bytes(),
            ParseError::TooLarge {
                len: oversize.len(),
                limit: MAX_BODY_BYTES,
            },
        ),
        ("not UTF-8", b"<xml>\xff\xfe</xml>".to_vec(), ParseError::NotUtf8),
    ];
    for (name, body, expected) in cases {
        assert_eq!(Push::parse(&body), Err(expected), "{name}");
    }
}

#[test]
fn malformed_xml_is_a_typed_error() {
    for body in [
        "",
        "not xml",
        "<xml><ToUserName>gh</xml>",
        "<xml><a></b></xml>",
        "<xml><Content><![CDATA[x</Content></xml>",
    ] {
        let result = Push::parse(body.as_bytes());
        assert!(
            matches!(result, Err(ParseError::Malformed(_) | ParseError::MissingField { .. })),
            "{body:?} gave {result:?}"
        );
    }
}

#[test]
fn predefined_and_character_references_are_decoded() {
    let push = Push::parse(text_push("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#20320;&#x597D;").as_bytes())
        .expect("parses");
    assert_eq!(
        push.body,
        PushBody::Message(Message::Text {
            content: "a <b> & \"c\" 'd' 你好".into(),
            msg_id: 1
        })
    );
}

#[test]
fn doctype_and_entities_inside_cdata_are_just_text() {
    let content = "<!DOCTYPE x [<!ENTITY a \"b\">]> &a;";
    let push = Push::parse(text_push(&format!("<![CDATA[{content}]]>")).as_bytes()).expect("parses");
    assert_eq!(
        push.body,
        PushBody::Message(Message::Text {
            content: content.into(),
            msg_id: 1
        })
    );
}

#[test]
fn a_body_at_the_limit_is_accepted() {
    let empty = text_push("");
    let at_limit = text_push(&"x".repeat(MAX_BODY_BYTES - empty.len()));
    assert_eq!(at_limit.len(), MAX_BODY_BYTES);
    assert!(Push::parse(at_limit.as_bytes()).is_ok());
}
