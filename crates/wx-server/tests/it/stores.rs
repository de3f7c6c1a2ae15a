//! The `CredentialStore` contract, checked the same way against all three stores (Redis is a real
//! redis-server of the test's own).

use crate::common::{Config, Redis, TEST_APPID, TempDir, client, get_config, get_json, get_text, inproc::*, verifies};
use serde_json::Value;
use std::time::Duration;
use wx_server::{
    Secret, Server, StoreSpec,
    fake::{Endpoint, FakeWechat, Fault},
    store::{Cached, CredentialStore, FileStore, MemoryStore, RedisStore},
};

async fn contract(store: &dyn CredentialStore) {
    let name = store.describe();
    let a = Cached::new("value-a".into(), wx_now(), Duration::from_secs(60));
    let b = Cached::new("value-b".into(), wx_now(), Duration::from_secs(60));

    assert_eq!(store.load("k").await.unwrap(), None, "{name}: empty at first");
    store.save("k", &a).await.unwrap();
    assert_eq!(store.load("k").await.unwrap(), Some(a.clone()), "{name}: round trip");
    store.save("other", &b).await.unwrap();
    assert_eq!(
        store.load("k").await.unwrap(),
        Some(a.clone()),
        "{name}: keys are independent"
    );

    // Compare-and-swap delete: only the value that failed is dropped.
    assert!(
        !store.remove_if("k", &"value-b".into()).await.unwrap(),
        "{name}: CAS with a stale value is a no-op"
    );
    assert_eq!(store.load("k").await.unwrap(), Some(a.clone()));
    assert!(
        store.remove_if("k", &"value-a".into()).await.unwrap(),
        "{name}: CAS with the current value deletes"
    );
    assert_eq!(store.load("k").await.unwrap(), None);
    assert!(
        !store.remove_if("k", &"value-a".into()).await.unwrap(),
        "{name}: nothing left to delete"
    );
    assert_eq!(
        store.load("other").await.unwrap(),
        Some(b),
        "{name}: the other key survived"
    );

    // Leases: exclusive, released only by the owner, expiring on their own (2 s: the steps before the expiry
    // check must all fit inside one lease on a busy machine).
    let lease = Duration::from_secs(2);
    assert!(
        store.try_lock("L", "one", lease).await.unwrap(),
        "{name}: free lock taken"
    );
    assert!(
        !store.try_lock("L", "two", lease).await.unwrap(),
        "{name}: held lock refused"
    );
    store.unlock("L", "two").await.unwrap();
    assert!(
        !store.try_lock("L", "two", lease).await.unwrap(),
        "{name}: a non-owner cannot release"
    );
    store.unlock("L", "one").await.unwrap();
    assert!(
        store.try_lock("L", "two", lease).await.unwrap(),
        "{name}: released lock taken"
    );
    tokio::time::sleep(lease + Duration::from_millis(200)).await;
    assert!(
        store.try_lock("L", "three", lease).await.unwrap(),
        "{name}: an expired lease is taken over"
    );
}

