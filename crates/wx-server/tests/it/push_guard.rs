//! Forged and replayed pushes over real HTTP on loopback, as the adversarial probe sent them: a safe-mode query
//! stripped to plain mode carrying a forged body, timestamps from 1970 and 2001, a captured encrypted push sent
//! again after the de-duplication window, and to another instance sharing the store (Redis, and the file store).

use crate::common::{self, inproc};

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};
use std::time::Duration;
use wx_push::{EncodingAesKey, Event, Push, PushBody, PushCipher, PushSigner, Reply, SignedPush};
use wx_server::{DEMO_APPID, DEMO_ENCODING_AES_KEY, DEMO_TOKEN, Server, Settings, StoreSpec};

fn safe_signer() -> PushSigner {
    let key = EncodingAesKey::parse(DEMO_ENCODING_AES_KEY).unwrap();
    PushSigner::safe(DEMO_TOKEN, PushCipher::new(key, DEMO_APPID))
}

/// A `--mock` server, changed by `tweak`, whose handler counts its runs, greets a subscribe with its scene and
/// echoes text.
async fn start(tweak: impl FnOnce(&mut Settings)) -> (Server, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let handler = move |push: Push| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            match push.body {
                PushBody::Event(Event::Subscribe { scene: Some(scene), .. }) => {
                    Reply::text(format!("Welcome! You followed from scene {}.", scene.value))
                }
                PushBody::Message(wx_push::Message::Text { content, .. }) => Reply::text(content),
                _ => Reply::Success,
            }
        }
    };
    (inproc::start_mock_with_handler(tweak, handler).await, runs)
}

fn text_xml(content: &str, msg_id: u64) -> String {
    format!(
        "<xml><ToUserName>gh_demo</ToUserName><FromUserName>o_user</FromUserName><CreateTime>1</CreateTime>\
         <MsgType>text</MsgType><Content>{content}</Content><MsgId>{msg_id}</MsgId></xml>"
    )
}

const FORGED_SUBSCRIBE: &str = "<xml><ToUserName>gh_demo</ToUserName><FromUserName>o_anyone</FromUserName>\
    <CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event>\
    <EventKey>qrscene_FORGED</EventKey></xml>";

