//! `PushService::handle(query, body)` as the server's route calls it: signatures in every mode, status codes,
//! de-duplication (including retries that arrive while the first delivery is still running), the deadline, and
//! the demo handler. Timing tests run on tokio's paused clock, so they are deterministic.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use wx_push::{
    DemoHandler, EncodingAesKey, Event, MAX_BODY_BYTES, Message, Mode, Push, PushBody, PushCipher, PushService,
    PushSigner, PushVerifier, Reply, ScanCodeInfo, Scene, SignedPush,
};

const TOKEN: &str = "server-token";
const APPID: &str = "wx2c2769f8efd9abc2";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

fn cipher() -> PushCipher {
    PushCipher::new(EncodingAesKey::parse(KEY).expect("valid key"), APPID)
}

/// An account in plain mode with a key: every mode is accepted (the mode rules have their own tests).
fn verifier() -> PushVerifier {
    PushVerifier::new(TOKEN, Some(cipher())).with_account_mode(Mode::Plain)
}

fn signers() -> [(&'static str, PushSigner); 3] {
    [
        ("plain", PushSigner::plain(TOKEN)),
        ("safe", PushSigner::safe(TOKEN, cipher())),
        ("compatible", PushSigner::compatible(TOKEN, cipher())),
    ]
}

fn text(content: &str, msg_id: u64) -> Push {
    Push {
        to_user_name: "gh_account".into(),
        from_user_name: "o_user".into(),
        create_time: 1_700_000_000,
        body: PushBody::Message(Message::Text {
            content: content.into(),
            msg_id,
        }),
    }
}

fn event(event: Event, create_time: u64) -> Push {
    Push {
        to_user_name: "gh_account".into(),
        from_user_name: "o_user".into(),
        create_time,
        body: PushBody::Event(event),
    }
}

/// A fresh nonce per request, as WeChat sends: a plain push's signature covers only token, timestamp and nonce,
/// so two pushes with one nonce would be one signed request.
fn nonce() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("nonce{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Signed now, as WeChat signs.
fn sign(signer: &PushSigner, push: &Push) -> SignedPush {
    sign_at(signer, push, wx_sign::unix_timestamp())
}

fn sign_at(signer: &PushSigner, push: &Push, timestamp: u64) -> SignedPush {
    signer.sign(push, timestamp, &nonce()).expect("signs")
}

/// The reply text WeChat would show, read as WeChat reads it.
fn reply_text(signer: &PushSigner, body: &str) -> Option<String> {
    match signer.open_reply(body).expect("a readable reply").map(|m| m.reply) {
        Some(Reply::Text(t)) => Some(t),
        None => None,
        Some(other) => panic!("unexpected reply {other:?}"),
    }
}

fn echo() -> PushService {
    PushService::new(verifier(), |push: Push| async move {
        match push.body {
            PushBody::Message(Message::Text { content, .. }) => Reply::text(format!("echo: {content}")),
            _ => Reply::Success,
        }
    })
}

#[tokio::test]
async fn signed_pushes_in_every_mode_get_a_reply_readable_in_that_mode() {
    let service = echo();
    for (n, (mode, signer)) in signers().into_iter().enumerate() {
        let push = sign(&signer, &text("a]]>b 你好", n as u64));
        let response = service.handle(&push.query, push.body.as_bytes()).await;
        assert_eq!(response.status, 200, "{mode}: {}", response.body);
        assert!(response.content_type.starts_with("application/xml"), "{mode}");
        assert_eq!(
            response.body.contains("<Encrypt>"),
            mode != "plain",
            "{mode}: {}",
            response.body
        );
        assert_eq!(
            reply_text(&signer, &response.body).as_deref(),
            Some("echo: a]]>b 你好"),
            "{mode}"
        );
        let message = signer.open_reply(&response.body).expect("opens").expect("a reply");
        assert_eq!(
            (message.to_user_name.as_str(), message.from_user_name.as_str()),
            ("o_user", "gh_account")
        );
    }
}

#[tokio::test]
async fn requests_not_from_wechat_are_refused_before_the_body_is_read() {
    let service = echo();
    let plain = sign(&PushSigner::plain(TOKEN), &text("x", 1));
    let safe = sign(&PushSigner::safe(TOKEN, cipher()), &text("x", 2));
    let forged_plain = sign(&PushSigner::plain("wrong-token"), &text("x", 3));
    let forged_safe = sign(&PushSigner::safe("wrong-token", cipher()), &text("x", 4));
    let bomb = "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><xml>&a;</xml>";
    let cases: Vec<(&str, String, String, u16)> = vec![
        (
            "plain, wrong token",
            forged_plain.query.clone(),
            forged_plain.body.clone(),
            403,
        ),
        (
            "safe, wrong token",
            forged_safe.query.clone(),
            forged_safe.body.clone(),
            403,
        ),
        ("no query", String::new(), plain.body.clone(), 403),
        (
            "no signature",
            plain.query.replace("signature=", "sig="),
            plain.body.clone(),
            403,
        ),
        (
            "no timestamp",
            plain.query.replace("timestamp=", "ts="),
            plain.body.clone(),
            403,
        ),
        (
            "an XML bomb with a bad signature is a 403, not parsed",
            forged_plain.query.clone(),
            bomb.into(),
            403,
        ),
        (
            "an XML bomb with a good signature is a 400",
            plain.query.clone(),
            bomb.into(),
            400,
        ),
        (
            "safe, Encrypt swapped",
            safe.query.clone(),
            forged_safe.body.clone(),
            403,
        ),
        (
            "safe, no msg_signature",
            safe.query.replace("msg_signature=", "m="),
            safe.body.clone(),
            403,
        ),
        (
            "safe, no Encrypt",
            safe.query.clone(),
            "<xml><ToUserName>gh</ToUserName></xml>".into(),
            400,
        ),
        ("safe, hostile envelope", safe.query.clone(), bomb.into(), 400),
        (
            "unknown encrypt_type",
            plain.query.clone() + "&encrypt_type=rot13",
            plain.body.clone(),
            400,
        ),
        ("oversize", plain.query.clone(), "x".repeat(MAX_BODY_BYTES + 1), 413),
        ("not a push", plain.query.clone(), "<xml><Hello/></xml>".into(), 400),
    ];
    // What `admit` refuses from the query alone, before a server reads the body; the rest need the body.
    let decided_by_query = [
        "plain, wrong token",
        "no query",
        "no signature",
        "no timestamp",
        "an XML bomb with a bad signature is a 403, not parsed",
        "safe, no msg_signature",
        "unknown encrypt_type",
    ];
    for (name, query, body, status) in cases {
        let response = service.handle(&query, body.as_bytes()).await;
        assert_eq!(response.status, status, "{name}: {}", response.body);
        assert!(response.content_type.starts_with("text/plain"), "{name}");
        assert!(!response.body.contains(TOKEN), "{name}: the token must never be echoed");
        let in_two_steps = match service.admit(&query) {
            Err(refused) => {
                assert!(decided_by_query.contains(&name), "{name}: refused before the body");
                refused
            }
            Ok(admitted) => {
                assert!(!decided_by_query.contains(&name), "{name}: admitted");
                admitted.handle(body.as_bytes()).await
            }
        };
        assert_eq!(in_two_steps, response, "{name}");
    }
}

#[tokio::test]
async fn an_encrypted_push_without_a_configured_key_is_a_server_fault() {
    let service = PushService::new(PushVerifier::new(TOKEN, None), DemoHandler);
    let push = sign(&PushSigner::safe(TOKEN, cipher()), &text("x", 1));
    let response = service.handle(&push.query, push.body.as_bytes()).await;
    assert_eq!(response.status, 503);
    assert!(response.body.contains("EncodingAESKey"), "{}", response.body);
    // Only WeChat learns that: a push signed with another token is refused as any forgery is.
    let forged = sign(&PushSigner::safe("another-token", cipher()), &text("x", 2));
    let response = service.handle(&forged.query, forged.body.as_bytes()).await;
    assert_eq!(response.status, 403, "{}", response.body);
}

#[tokio::test]
async fn the_url_check_answers_echostr_only_to_a_valid_signature() {
    let service = echo();
    let signed = sign(&PushSigner::plain(TOKEN), &text("x", 1));
    let good = service.verify_url(&format!("{}&echostr=abc123", signed.query));
    assert_eq!((good.status, good.body.as_str()), (200, "abc123"));
    let forged = sign(&PushSigner::plain("other"), &text("x", 1));
    assert_eq!(
        service.verify_url(&format!("{}&echostr=abc123", forged.query)).status,
        403
    );
}

/// A handler that counts its runs and waits at a gate the test opens.
struct Gated {
    runs: Arc<AtomicUsize>,
    started: Arc<Notify>,
    gate: Arc<Notify>,
}

impl wx_push::PushHandler for Gated {
    async fn handle(&self, push: Push) -> Reply {
        self.runs.fetch_add(1, Ordering::SeqCst);
        self.started.notify_one();
        self.gate.notified().await;
        Reply::text(format!("run for {:?}", push.dedupe_key()))
    }
}

#[tokio::test(start_paused = true)]
async fn retries_arriving_while_the_handler_runs_share_its_reply() {
    for (mode, signer) in signers() {
        let (runs, started, gate) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(Notify::new()),
            Arc::new(Notify::new()),
        );
        let handler = Gated {
            runs: Arc::clone(&runs),
            started: Arc::clone(&started),
            gate: Arc::clone(&gate),
        };
        let service = PushService::new(verifier(), handler);
        let push = sign(&signer, &text("hello", 77));
        let deliver = |service: PushService, push: SignedPush| {
            tokio::spawn(async move { service.handle(&push.query, push.body.as_bytes()).await })
        };
        let first = deliver(service.clone(), push.clone());
        started.notified().await;
        // WeChat's retries: the same push again (a retry in safe mode is a fresh encryption of the same XML).
        let retries = [
            deliver(service.clone(), sign(&signer, &text("hello", 77))),
            deliver(service.clone(), push),
        ];
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            !first.is_finished() && retries.iter().all(|r| !r.is_finished()),
            "{mode}: all wait on the handler"
        );
        gate.notify_one();
        let first = first.await.expect("first delivery");
        let first_text = reply_text(&signer, &first.body);
        assert!(
            first_text.as_deref().is_some_and(|t| t.starts_with("run for")),
            "{mode}: {first:?}"
        );
        for retry in retries {
            let retry = retry.await.expect("retry");
            assert_eq!(reply_text(&signer, &retry.body), first_text, "{mode}");
            if mode == "plain" {
                assert_eq!(retry.body, first.body, "byte-identical reply, CreateTime included");
            }
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{mode}: the handler ran once");
    }
}

#[tokio::test]
async fn sequential_retries_get_the_same_reply_and_distinct_pushes_run_separately() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let service = PushService::new(verifier(), move |push: Push| {
        let n = counted.fetch_add(1, Ordering::SeqCst);
        async move {
            match push.body {
                PushBody::Event(_) => Reply::text(format!("event run {n}")),
                _ => Reply::text(format!("message run {n}")),
            }
        }
    });
    let signer = PushSigner::plain(TOKEN);
    let deliveries = [
        (text("a", 1), "message run 0"),
        (text("a", 1), "message run 0"),
        (text("a", 1), "message run 0"),
        (text("b", 2), "message run 1"),
        (event(Event::Click { key: "K".into() }, 100), "event run 2"),
        // Events are keyed by sender and CreateTime, as WeChat specifies.
        (event(Event::Click { key: "K".into() }, 100), "event run 2"),
        (event(Event::Click { key: "K".into() }, 101), "event run 3"),
    ];
    for (n, (push, expected)) in deliveries.into_iter().enumerate() {
        let signed = sign(&signer, &push);
        let response = service.handle(&signed.query, signed.body.as_bytes()).await;
        assert_eq!(
            reply_text(&signer, &response.body).as_deref(),
            Some(expected),
            "delivery {n}"
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 4);
}

/// A handler that takes `delay`, then reports the sender on the returned channel and replies `reply`.
fn slow_handler(delay: Duration, reply: &'static str) -> (impl wx_push::PushHandler, oneshot::Receiver<String>) {
    let (done_tx, done_rx) = oneshot::channel();
    let done_tx = Arc::new(std::sync::Mutex::new(Some(done_tx)));
    let handler = move |push: Push| {
        let done_tx = Arc::clone(&done_tx);
        async move {
            tokio::time::sleep(delay).await;
            if let Some(tx) = done_tx.lock().expect("lock").take() {
                let _ = tx.send(push.from_user_name.clone());
            }
            Reply::text(reply)
        }
    };
    (handler, done_rx)
}

#[tokio::test(start_paused = true)]
async fn past_the_deadline_wechat_gets_success_and_the_work_finishes_in_the_background() {
    let (handler, done_rx) = slow_handler(Duration::from_secs(10), "late");
    let service = PushService::new(verifier(), handler).with_deadline(Duration::from_secs(4));
    let signer = PushSigner::safe(TOKEN, cipher());
    let push = sign(&signer, &text("slow", 5));
    let started = tokio::time::Instant::now();
    let response = service.handle(&push.query, push.body.as_bytes()).await;
    assert_eq!((response.status, response.body.as_str()), (200, "success"));
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(4),
        "answered at the deadline (paused clock)"
    );
    let finished = tokio::time::timeout(Duration::from_secs(60), done_rx).await;
    assert_eq!(finished.expect("background work completes").expect("sent"), "o_user");
    // A retry after the work finished (WeChat retries when `success` was lost) gets the real reply.
    let retry = service.handle(&push.query, push.body.as_bytes()).await;
    assert_eq!(reply_text(&signer, &retry.body).as_deref(), Some("late"));
}

