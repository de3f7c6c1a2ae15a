//! `cargo bench -p wx-server --bench push_dedupe` (run by `cargo xtask bench`): what de-duplication across
//! instances costs per push. `PushService::handle` (verify, parse, de-duplicate, echo, reply) on signed plain text
//! pushes, each its own MsgId, with this process's cache alone and with the Redis claims (`RedisClaims` on a
//! redis-server of the bench's own on loopback: one claim round trip and one reply write per push), in the same
//! run, in alternating rounds; medians and their ratio are printed.
//!
//! Bounded in count (`PUSHES` per round, `ROUNDS` rounds each) and time (a round stops after `ROUND_LIMIT`).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use wx_push::{Message, Push, PushBody, PushService, PushSigner, PushVerifier, Reply, SignedPush};
use wx_server::store::{RedisClaims, RedisStore};

const TOKEN: &str = "bench-token";
const PUSHES: usize = 2_000;
const ROUNDS: usize = 5;
const ROUND_LIMIT: Duration = Duration::from_secs(10);

fn echo(push: Push) -> std::future::Ready<Reply> {
    std::future::ready(match push.body {
        PushBody::Message(Message::Text { content, .. }) => Reply::text(content),
        _ => Reply::Success,
    })
}

/// `PUSHES` signed pushes with MsgIds from `first`: signed before the clock starts.
fn pushes(first: u64) -> Vec<SignedPush> {
    let signer = PushSigner::plain(TOKEN);
    let now = wx_sign::unix_timestamp();
    (0..PUSHES as u64)
        .map(|i| {
            let push = Push {
                to_user_name: "gh_bench".into(),
                from_user_name: "o_bench".into(),
                create_time: now,
                body: PushBody::Message(Message::Text {
                    content: "hello".into(),
                    msg_id: first + i,
                }),
            };
            signer.sign(&push, now, &format!("n{}", first + i)).expect("signs")
        })
        .collect()
}

/// Mean time per push over one round, in microseconds.
async fn round(service: &PushService, pushes: &[SignedPush]) -> f64 {
    let started = Instant::now();
    let mut done = 0usize;
    for signed in pushes {
        let response = service.handle(&signed.query, signed.body.as_bytes()).await;
        assert_eq!(response.status, 200, "{}", response.body);
        done += 1;
        if started.elapsed() > ROUND_LIMIT {
            break;
        }
    }
    started.elapsed().as_secs_f64() * 1e6 / done.max(1) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let redis = wx_testkit::Redis::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = Arc::new(RedisStore::connect(&redis.url()).await.expect("redis"));
        let claims = Arc::new(RedisClaims::new(store, "wxbench", Arc::default()));
        let memory = PushService::new(PushVerifier::new(TOKEN, None), echo);
        let shared = PushService::new(PushVerifier::new(TOKEN, None), echo).with_claim_store(claims);
        // Warm up both (connections, tables).
        round(&memory, &pushes(1_000_000_000)).await;
        round(&shared, &pushes(2_000_000_000)).await;
        let (mut alone, mut with_redis) = (Vec::new(), Vec::new());
        for r in 0..ROUNDS as u64 {
            alone.push(round(&memory, &pushes(10_000_000 * (r + 1))).await);
            with_redis.push(round(&shared, &pushes(10_000_000 * (r + 1) + 5_000_000)).await);
        }
        let (alone, with_redis) = (median(alone), median(with_redis));
        println!(
            "bench push de-duplication: PushService::handle per plain push: in-memory cache {alone:.1} µs; with \
             Redis claims (claim + reply, loopback) {with_redis:.1} µs; ratio {:.2}; Redis adds {:.1} µs per push",
            with_redis / alone,
            with_redis - alone
        );
    });
}
