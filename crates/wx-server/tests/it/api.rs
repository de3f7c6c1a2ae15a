//! The account API around the page: the card ticket and `GET /api/jssdk/card`, and the central credential
//! endpoints (`/api/token`, `/api/ticket/*`) with wx-api's `CentralToken` as their client.

use crate::common::{self, TEST_APPID, TEST_SECRET, inproc};
use serde_json::{Value, json};
use wx_api::{AccountClient, ApiError, CentralToken};
use wx_server::fake::{Endpoint, Fault};

const CENTRAL: &str = "central-token-for-tests-8c41d2";

async fn get(client: &reqwest::Client, url: &str, bearer: Option<&str>) -> (u16, Value) {
    let mut r = client.get(url);
    if let Some(b) = bearer {
        r = r.bearer_auth(b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The card signature as WeChat computes it: the values sorted as strings, concatenated, SHA-1 (Python's).
fn card_sign(values: &[&str]) -> String {
    let mut v: Vec<&str> = values.to_vec();
    v.sort_unstable();
    common::python_sha1(&v.concat())
}

#[tokio::test]
async fn card_parameters_are_signed_with_a_card_ticket_of_their_own() {
    let (fake, server) = inproc::start().await;
    let client = reqwest::Client::new();
    let choose =
        server.url("/api/jssdk/card?for=chooseCard&cardId=pFS7Fjg8kV1IdDz01r4SQwMkuCKc&cardType=GROUPON&shopId=1234");
    let (status, c) = get(&client, &choose, None).await;
    assert_eq!(status, 200, "{c}");
    let tickets = fake.control().valid_card_tickets(TEST_APPID);
    let jsapi = fake.control().valid_tickets(TEST_APPID);
    assert_eq!(tickets.len(), 1);
    assert!(!jsapi.contains(&tickets[0]), "the card ticket is not the jsapi ticket");
    let s = |k: &str| c[k].as_str().unwrap().to_owned();
    assert_eq!(
        (s("signType"), s("cardType"), s("shopId")),
        ("SHA1".into(), "GROUPON".into(), "1234".into())
    );
    let expected = card_sign(&[
        &tickets[0],
        TEST_APPID,
        "1234",
        &s("timestamp"),
        &s("nonceStr"),
        &s("cardId"),
        "GROUPON",
    ]);
    assert_eq!(s("cardSign"), expected);

    // addCard: cardExt is the JSON string WeChat expects, its signature over ticket, timestamp, card, code, openid, nonce.
    let add =
        server.url("/api/jssdk/card?for=addCard&cardId=pFS7Fjg8kV1IdDz01r4SQwMkuCKc&code=12345678&openid=o-fake-user");
    let (status, a) = get(&client, &add, None).await;
    assert_eq!(status, 200, "{a}");
    let ext: Value = serde_json::from_str(a["cardExt"].as_str().unwrap()).unwrap();
    let e = |k: &str| ext[k].as_str().unwrap().to_owned();
    let expected = card_sign(&[
        &tickets[0],
        &e("timestamp"),
        "pFS7Fjg8kV1IdDz01r4SQwMkuCKc",
        "12345678",
        "o-fake-user",
        &e("nonce_str"),
    ]);
    assert_eq!(e("signature"), expected);
    // Without code and openid: empty values, the same signature as WeChat's (empty strings sort first, add nothing).
    let (_, bare) = get(&client, &server.url("/api/jssdk/card?for=addCard&cardId=pCARD"), None).await;
    let ext: Value = serde_json::from_str(bare["cardExt"].as_str().unwrap()).unwrap();
    let e = |k: &str| ext[k].as_str().unwrap().to_owned();
    assert_eq!(
        e("signature"),
        card_sign(&[&tickets[0], &e("timestamp"), "pCARD", "", "", &e("nonce_str")])
    );

    // Cached: three signatures, one card ticket fetch.
    assert_eq!(fake.control().stats()[TEST_APPID].card_ticket, 1);

    let bad = [
        ("for=shareCard", "`for`"),
        ("for=addCard", "cardId"),
        ("for=chooseCard&cardId=a%20b", "`cardId`"),
        ("for=chooseCard&shopId=<script>", "`shopId`"),
        ("for=chooseCard&colour=red", "`colour`"),
    ];
    let long = format!("for=addCard&cardId=x&code={}", "9".repeat(65));
    for (query, names) in bad.iter().copied().chain([(long.as_str(), "`code`")]) {
        let (status, v) = get(&client, &server.url(&format!("/api/jssdk/card?{query}")), None).await;
        assert_eq!(status, 400, "{query}");
        assert!(v["message"].as_str().unwrap().contains(names), "{query}: {v}");
    }
}

#[tokio::test]
async fn a_cold_card_ticket_is_fetched_once_and_a_rejected_token_refetched_once() {
    let (fake, server) = inproc::start().await;
    let client = reqwest::Client::new();
    let url = server.url("/api/jssdk/card?for=chooseCard");
    let tasks = (0..40)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { get(&client, &url, None).await.0 })
        })
        .collect();
    assert!(inproc::join_all(tasks).await.iter().all(|s| *s == 200));
    assert_eq!(fake.control().stats()[TEST_APPID].card_ticket, 1);
    assert_eq!(inproc::counts(&fake).0, 1, "one token fetch");

    // A second account instance on a cold cache: getticket says the token is invalid (40001) once.
    let (fake, server) = inproc::start().await;
    inproc::inject(fake.control(), Endpoint::Getticket, Fault::Errcode(40001), Some(1));
    let (status, v) = get(&client, &server.url("/api/jssdk/card?for=chooseCard"), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(inproc::counts(&fake).0, 2, "the rejected token was fetched again, once");
}

#[tokio::test]
async fn central_endpoints_need_their_own_bearer_token_and_are_off_without_it() {
    let (_fake, off) = inproc::start().await;
    let client = reqwest::Client::new();
    for path in ["/api/token", "/api/ticket/jsapi", "/api/ticket/wx_card"] {
        let (status, v) = get(&client, &off.url(path), Some(CENTRAL)).await;
        assert_eq!(status, 404, "{path}");
        assert!(v["message"].as_str().unwrap().contains("WX_CENTRAL_TOKEN"));
    }
    let (fake, server) = inproc::start_with(inproc::fake_opts(7200), |s| s.central_token = Some(CENTRAL.into())).await;
    let wrong = &CENTRAL[..CENTRAL.len() - 1];
    for bearer in [None, Some(wrong), Some(TEST_SECRET)] {
        let (status, _) = get(&client, &server.url("/api/token"), bearer).await;
        assert_eq!(status, 401, "{bearer:?}");
    }
    let (status, t) = get(&client, &server.url("/api/token"), Some(CENTRAL)).await;
    assert_eq!(status, 200);
    assert!(t["expires_in"].as_u64().unwrap() > 6000, "{t}");
    let (_, j) = get(&client, &server.url("/api/ticket/jsapi"), Some(CENTRAL)).await;
    let (_, c) = get(&client, &server.url("/api/ticket/wx_card"), Some(CENTRAL)).await;
    assert_eq!(j["ticket"], fake.control().valid_tickets(TEST_APPID)[0]);
    assert_eq!(c["ticket"], fake.control().valid_card_tickets(TEST_APPID)[0]);
    let (status, _) = get(&client, &server.url("/api/ticket/nonsense"), Some(CENTRAL)).await;
    assert_eq!(status, 404);
    assert_eq!(inproc::counts(&fake).0, 1);
}

#[tokio::test]
async fn services_sharing_the_central_token_cost_wechat_one_fetch_and_heal_a_revoked_one() {
    let (fake, server) = inproc::start_with(inproc::fake_opts(7200), |s| s.central_token = Some(CENTRAL.into())).await;
    let tokens = CentralToken::new(&server.url(""), CENTRAL).unwrap();
    // Three services, each with its own client, all on the central token.
    let clients: Vec<_> = (0..3)
        .map(|_| AccountClient::new(&fake.base_url(), tokens.clone()).unwrap())
        .collect();
    for c in &clients {
        c.templates().await.unwrap();
        c.templates().await.unwrap();
    }
    assert_eq!(inproc::counts(&fake).0, 1, "the fake saw exactly one token fetch");

    // The token is revoked behind everyone's back (a forced stable_token elsewhere): the next call gets 40001,
    // reports exactly that token to the central server, which drops it and fetches one new token.
    let forced: Value = client_post(
        &format!("{}/cgi-bin/stable_token", fake.base_url()),
        json!({"grant_type": "client_credential", "appid": TEST_APPID, "secret": TEST_SECRET, "force_refresh": true}),
    )
    .await;
    clients[0].templates().await.unwrap();
    clients[1].templates().await.unwrap();
    assert_eq!(inproc::counts(&fake).0, 3, "initial + forced + one refetch");
    let (_, t) = get(&reqwest::Client::new(), &server.url("/api/token"), Some(CENTRAL)).await;
    assert_eq!(t["access_token"], forced["access_token"]);

    // A wrong bearer: the client's error says what the central server said, no secret in it.
    let bad = AccountClient::new(
        &fake.base_url(),
        CentralToken::new(&server.url(""), "wrong-bearer-token-000").unwrap(),
    )
    .unwrap();
    let err = bad.templates().await.unwrap_err();
    assert!(matches!(err, ApiError::Token(_)), "{err:?}");
    let shown = format!("{err}");
    assert!(shown.contains("401") && shown.contains("WX_CENTRAL_TOKEN"), "{shown}");
    assert!(!shown.contains(CENTRAL));
}

async fn client_post(url: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_push_handler_answers_success_now_and_a_customer_service_message_later() {
    use wx_push::{Push, Reply};
    let settings = inproc::mock_settings(|_| {});
    let listener = tokio::net::TcpListener::bind(settings.listen).await.unwrap();
    let server = wx_server::Server::start_with_account_handler(listener, settings, |client| {
        move |push: Push| {
            let client = client.clone();
            async move {
                // The long work happens after the reply, outside WeChat's 5 seconds.
                tokio::spawn(async move {
                    let done = wx_api::CustomerServiceMessage::text(push.from_user_name, "your report is ready");
                    if let Err(e) = client.send_custom(&done).await {
                        eprintln!("send_custom: {e}");
                    }
                });
                Reply::Success
            }
        }
    })
    .await
    .unwrap();
    assert!(
        server.app().account_client().templates().await.is_ok(),
        "the app's own client works too"
    );
    let client = reqwest::Client::new();
    let report: Value = client
        .post(server.url("/fake-wechat/test-only/push"))
        .json(&json!({"url": server.url("/wechat"), "push": {"type": "text", "content": "report please"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["status"], 200, "{report}");
    assert!(report["reply"].is_null(), "answered `success`: {report}");
    let account = server.url(&format!(
        "/fake-wechat/test-only/account?appid={}",
        wx_server::DEMO_APPID
    ));
    let mut sent = Value::Null;
    for _ in 0..100 {
        let (_, a) = get(&client, &account, None).await;
        sent = a["custom_messages"].clone();
        if sent.as_array().is_some_and(|s| !s.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        sent,
        json!([{"touser": "o-fake-user", "msgtype": "text", "text": {"content": "your report is ready"}}])
    );
}
