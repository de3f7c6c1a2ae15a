//! Passive replies: every type renders to WeChat's XML and parses back, To/From are swapped, `]]>` survives,
//! and news article limits depend on what is being answered.

use wx_push::{Article, Event, MAX_ARTICLES, Message, Music, Push, PushBody, Reply, ReplyError, ReplyMessage, Video};

fn push(body: PushBody) -> Push {
    Push {
        to_user_name: "gh_account".into(),
        from_user_name: "o_user".into(),
        create_time: 1,
        body,
    }
}

fn user_message() -> Push {
    push(PushBody::Message(Message::Text {
        content: "hi".into(),
        msg_id: 1,
    }))
}

fn event() -> Push {
    push(PushBody::Event(Event::Subscribe { scene: None }))
}

fn article(n: usize) -> Article {
    Article {
        title: format!("title {n}"),
        description: format!("d]]>{n}"),
        pic_url: "https://example.invalid/p.png".into(),
        url: format!("https://example.invalid/{n}?a=1&b=2"),
    }
}

fn replies() -> Vec<(&'static str, Reply, &'static str)> {
    vec![
        (
            "text",
            Reply::text("你好"),
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content>",
        ),
        (
            "image",
            Reply::image("media_id"),
            "<MsgType><![CDATA[image]]></MsgType><Image><MediaId><![CDATA[media_id]]></MediaId></Image>",
        ),
        (
            "voice",
            Reply::voice("media_id"),
            "<MsgType><![CDATA[voice]]></MsgType><Voice><MediaId><![CDATA[media_id]]></MediaId></Voice>",
        ),
        (
            "video",
            Reply::Video(Video {
                media_id: "m".into(),
                title: Some("t".into()),
                description: Some("d".into()),
            }),
            "<Video><MediaId><![CDATA[m]]></MediaId><Title><![CDATA[t]]></Title><Description><![CDATA[d]]></Description></Video>",
        ),
        (
            "video without title",
            Reply::Video(Video {
                media_id: "m".into(),
                title: None,
                description: None,
            }),
            "<Video><MediaId><![CDATA[m]]></MediaId></Video>",
        ),
        (
            "music",
            Reply::Music(Music {
                title: Some("TITLE".into()),
                description: Some("DESCRIPTION".into()),
                music_url: Some("MUSIC_Url".into()),
                hq_music_url: Some("HQ_MUSIC_Url".into()),
                thumb_media_id: "media_id".into(),
            }),
            "<HQMusicUrl><![CDATA[HQ_MUSIC_Url]]></HQMusicUrl><ThumbMediaId><![CDATA[media_id]]></ThumbMediaId></Music>",
        ),
        (
            "news",
            Reply::news([article(1)]),
            "<ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[title 1]]></Title>",
        ),
    ]
}

#[test]
fn every_reply_type_renders_swapped_and_parses_back() {
    for (name, reply, fragment) in replies() {
        let message = reply
            .to_message(&user_message(), 1700000000)
            .expect(name)
            .expect("not success");
        let xml = message.to_xml();
        assert!(
            xml.starts_with(
                "<xml><ToUserName><![CDATA[o_user]]></ToUserName><FromUserName><![CDATA[gh_account]]></FromUserName>\
                 <CreateTime>1700000000</CreateTime>"
            ),
            "{name}: {xml}"
        );
        assert!(xml.contains(fragment), "{name}: {xml}");
        assert_eq!(ReplyMessage::parse(xml.as_bytes()), Ok(message), "{name}");
    }
}

#[test]
fn cdata_terminators_in_content_round_trip() {
    for content in [
        "]]>",
        "a]]>b]]>c",
        "]]]]>>",
        "]",
        "]]",
        "<![CDATA[x]]>",
        "",
        "\r",
        "]]\r>",
    ] {
        let message = Reply::text(content)
            .to_message(&user_message(), 1)
            .expect("ok")
            .expect("a message");
        let xml = message.to_xml();
        assert_eq!(xml.matches("<Content>").count(), 1);
        let parsed = ReplyMessage::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{content:?}: {e}\n{xml}"));
        assert_eq!(parsed.reply, Reply::text(content), "{xml}");
    }
}

#[test]
fn success_is_no_message() {
    assert_eq!(Reply::Success.to_message(&user_message(), 1), Ok(None));
}

#[test]
fn news_article_limits_depend_on_what_is_answered() {
    let news = |n: usize| Reply::news((1..=n).map(article));
    let cases = [
        ("1 to a message", user_message(), 1, Ok(())),
        (
            "2 to a message",
            user_message(),
            2,
            Err(ReplyError::TooManyArticles {
                count: 2,
                limit: 1,
                context: "to a user's message",
            }),
        ),
        ("8 to an event", event(), MAX_ARTICLES, Ok(())),
        (
            "9 to an event",
            event(),
            9,
            Err(ReplyError::TooManyArticles {
                count: 9,
                limit: 8,
                context: "to an event",
            }),
        ),
        ("0 to an event", event(), 0, Err(ReplyError::NoArticles)),
    ];
    for (name, to, count, expected) in cases {
        let result = news(count).to_message(&to, 1);
        match expected {
            Ok(()) => {
                let message = result.unwrap_or_else(|e| panic!("{name}: {e}")).expect("a message");
                assert_eq!(ReplyMessage::parse(message.to_xml().as_bytes()), Ok(message), "{name}");
            }
            Err(e) => assert_eq!(result, Err(e), "{name}"),
        }
    }
}

#[test]
fn an_unknown_push_counts_as_a_message_unless_it_is_an_event() {
    let unknown = |msg_type: &str| {
        push(PushBody::Unknown {
            msg_type: msg_type.into(),
            event: None,
            msg_id: None,
            raw_xml: String::new(),
        })
    };
    let two = Reply::news([article(1), article(2)]);
    assert!(two.to_message(&unknown("miniprogrampage"), 1).is_err());
    assert!(two.to_message(&unknown("event"), 1).is_ok());
}

#[test]
fn malformed_replies_are_typed_errors() {
    let head = "<xml><ToUserName>o</ToUserName><FromUserName>gh</FromUserName><CreateTime>1</CreateTime>";
    for body in [
        "<MsgType>text</MsgType>",
        "<MsgType>image</MsgType>",
        "<MsgType>news</MsgType><ArticleCount>2</ArticleCount><Articles><item><Title>a</Title></item></Articles>",
        "<MsgType>hologram</MsgType>",
    ] {
        let xml = format!("{head}{body}</xml>");
        assert!(ReplyMessage::parse(xml.as_bytes()).is_err(), "{body}");
    }
}
