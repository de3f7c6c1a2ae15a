//! Template messages: send with an H5 link or a mini program, idempotence by client_msg_id, list, delete.

use crate::common;
use wx_api::{ApiError, MiniProgramLink, TemplateMessage, TemplateValue};
use wx_server::fake::DEMO_TEMPLATE_ID;

const USER: &str = "o-fake-user";

fn shipped(client_msg_id: Option<&str>) -> TemplateMessage {
    let mut m = TemplateMessage::new(USER, DEMO_TEMPLATE_ID);
    m.url = Some("https://h5.example.com/order/42".into());
    m.data
        .insert("character_string1".into(), TemplateValue { value: "42".into() });
    m.data.insert(
        "phrase2".into(),
        TemplateValue {
            value: "已发货".into()
        },
    );
    m.client_msg_id = client_msg_id.map(str::to_owned);
    m
}

#[tokio::test]
async fn a_template_message_is_sent_once_per_client_msg_id() {
    let h = common::start().await;
    // No window needed: template messages reach followers who have not interacted.
    let first = h.client.send_template(&shipped(Some("order-42"))).await.unwrap();
    let again = h.client.send_template(&shipped(Some("order-42"))).await.unwrap();
    assert_eq!(first, again);
    let other = h.client.send_template(&shipped(None)).await.unwrap();
    assert_ne!(first, other);

    let mut mini = shipped(Some("order-43"));
    mini.url = None;
    mini.miniprogram = Some(MiniProgramLink {
        appid: "wx286b93c14bbf93aa".into(),
        pagepath: "pages/order?id=43".into(),
    });
    h.client.send_template(&mini).await.unwrap();

    let sent = h.account().await["template_messages"].clone();
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 3, "the repeated client_msg_id sent nothing");
    assert_eq!(sent[0]["msgid"], first.0);
    assert_eq!(
        sent[0]["body"],
        serde_json::to_value(shipped(Some("order-42"))).unwrap()
    );
    assert_eq!(sent[2]["body"]["miniprogram"]["pagepath"], "pages/order?id=43");
}

#[tokio::test]
async fn unknown_templates_strangers_and_unfollowers_are_refused() {
    let h = common::start().await;
    h.follower("o-gone", false, None).await;
    let mut unknown = shipped(None);
    unknown.template_id = "no-such-template".into();
    let mut stranger = shipped(None);
    stranger.touser = "o-stranger".into();
    let mut gone = shipped(None);
    gone.touser = "o-gone".into();
    for (m, errcode) in [(unknown, 40037), (stranger, 40003), (gone, 43004)] {
        let err = h.client.send_template(&m).await.unwrap_err();
        assert_eq!(err.errcode(), Some(errcode), "{err:?}");
    }
    assert_eq!(h.account().await["template_messages"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn templates_are_listed_and_deleted() {
    let h = common::start().await;
    let list = h.client.templates().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].template_id, DEMO_TEMPLATE_ID);
    assert!(list[0].content.contains("{{character_string1.DATA}}"));
    h.client.delete_template(DEMO_TEMPLATE_ID).await.unwrap();
    assert!(h.client.templates().await.unwrap().is_empty());
    let err = h.client.delete_template(DEMO_TEMPLATE_ID).await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidTemplate), "{err:?}");
    // A deleted template can no longer be sent.
    assert!(matches!(
        h.client.send_template(&shipped(None)).await,
        Err(ApiError::InvalidTemplate)
    ));
}
