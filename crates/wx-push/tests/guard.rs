//! What keeps a captured request from being used again: the account's encryption mode (no downgrade to plain,
//! whose signature does not cover the body), the timestamp window, and each signed request accepted once, in
//! this process and through a shared [`ReplayStore`]. Every case goes through `PushService::handle` as the
//! server's route calls it.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wx_push::{
    EncodingAesKey, Mode, Push, PushBody, PushCipher, PushService, PushSigner, PushVerifier, ReplayFuture, ReplayStore,
    ReplayStoreError, Reply, SignedPush,
};

const TOKEN: &str = "guard-token";
const APPID: &str = "wx2c2769f8efd9abc2";

fn cipher() -> PushCipher {
    PushCipher::new(
        EncodingAesKey::parse("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").expect("valid key"),
        APPID,
    )
}

fn signer(mode: Mode) -> PushSigner {
    match mode {
        Mode::Plain => PushSigner::plain(TOKEN),
        Mode::Compatible => PushSigner::compatible(TOKEN, cipher()),
        Mode::Safe => PushSigner::safe(TOKEN, cipher()),
    }
}

fn nonce() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("g{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn subscribe_xml(scene: &str, create_time: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[o_someone]]></FromUserName>\
         <CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]>\
         </Event><EventKey><![CDATA[qrscene_{scene}]]></EventKey></xml>"
    )
}

fn text_xml(content: &str, msg_id: u64) -> String {
    format!(
        "<xml><ToUserName>gh_account</ToUserName><FromUserName>o_user</FromUserName><CreateTime>1</CreateTime>\
         <MsgType>text</MsgType><Content>{content}</Content><MsgId>{msg_id}</MsgId></xml>"
    )
}

fn sign_at(mode: Mode, xml: &str, timestamp: u64) -> SignedPush {
    signer(mode)
        .sign_xml(xml, timestamp, &nonce(), "o_user")
        .expect("signs")
}

fn sign(mode: Mode, xml: &str) -> SignedPush {
    sign_at(mode, xml, wx_sign::unix_timestamp())
}

/// A service whose handler counts its runs and echoes text (or names a subscribe's scene).
fn service(verifier: PushVerifier) -> (PushService, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let service = PushService::new(verifier, move |push: Push| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            match push.body {
                PushBody::Message(wx_push::Message::Text { content, .. }) => Reply::text(format!("echo {content}")),
                PushBody::Event(wx_push::Event::Subscribe { scene, .. }) => Reply::text(format!("scene {scene:?}")),
                _ => Reply::Success,
            }
        }
    });
    (service, runs)
}

fn reply_text(mode: Mode, body: &str) -> Option<String> {
    match signer(mode).open_reply(body).expect("readable").map(|m| m.reply) {
        Some(Reply::Text(t)) => Some(t),
        _ => None,
    }
}

#[tokio::test]
async fn a_push_in_a_weaker_mode_than_the_accounts_is_refused() {
    use Mode::{Compatible, Plain, Safe};
    // (account mode, push mode, accepted)
    let table = [
        (Plain, Plain, true),
        (Plain, Compatible, true),
        (Plain, Safe, true),
        (Compatible, Plain, false),
        (Compatible, Compatible, true),
        (Compatible, Safe, true),
        (Safe, Plain, false),
        (Safe, Compatible, false),
        (Safe, Safe, true),
    ];
    for (n, (account, push, accepted)) in table.into_iter().enumerate() {
        let (service, runs) = service(PushVerifier::new(TOKEN, Some(cipher())).with_account_mode(account));
        let signed = sign(push, &text_xml("hi", n as u64));
        let response = service.handle(&signed.query, signed.body.as_bytes()).await;
        let case = format!("account {account}, push {push}: {}", response.body);
        if accepted {
            assert_eq!(response.status, 200, "{case}");
            assert_eq!(reply_text(push, &response.body).as_deref(), Some("echo hi"), "{case}");
        } else {
            assert_eq!(response.status, 403, "{case}");
            assert!(response.body.contains("WX_ENCRYPTION_MODE"), "{case}");
            assert_eq!(runs.load(Ordering::SeqCst), 0, "{case}: the handler never runs");
        }
    }
}

