//! Every fault the fake WeChat can inject, and what the backend does about it: retries for transient
//! failures, compare-and-swap token renewal for 40001/40014/42001, no retry loop for configuration and
//! quota errors, and the cached ticket served while it is still valid.

use crate::common::{inproc::*, *};
use serde_json::Value;
use std::time::Duration;
use wx_server::fake::{Endpoint, Fault};

const PAGE: &str = "http://127.0.0.1:8080/share?from=timeline#/route";

struct FaultCase {
    name: &'static str,
    endpoint: Endpoint,
    fault: Fault,
    times: Option<u32>,
    status: u16,
    error: Option<&'static str>,
    errcode: Option<i64>,
    /// (token calls, getticket calls) at the fake afterwards.
    calls: (u64, u64),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_injected_fault_gets_its_documented_behaviour() {
    use Endpoint::{Getticket as T, StableToken as S};
    let cases = [
        FaultCase {
            name: "40001 once: CAS invalidate, refetch token, retry once",
            endpoint: T,
            fault: Fault::Errcode(40001),
            times: Some(1),
            status: 200,
            error: None,
            errcode: None,
            calls: (2, 2),
        },
        FaultCase {
            name: "42001 once: same",
            endpoint: T,
            fault: Fault::Errcode(42001),
            times: Some(1),
            status: 200,
            error: None,
            errcode: None,
            calls: (2, 2),
        },
        FaultCase {
            name: "40014 once: same",
            endpoint: T,
            fault: Fault::Errcode(40014),
            times: Some(1),
            status: 200,
            error: None,
            errcode: None,
            calls: (2, 2),
        },
        FaultCase {
            name: "40001 always: only one retry",
            endpoint: T,
            fault: Fault::Errcode(40001),
            times: None,
            status: 502,
            error: Some("wechat_invalid_token"),
            errcode: Some(40001),
            calls: (2, 2),
        },
        FaultCase {
            name: "-1 twice: retried with backoff",
            endpoint: T,
            fault: Fault::Errcode(-1),
            times: Some(2),
            status: 200,
            error: None,
            errcode: None,
            calls: (1, 3),
        },
        FaultCase {
            name: "-1 always: bounded retries then 503",
            endpoint: T,
            fault: Fault::Errcode(-1),
            times: None,
            status: 503,
            error: Some("wechat_unavailable"),
            errcode: Some(-1),
            calls: (1, 3),
        },
        FaultCase {
            name: "HTTP 500 twice: retried",
            endpoint: T,
            fault: Fault::HttpStatus(500),
            times: Some(2),
            status: 200,
            error: None,
            errcode: None,
            calls: (1, 3),
        },
        FaultCase {
            name: "HTTP 502 always: 503",
            endpoint: T,
            fault: Fault::HttpStatus(502),
            times: None,
            status: 503,
            error: Some("wechat_unavailable"),
            errcode: None,
            calls: (1, 3),
        },
        FaultCase {
            name: "timeout once: retried",
            endpoint: T,
            fault: Fault::Timeout,
            times: Some(1),
            status: 200,
            error: None,
            errcode: None,
            calls: (1, 2),
        },
        FaultCase {
            name: "malformed JSON once: retried",
            endpoint: T,
            fault: Fault::MalformedJson,
            times: Some(1),
            status: 200,
            error: None,
            errcode: None,
            calls: (1, 2),
        },
        FaultCase {
            name: "empty ticket once: never cached, retried",
            endpoint: T,
            fault: Fault::EmptyTicket,
            times: Some(1),
            status: 200,
            error: None,
            errcode: None,
            calls: (1, 2),
        },
        FaultCase {
            name: "empty ticket always: 502",
            endpoint: T,
            fault: Fault::EmptyTicket,
            times: None,
            status: 502,
            error: Some("wechat_empty_credential"),
            errcode: None,
            calls: (1, 3),
        },
        FaultCase {
            name: "45009 quota: no retry",
            endpoint: T,
            fault: Fault::Errcode(45009),
            times: None,
            status: 502,
            error: Some("wechat_quota_exceeded"),
            errcode: Some(45009),
            calls: (1, 1),
        },
        FaultCase {
            name: "45011 quota: no retry",
            endpoint: S,
            fault: Fault::Errcode(45011),
            times: None,
            status: 502,
            error: Some("wechat_quota_exceeded"),
            errcode: Some(45011),
            calls: (1, 0),
        },
        FaultCase {
            name: "40164 IP whitelist: no retry",
            endpoint: S,
            fault: Fault::Errcode(40164),
            times: None,
            status: 502,
            error: Some("wechat_ip_not_whitelisted"),
            errcode: Some(40164),
            calls: (1, 0),
        },
        FaultCase {
            name: "89503 risky IP: no retry",
            endpoint: S,
            fault: Fault::Errcode(89503),
            times: None,
            status: 502,
            error: Some("wechat_risky_ip"),
            errcode: Some(89503),
            calls: (1, 0),
        },
        FaultCase {
            name: "40125 bad secret: no retry",
            endpoint: S,
            fault: Fault::Errcode(40125),
            times: None,
            status: 502,
            error: Some("wechat_bad_credentials"),
            errcode: Some(40125),
            calls: (1, 0),
        },
        FaultCase {
            name: "40013 bad appid: no retry",
            endpoint: S,
            fault: Fault::Errcode(40013),
            times: None,
            status: 502,
            error: Some("wechat_bad_credentials"),
            errcode: Some(40013),
            calls: (1, 0),
        },
        FaultCase {
            name: "token endpoint timeout always: 503",
            endpoint: S,
            fault: Fault::Timeout,
            times: None,
            status: 503,
            error: Some("wechat_unavailable"),
            errcode: None,
            calls: (3, 0),
        },
    ];
    let client = client();
    for case in cases {
        let (fake, server) = start_with(fake_opts(7200), |s| {
            // A timed-out call hangs until the client gives up: keep those cases short.
            if case.fault == Fault::Timeout {
                s.upstream_timeout = Duration::from_secs(1);
            }
        })
        .await;
        inject(fake.control(), case.endpoint, case.fault.clone(), case.times);
        let r = client
            .get(server.url(&format!("/api/jssdk/config?url={}", enc(PAGE))))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, case.status, "{}: {body}", case.name);
        assert_eq!(body["error"].as_str(), case.error, "{}: {body}", case.name);
        assert_eq!(body["errcode"].as_i64(), case.errcode, "{}: {body}", case.name);
        if status == 200 {
            let c: Config = serde_json::from_value(body).unwrap();
            assert!(
                verifies(&c, PAGE, &fake.control().valid_tickets(TEST_APPID)),
                "{}",
                case.name
            );
        }
        let (stable, _, tickets) = counts(&fake);
        assert_eq!((stable, tickets), case.calls, "{}: (token, getticket) calls", case.name);
        server.shutdown().await;
        fake.shutdown().await;
    }
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
