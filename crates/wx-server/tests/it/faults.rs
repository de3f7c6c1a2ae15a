//! Every fault the fake WeChat can inject, and what the backend does about it: retries for transient
//! failures, compare-and-swap token renewal for 40001/40014/42001, no retry loop for configuration and
//! quota errors, and the cached ticket served while it is still valid.

use crate::common::{inproc::*, *};
use serde_json::Value;
use std::time::Duration;
use wx_server::{
    Server,
    fake::{Endpoint, FakeWechat, Fault},
};

const PAGE: &str = "http://127.0.0.1:8080/share?from=timeline#/route";

/// A fault injected at the fake, what a config request gets then, and what it cost at WeChat.
struct FaultCase {
    name: &'static str,
    endpoint: Endpoint,
    fault: Fault,
    /// How many times the fault answers (`None`: every time).
    times: Option<u32>,
    /// `None` for a signed config, else the error's status, `error` and `errcode`.
    refused: Option<(u16, &'static str, Option<i64>)>,
    /// (token calls, getticket calls) at the fake afterwards.
    calls: (u64, u64),
}

/// A case the backend gets through: the page is signed.
fn signed(name: &'static str, endpoint: Endpoint, fault: Fault, times: Option<u32>, calls: (u64, u64)) -> FaultCase {
    let refused = None;
    FaultCase {
        name,
        endpoint,
        fault,
        times,
        refused,
        calls,
    }
}

/// A case the backend answers with an error.
fn refused(
    name: &'static str,
    endpoint: Endpoint,
    fault: Fault,
    times: Option<u32>,
    refused: (u16, &'static str, Option<i64>),
    calls: (u64, u64),
) -> FaultCase {
    let refused = Some(refused);
    FaultCase {
        name,
        endpoint,
        fault,
        times,
        refused,
        calls,
    }
}

/// The documented behaviour of each fault: CAS renewal and one retry for a rejected token, bounded retries
/// for what is transient, none for quota, whitelist and credential errors.
fn documented_faults() -> Vec<FaultCase> {
    use Endpoint::{Getticket as T, StableToken as S};
    vec![
        signed(
            "40001 once: CAS invalidate, refetch token, retry once",
            T,
            Fault::Errcode(40001),
            Some(1),
            (2, 2),
        ),
        signed("42001 once: same", T, Fault::Errcode(42001), Some(1), (2, 2)),
        signed("40014 once: same", T, Fault::Errcode(40014), Some(1), (2, 2)),
        refused(
            "40001 always: only one retry",
            T,
            Fault::Errcode(40001),
            None,
            (502, "wechat_invalid_token", Some(40001)),
            (2, 2),
        ),
        signed("-1 twice: retried with backoff", T, Fault::Errcode(-1), Some(2), (1, 3)),
        refused(
            "-1 always: bounded retries then 503",
            T,
            Fault::Errcode(-1),
            None,
            (503, "wechat_unavailable", Some(-1)),
            (1, 3),
        ),
        signed("HTTP 500 twice: retried", T, Fault::HttpStatus(500), Some(2), (1, 3)),
        refused(
            "HTTP 502 always: 503",
            T,
            Fault::HttpStatus(502),
            None,
            (503, "wechat_unavailable", None),
            (1, 3),
        ),
        signed("timeout once: retried", T, Fault::Timeout, Some(1), (1, 2)),
        signed("malformed JSON once: retried", T, Fault::MalformedJson, Some(1), (1, 2)),
        signed(
            "empty ticket once: never cached, retried",
            T,
            Fault::EmptyTicket,
            Some(1),
            (1, 2),
        ),
        refused(
            "empty ticket always: 502",
            T,
            Fault::EmptyTicket,
            None,
            (502, "wechat_empty_credential", None),
            (1, 3),
        ),
        refused(
            "45009 quota: no retry",
            T,
            Fault::Errcode(45009),
            None,
            (502, "wechat_quota_exceeded", Some(45009)),
            (1, 1),
        ),
        refused(
            "45011 quota: no retry",
            S,
            Fault::Errcode(45011),
            None,
            (502, "wechat_quota_exceeded", Some(45011)),
            (1, 0),
        ),
        refused(
            "40164 IP whitelist: no retry",
            S,
            Fault::Errcode(40164),
            None,
            (502, "wechat_ip_not_whitelisted", Some(40164)),
            (1, 0),
        ),
        refused(
            "89503 risky IP: no retry",
            S,
            Fault::Errcode(89503),
            None,
            (502, "wechat_risky_ip", Some(89503)),
            (1, 0),
        ),
        refused(
            "40125 bad secret: no retry",
            S,
            Fault::Errcode(40125),
            None,
            (502, "wechat_bad_credentials", Some(40125)),
            (1, 0),
        ),
        refused(
            "40013 bad appid: no retry",
            S,
            Fault::Errcode(40013),
            None,
            (502, "wechat_bad_credentials", Some(40013)),
            (1, 0),
        ),
        refused(
            "token endpoint timeout always: 503",
            S,
            Fault::Timeout,
            None,
            (503, "wechat_unavailable", None),
            (3, 0),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_injected_fault_gets_its_documented_behaviour() {
    let client = client();
    for case in documented_faults() {
        let (fake, server) = step_start_with_the_fault_injected(&case).await;
        let (status, body) = step_ask_for_a_config(&client, &server).await;
        step_check_the_answer(&case, &fake, status, body);
        step_check_the_calls_wechat_got(&case, &fake);
        server.shutdown().await;
        fake.shutdown().await;
    }
}

async fn step_start_with_the_fault_injected(case: &FaultCase) -> (FakeWechat, Server) {
    let (fake, server) = start_with(fake_opts(7200), |s| {
        // A timed-out call hangs until the client gives up: keep those cases short.
        if case.fault == Fault::Timeout {
            s.upstream_timeout = Duration::from_secs(1);
        }
    })
    .await;
    inject(fake.control(), case.endpoint, case.fault.clone(), case.times);
    (fake, server)
}

async fn step_ask_for_a_config(client: &reqwest::Client, server: &Server) -> (u16, Value) {
    let r = client
        .get(server.url(&format!("/api/jssdk/config?url={}", enc(PAGE))))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// A signed config that verifies against the fake's ticket, or the documented error.
fn step_check_the_answer(case: &FaultCase, fake: &FakeWechat, status: u16, body: Value) {
    let name = case.name;
    let Some((want_status, error, errcode)) = case.refused else {
        assert_eq!(status, 200, "{name}: {body}");
        let c: Config = serde_json::from_value(body).unwrap();
        assert!(verifies(&c, PAGE, &fake.control().valid_tickets(TEST_APPID)), "{name}");
        return;
    };
    assert_eq!(status, want_status, "{name}: {body}");
    assert_eq!(body["error"].as_str(), Some(error), "{name}: {body}");
    assert_eq!(body["errcode"].as_i64(), errcode, "{name}: {body}");
}

fn step_check_the_calls_wechat_got(case: &FaultCase, fake: &FakeWechat) {
    let (stable, _, tickets) = counts(fake);
    assert_eq!((stable, tickets), case.calls, "{}: (token, getticket) calls", case.name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quota_error_keeps_serving_the_cached_ticket_until_it_expires() {
    let (fake, server) = start_with(fake_opts(3), |_| {}).await;
    let client = client();
    let first = get_config(&client, &server.url(""), PAGE, false).await;
    let ticket = fake.control().current_ticket(TEST_APPID).unwrap();
    assert!(verifies(&first, PAGE, std::slice::from_ref(&ticket)));
    inject(fake.control(), Endpoint::Any, Fault::Errcode(45009), None);
    // A page forcing a refresh now: WeChat refuses (quota), once, without a retry loop, and the page is
    // signed with the cached ticket, which is still valid.
    let before = counts(&fake).2;
    let healed = get_config(&client, &server.url(""), PAGE, true).await;
    assert!(
        verifies(&healed, PAGE, &[ticket]),
        "the cached ticket is still valid and is used"
    );
    assert_eq!(counts(&fake).2, before + 1, "one getticket attempt, no retry");
    // Past expiry (3 s) with WeChat still refusing: a clear error naming the cause. Sleeping longer than
    // needed only makes this more certain.
    tokio::time::sleep(Duration::from_millis(3200)).await;
    let r = client
        .get(server.url(&format!("/api/jssdk/config?url={}", enc(PAGE))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "wechat_quota_exceeded");
    assert!(body["message"].as_str().unwrap().contains("quota"));
    let metrics = get_text(&client, server.url("/metrics")).await;
    assert!(
        !metrics.contains("wxkit_background_refresh_total{result=\"error\"} 0"),
        "background refresh failed and said so"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_costs_wechat_one_attempt_per_hold_not_one_per_request() {
    let (fake, server) = start().await;
    inject(fake.control(), Endpoint::Getticket, Fault::HttpStatus(503), None);
    let client = client();
    let url = server.url(&format!("/api/jssdk/config?url={}", enc(PAGE)));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { client.get(url).send().await.unwrap().status().as_u16() })
        })
        .collect();
    let statuses = join_all(tasks).await;
    assert!(statuses.iter().all(|s| *s == 503), "{statuses:?}");
    assert_eq!(
        counts(&fake).2,
        3,
        "one refresh attempt (with its 2 retries) for 100 requests"
    );
    // WeChat is back; once the hold (2 s for a transient failure) is over, the next request refreshes.
    clear_faults(fake.control());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let c = get_config(&client, &server.url(""), PAGE, false).await;
    assert!(verifies(&c, PAGE, &fake.control().valid_tickets(TEST_APPID)));
    assert_eq!(counts(&fake).2, 4);
}

/// An empty access_token from WeChat is reported as one: the message names the credential that came back empty
/// (it used to say "empty jsapi_ticket" whichever it was), and neither is cached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_access_token_is_reported_as_an_empty_access_token() {
    let client = client();
    for (endpoint, empty, other) in [
        (Endpoint::StableToken, "access_token", "jsapi_ticket"),
        (Endpoint::Getticket, "jsapi_ticket", "access_token"),
    ] {
        let (fake, server) = start().await;
        inject(fake.control(), endpoint, Fault::EmptyTicket, None);
        let r = client
            .get(server.url(&format!("/api/jssdk/config?url={}", enc(PAGE))))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 502, "{endpoint:?}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "wechat_empty_credential", "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("WeChat returned an empty {empty}")),
            "{message}"
        );
        assert!(!message.contains(&format!("empty {other}")), "{message}");
        server.shutdown().await;
        fake.shutdown().await;
    }
}

/// A forced refresh that fails (WeChat down) does not use up the 5-minute window: once WeChat is back and the
/// failure hold is over, the next refresh=true heals the page. During the outage a storm of refresh=true costs
/// WeChat one attempt (with its retries) per hold, not one per request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_forced_refresh_leaves_the_window_open_and_an_outage_storm_costs_one_attempt() {
    let (fake, server) = start().await;
    let client = client();
    let base = server.url("");
    get_config(&client, &base, PAGE, false).await;
    // WeChat revokes the ticket and goes down: pages get `invalid signature` and ask for a refresh.
    fake.control().rotate_ticket(TEST_APPID);
    inject(fake.control(), Endpoint::Getticket, Fault::HttpStatus(503), None);
    let before = counts(&fake).2;
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move { get_config(&client, &base, PAGE, true).await })
        })
        .collect();
    let during = join_all(tasks).await;
    let valid = fake.control().valid_tickets(TEST_APPID);
    assert!(
        during.iter().all(|c| !verifies(c, PAGE, &valid)),
        "signed with the cached ticket while WeChat is down"
    );
    assert_eq!(
        counts(&fake).2,
        before + 3,
        "one getticket attempt (and its 2 retries) for 100 refresh=true"
    );

    // WeChat is back. Ask until the page is healed: the failure hold (2 s) must end it, not the 5-minute window.
    clear_faults(fake.control());
    let give_up = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let c = get_config(&client, &base, PAGE, true).await;
        if verifies(&c, PAGE, &fake.control().valid_tickets(TEST_APPID)) {
            break;
        }
        assert!(
            std::time::Instant::now() < give_up,
            "refresh=true still refused 20 s after WeChat came back: the failed refresh used up the window"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(counts(&fake).2, before + 4, "one more getticket: the forced refetch");
    // That refresh got a new ticket, so it used the window: a second revocation is not healed by refresh=true.
    fake.control().rotate_ticket(TEST_APPID);
    let capped = get_config(&client, &base, PAGE, true).await;
    assert!(!verifies(&capped, PAGE, &fake.control().valid_tickets(TEST_APPID)));
    assert_eq!(counts(&fake).2, before + 4);
    let metrics = get_text(&client, server.url("/metrics")).await;
    assert!(
        metrics.contains("wxkit_forced_ticket_refresh_total{result=\"refreshed\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wxkit_forced_ticket_refresh_total{result=\"rate_limited\"} 1\n"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("wxkit_forced_ticket_refresh_total{result=\"failed\"} 0\n"),
        "{metrics}"
    );
    server.shutdown().await;
    fake.shutdown().await;
}

/// A cold cache while WeChat hangs: the request is answered 503 `wechat_timeout` at its refresh deadline instead of
/// waiting out the timed-out attempts (three times the upstream timeout, plus backoff). The fetch goes on, and the
/// requests after it get the ticket as soon as it arrives, without a fetch of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_cache_while_wechat_hangs_is_answered_at_the_refresh_deadline() {
    let upstream_timeout = Duration::from_secs(5);
    let (fake, server) = start_with(fake_opts(7200), |s| {
        s.upstream_timeout = upstream_timeout;
        s.refresh_deadline = Duration::from_millis(500);
    })
    .await;
    // The first token call hangs until the client gives up; its retry is answered.
    inject(fake.control(), Endpoint::StableToken, Fault::Timeout, Some(1));
    let client = client();
    let url = server.url(&format!("/api/jssdk/config?url={}", enc(PAGE)));
    let started = std::time::Instant::now();
    let r = client.get(&url).send().await.unwrap();
    let took = started.elapsed();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "wechat_timeout", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("did not answer within 500ms"), "{message}");
    assert!(
        took < upstream_timeout,
        "answered after {took:?}: the request waited for WeChat's timeout"
    );

    // The fetch goes on: ask until the ticket is there (each request waits at most the deadline).
    let give_up = std::time::Instant::now() + Duration::from_secs(30);
    let c = loop {
        let r = client.get(&url).send().await.unwrap();
        if r.status() == 200 {
            break r.json::<Config>().await.unwrap();
        }
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "wechat_timeout", "{body}");
        assert!(std::time::Instant::now() < give_up, "the fetch never finished");
    };
    assert!(verifies(&c, PAGE, &fake.control().valid_tickets(TEST_APPID)));
    assert_eq!(
        (counts(&fake).0, counts(&fake).2),
        (2, 1),
        "the hung token call and its retry, one ticket: the requests that gave up started no fetch"
    );
    server.shutdown().await;
    fake.shutdown().await;
}