#[tokio::test]
async fn a_safe_mode_query_stripped_of_its_encryption_cannot_carry_a_forged_body() {
    // The probe's attack: a safe-mode push's query seen in a log, `encrypt_type` and `msg_signature` dropped, any
    // body posted in plain. Its `signature` is genuine, so only the account's mode (implied by the key) stops it.
    let (service, runs) = service(PushVerifier::new(TOKEN, Some(cipher())));
    let genuine = sign(Mode::Safe, &text_xml("hello", 1));
    let stripped: Vec<&str> = genuine
        .query
        .split('&')
        .filter(|p| !p.starts_with("encrypt_type=") && !p.starts_with("msg_signature="))
        .collect();
    let forged = service
        .handle(&stripped.join("&"), subscribe_xml("FORGED", 1).as_bytes())
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(!forged.body.contains("FORGED"));
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    // The genuine push still goes through.
    let response = service.handle(&genuine.query, genuine.body.as_bytes()).await;
    assert_eq!(reply_text(Mode::Safe, &response.body).as_deref(), Some("echo hello"));
}

#[tokio::test]
async fn timestamps_outside_the_window_are_refused_in_every_mode_and_on_the_url_check() {
    let now = wx_sign::unix_timestamp();
    let window = Duration::from_secs(120);
    // (what, timestamp, accepted)
    let table = [
        ("now", now, true),
        ("just inside, past", now - 115, true),
        ("just inside, future", now + 115, true),
        ("just outside, past", now - 125, false),
        ("just outside, future", now + 125, false),
        ("the probe's 1", 1, false),
        ("the probe's 1000000000", 1_000_000_000, false),
    ];
    for mode in [Mode::Plain, Mode::Compatible, Mode::Safe] {
        let verifier = PushVerifier::new(TOKEN, Some(cipher()))
            .with_account_mode(Mode::Plain)
            .with_max_clock_skew(Some(window));
        let (service, _) = service(verifier);
        for (n, (what, timestamp, accepted)) in table.iter().enumerate() {
            let signed = sign_at(mode, &text_xml("t", n as u64), *timestamp);
            let response = service.handle(&signed.query, signed.body.as_bytes()).await;
            let expected = if *accepted { 200 } else { 403 };
            assert_eq!(response.status, expected, "{mode}, {what}: {}", response.body);
            if !accepted {
                assert!(response.body.contains("clock"), "{mode}, {what}: {}", response.body);
            }
            if mode == Mode::Plain {
                let check = service.verify_url(&format!("{}&echostr=4463380474612386548", signed.query));
                assert_eq!(check.status, expected, "URL check, {what}: {}", check.body);
            }
        }
    }
    // A timestamp that is not a number is no timestamp of WeChat's.
    let sig = wx_sign::server_signature(TOKEN, "soon", "n").expect("signs");
    let (service, _) = service(PushVerifier::new(TOKEN, None));
    let check = service.verify_url(&format!("signature={sig}&timestamp=soon&nonce=n&echostr=1"));
    assert_eq!(check.status, 403, "{}", check.body);
}