fn wx_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Several processes finding the same expired lock: exactly one takes it over (the others must not move aside
/// the fresh lock the winner has just written and take it too).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_file_lock_is_taken_over_by_exactly_one_contender() {
    let dir = TempDir::new("lock-race");
    let path = dir.join("creds.json");
    let lock = dir.join("creds.json.race.lock");
    for round in 0..60 {
        std::fs::write(&lock, "dead-owner\n1\n").unwrap();
        let contenders: Vec<_> = (0..8)
            .map(|i| {
                // One store per contender, as separate processes would have.
                let store = FileStore::new(&path);
                tokio::spawn(async move {
                    store
                        .try_lock("race", &format!("p{i}"), Duration::from_secs(60))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut holders = 0;
        for c in contenders {
            holders += usize::from(c.await.unwrap());
        }
        assert_eq!(holders, 1, "round {round}: {holders} contenders hold the lock");
        std::fs::remove_file(&lock).unwrap();
    }
}

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    contract(&MemoryStore::default()).await;
}

#[tokio::test]
async fn file_store_keeps_the_contract_and_survives_a_corrupt_file() {
    let dir = TempDir::new("stores");
    let path = dir.join("creds.json");
    let store = FileStore::new(&path);
    contract(&store).await;
    // A second handle (another process would see the same) reads what the first wrote.
    let c = Cached::new("shared".into(), wx_now(), Duration::from_secs(60));
    store.save("s", &c).await.unwrap();
    assert_eq!(FileStore::new(&path).load("s").await.unwrap(), Some(c.clone()));
    // A corrupt file is an error on read (logged by the service), and is replaced by the next write.
    std::fs::write(&path, "{not json").unwrap();
    assert!(store.load("s").await.is_err());
    // A value of the wrong shape (an older format, an edit by hand): the error, which the service logs, names
    // where it is wrong but never quotes the value, which may be a token.
    std::fs::write(&path, r#"{"s": "ACCESS_TOKEN_IN_THE_FILE"}"#).unwrap();
    let error = store.load("s").await.unwrap_err().to_string();
    assert!(error.contains("line 1"), "{error}");
    assert!(!error.contains("ACCESS_TOKEN_IN_THE_FILE"), "{error}");
    store.save("s", &c).await.unwrap();
    assert_eq!(store.load("s").await.unwrap(), Some(c.clone()));

    // A write lock left empty by a writer that died between creating and filling it is stale once older than
    // its lease, rather than held for ever.
    let lock = path.with_file_name("creds.json.write.lock");
    let empty = std::fs::File::create(&lock).unwrap();
    empty
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    store.save("s", &c).await.unwrap();
    // Taken over and released by the save (a lock merely waited out would still be there, not being its own).
    assert!(!lock.exists(), "the stale lock is still there");
}

#[tokio::test]
async fn redis_store_keeps_the_contract_and_fails_cleanly_when_redis_is_gone() {
    let mut redis = Redis::start();
    let store = RedisStore::connect(&redis.url()).await.unwrap();
    contract(&store).await;
    // Values expire with the credential.
    let short = Cached::new("short".into(), wx_now(), Duration::from_millis(200));
    store.save("ttl", &short).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.load("ttl").await.unwrap(), None);
    redis.kill();
    let started = std::time::Instant::now();
    assert!(store.load("k").await.is_err());
    assert!(store.try_lock("L2", "x", Duration::from_secs(1)).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "errors come back within the timeouts"
    );
    // An unreachable Redis (here with a password in the URL) still opens, fails each operation, and
    // never shows the password.
    let password = "redis://:hunter2pw@127.0.0.1:1/0";
    let down = RedisStore::connect(password).await.unwrap();
    assert!(!down.describe().contains("hunter2pw") && !format!("{down:?}").contains("hunter2pw"));
    let err = down.load("k").await.unwrap_err().to_string();
    assert!(!err.contains("hunter2pw"), "{err}");
}

/// A file store that cannot be written (here a directory stands where the credential file goes: as root,
/// permissions would not stop the temp-file-and-rename write, but renaming a file onto a directory fails) shows
/// as degraded on `/healthz` and `/metrics` even though its lock files are still taken and released, and stays so
/// until a credential is written again. A successful lock release used to clear it after every failed save.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_be_written_stays_degraded_until_a_write_succeeds() {
    const PAGE: &str = "http://127.0.0.1:8080/p";
    let dir = TempDir::new("unwritable");
    let path = dir.join("creds.json");
    std::fs::create_dir_all(path.join("in-the-way")).unwrap();
    let (fake, server) = start_with(fake_opts(7200), |s| s.store = StoreSpec::File(path.clone())).await;
    let client = client();
    let base = server.url("");

    // Served from memory all the same.
    let c = get_config(&client, &base, PAGE, false).await;
    assert!(verifies(&c, PAGE, &fake.control().valid_tickets(TEST_APPID)));
    let h: Value = get_json(&client, server.url("/healthz")).await;
    assert_eq!(h["storeDegraded"], true, "saves failed: {h}");
    let m = get_text(&client, server.url("/metrics")).await;
    assert!(m.contains("wxkit_store_degraded 1\n"), "{m}");
    assert!(!m.contains("wxkit_store_errors_total 0\n"), "{m}");
    // Later requests (served from memory, no store operation) do not clear it either.
    get_config(&client, &base, PAGE, false).await;
    let h: Value = get_json(&client, server.url("/healthz")).await;
    assert_eq!(h["storeDegraded"], true, "{h}");

    // The file can be written again: the next write (a forced ticket refresh saves the new ticket) clears it.
    std::fs::remove_dir_all(&path).unwrap();
    fake.control().rotate_ticket(TEST_APPID);
    let healed = get_config(&client, &base, PAGE, true).await;
    assert!(verifies(&healed, PAGE, &fake.control().valid_tickets(TEST_APPID)));
    let h: Value = get_json(&client, server.url("/healthz")).await;
    assert_eq!(h["storeDegraded"], false, "the ticket was saved: {h}");
    assert!(
        get_text(&client, server.url("/metrics"))
            .await
            .contains("wxkit_store_degraded 0\n")
    );
    assert!(path.is_file(), "the credential file was written");
    server.shutdown().await;
    fake.shutdown().await;
}

const PAGE: &str = "http://127.0.0.1:8080/share?from=timeline#/route";

/// Two instances sharing one fake WeChat and one Redis, each of which has signed a page: one ticket between them.
async fn two_warm_instances(redis: &Redis) -> (FakeWechat, Server, Server) {
    let fake = FakeWechat::start("127.0.0.1:0".parse().unwrap(), fake_opts(7200))
        .await
        .unwrap();
    let store = || StoreSpec::Redis(Secret::new(redis.url()));
    let a = start_server(&fake, |s| s.store = store()).await;
    let b = start_server(&fake, |s| s.store = store()).await;
    let client = client();
    get_config(&client, &a.url(""), PAGE, false).await;
    get_config(&client, &b.url(""), PAGE, false).await;
    assert_eq!(getticket_calls(&fake), 1, "B adopted A's ticket from Redis");
    (fake, a, b)
}

fn getticket_calls(fake: &FakeWechat) -> u64 {
    fake.control().stats()[TEST_APPID].getticket
}

fn healed(fake: &FakeWechat, c: &Config) -> bool {
    verifies(c, PAGE, &fake.control().valid_tickets(TEST_APPID))
}

/// An instance whose refresh=true loses the shared claim (another instance's window is in use) records no window
/// of its own: once that window ends, its refresh=true refetches at once. It used to keep a window it never had
/// for the full 5 minutes after asking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_forced_refresh_claim_leaves_the_instance_free_once_the_other_window_ends() {
    let redis = Redis::start();
    let (fake, a, b) = two_warm_instances(&redis).await;
    let client = client();
    let (base_a, base_b) = (a.url(""), b.url(""));

    fake.control().rotate_ticket(TEST_APPID);
    assert!(healed(&fake, &get_config(&client, &base_a, PAGE, true).await));
    assert_eq!(getticket_calls(&fake), 2);
    // B loses the claim to A's window, and signs with the ticket A saved.
    assert!(healed(&fake, &get_config(&client, &base_b, PAGE, true).await));
    assert_eq!(getticket_calls(&fake), 2, "one forced fetch for both instances");

    // A's window ends: its lease in Redis runs out (5 minutes; ended early here).
    let mut conn = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let gate = format!("wxkit:{TEST_APPID}:jsapi_ticket:forced");
    let deleted: i64 = redis::cmd("DEL").arg(&gate).query_async(&mut conn).await.unwrap();
    assert_eq!(deleted, 1, "A's window was held in Redis under {gate}");
    fake.control().rotate_ticket(TEST_APPID);
    assert!(
        healed(&fake, &get_config(&client, &base_b, PAGE, true).await),
        "B's refresh=true was refused after A's window had ended"
    );
    assert_eq!(getticket_calls(&fake), 3);
    // Now B's window is in use, in Redis too: A's refresh=true does not fetch.
    get_config(&client, &base_a, PAGE, true).await;
    get_config(&client, &base_b, PAGE, true).await;
    assert_eq!(getticket_calls(&fake), 3);
    a.shutdown().await;
    b.shutdown().await;
    fake.shutdown().await;
}

/// A forced refresh that fails releases its claim in the shared store: another instance's refresh=true, once
/// WeChat is back, refetches; and the first instance then gets that ticket without a fetch of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_forced_refresh_releases_its_claim_in_the_shared_store() {
    let redis = Redis::start();
    let (fake, a, b) = two_warm_instances(&redis).await;
    let client = client();
    let (base_a, base_b) = (a.url(""), b.url(""));

    fake.control().rotate_ticket(TEST_APPID);
    inject(fake.control(), Endpoint::Getticket, Fault::HttpStatus(503), None);
    assert!(!healed(&fake, &get_config(&client, &base_a, PAGE, true).await));
    assert_eq!(getticket_calls(&fake), 4, "one attempt and its 2 retries");
    clear_faults(fake.control());
    assert!(
        healed(&fake, &get_config(&client, &base_b, PAGE, true).await),
        "B's refresh=true was refused: A's failed refresh kept the shared window"
    );
    assert_eq!(getticket_calls(&fake), 5);
    // A (once its failure hold is over) finds B's window in use and signs with B's ticket, without a fetch.
    let give_up = std::time::Instant::now() + Duration::from_secs(20);
    while !healed(&fake, &get_config(&client, &base_a, PAGE, true).await) {
        assert!(std::time::Instant::now() < give_up, "A never took up B's new ticket");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        getticket_calls(&fake),
        5,
        "one successful forced fetch for both instances"
    );
    a.shutdown().await;
    b.shutdown().await;
    fake.shutdown().await;
}
