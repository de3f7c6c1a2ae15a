//! De-duplication across instances through a shared [`ClaimStore`]: two `PushService`s (two instances) on one
//! store; the retry of a push at the second waits for and answers with the first's reply, and a store that fails
//! never stops a reply.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wx_push::{
    ClaimFuture, ClaimStore, ClaimStoreError, Claimed, Push, PushBody, PushService, PushSigner, PushVerifier, Reply,
};

const TOKEN: &str = "claims-token";

/// A store shared by the "instances" of one test (a real one is Redis; expiry is not modelled here).
#[derive(Default)]
struct SharedClaims(Mutex<HashMap<String, Claimed>>);

impl ClaimStore for SharedClaims {
    fn claim<'a>(&'a self, key: &'a str, _ttl: Duration) -> ClaimFuture<'a, Option<Claimed>> {
        let mut claims = self.0.lock().unwrap();
        let held = claims.get(key).cloned();
        if held.is_none() {
            claims.insert(key.to_owned(), Claimed::Running);
        }
        Box::pin(async move { Ok(held) })
    }
    fn reply<'a>(&'a self, key: &'a str, reply: Option<&'a str>) -> ClaimFuture<'a, ()> {
        if let Some(held) = self.0.lock().unwrap().get_mut(key) {
            *held = Claimed::Replied(reply.map(str::to_owned));
        }
        Box::pin(async { Ok(()) })
    }
    fn peek<'a>(&'a self, key: &'a str) -> ClaimFuture<'a, Option<Claimed>> {
        let held = self.0.lock().unwrap().get(key).cloned();
        Box::pin(async move { Ok(held) })
    }
}

/// A store that is down.
struct Down;

impl ClaimStore for Down {
    fn claim<'a>(&'a self, _: &'a str, _: Duration) -> ClaimFuture<'a, Option<Claimed>> {
        Box::pin(async { Err(ClaimStoreError("connection refused".into())) })
    }
    fn reply<'a>(&'a self, _: &'a str, _: Option<&'a str>) -> ClaimFuture<'a, ()> {
        Box::pin(async { Err(ClaimStoreError("connection refused".into())) })
    }
    fn peek<'a>(&'a self, _: &'a str) -> ClaimFuture<'a, Option<Claimed>> {
        Box::pin(async { Err(ClaimStoreError("connection refused".into())) })
    }
}

/// An instance: its handler counts runs, takes `delay`, and answers `<name>: <content>`.
fn instance(name: &'static str, delay: Duration, store: Arc<dyn ClaimStore>) -> (PushService, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let service = PushService::new(PushVerifier::new(TOKEN, None), move |push: Push| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            tokio::time::sleep(delay).await;
            match push.body {
                PushBody::Message(wx_push::Message::Text { content, .. }) => Reply::text(format!("{name}: {content}")),
                _ => Reply::Success,
            }
        }
    })
    .with_claim_store(store);
    (service, runs)
}

fn text(content: &str, msg_id: u64) -> Push {
    Push {
        to_user_name: "gh".into(),
        from_user_name: "o".into(),
        create_time: 1,
        body: PushBody::Message(wx_push::Message::Text {
            content: content.into(),
            msg_id,
        }),
    }
}

async fn send(service: &PushService, push: &Push, nonce: &str) -> (u16, Option<String>) {
    let signed = PushSigner::plain(TOKEN)
        .sign(push, wx_sign::unix_timestamp(), nonce)
        .unwrap();
    let response = service.handle(&signed.query, signed.body.as_bytes()).await;
    let reply = PushSigner::plain(TOKEN)
        .open_reply(&response.body)
        .unwrap()
        .map(|m| match m.reply {
            Reply::Text(t) => t,
            other => format!("{other:?}"),
        });
    (response.status, reply)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_at_another_instance_waits_for_and_shares_the_first_reply() {
    let store: Arc<SharedClaims> = Arc::default();
    let (a, a_runs) = instance("A", Duration::from_millis(300), store.clone());
    let (b, b_runs) = instance("B", Duration::ZERO, store.clone());
    let push = text("hi", 1);
    let first = tokio::spawn({
        let (a, push) = (a.clone(), push.clone());
        async move { send(&a, &push, "first").await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    assert_eq!(
        send(&b, &push, "retry").await,
        (200, Some("A: hi".into())),
        "B answers with A's reply"
    );
    assert!(started.elapsed() >= Duration::from_millis(100), "after waiting for it");
    assert_eq!(first.await.unwrap(), (200, Some("A: hi".into())));
    // Settled: B's own memory answers further retries; a push B sees first is B's.
    assert_eq!(send(&b, &push, "again").await, (200, Some("A: hi".into())));
    assert_eq!(send(&b, &text("yo", 2), "b").await, (200, Some("B: yo".into())));
    assert_eq!(send(&a, &text("yo", 2), "a").await, (200, Some("B: yo".into())));
    assert_eq!((a_runs.load(Ordering::SeqCst), b_runs.load(Ordering::SeqCst)), (1, 1));
}

#[tokio::test]
async fn a_store_that_fails_never_stops_a_reply() {
    let (a, a_runs) = instance("A", Duration::ZERO, Arc::new(Down));
    let (b, b_runs) = instance("B", Duration::ZERO, Arc::new(Down));
    let push = text("hi", 1);
    assert_eq!(send(&a, &push, "1").await, (200, Some("A: hi".into())));
    assert_eq!(
        send(&b, &push, "2").await,
        (200, Some("B: hi".into())),
        "handled where it lands"
    );
    assert_eq!(
        send(&a, &push, "3").await,
        (200, Some("A: hi".into())),
        "this process's memory still applies"
    );
    assert_eq!((a_runs.load(Ordering::SeqCst), b_runs.load(Ordering::SeqCst)), (1, 1));
}
