//! `POST /wechat` end to end on loopback: the fake WeChat's push simulator sends signed (and encrypted)
//! pushes to a real wx-server with WeChat's retry timing; replies are decrypted and signature-checked.

use crate::common::{
    self,
    inproc::{start_mock, start_mock_with_handler},
};

use std::{
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};
use wx_push::{Message, Push, PushBody, Reply};
use wx_server::{
    Server,
    fake::{PushMode, PushSimulator, PushTiming, SimulatedPush},
};

fn sim(server: &Server) -> PushSimulator {
    server.app().fake().unwrap().push_simulator().unwrap().clone()
}

fn text(content: &str) -> SimulatedPush {
    SimulatedPush::Text {
        content: content.into(),
        msg_id: None,
    }
}

const FAST: PushTiming = PushTiming {
    reply_timeout: Duration::from_secs(5),
    attempts: 1,
};

#[tokio::test]
async fn demo_handler_answers_in_every_mode() {
    let server = start_mock(|_| {}).await;
    let sim = sim(&server);
    let url = server.url("/wechat");
    let cases: Vec<(SimulatedPush, Option<&str>)> = vec![
        (text("hello ]]> <xml> & 你好"), Some("hello ]]> <xml> & 你好")),
        (
            SimulatedPush::Subscribe {
                scene: Some("spring-42".into()),
            },
            Some("Welcome! You followed from scene spring-42."),
        ),
        (SimulatedPush::Subscribe { scene: None }, Some("Welcome!")),
        (
            SimulatedPush::Scan { scene: "1234".into() },
            Some("You scanned scene 1234."),
        ),
        (SimulatedPush::Unsubscribe, None),
        (SimulatedPush::Click { key: "K".into() }, None),
    ];
    for mode in [PushMode::Plain, PushMode::Safe, PushMode::Compatible] {
        for (i, (push, expected)) in cases.iter().enumerate() {
            // Events are de-duplicated by sender + CreateTime: one sender per case, as distinct pushes.
            let openid = format!("o-{mode:?}-{i}");
            let report = sim.send(&url, mode, push, &openid, FAST).await.unwrap();
            assert_eq!(report.status, Some(200), "{mode:?} {push:?}: {report:?}");
            assert_eq!(report.reply_error, None, "{mode:?} {push:?}");
            assert_eq!(report.reply_text(), *expected, "{mode:?} {push:?}");
            let body = report.body.as_deref().unwrap();
            match (mode, expected) {
                (_, None) => assert_eq!(body, "success"),
                (PushMode::Plain, Some(_)) => assert!(body.contains("<MsgType><![CDATA[text]]></MsgType>")),
                // Encrypted modes: the reply travels only inside <Encrypt>, signed with MsgSignature.
                (_, Some(_)) => {
                    assert!(body.contains("<Encrypt>") && body.contains("<MsgSignature>"), "{body}");
                    assert!(!body.contains("CDATA[text]"), "{body}");
                }
            }
            if let Some(reply) = &report.reply {
                assert_eq!(reply.to_user_name, openid);
            }
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn refused_pushes_get_403_413_400_and_503() {
    let server = start_mock(|_| {}).await;
    let url = server.url("/wechat");
    let client = common::client();
    let signer = wx_push::PushSigner::plain(wx_server::DEMO_TOKEN);
    let good = signer
        .sign(&text("x").to_push("gh", "o", 1), wx_sign::unix_timestamp(), "nonce1")
        .unwrap();
    let wrong = wx_push::PushSigner::plain("not-the-token")
        .sign(&text("x").to_push("gh", "o", 1), wx_sign::unix_timestamp(), "n")
        .unwrap();
    let huge = format!("<xml><Content>{}</Content></xml>", "a".repeat(wx_push::MAX_BODY_BYTES));
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>\
                <xml><ToUserName>gh</ToUserName><Content>&lol2;</Content></xml>";
    let bomb_signed = signer.sign_xml(bomb, wx_sign::unix_timestamp(), "n2", "o").unwrap();
    let cases: Vec<(&str, String, String, u16)> = vec![
        ("signed by another token", wrong.query.clone(), wrong.body.clone(), 403),
        ("no signature", String::new(), good.body.clone(), 403),
        ("over 64 KiB", good.query.clone(), huge, 413),
        ("entity bomb", bomb_signed.query.clone(), bomb_signed.body.clone(), 400),
        (
            "signed, not XML",
            signer
                .sign_xml("hello", wx_sign::unix_timestamp(), "n3", "o")
                .unwrap()
                .query,
            "hello".into(),
            400,
        ),
        ("valid", good.query.clone(), good.body.clone(), 200),
    ];
    for (name, query, body, status) in cases {
        let started = Instant::now();
        let r = client.post(format!("{url}?{query}")).body(body).send().await.unwrap();
        let got = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert_eq!(got, status, "{name}: {text}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{name} took {:?}",
            started.elapsed()
        );
    }
    server.shutdown().await;

    // No Token configured: the POST, like the GET check, says what to set.
    let server = start_mock(|s| s.server_token = None).await;
    let r = client.post(server.url("/wechat")).body("<xml/>").send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.text().await.unwrap().contains("WX_TOKEN"));
    server.shutdown().await;
}

/// A body declared longer than the route's limit is refused as soon as its header arrives (it was waited for, and
/// answered 408 after 10 s): a validly signed push over 64 KiB, and an authorised admin request over 4 KiB.
#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_at_once() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start_mock(|s| {
        // Plain mode, so that the signed plain push below is admitted.
        s.encoding_aes_key = None;
        s.admin_token = Some(wx_server::Secret::new("admin-token-0123456789"));
    })
    .await;
    let ts = wx_sign::unix_timestamp().to_string();
    let signature = wx_sign::server_signature(wx_server::DEMO_TOKEN, &ts, "n").unwrap();
    let push = format!("/wechat?signature={signature}&timestamp={ts}&nonce=n");
    let over = wx_push::MAX_BODY_BYTES + 1;
    let cases = [
        (push.as_str(), "", 70_000),
        (push.as_str(), "", over),
        (
            "/api/qrcode",
            "Authorization: Bearer admin-token-0123456789\r\n",
            1_500_000,
        ),
    ];
    for (path, extra, length) in cases {
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let head = format!("POST {path} HTTP/1.1\r\nHost: x\r\n{extra}Content-Length: {length}\r\n\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        // The answer's head, without sending a byte of the body.
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match tokio::time::timeout(Duration::from_secs(15), stream.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
                other => panic!("{path} with Content-Length {length}: no answer ({other:?})"),
            }
        }
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{path} with Content-Length {length}: {answer}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{path} with Content-Length {length} took {:?}",
            started.elapsed()
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn a_plain_push_that_is_not_utf8_is_described_as_the_push_not_an_envelope() {
    let server = start_mock(|_| {}).await;
    let push = wx_push::PushSigner::plain(wx_server::DEMO_TOKEN)
        .sign_xml("<xml/>", wx_sign::unix_timestamp(), "utf8-nonce", "o")
        .unwrap();
    let r = common::client()
        .post(server.url(&format!("/wechat?{}", push.query)))
        .body(b"<xml><Content>\xff\xfe</Content></xml>".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(text.contains("not UTF-8") && !text.contains("encrypted"), "{text}");
    server.shutdown().await;
}

#[tokio::test]
async fn encrypted_push_without_a_key_is_a_server_fault_naming_nothing_secret() {
    let server = start_mock(|s| s.encoding_aes_key = None).await;
    // The in-process fake follows the server (no key); WeChat's side still encrypts with the demo key.
    assert!(matches!(
        sim(&server)
            .send(&server.url("/wechat"), PushMode::Safe, &text("x"), "o", FAST)
            .await,
        Err(wx_server::fake::SimulateError::NoKey(PushMode::Safe))
    ));
    let sim = PushSimulator::new(wx_server::fake::PushAccount::default()).unwrap();
    let url = server.url("/wechat");
    let report = sim.send(&url, PushMode::Safe, &text("x"), "o", FAST).await.unwrap();
    assert_eq!(report.status, Some(503), "{report:?}");
    // Plain mode keeps working.
    let report = sim
        .send(&url, PushMode::Plain, &text("plain"), "o", FAST)
        .await
        .unwrap();
    assert_eq!(report.reply_text(), Some("plain"));
    server.shutdown().await;
}

/// A handler that counts its calls and takes `delay`.
fn slow_echo(delay: Duration, calls: Arc<AtomicU32>, done: Arc<AtomicU32>) -> impl wx_push::PushHandler {
    move |push: Push| {
        let calls = calls.clone();
        let done = done.clone();
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(delay).await;
            done.fetch_add(1, Ordering::SeqCst);
            match push.body {
                PushBody::Message(Message::Text { content, .. }) => Reply::text(format!("slow {content}")),
                _ => Reply::Success,
            }
        }
    }
}

#[tokio::test]
async fn retries_share_one_handler_run_and_its_reply() {
    for mode in [PushMode::Plain, PushMode::Safe] {
        let (calls, done) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        // The handler outlasts the simulator's first attempt (500 ms) but not the server's deadline (4 s):
        // WeChat retries, the retry must not run the handler again and gets the first run's reply (the second
        // and third attempts leave 800 ms for a busy machine).
        let server = start_mock_with_handler(
            |_| {},
            slow_echo(Duration::from_millis(700), calls.clone(), done.clone()),
        )
        .await;
        let timing = PushTiming {
            reply_timeout: Duration::from_millis(500),
            attempts: 3,
        };
        let report = sim(&server)
            .send(&server.url("/wechat"), mode, &text("once"), "o-retry", timing)
            .await
            .unwrap();
        assert!(report.attempts.len() >= 2, "{mode:?}: expected a retry: {report:?}");
        assert!(report.attempts[0].status.is_none(), "{report:?}");
        assert_eq!(report.reply_text(), Some("slow once"), "{mode:?}: {report:?}");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "{mode:?}: the handler ran more than once"
        );
        server.shutdown().await;
    }
}

