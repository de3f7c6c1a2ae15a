//! De-duplication across instances: two wx-servers on one Redis. WeChat's retry of a push that reaches the other
//! instance gets the first instance's reply, and the other instance's handler never runs; a Redis outage still
//! gets every push answered.

use crate::common::{Redis, client, inproc::start_mock_with_handler};
use std::{
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};
use wx_push::{EncodingAesKey, Message, Mode, Push, PushBody, PushCipher, PushSigner, Reply, SignedPush};
use wx_server::{DEMO_APPID, DEMO_ENCODING_AES_KEY, DEMO_TOKEN, Secret, Server, StoreSpec};

/// How long instance A's handler takes: longer than the moment the retry is sent, shorter than the deadline.
const SLOW: Duration = Duration::from_millis(1500);

/// An instance on `redis` whose handler counts its runs, takes `delay`, and answers `<name>: <content>`.
async fn instance(redis: &str, name: &'static str, delay: Duration) -> (Server, Arc<AtomicU32>) {
    let runs = Arc::new(AtomicU32::new(0));
    let counted = runs.clone();
    let url = redis.to_owned();
    let server = start_mock_with_handler(
        move |s| s.store = StoreSpec::Redis(Secret::new(url)),
        move |push: Push| {
            counted.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(delay).await;
                match push.body {
                    PushBody::Message(Message::Text { content, .. }) => Reply::text(format!("{name}: {content}")),
                    _ => Reply::Success,
                }
            }
        },
    )
    .await;
    (server, runs)
}

fn signer(mode: Mode) -> PushSigner {
    let cipher = || PushCipher::new(EncodingAesKey::parse(DEMO_ENCODING_AES_KEY).unwrap(), DEMO_APPID);
    match mode {
        Mode::Safe => PushSigner::safe(DEMO_TOKEN, cipher()),
        _ => PushSigner::plain(DEMO_TOKEN),
    }
}

fn text(content: &str, msg_id: u64) -> Push {
    Push {
        to_user_name: "gh_shared".into(),
        from_user_name: "o_shared".into(),
        create_time: wx_sign::unix_timestamp(),
        body: PushBody::Message(Message::Text {
            content: content.into(),
            msg_id,
        }),
    }
}

/// POSTs `signed` to `server`'s `/wechat`: the status, the reply's text as WeChat reads it, and how long it took.
async fn deliver(server_url: String, mode: Mode, signed: SignedPush) -> (u16, Option<String>, Duration) {
    let started = Instant::now();
    let r = client()
        .post(format!("{server_url}?{}", signed.query))
        .body(signed.body)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("answered within WeChat's 5 s");
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    let reply = match signer(mode).open_reply(&body) {
        Ok(Some(m)) => match m.reply {
            Reply::Text(t) => Some(t),
            other => Some(format!("{other:?}")),
        },
        Ok(None) => None,
        Err(e) => Some(format!("unreadable: {e}: {body}")),
    };
    (status, reply, started.elapsed())
}

