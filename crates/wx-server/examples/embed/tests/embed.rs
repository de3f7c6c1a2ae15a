//! The example as a user runs it: started as a process, its page served, a config it signs verified against the
//! fake WeChat's ticket, and a push through the fake answered by the example's own handler.

use sha1::Digest;
use wx_testkit::{Proc, client, get_json, get_text, post_json};

#[tokio::test]
async fn the_example_signs_a_config_and_answers_a_push_with_its_own_handler() {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wx-server-embed"));
    cmd.arg("127.0.0.1:0");
    let example = Proc::spawn(cmd);
    let base = example.base_url();
    let client = client();

    let page = get_text(&client, format!("{base}/")).await;
    assert!(page.contains("wx-server embedded"), "{page}");

    let url = format!("{base}/?from=test");
    let config = client
        .get(format!("{base}/api/jssdk/config"))
        .query(&[("url", &url)])
        .send()
        .await;
    let config: serde_json::Value = config.unwrap().json().await.unwrap();
    let appid = config["appId"].as_str().unwrap();
    let ticket = get_json(
        &client,
        format!("{base}/fake-wechat/test-only/jsapi-ticket?appid={appid}"),
    )
    .await;
    let canonical = format!(
        "jsapi_ticket={}&noncestr={}&timestamp={}&url={url}",
        ticket["ticket"].as_str().unwrap(),
        config["nonceStr"].as_str().unwrap(),
        config["timestamp"]
    );
    let signature: String = sha1::Sha1::digest(canonical)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(config["signature"], signature.as_str(), "{config}");

    let push = serde_json::json!({
        "url": format!("{base}/wechat"), "mode": "safe", "push": {"type": "text", "content": "hi"}
    });
    let report = post_json(&client, format!("{base}/fake-wechat/test-only/push"), &push).await;
    assert_eq!(report["reply"]["content"], "the embedding app got: hi", "{report}");
}