#[tokio::test]
async fn a_slow_handler_gets_success_inside_wechats_5_seconds_and_finishes_in_the_background() {
    let (calls, done) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    // Default deadline (4 s) and WeChat's own timing (5 s, 3 attempts): one attempt, answered `success`.
    let server = start_mock_with_handler(|_| {}, slow_echo(Duration::from_secs(6), calls.clone(), done.clone())).await;
    let started = Instant::now();
    let report = sim(&server)
        .send(
            &server.url("/wechat"),
            PushMode::Safe,
            &text("slow"),
            "o-slow",
            PushTiming::default(),
        )
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(report.attempts.len(), 1, "{report:?}");
    assert_eq!(report.status, Some(200));
    assert_eq!(report.body.as_deref(), Some("success"));
    assert_eq!(report.reply, None);
    // The work was not cancelled: it completes after the answer.
    let deadline = Instant::now() + Duration::from_secs(10);
    while done.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!((calls.load(Ordering::SeqCst), done.load(Ordering::SeqCst)), (1, 1));
    server.shutdown().await;
}

#[tokio::test]
async fn a_shorter_push_deadline_answers_success_sooner() {
    let (calls, done) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let handler = slow_echo(Duration::from_secs(2), calls.clone(), done);
    let server = start_mock_with_handler(|s| s.push_deadline = Duration::from_millis(200), handler).await;
    let report = sim(&server)
        .send(&server.url("/wechat"), PushMode::Plain, &text("x"), "o", FAST)
        .await
        .unwrap();
    assert_eq!(report.body.as_deref(), Some("success"));
    assert!(report.attempts[0].elapsed_ms < 2000, "{report:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn unanswered_pushes_are_delivered_three_times_then_given_up() {
    // A port nobody listens on: every attempt fails, spaced by the reply timeout.
    let port = common::free_port();
    let server = start_mock(|_| {}).await;
    let timing = PushTiming {
        reply_timeout: Duration::from_millis(100),
        attempts: wx_push::WECHAT_ATTEMPTS,
    };
    let started = Instant::now();
    let report = sim(&server)
        .send(
            &format!("http://127.0.0.1:{port}/wechat"),
            PushMode::Plain,
            &text("x"),
            "o",
            timing,
        )
        .await
        .unwrap();
    assert_eq!(report.attempts.len(), 3, "{report:?}");
    assert!(report.attempts.iter().all(|a| a.status.is_none() && a.error.is_some()));
    assert_eq!(report.status, None);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "attempts were not spaced"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_http_simulator_endpoint_pushes_to_the_mock_server() {
    let server = start_mock(|_| {}).await;
    let client = common::client();
    let endpoint = server.url("/fake-wechat/test-only/push");
    let target = server.url("/wechat");
    let ok = |body: serde_json::Value| {
        let client = client.clone();
        let endpoint = endpoint.clone();
        async move {
            let r = client.post(&endpoint).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, v) = ok(serde_json::json!({
        "url": target, "mode": "safe", "push": {"type": "text", "content": "via http"}, "timeout_ms": 5000
    }))
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["reply"]["content"], "via http", "{v}");
    assert_eq!(v["reply"]["msg_type"], "text");
    assert_eq!(v["attempts"].as_array().unwrap().len(), 1);

    let xml = "<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o]]></FromUserName>\
               <CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>\
               <EventKey><![CDATA[qrscene_777]]></EventKey><Ticket><![CDATA[t]]></Ticket></xml>";
    let (status, v) = ok(serde_json::json!({"url": target, "mode": "compatible", "xml": xml})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["reply"]["content"], "Welcome! You followed from scene 777.", "{v}");

    for bad in [
        serde_json::json!({"url": "http://example.com/wechat", "push": {"type": "unsubscribe"}}),
        serde_json::json!({"url": target, "push": {"type": "unsubscribe"}, "xml": "<xml/>"}),
        serde_json::json!({"url": target}),
        serde_json::json!({"url": target, "push": {"type": "nope"}}),
    ] {
        let (status, v) = ok(bad.clone()).await;
        assert_eq!(status, 400, "{bad} → {v}");
        assert_eq!(v["error"], "bad_push_request");
    }
    server.shutdown().await;
}

#[test]
fn the_encoding_aes_key_is_validated_at_start_up_without_being_quoted() {
    let base = || wx_server::ServeArgs {
        appid: Some(common::TEST_APPID.into()),
        appsecret: Some("s".into()),
        js_domains: Some("example.com".into()),
        store: Some("memory".into()),
        ..Default::default()
    };
    let short = "Sh0rtKeyLeakCheck";
    let not_base64 = "!!!!notbase64notbase64notbase64notbase64!!!";
    for bad in [short, not_base64, ""] {
        let args = wx_server::ServeArgs {
            encoding_aes_key: Some(bad.into()),
            ..base()
        };
        let e = args.into_settings().unwrap_err().to_string();
        assert!(e.starts_with("WX_ENCODING_AES_KEY is invalid"), "{e}");
        assert!(bad.is_empty() || !e.contains(bad), "the key leaked: {e}");
    }
    let good = wx_server::ServeArgs {
        encoding_aes_key: Some(wx_server::DEMO_ENCODING_AES_KEY.into()),
        ..base()
    };
    let s = good.into_settings().unwrap();
    assert!(s.encoding_aes_key.is_some());
    assert!(!format!("{s:?}").contains(wx_server::DEMO_ENCODING_AES_KEY));
    // Optional outside --mock; --mock uses the demo key the fake knows.
    assert!(base().into_settings().unwrap().encoding_aes_key.is_none());
}

#[tokio::test]
async fn the_mock_fake_pushes_with_the_servers_own_token_and_key() {
    let server = start_mock(|s| {
        s.server_token = Some("custom-token-for-this-test".into());
        s.encoding_aes_key = Some("0123456789abcdefghijklmnopqrstuvwxyzABCDEFG".into());
    })
    .await;
    let report = sim(&server)
        .send(&server.url("/wechat"), PushMode::Safe, &text("mine"), "o", FAST)
        .await
        .unwrap();
    assert_eq!(report.reply_text(), Some("mine"), "{report:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn the_standalone_fake_pushes_to_a_served_backend_with_the_given_token_and_key() {
    const TOKEN: &str = "standalone-token-1";
    const KEY: &str = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkj";
    let fake = common::fake_wechat(&["--push-token", TOKEN, "--push-aes-key", KEY]);
    let fake_url = fake.base_url();
    let keys = [
        ("WX_TOKEN", TOKEN),
        ("WX_ENCODING_AES_KEY", KEY),
        // Every mode, as an account switched between them in WeChat's console.
        ("WX_ENCRYPTION_MODE", "plain"),
    ];
    let server = common::Proc::spawn(common::serve(&fake_url, "memory", &keys));
    let target = format!("{}/wechat", server.base_url());
    let client = common::client();
    for mode in ["plain", "safe", "compatible"] {
        let v = common::post_json(
            &client,
            format!("{fake_url}/test-only/push"),
            &serde_json::json!({"url": target, "mode": mode, "push": {"type": "scan", "scene": "s-9"}, "openid": format!("o-{mode}")}),
        )
        .await;
        assert_eq!(v["reply"]["content"], "You scanned scene s-9.", "{mode}: {v}");
    }
    let bad = common::wx_server()
        .args(["fake-wechat", "--listen", "127.0.0.1:0", "--push-aes-key", "too-short"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("--push-aes-key") && !stderr.contains("too-short"),
        "{stderr}"
    );
}