/// A push reaches A, whose handler is slow; WeChat's retry reaches B while it runs, either signed afresh or
/// exactly as the first request. B answers with A's reply once A has it, and B's handler never runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_at_another_instance_gets_the_first_instances_reply() {
    let redis = Redis::start();
    let (a, a_runs) = instance(&redis.url(), "A", SLOW).await;
    let (b, b_runs) = instance(&redis.url(), "B", Duration::ZERO).await;
    let cases = [
        (Mode::Plain, true),
        (Mode::Plain, false),
        (Mode::Safe, true),
        (Mode::Safe, false),
    ];
    for (i, (mode, afresh)) in cases.into_iter().enumerate() {
        let what = format!("{mode:?}, retry signed afresh: {afresh}");
        let push = text(&format!("hello {i}"), 9_000 + i as u64);
        let first = signer(mode)
            .sign(&push, wx_sign::unix_timestamp(), &format!("first{i}"))
            .unwrap();
        let retry = if afresh {
            signer(mode)
                .sign(&push, wx_sign::unix_timestamp(), &format!("retry{i}"))
                .unwrap()
        } else {
            first.clone()
        };
        let at_a = tokio::spawn(deliver(a.url("/wechat"), mode, first));
        // The retry arrives while A's handler runs.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (status, reply, took) = deliver(b.url("/wechat"), mode, retry).await;
        let expected = Some(format!("A: hello {i}"));
        assert_eq!((status, &reply), (200, &expected), "{what}");
        assert!(took >= SLOW / 2, "B waited for A's reply ({took:?}): {what}");
        let (status, reply, _) = at_a.await.unwrap();
        assert_eq!((status, reply), (200, expected.clone()), "{what}");
        assert_eq!(
            a_runs.load(Ordering::SeqCst),
            i as u32 + 1,
            "A's handler ran once: {what}"
        );
        assert_eq!(b_runs.load(Ordering::SeqCst), 0, "B's handler never ran: {what}");

        // Once A has replied, a later retry at B answers at once from Redis (then from B's own memory).
        let late = signer(mode)
            .sign(&push, wx_sign::unix_timestamp(), &format!("late{i}"))
            .unwrap();
        let (status, reply, took) = deliver(b.url("/wechat"), mode, late).await;
        assert_eq!((status, reply), (200, expected), "{what}");
        assert!(took < SLOW, "{took:?}: {what}");
        assert_eq!(b_runs.load(Ordering::SeqCst), 0, "{what}");
    }
    // A push B sees first runs B's handler, once, and A shares its reply.
    let push = text("to B", 9_999);
    let to_b = signer(Mode::Plain)
        .sign(&push, wx_sign::unix_timestamp(), "b1")
        .unwrap();
    let to_a = signer(Mode::Plain)
        .sign(&push, wx_sign::unix_timestamp(), "a1")
        .unwrap();
    assert_eq!(
        deliver(b.url("/wechat"), Mode::Plain, to_b).await.1.as_deref(),
        Some("B: to B")
    );
    assert_eq!(
        deliver(a.url("/wechat"), Mode::Plain, to_a).await.1.as_deref(),
        Some("B: to B")
    );
    assert_eq!((a_runs.load(Ordering::SeqCst), b_runs.load(Ordering::SeqCst)), (4, 1));
    a.shutdown().await;
    b.shutdown().await;
}

/// With Redis gone, every push is still answered by the instance it reaches, within WeChat's 5 s (the handler
/// runs there; a retry at the other instance runs it again, as without a shared store).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_outage_does_not_stop_replies() {
    let mut redis = Redis::start();
    let (a, a_runs) = instance(&redis.url(), "A", Duration::ZERO).await;
    let (b, b_runs) = instance(&redis.url(), "B", Duration::ZERO).await;
    redis.kill();
    for (i, mode) in [Mode::Plain, Mode::Safe].into_iter().enumerate() {
        let push = text(&format!("outage {i}"), 7_000 + i as u64);
        let first = signer(mode)
            .sign(&push, wx_sign::unix_timestamp(), &format!("o{i}"))
            .unwrap();
        let retry = signer(mode)
            .sign(&push, wx_sign::unix_timestamp(), &format!("r{i}"))
            .unwrap();
        let (status, reply, took) = deliver(a.url("/wechat"), mode, first).await;
        assert_eq!(
            (status, reply.as_deref()),
            (200, Some(format!("A: outage {i}").as_str())),
            "{mode:?}"
        );
        assert!(took < Duration::from_millis(4500), "{took:?}");
        let (status, reply, _) = deliver(b.url("/wechat"), mode, retry).await;
        assert_eq!(
            (status, reply.as_deref()),
            (200, Some(format!("B: outage {i}").as_str())),
            "{mode:?}"
        );
    }
    assert_eq!((a_runs.load(Ordering::SeqCst), b_runs.load(Ordering::SeqCst)), (2, 2));
    a.shutdown().await;
    b.shutdown().await;
}