/// `Duration::MAX` is no deadline (computing it used to overflow the clock and panic).
#[tokio::test(start_paused = true)]
async fn an_unbounded_deadline_waits_for_the_handler() {
    let (handler, _done) = slow_handler(Duration::from_secs(10), "patient");
    let service = PushService::new(verifier(), handler).with_deadline(Duration::MAX);
    let signer = PushSigner::plain(TOKEN);
    let push = sign(&signer, &text("no deadline", 7));
    let response = service.handle(&push.query, push.body.as_bytes()).await;
    assert_eq!(response.status, 200);
    assert!(response.body.contains("<![CDATA[patient]]>"), "{}", response.body);
}

#[tokio::test(start_paused = true)]
async fn a_delivery_whose_caller_hangs_up_still_runs_its_handler_to_the_end() {
    let (handler, done_rx) = slow_handler(Duration::from_secs(1), "finished");
    let service = PushService::new(verifier(), handler);
    let signer = PushSigner::plain(TOKEN);
    let push = sign(&signer, &text("hang up", 6));
    // The connection drops after 100 ms: the request future is dropped with the handler mid-flight.
    let hung_up = tokio::time::timeout(
        Duration::from_millis(100),
        service.handle(&push.query, push.body.as_bytes()),
    )
    .await;
    assert!(hung_up.is_err(), "the handler was still running");
    let finished = tokio::time::timeout(Duration::from_secs(60), done_rx).await;
    assert!(
        matches!(finished, Ok(Ok(_))),
        "the handler ran to the end: {finished:?}"
    );
    let retry = service.handle(&push.query, push.body.as_bytes()).await;
    assert_eq!(reply_text(&signer, &retry.body).as_deref(), Some("finished"));
}