/// `WX_REFRESH_DEADLINE_MS` / `--refresh-deadline-ms` / `refresh_deadline_ms` in the file: read, documented in
/// `--help`, and refused at 0 with a message naming the variable.
#[test]
fn the_refresh_deadline_setting_is_read_and_validated() {
    let settings = wx_server::ServeArgs {
        mock: true,
        refresh_deadline_ms: Some(1500),
        ..Default::default()
    }
    .into_settings()
    .unwrap();
    assert_eq!(settings.refresh_deadline, Duration::from_millis(1500));
    assert_eq!(
        wx_server::Settings::mock().refresh_deadline,
        Duration::from_secs(5),
        "the default"
    );
    let dir = TempDir::new("deadline");
    let file = dir.join("wx.toml");
    std::fs::write(&file, "refresh_deadline_ms = 0\n").unwrap();
    let serve = || {
        let mut c = wx_server();
        c.args(["serve", "--mock", "--listen", "127.0.0.1:0"]);
        c
    };
    let zero: [(&str, std::process::Command); 3] = [
        ("flag", {
            let mut c = serve();
            c.args(["--refresh-deadline-ms", "0"]);
            c
        }),
        ("variable", {
            let mut c = serve();
            c.env("WX_REFRESH_DEADLINE_MS", "0");
            c
        }),
        ("file", {
            let mut c = serve();
            c.arg("--config").arg(&file);
            c
        }),
    ];
    for (how, mut c) in zero {
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{how}: {err}");
        assert!(err.contains("WX_REFRESH_DEADLINE_MS is invalid"), "{how}: {err}");
    }
    let mut help = serve();
    let help = help.arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--refresh-deadline-ms") && help.contains("WX_REFRESH_DEADLINE_MS"),
        "{help}"
    );
}
