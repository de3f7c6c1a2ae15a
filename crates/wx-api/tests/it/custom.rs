//! Customer-service messages: every msgtype in WeChat's shape, the 48-hour window, followers only.

use crate::common;
use serde_json::json;
use wx_api::{ApiError, Article, CustomerServiceMessage, InvalidRequest, MediaFile, MediaKind, MessageBody, Typing};

/// Whether an error is the expected variant.
type Is = fn(&ApiError) -> bool;

const USER: &str = "o-fake-user";

/// Media the account has (the fake answers 40007 for any other id): image, voice, video and thumb ids.
async fn uploaded(h: &common::Harness) -> [String; 4] {
    let mut ids = Vec::new();
    for (kind, name) in [
        (MediaKind::Image, "i.jpg"),
        (MediaKind::Voice, "v.amr"),
        (MediaKind::Video, "v.mp4"),
        (MediaKind::Thumb, "t.jpg"),
    ] {
        let file = MediaFile {
            filename: name.into(),
            bytes: vec![1, 2, 3],
        };
        ids.push(h.client.upload_media(kind, &file).await.unwrap().media_id);
    }
    [ids[0].clone(), ids[1].clone(), ids[2].clone(), ids[3].clone()]
}

fn bodies([image, voice, video, thumb]: [String; 4]) -> Vec<MessageBody> {
    vec![
        MessageBody::Text {
            content: "你好 hello".into(),
        },
        MessageBody::Image { media_id: image },
        MessageBody::Voice { media_id: voice },
        MessageBody::Video {
            media_id: video,
            thumb_media_id: thumb.clone(),
            title: "t".into(),
            description: "d".into(),
        },
        MessageBody::Music {
            title: "song".into(),
            description: "d".into(),
            musicurl: "https://example.com/a.mp3".into(),
            hqmusicurl: "https://example.com/a-hq.mp3".into(),
            thumb_media_id: thumb.clone(),
        },
        MessageBody::News(Article {
            title: "Open the page".into(),
            description: "from the scene".into(),
            url: "https://h5.example.com/?scene=42".into(),
            picurl: "https://h5.example.com/cover.png".into(),
        }),
        MessageBody::MpNewsArticle {
            article_id: "ARTICLE_ID".into(),
        },
        MessageBody::MiniProgramPage {
            title: "mp".into(),
            appid: "wx286b93c14bbf93aa".into(),
            pagepath: "pages/index".into(),
            thumb_media_id: thumb,
        },
    ]
}

#[tokio::test]
async fn every_msgtype_reaches_a_follower_inside_the_window_in_wechats_shape() {
    let h = common::start().await;
    h.follower(USER, true, Some(60)).await;
    let mut expected = Vec::new();
    for body in bodies(uploaded(&h).await) {
        let mut m = CustomerServiceMessage::new(USER, body);
        if m.body.msgtype() == "text" {
            m.kf_account = Some("test1@kftest".into());
        }
        h.client.send_custom(&m).await.unwrap();
        expected.push(m.to_json());
    }
    let sent = h.account().await["custom_messages"].clone();
    assert_eq!(sent, json!(expected));
    assert_eq!(sent[0]["customservice"]["kf_account"], "test1@kftest");
    assert_eq!(
        sent[5]["news"]["articles"][0]["url"],
        "https://h5.example.com/?scene=42"
    );

    h.client.typing(USER, Typing::Start).await.unwrap();
    h.client.typing(USER, Typing::Cancel).await.unwrap();
    let sent = h.account().await["custom_messages"].clone();
    assert_eq!(sent[8], json!({"touser": USER, "command": "Typing"}));
    assert_eq!(sent[9], json!({"touser": USER, "command": "CancelTyping"}));
}

#[tokio::test]
async fn the_window_opens_with_an_interaction_and_closes_48_hours_later() {
    let h = common::start().await;
    let hello = CustomerServiceMessage::text(USER, "hello");
    // The default follower has never interacted.
    let err = h.client.send_custom(&hello).await.unwrap_err();
    assert!(matches!(err, ApiError::OutsideWindow), "{err:?}");
    assert!(err.to_string().contains("48 hours"));
    assert!(matches!(
        h.client.typing(USER, Typing::Start).await,
        Err(ApiError::OutsideWindow)
    ));

    // A push the simulator sends is an interaction, whatever the server answers (here: nobody listens).
    let report = reqwest::Client::new()
        .post(format!("{}/test-only/push", h.fake.base_url()))
        .json(
            &json!({"url": "http://127.0.0.1:9/wechat", "push": {"type": "text", "content": "hi"},
                      "openid": USER, "attempts": 1, "timeout_ms": 500}),
        )
        .send()
        .await
        .unwrap();
    assert!(
        report.status().is_success() || report.status() == 400,
        "{}",
        report.status()
    );
    h.client.send_custom(&hello).await.unwrap();

    // 48 hours later the window has closed.
    h.control("clock", json!({"advance_secs": 48 * 3600})).await;
    assert!(matches!(
        h.client.send_custom(&hello).await,
        Err(ApiError::OutsideWindow)
    ));
    // Interacting 47 hours ago (on the shifted clock) is still inside.
    h.follower(USER, true, Some(47 * 3600)).await;
    h.client.send_custom(&hello).await.unwrap();
    assert_eq!(h.account().await["custom_messages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn strangers_unfollowers_and_bad_bodies_get_wechats_errcodes() {
    let h = common::start_with(wx_server::fake::FakeOptions {
        custom_message_limit: 2,
        ..Default::default()
    })
    .await;
    h.follower("o-gone", false, Some(10)).await;
    h.follower(USER, true, Some(10)).await;
    let to = |openid: &str, body| CustomerServiceMessage::new(openid, body);
    let text = || MessageBody::Text { content: "x".into() };
    let cases: Vec<(CustomerServiceMessage, Is, i64)> = vec![
        (
            to("o-stranger", text()),
            |e| matches!(e, ApiError::InvalidOpenid),
            40003,
        ),
        (to("o-gone", text()), |e| matches!(e, ApiError::NotFollower), 43004),
        (
            to(
                USER,
                MessageBody::Image {
                    media_id: String::new(),
                },
            ),
            |e| matches!(e, ApiError::InvalidMedia),
            40007,
        ),
        (
            to(
                USER,
                MessageBody::Image {
                    media_id: "never-uploaded".into(),
                },
            ),
            |e| matches!(e, ApiError::InvalidMedia),
            40007,
        ),
        (
            to(USER, MessageBody::Text { content: String::new() }),
            |e| matches!(e, ApiError::Other { errcode: 44004, .. }),
            44004,
        ),
    ];
    for (message, is, errcode) in cases {
        let err = h.client.send_custom(&message).await.unwrap_err();
        assert!(is(&err), "{errcode}: {err:?}");
        assert_eq!(err.errcode(), Some(errcode));
    }
    // Two messages per interaction here; the third is 45047.
    h.client.send_custom(&to(USER, text())).await.unwrap();
    h.client.send_custom(&to(USER, text())).await.unwrap();
    let err = h.client.send_custom(&to(USER, text())).await.unwrap_err();
    assert!(matches!(err, ApiError::MessageLimit), "{err:?}");

    // Refused before the call: an empty openid.
    let err = h.client.send_custom(&to("", text())).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Invalid(InvalidRequest::Field { field: "touser", .. })),
        "{err:?}"
    );
    assert_eq!(h.account().await["custom_messages"].as_array().unwrap().len(), 2);
}