#[tokio::test]
async fn a_panicking_handler_or_an_invalid_reply_answers_success() {
    let service = PushService::new(verifier(), |push: Push| async move {
        match push.body {
            PushBody::Message(Message::Text { ref content, .. }) if content == "panic" => panic!("handler bug"),
            // Two articles answering a user's message: WeChat allows one.
            _ => Reply::news([wx_push::Article::default(), wx_push::Article::default()]),
        }
    });
    let signer = PushSigner::plain(TOKEN);
    for (n, content) in ["panic", "panic", "news"].into_iter().enumerate() {
        let push = sign(
            &signer,
            &text(content, if content == "panic" { 1 } else { 2 + n as u64 }),
        );
        let response = service.handle(&push.query, push.body.as_bytes()).await;
        assert_eq!((response.status, response.body.as_str()), (200, "success"), "{content}");
    }
}

#[tokio::test]
async fn the_demo_handler_echoes_greets_and_answers_scans() {
    let service = PushService::new(verifier(), DemoHandler);
    let scene = |value: &str| Scene {
        value: value.into(),
        ticket: Some("TICKET".into()),
    };
    let cases = [
        (text("hello", 1), Some("hello")),
        (
            event(
                Event::Subscribe {
                    scene: Some(scene("42")),
                },
                2,
            ),
            Some("Welcome! You followed from scene 42."),
        ),
        (event(Event::Subscribe { scene: None }, 3), Some("Welcome!")),
        (event(Event::Scan(scene("promo")), 4), Some("You scanned scene promo.")),
        (
            event(
                Event::ScanCodeWaitMsg {
                    key: "6".into(),
                    info: ScanCodeInfo {
                        scan_type: "qrcode".into(),
                        scan_result: "R".into(),
                    },
                },
                5,
            ),
            Some("Scanned qrcode: R"),
        ),
        (event(Event::Unsubscribe, 6), None),
    ];
    for (mode, signer) in signers() {
        for (push, expected) in &cases {
            let signed = sign(&signer, push);
            let response = service.handle(&signed.query, signed.body.as_bytes()).await;
            assert_eq!(
                reply_text(&signer, &response.body).as_deref(),
                *expected,
                "{mode} {push:?}"
            );
        }
    }
}