/// `(status, body)` of `POST /wechat?{query}` with `body`.
async fn post(server: &Server, query: &str, body: &str) -> (u16, String) {
    let r = common::client()
        .post(server.url(&format!("/wechat?{query}")))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn send(server: &Server, push: &SignedPush) -> (u16, String) {
    post(server, &push.query, &push.body).await
}

fn sign(signer: &PushSigner, xml: &str, timestamp: u64, nonce: &str) -> SignedPush {
    signer.sign_xml(xml, timestamp, nonce, "o_user").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_implies_compatible_mode_and_a_stripped_safe_query_cannot_carry_a_forged_body() {
    // No WX_ENCRYPTION_MODE: the configured EncodingAESKey implies compatible mode.
    let (server, runs) = start(|s| s.encryption_mode = None).await;
    let now = wx_sign::unix_timestamp();
    let genuine = sign(&safe_signer(), &text_xml("hello", 1), now, "nonce-a");
    let (status, reply) = send(&server, &genuine).await;
    assert_eq!(status, 200, "{reply}");
    let opened = safe_signer().open_reply(&reply).unwrap().unwrap();
    assert_eq!(opened.reply, Reply::text("hello"));
    // The probe: the same query without `encrypt_type` and `msg_signature`, and a forged subscribe in plain.
    let stripped: Vec<&str> = genuine
        .query
        .split('&')
        .filter(|p| !p.starts_with("encrypt_type=") && !p.starts_with("msg_signature="))
        .collect();
    let (status, body) = post(&server, &stripped.join("&"), FORGED_SUBSCRIBE).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        !body.contains("FORGED") && body.contains("WX_ENCRYPTION_MODE"),
        "{body}"
    );
    // A plain push with its own valid signature is refused the same way.
    let plain = sign(&PushSigner::plain(DEMO_TOKEN), FORGED_SUBSCRIBE, now, "nonce-b");
    assert_eq!(send(&server, &plain).await.0, 403);
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "only the genuine push reached the handler"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamps_outside_the_window_are_refused_on_pushes_and_the_url_check() {
    let (server, runs) = start(|s| s.timestamp_window = Duration::from_secs(60)).await;
    let now = wx_sign::unix_timestamp();
    let client = common::client();
    // (timestamp, accepted)
    let table = [
        (now, true),
        (now - 30, true),
        (now + 30, true),
        (now - 90, false),
        (now + 90, false),
        (1, false),
        (1_000_000_000, false),
    ];
    for (n, (timestamp, accepted)) in table.into_iter().enumerate() {
        let expected = if accepted { 200 } else { 403 };
        for (i, signer) in [PushSigner::plain(DEMO_TOKEN), safe_signer()].iter().enumerate() {
            let msg_id = (n * 2 + i) as u64;
            let push = sign(signer, &text_xml("t", msg_id), timestamp, &format!("n{msg_id}"));
            let (status, body) = send(&server, &push).await;
            assert_eq!(status, expected, "push at {timestamp} (now {now}): {body}");
        }
        let sig = wx_sign::server_signature(DEMO_TOKEN, &timestamp.to_string(), "n").unwrap();
        let r = client
            .get(server.url(&format!(
                "/wechat?signature={sig}&timestamp={timestamp}&nonce=n&echostr=123"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "URL check at {timestamp}");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 3 * 2);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captured_push_is_accepted_once_also_after_the_deduplication_window() {
    let (server, runs) = start(|_| {}).await;
    let now = wx_sign::unix_timestamp();
    // Plain mode: a query seen in a log cannot carry another body.
    let plain = sign(&PushSigner::plain(DEMO_TOKEN), &text_xml("plain", 1), now, "nonce-p");
    let first = send(&server, &plain).await;
    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!(
        send(&server, &plain).await,
        first,
        "WeChat's retry shares the first reply"
    );
    let (status, body) = post(&server, &plain.query, FORGED_SUBSCRIBE).await;
    assert_eq!(status, 403, "{body}");
    // Safe mode: a verbatim retry within WeChat's retry window shares the reply; past the 30 s de-duplication
    // window the same bytes are a replay.
    let safe = sign(&safe_signer(), &text_xml("safe", 2), now, "nonce-s");
    assert_eq!(send(&server, &safe).await.0, 200);
    assert_eq!(send(&server, &safe).await.0, 200, "WeChat's retry");
    assert_eq!(runs.load(Ordering::SeqCst), 2, "retries and the forgery ran nothing");
    tokio::time::sleep(Duration::from_secs(31)).await;
    let (status, body) = send(&server, &safe).await;
    assert_eq!(status, 403, "replayed after the de-duplication window: {body}");
    assert!(body.contains("already received"), "{body}");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    server.shutdown().await;
}

/// A request one instance accepted, sent verbatim to another sharing the store: with Redis, where pushes are
/// claimed, it is WeChat's retry and shares the first instance's reply (running nothing), while the same signature
/// over another push is refused; with the file store (no claims) it is refused as a replay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_accepted_by_one_instance_is_refused_or_shared_by_another_sharing_the_store() {
    let redis = common::Redis::start();
    let dir = common::TempDir::new("push-guard");
    let stores = [
        ("redis", StoreSpec::Redis(wx_server::Secret::new(redis.url()))),
        ("file", StoreSpec::File(dir.join("credentials.json"))),
    ];
    for (n, (kind, store)) in stores.into_iter().enumerate() {
        // Plain mode accepted too, for a signature that does not cover the body.
        let (a, runs_a) = start(|s| {
            s.store = store.clone();
            s.encryption_mode = Some(wx_push::Mode::Plain);
        })
        .await;
        let (b, runs_b) = start(|s| {
            s.store = store;
            s.encryption_mode = Some(wx_push::Mode::Plain);
        })
        .await;
        let push = sign(
            &safe_signer(),
            &text_xml(kind, n as u64),
            wx_sign::unix_timestamp(),
            kind,
        );
        let (status, first) = send(&a, &push).await;
        assert_eq!(status, 200, "{kind}");
        let (status, body) = send(&b, &push).await;
        if kind == "redis" {
            assert_eq!(status, 200, "{kind}: the verbatim retry is answered: {body}");
            let reply = |body: &str| safe_signer().open_reply(body).unwrap().map(|m| m.reply);
            assert_eq!(reply(&body), reply(&first), "{kind}: with the first instance's reply");
            // Plain mode's signature does not cover the body: another push under it is still a replay.
            let plain = sign(
                &PushSigner::plain(DEMO_TOKEN),
                &text_xml("plain", 100),
                wx_sign::unix_timestamp(),
                "p",
            );
            assert_eq!(send(&a, &plain).await.0, 200, "{kind}");
            let (status, body) = post(&b, &plain.query, &text_xml("forged", 101)).await;
            assert_eq!(status, 403, "{kind}: another push under an accepted signature: {body}");
        } else {
            assert_eq!(status, 403, "{kind}: the other instance accepted a replay: {body}");
        }
        // A ran the safe push (and with Redis the plain one); B ran nothing.
        let on_a = if kind == "redis" { 2 } else { 1 };
        assert_eq!(
            (runs_a.load(Ordering::SeqCst), runs_b.load(Ordering::SeqCst)),
            (on_a, 0),
            "{kind}"
        );
        // A fresh push still goes to either.
        let fresh = sign(
            &safe_signer(),
            &text_xml("fresh", 10 + n as u64),
            wx_sign::unix_timestamp(),
            "f",
        );
        assert_eq!(send(&b, &fresh).await.0, 200, "{kind}");
        a.shutdown().await;
        b.shutdown().await;
    }
}