#[tokio::test]
async fn the_url_check_echoes_only_what_wechat_sends() {
    let (service, _) = service(PushVerifier::new(TOKEN, None));
    let ts = wx_sign::unix_timestamp().to_string();
    let sig = wx_sign::server_signature(TOKEN, &ts, "n").expect("signs");
    let long = "9".repeat(wx_push::MAX_ECHOSTR_LEN + 1);
    // (echostr as sent, status, body)
    let table = [
        ("4463380474612386548", 200, Some("4463380474612386548")),
        ("abc_DEF-123", 200, Some("abc_DEF-123")),
        ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", 400, None),
        ("a%20b", 400, None),
        ("", 400, None),
        (long.as_str(), 400, None),
    ];
    for (echostr, status, body) in table {
        let response = service.verify_url(&format!("signature={sig}&timestamp={ts}&nonce=n&echostr={echostr}"));
        assert_eq!(response.status, status, "{echostr}: {}", response.body);
        if let Some(body) = body {
            assert_eq!(response.body, body);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn each_signed_request_is_accepted_once_and_a_retry_shares_the_first_reply() {
    for mode in [Mode::Plain, Mode::Safe] {
        let verifier = PushVerifier::new(TOKEN, Some(cipher())).with_account_mode(mode);
        let (service, runs) = service(verifier);
        let push = sign(mode, &text_xml("once", 7));
        let first = service.handle(&push.query, push.body.as_bytes()).await;
        assert_eq!(reply_text(mode, &first.body).as_deref(), Some("echo once"), "{mode}");
        // WeChat's retry repeats the request byte for byte: the same reply, the handler not run again.
        let retry = service.handle(&push.query, push.body.as_bytes()).await;
        assert_eq!(retry.status, 200, "{mode}: {}", retry.body);
        assert_eq!(reply_text(mode, &retry.body).as_deref(), Some("echo once"), "{mode}");
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{mode}");
        if mode == Mode::Plain {
            // The query with another body (plain mode's signature does not cover it) is a forgery.
            let forged = service.handle(&push.query, subscribe_xml("FORGED", 1).as_bytes()).await;
            assert_eq!(forged.status, 403, "{}", forged.body);
            assert!(forged.body.contains("already received"), "{}", forged.body);
        }
        // Past the de-duplication window (30 s) the first reply is forgotten; the request is still remembered
        // (for twice the clock skew), so a repeat is a replay.
        tokio::time::advance(Duration::from_secs(31)).await;
        let replayed = service.handle(&push.query, push.body.as_bytes()).await;
        assert_eq!(replayed.status, 403, "{mode}: {}", replayed.body);
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{mode}");
    }
}

/// A store shared by "instances", as Redis would be; `down` makes it fail.
#[derive(Default)]
struct SharedSeen {
    keys: Mutex<HashSet<String>>,
    down: std::sync::atomic::AtomicBool,
    ttls: Mutex<Vec<Duration>>,
}

impl ReplayStore for SharedSeen {
    fn first_sighting<'a>(&'a self, key: &'a str, ttl: Duration) -> ReplayFuture<'a> {
        Box::pin(async move {
            if self.down.load(Ordering::SeqCst) {
                return Err(ReplayStoreError("connection refused".into()));
            }
            self.ttls.lock().expect("ttls").push(ttl);
            Ok(self.keys.lock().expect("keys").insert(key.to_owned()))
        })
    }
}

#[tokio::test]
async fn a_request_accepted_by_one_instance_is_refused_by_another_sharing_the_store() {
    let shared = Arc::new(SharedSeen::default());
    let instance = || {
        let (service, runs) = service(PushVerifier::new(TOKEN, Some(cipher())).with_account_mode(Mode::Safe));
        (service.with_replay_store(shared.clone()), runs)
    };
    let (a, runs_a) = instance();
    let (b, runs_b) = instance();
    let push = sign(Mode::Safe, &text_xml("shared", 9));
    assert_eq!(a.handle(&push.query, push.body.as_bytes()).await.status, 200);
    let replayed = b.handle(&push.query, push.body.as_bytes()).await;
    assert_eq!(replayed.status, 403, "{}", replayed.body);
    assert_eq!((runs_a.load(Ordering::SeqCst), runs_b.load(Ordering::SeqCst)), (1, 0));
    assert_eq!(
        shared.ttls.lock().expect("ttls").first(),
        Some(&Duration::from_secs(600)),
        "remembered for twice the default clock skew"
    );
    // A store outage does not stop pushes: each instance still judges by its own memory.
    shared.down.store(true, Ordering::SeqCst);
    let push = sign(Mode::Safe, &text_xml("outage", 10));
    assert_eq!(b.handle(&push.query, push.body.as_bytes()).await.status, 200);
    assert_eq!(runs_b.load(Ordering::SeqCst), 1);
    // Its own memory still turns a repeat into a retry of the first delivery, not a second run.
    assert_eq!(b.handle(&push.query, push.body.as_bytes()).await.status, 200);
    assert_eq!(runs_b.load(Ordering::SeqCst), 1);
}