#[tokio::test]
async fn unknown_push_types_reach_the_handler() {
    let service = PushService::new(verifier(), |push: Push| async move {
        match push.body {
            PushBody::Unknown { msg_type, .. } => Reply::text(format!("unknown {msg_type}")),
            _ => Reply::Success,
        }
    });
    let xml = "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>9</CreateTime>\
               <MsgType>hologram</MsgType><MsgId>5</MsgId></xml>";
    for (mode, signer) in signers() {
        let signed = signer
            .sign_xml(xml, wx_sign::unix_timestamp(), &nonce(), "o")
            .expect("signs");
        let response = service.handle(&signed.query, signed.body.as_bytes()).await;
        assert_eq!(
            reply_text(&signer, &response.body).as_deref(),
            Some("unknown hologram"),
            "{mode}"
        );
    }
}

#[test]
fn reply_messages_are_what_open_reply_returns() {
    let signer = PushSigner::plain(TOKEN);
    assert_eq!(signer.open_reply("success"), Ok(None));
    assert_eq!(signer.open_reply(""), Ok(None));
    let message = Reply::text("x")
        .to_message(&text("y", 1), 5)
        .expect("valid")
        .expect("a message");
    assert_eq!(signer.open_reply(&message.to_xml()), Ok(Some(message.clone())));
    assert!(
        PushSigner::safe(TOKEN, cipher()).open_reply(&message.to_xml()).is_err(),
        "safe mode needs an envelope"
    );
}
