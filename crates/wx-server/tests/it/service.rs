//! The backend and the fake WeChat started in-process through the library API, exercised over real HTTP
//! on loopback: single flight, faults, refresh-ahead, self-heal, bad input, /wechat, static files.

use crate::common::{self, inproc::*, *};
use serde_json::{Value, json};
use std::time::Duration;
use wx_server::{Secret, Server, TokenMode, fake::FakeWechat};

const PAGE: &str = "http://127.0.0.1:8080/share?from=timeline&x=%E4%BD%A0#/route";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_cold_requests_cause_one_token_and_one_ticket_fetch() {
    for mode in [TokenMode::Stable, TokenMode::Classic] {
        let mut opts = fake_opts(7200);
        // Latency widens the window in which requests pile up behind the first fetch.
        opts.latency = Duration::from_millis(150);
        let (fake, server) = start_with(opts, |s| {
            s.token_mode = mode;
            // A timeout would (rightly) retry and count twice: on a loaded machine give the fake time.
            s.upstream_timeout = Duration::from_secs(20);
        })
        .await;
        let client = client();
        let base = server.url("");
        let tasks: Vec<_> = (0..1000)
            .map(|i| {
                let (client, base) = (client.clone(), base.clone());
                tokio::spawn(async move {
                    let page = format!("http://127.0.0.1:8080/p?i={i}");
                    (page.clone(), get_config(&client, &base, &page, false).await)
                })
            })
            .collect();
        let results = join_all(tasks).await;
        let (stable, classic, tickets) = counts(&fake);
        match mode {
            TokenMode::Stable => assert_eq!((stable, classic), (1, 0), "one stable_token call"),
            _ => assert_eq!((stable, classic), (0, 1), "one token call"),
        }
        assert_eq!(tickets, 1, "one getticket call");
        let ticket = fake.control().current_ticket(TEST_APPID).unwrap();
        let canonical: Vec<String> = results
            .iter()
            .map(|(page, c)| {
                format!(
                    "jsapi_ticket={ticket}&noncestr={}&timestamp={}&url={page}",
                    c.nonce_str, c.timestamp
                )
            })
            .collect();
        let expected = python_sha1_batch(&canonical);
        assert_eq!(expected.len(), 1000);
        for ((_, c), want) in results.iter().zip(&expected) {
            assert_eq!(&c.signature, want);
            assert_eq!(c.app_id, TEST_APPID);
            assert_eq!(c.nonce_str.len(), 16);
        }
        server.shutdown().await;
        fake.shutdown().await;
    }
}

/// A credential service on its own (no HTTP server) over a fake WeChat that answers every call after `latency`,
/// with calls timing out after `timeout`.
async fn service_over_a_slow_fake(latency: Duration, timeout: Duration) -> (FakeWechat, wx_server::CredentialService) {
    let opts = wx_server::fake::FakeOptions {
        latency,
        ..fake_opts(7200)
    };
    let fake = FakeWechat::start("127.0.0.1:0".parse().unwrap(), opts).await.unwrap();
    let client = wechat_client(&fake.base_url(), TEST_APPID, TEST_SECRET, timeout);
    let store = std::sync::Arc::new(wx_server::store::MemoryStore::default());
    (
        fake,
        wx_server::CredentialService::new(TEST_APPID, client, store, Default::default()),
    )
}

/// A request whose client goes away while it refreshes (its future is dropped mid-fetch) must not leave the
/// shared refresh lock held for its 30 s lease: the next request refreshes at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_dropped_mid_refresh_releases_the_refresh_lock() {
    let (_fake, service) = service_over_a_slow_fake(Duration::from_millis(1500), Duration::from_secs(5)).await;
    let dropped = tokio::time::timeout(Duration::from_millis(300), service.jsapi_ticket()).await;
    assert!(
        dropped.is_err(),
        "the first request was to be dropped while WeChat answered"
    );
    // Token and ticket take 1.5 s each at the fake; a lock left held would add most of its 30 s lease.
    let next = tokio::time::timeout(Duration::from_secs(10), service.jsapi_ticket()).await;
    assert!(
        matches!(next, Ok(Ok(_))),
        "the next request waited out the dropped one's lock: {next:?}"
    );
}

/// A refresh whose calls keep timing out is cut off before its lock lease ends: past the lease another
/// instance may take the lock over and fetch as well (in classic mode each fetch revokes the other's token).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_never_outlives_its_lock_lease() {
    // Every call times out after 2 s and is retried: the token alone would take over 6 s. The work is cut off at
    // nine tenths of the lease (4.5 s, in the token's third attempt), which leaves half a second for a busy machine.
    let (fake, service) = service_over_a_slow_fake(Duration::from_secs(3), Duration::from_secs(2)).await;
    let lease = Duration::from_secs(5);
    // The request waits past the lease: what ends the refresh here is the lease, not the request's deadline.
    let service = service
        .with_refresh_lease(lease)
        .with_refresh_deadline(Duration::from_secs(30));
    let started = std::time::Instant::now();
    let result = service.jsapi_ticket().await;
    let took = started.elapsed();
    let error = result.expect_err("WeChat never answered in time");
    assert!(took < lease, "the refresh ran {took:?}, past its {lease:?} lease");
    assert_eq!(error.source, wx_server::UpstreamError::OutOfTime(lease), "{error}");
    assert!(error.to_string().contains("lease"), "{error}");
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_json_error_never_a_5xx() {
    let (_fake, server) = start_with(fake_opts(7200), |s| {
        s.js_domains = vec![
            wx_server::JsDomain::parse("a.com").unwrap(),
            wx_server::JsDomain::parse("127.0.0.1").unwrap(),
        ];
    })
    .await;
    let client = client();
    step_bad_page_urls_get_a_4xx_naming_the_fix(&client, &server).await;
    step_allowed_pages_are_signed(&client, &server).await;
    step_a_real_account_signs_pages_on_standard_ports_only(&client).await;
    step_another_method_gets_405(&client, &server).await;
    step_none_of_it_was_a_5xx(&client, &server).await;
}

/// Each way a page URL can be wrong gets its own error code and a message saying what to fix.
async fn step_bad_page_urls_get_a_4xx_naming_the_fix(client: &reqwest::Client, server: &Server) {
    let long = format!("https://a.com/?q={}", "x".repeat(10 * 1024));
    let cases: Vec<(String, u16, &str)> = vec![
        (String::new(), 400, "missing_url"),
        ("url=".into(), 400, "missing_url"),
        ("other=1".into(), 400, "missing_url"),
        (format!("url={}", enc("javascript:alert(1)")), 400, "unsupported_scheme"),
        (
            format!("url={}", enc("data:text/html,<script>1</script>")),
            400,
            "unsupported_scheme",
        ),
        (format!("url={}", enc("ftp://a.com/")), 400, "unsupported_scheme"),
        (format!("url={}", enc("https://evil.com/")), 403, "domain_not_allowed"),
        (
            format!("url={}", enc("https://a.com.evil.com/")),
            403,
            "domain_not_allowed",
        ),
        (
            format!("url={}", enc("https://evil.com/a.com")),
            403,
            "domain_not_allowed",
        ),
        (format!("url={}", enc("https://evila.com/")), 403, "domain_not_allowed"),
        (
            format!("url={}", enc("https://evil.com/?u=https://a.com/")),
            403,
            "domain_not_allowed",
        ),
        (
            format!("url={}", enc("https://evil.com\\@a.com/")),
            403,
            "domain_not_allowed",
        ),
        (
            format!("url={}", enc("http://a.com@evil.com/")),
            400,
            "url_has_userinfo",
        ),
        (format!("url={}", enc("http://user:pw@a.com/")), 400, "url_has_userinfo"),
        (format!("url={}", enc("https://a.com/%0a\t")), 400, "invalid_url"),
        (format!("url={}", enc("/relative/path")), 400, "invalid_url"),
        (format!("url={}", enc("https:///nohost")), 403, "domain_not_allowed"),
        (format!("url={}", enc("https://1.2.3.4.127.0.0.1/")), 400, "invalid_url"),
        (format!("url={}", enc(&long)), 400, "url_too_long"),
        ("url=https%3A%2F%2Fa.com%2F%FF%FE".into(), 400, "url_not_utf8"),
        ("url=%C3%28".into(), 400, "url_not_utf8"),
        (
            format!("url={}&url={}", enc("https://a.com/"), enc("https://evil.com/")),
            400,
            "duplicate_url",
        ),
        (
            format!("url={}&url={}", enc("https://a.com/"), enc("https://a.com/")),
            400,
            "duplicate_url",
        ),
        (
            format!("url={}&refresh=maybe", enc("https://a.com/")),
            400,
            "bad_refresh",
        ),
    ];
    for (query, status, code) in &cases {
        let r = client
            .get(server.url(&format!("/api/jssdk/config?{query}")))
            .send()
            .await
            .unwrap();
        let got = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!((got, body["error"].as_str()), (*status, Some(*code)), "{query}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.len() > 10),
            "{query}: a message saying what to fix"
        );
    }
}

/// What passes: the domain, a subdomain, an allowed IP, any port when none is configured.
async fn step_allowed_pages_are_signed(client: &reqwest::Client, server: &Server) {
    for ok in [
        "https://a.com/",
        "https://h5.a.com/x?y=1#z",
        "http://127.0.0.1:9999/",
        "https://A.COM/",
    ] {
        let r = client
            .get(server.url(&format!("/api/jssdk/config?url={}", enc(ok))))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{ok}");
    }
}

/// A real account (WX_JS_PORTS=standard) signs pages on 80 and 443 only: WeChat refuses the others.
async fn step_a_real_account_signs_pages_on_standard_ports_only(client: &reqwest::Client) {
    let (_fake, strict) = start_with(fake_opts(7200), |s| {
        s.js_domains = vec![wx_server::JsDomain::parse("a.com").unwrap()];
        s.js_ports = wx_server::JsPorts::Standard;
    })
    .await;
    for (page, status) in [
        ("https://a.com/", 200),
        ("http://h5.a.com/", 200),
        ("https://a.com:443/", 200),
        ("http://a.com:80/", 200),
        ("https://a.com:8443/", 403),
        ("http://a.com:8080/", 403),
    ] {
        let r = client
            .get(strict.url(&format!("/api/jssdk/config?url={}", enc(page))))
            .send()
            .await
            .unwrap();
        let got = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(got, status, "{page}: {body}");
        if status == 403 {
            assert_eq!(body["error"], "port_not_allowed", "{page}: {body}");
            assert!(
                body["message"].as_str().is_some_and(|m| m.contains("80 and 443")),
                "{body}"
            );
        }
    }
}

async fn step_another_method_gets_405(client: &reqwest::Client, server: &Server) {
    let post = client
        .post(server.url(&format!("/api/jssdk/config?url={}", enc("https://a.com/"))))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(post.json::<Value>().await.unwrap()["error"], "method_not_allowed");
}

async fn step_none_of_it_was_a_5xx(client: &reqwest::Client, server: &Server) {
    let metrics = get_text(client, server.url("/metrics")).await;
    assert!(metrics.contains("wxkit_config_requests_total{status=\"502\"} 0"));
    assert!(metrics.contains("wxkit_config_requests_total{status=\"503\"} 0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_refresh_happens_before_expiry_and_no_request_sees_a_stale_ticket() {
    // A 20 s lifetime: the refresh is due at 18 s and requests stop using the ticket at 19 s, so a refresh held up
    // by a busy machine has a second before a request would miss the cache (with 4 s it had 200 ms, and missed).
    let (fake, server) = start_with(fake_opts(20), |_| {}).await;
    let client = client();
    let base = server.url("");
    let started = std::time::Instant::now();
    let mut n = 0;
    // 21 s of requests, past the refresh and the first ticket's expiry, bounded in count too.
    while started.elapsed() < Duration::from_secs(21) && n < 2000 {
        let c = get_config(&client, &base, PAGE, false).await;
        let valid = fake.control().valid_tickets(TEST_APPID);
        assert!(
            verifies(&c, PAGE, &valid),
            "request {n} at {:?} signed with a ticket WeChat no longer accepts",
            started.elapsed()
        );
        n += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, _, tickets) = counts(&fake);
    assert!(
        tickets >= 2,
        "the ticket was refreshed before it expired ({tickets} getticket calls)"
    );
    let metrics = get_text(&client, server.url("/metrics")).await;
    assert!(
        metrics.contains("wxkit_cache_lookups_total{credential=\"jsapi_ticket\",result=\"miss\"} 1\n"),
        "only the cold request missed the cache: refreshes happened in the background\n{metrics}"
    );
    assert!(!metrics.contains("wxkit_background_refresh_total{result=\"ok\"} 0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_true_heals_a_revoked_ticket_at_most_once_per_five_minutes() {
    let (fake, server) = start().await;
    let client = client();
    let base = server.url("");
    let before = get_config(&client, &base, PAGE, false).await;
    assert!(verifies(&before, PAGE, &fake.control().valid_tickets(TEST_APPID)));
    // WeChat revokes the ticket without telling anyone: the page now gets `invalid signature`.
    fake.control().rotate_ticket(TEST_APPID);
    let stale = get_config(&client, &base, PAGE, false).await;
    assert!(!verifies(&stale, PAGE, &fake.control().valid_tickets(TEST_APPID)));
    // 200 pages ask for a refresh at once: one getticket call, and all are signed with the new ticket.
    let (_, _, tickets_before) = counts(&fake);
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move { get_config(&client, &base, PAGE, true).await })
        })
        .collect();
    let healed = join_all(tasks).await;
    let valid = fake.control().valid_tickets(TEST_APPID);
    assert!(healed.iter().all(|c| verifies(c, PAGE, &valid)));
    assert_eq!(counts(&fake).2, tickets_before + 1, "exactly one forced refetch");
    // Within 5 minutes a second revocation is not healed by refresh=true: the quota is protected.
    fake.control().rotate_ticket(TEST_APPID);
    let capped = get_config(&client, &base, PAGE, true).await;
    assert!(!verifies(&capped, PAGE, &fake.control().valid_tickets(TEST_APPID)));
    assert_eq!(counts(&fake).2, tickets_before + 1);
    let metrics = get_text(&client, server.url("/metrics")).await;
    assert!(
        metrics.contains("wxkit_forced_ticket_refresh_total{result=\"refreshed\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("wxkit_forced_ticket_refresh_total{result=\"rate_limited\"} 200\n"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wechat_server_url_check() {
    let (_fake, server) = start_with(fake_opts(7200), |s| s.server_token = Some(Secret::new("url-token-123"))).await;
    let client = client();
    let now = wx_sign::unix_timestamp();
    let signed = |ts: u64| wx_sign::server_signature("url-token-123", &ts.to_string(), "n0nce").unwrap();
    let good = signed(now);
    let stale = signed(now - 301);
    // (query, status, what the text/plain body holds)
    let cases = [
        (
            format!("signature={good}&timestamp={now}&nonce=n0nce&echostr=4463380474612386548"),
            200,
            "4463380474612386548",
        ),
        (
            format!("signature={good}&timestamp={}&nonce=n0nce&echostr=x", now + 1),
            403,
            "`signature` does not match",
        ),
        (
            "signature=00&timestamp=1&nonce=n&echostr=x".to_owned(),
            403,
            "`signature` does not match",
        ),
        (
            format!("signature={stale}&timestamp={}&nonce=n0nce&echostr=x", now - 301),
            403,
            "server's clock",
        ),
        (
            format!("signature={good}&timestamp={now}&nonce=n0nce&echostr=%3Cscript%3E"),
            400,
            "`echostr` must be",
        ),
        (
            format!("signature={good}&timestamp={now}&nonce=n0nce"),
            403,
            "lacks `echostr`",
        ),
        (String::new(), 403, "lacks `echostr`"),
    ];
    for (query, status, expect) in cases {
        let r = client
            .get(server.url(&format!("/wechat?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{query}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        let body = r.text().await.unwrap();
        if status == 200 {
            assert_eq!(body, expect);
        } else {
            assert!(body.contains(expect), "{query}: {body}");
        }
    }
    let (_fake2, no_token) = start_with(fake_opts(7200), |s| s.server_token = None).await;
    let r = client
        .get(no_token.url(&format!(
            "/wechat?signature={good}&timestamp={now}&nonce=n0nce&echostr=x"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert!(r.text().await.unwrap().contains("WX_TOKEN"));
    let r = client.put(server.url("/wechat")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert!(r.headers()["allow"].to_str().unwrap().contains("POST"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_app_with_spa_fallback_healthz_metrics_and_cors() {
    let dir = TempDir::new("static");
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>wxkit</title>").unwrap();
    std::fs::write(dir.join("assets/app.js"), "console.log(1)").unwrap();
    std::fs::write(dir.join("wxkit-web-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    // What `cargo xtask dist` writes beside each asset (the bytes stand in for gzip's).
    std::fs::write(dir.join("wxkit-web-0123456789abcdef_bg.wasm.gz"), b"gzipped").unwrap();
    // Trunk writes its hash without leading zeros: 15 digits here.
    std::fs::write(dir.join("wxkit-web-d7f224d7c667848.js"), "1").unwrap();
    std::fs::create_dir_all(dir.join("emulator")).unwrap();
    std::fs::write(dir.join("emulator/index.html"), "emulator").unwrap();
    let (_fake, server) = start_with(fake_opts(7200), |s| {
        s.static_dir = Some(dir.path().to_owned());
        s.cors_origins = vec!["https://h5.a.com".into()];
    })
    .await;
    let client = client();
    for (path, status, needle) in [
        ("/", 200, "<title>wxkit</title>"),
        ("/share", 200, "<title>wxkit</title>"),
        ("/scan?x=1", 200, "<title>wxkit</title>"),
        ("/deep/client/route", 200, "<title>wxkit</title>"),
        ("/assets/app.js", 200, "console.log(1)"),
        ("/assets/missing.js", 404, "not_found"),
        ("/api/nope", 404, "not_found"),
        ("/api", 404, "not_found"),
        // A directory under `//` was redirected to `//emulator/`, which browsers read as the host `emulator`.
        ("//emulator", 404, "not_found"),
        // The client normalises `..`; whatever arrives, it is the app shell, never a file outside the dir.
        ("/../../etc/passwd", 200, "<title>wxkit</title>"),
        ("/assets/..%2f..%2f..%2fetc%2fpasswd", 404, "not_found"),
    ] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert!(r.text().await.unwrap().contains(needle), "{path}");
    }
    // The content-hashed build output is cached for good; everything else, index.html first, is revalidated.
    for (path, cache) in [
        ("/", "no-cache"),
        ("/index.html", "no-cache"),
        ("/share", "no-cache"),
        ("/assets/app.js", "no-cache"),
        (
            "/wxkit-web-0123456789abcdef_bg.wasm",
            "public, max-age=31536000, immutable",
        ),
        ("/wxkit-web-d7f224d7c667848.js", "public, max-age=31536000, immutable"),
    ] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], cache, "{path}");
    }
    // A browser that accepts gzip gets the precompressed copy; one that does not, the file itself.
    let wasm = server.url("/wxkit-web-0123456789abcdef_bg.wasm");
    let gzipped = client
        .get(&wasm)
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["content-type"], "application/wasm");
    assert_eq!(gzipped.headers()["vary"], "accept-encoding");
    assert_eq!(gzipped.bytes().await.unwrap().as_ref(), b"gzipped");
    let plain = client
        .get(&wasm)
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm");
    let health: Value = common::get_json(&client, server.url("/healthz")).await;
    assert_eq!(
        health,
        json!({"status": "ok", "store": "memory", "storeDegraded": false})
    );
    let config_url = server.url(&format!("/api/jssdk/config?url={}", enc(PAGE)));
    let allowed = client
        .get(&config_url)
        .header("origin", "https://h5.a.com")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://h5.a.com");
    let other = client
        .get(&config_url)
        .header("origin", "https://evil.com")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let metrics = client.get(server.url("/metrics")).send().await.unwrap();
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text().await.unwrap();
    for needle in [
        "wxkit_upstream_calls_total{kind=\"access_token\",outcome=\"ok\"} 1",
        "wxkit_upstream_calls_total{kind=\"jsapi_ticket\",outcome=\"ok\"} 1",
        "wxkit_cache_lookups_total{credential=\"jsapi_ticket\",result=\"hit\"} 1",
        "wxkit_config_requests_total{status=\"200\"} 2",
    ] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
}

/// `X-Content-Type-Options: nosniff` on every answer, so that no browser reads text the server echoes (the
/// `echostr` of `GET /wechat`) or a static file as HTML or script on the app's origin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_says_nosniff() {
    let dir = TempDir::new("nosniff");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>wxkit</title>").unwrap();
    std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
    let (_fake, server) = start_with(fake_opts(7200), |s| s.static_dir = Some(dir.path().to_owned())).await;
    let ts = wx_sign::unix_timestamp().to_string();
    let good = wx_sign::server_signature(wx_server::DEMO_TOKEN, &ts, "n").unwrap();
    let echo = format!("/wechat?signature={good}&timestamp={ts}&nonce=n&echostr=4463380474612386548");
    let script = format!("/wechat?signature={good}&timestamp={ts}&nonce=n&echostr=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    let config = format!("/api/jssdk/config?url={}", enc(PAGE));
    let (get, post, put) = (reqwest::Method::GET, reqwest::Method::POST, reqwest::Method::PUT);
    let cases = [
        (&get, echo.as_str(), 200),
        (&get, script.as_str(), 400),
        (&get, "/wechat", 403),
        (&post, "/wechat?signature=forged&timestamp=1&nonce=n", 403),
        (&get, config.as_str(), 200),
        (&get, "/api/jssdk/config", 400),
        (&put, "/api/jssdk/config", 405),
        (&post, "/api/qrcode", 404),
        (&get, "/api/oauth/me", 401),
        (&get, "/healthz", 200),
        (&get, "/metrics", 200),
        (&get, "/", 200),
        (&get, "/share", 200),
        (&get, "/app.js", 200),
        (&get, "/missing.js", 404),
        (&get, "//emulator", 404),
    ];
    let client = client();
    for (method, path, status) in cases {
        let r = client.request(method.clone(), server.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{method} {path}");
        assert_eq!(
            r.headers().get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{method} {path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_mode_serves_backend_and_fake_on_one_listener() {
    let server = start_mock(|_| {}).await;
    let client = client();
    let base = server.url("");
    let c = get_config(&client, &base, PAGE, false).await;
    assert_eq!(c.app_id, wx_server::DEMO_APPID);
    let fake_ticket = format!(
        "{base}/fake-wechat/test-only/jsapi-ticket?appid={}",
        wx_server::DEMO_APPID
    );
    let t: Value = common::get_json(&client, &fake_ticket).await;
    assert_eq!(t["appid"], wx_server::DEMO_APPID);
    let ticket = t["ticket"].as_str().unwrap().to_owned();
    assert!(verifies(&c, PAGE, std::slice::from_ref(&ticket)));
    // Rotate over HTTP, self-heal, verify against the new ticket.
    let r = client
        .post(format!(
            "{base}/fake-wechat/test-only/rotate-ticket?appid={}",
            wx_server::DEMO_APPID
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let healed = get_config(&client, &base, PAGE, true).await;
    let t2: Value = common::get_json(&client, &fake_ticket).await;
    assert_ne!(t2["ticket"].as_str().unwrap(), ticket);
    assert!(verifies(&healed, PAGE, &[t2["ticket"].as_str().unwrap().to_owned()]));
    // Faults over HTTP, and the stats JSON.
    let r = client
        .post(format!("{base}/fake-wechat/test-only/faults"))
        .json(&json!({"inject": [{"endpoint": "getticket", "fault": {"errcode": 45009}, "times": 1}], "latency_ms": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"ok": true}));
    let bad = client
        .post(format!("{base}/fake-wechat/test-only/faults"))
        .body("{\"inject\": 3}")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let stats: Value = common::get_json(&client, format!("{base}/fake-wechat/test-only/stats")).await;
    assert_eq!(
        stats[wx_server::DEMO_APPID],
        json!({"token": 0, "stable_token": 1, "getticket": 2, "card_ticket": 0, "rotate_ticket": 1, "qrcode_create": 0, "oauth_access_token": 0})
    );
    // A lifetime too long for the clock is kept to the fake's maximum, not a panic on the next issue.
    let r = client
        .post(format!("{base}/fake-wechat/test-only/faults"))
        .json(&json!({"expires_in": u64::MAX}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let issued = common::post_json(
        &client,
        format!("{base}/fake-wechat/cgi-bin/stable_token"),
        &json!({"grant_type": "client_credential", "appid": wx_server::DEMO_APPID,
                "secret": wx_server::DEMO_SECRET, "force_refresh": true}),
    )
    .await;
    assert_eq!(issued["expires_in"], wx_server::fake::MAX_LIFETIME_SECS, "{issued}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_speaks_wechats_shapes_and_errcodes() {
    let fake = FakeWechat::start("127.0.0.1:0".parse().unwrap(), fake_opts(7200))
        .await
        .unwrap();
    let client = client();
    let base = fake.base_url();
    let token = |q: String| {
        let client = client.clone();
        let url = format!("{base}/cgi-bin/token?{q}");
        async move { client.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let ok = token(format!(
        "grant_type=client_credential&appid={TEST_APPID}&secret={TEST_SECRET}"
    ))
    .await;
    assert_eq!(ok["expires_in"], 7200);
    let t1 = ok["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        token(format!(
            "grant_type=client_credential&appid=wxnope&secret={TEST_SECRET}"
        ))
        .await["errcode"],
        40013
    );
    assert_eq!(
        token(format!("grant_type=client_credential&appid={TEST_APPID}&secret=wrong")).await["errcode"],
        40125
    );
    assert_eq!(
        token(format!("grant_type=nope&appid={TEST_APPID}&secret={TEST_SECRET}")).await["errcode"],
        40002
    );
    let stable = |force: bool| {
        let client = client.clone();
        let url = format!("{base}/cgi-bin/stable_token");
        async move {
            let body = json!({"grant_type": "client_credential", "appid": TEST_APPID, "secret": TEST_SECRET, "force_refresh": force});
            common::post_json(&client, url, &body).await
        }
    };
    let s1 = stable(false).await["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        stable(false).await["access_token"],
        s1.as_str(),
        "stable: same token while valid"
    );
    let s2 = stable(true).await["access_token"].as_str().unwrap().to_owned();
    assert_ne!(s1, s2, "force_refresh issues a new one");
    let ticket = |t: String| {
        let client = client.clone();
        let url = format!("{base}/cgi-bin/ticket/getticket?access_token={t}&type=jsapi");
        async move { client.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let good = ticket(s2.clone()).await;
    assert_eq!(
        (good["errcode"].as_i64(), good["errmsg"].as_str()),
        (Some(0), Some("ok"))
    );
    assert!(!good["ticket"].as_str().unwrap().is_empty());
    assert_eq!(
        ticket(s1).await["errcode"],
        40001,
        "a force-refreshed stable token is revoked"
    );
    assert_eq!(ticket("unknown".into()).await["errcode"], 40001);
    // A classic token stays valid during the grace period after a newer one is issued.
    token(format!(
        "grant_type=client_credential&appid={TEST_APPID}&secret={TEST_SECRET}"
    ))
    .await;
    assert_eq!(ticket(t1).await["errcode"], 0);
    let none: Value = common::get_json(&client, format!("{base}/test-only/jsapi-ticket?appid=wxnope")).await;
    assert_eq!(none["error"], "no_ticket");
    // Faults scoped to another app do not touch this one; expires_in and latency apply to new answers;
    // `clear` restores the start-up options.
    let set = |body: Value| {
        let client = client.clone();
        let url = format!("{base}/test-only/faults");
        async move { client.post(url).json(&body).send().await.unwrap().status() }
    };
    let rule = json!({"endpoint": "any", "fault": {"errcode": 45009}, "appid": "wxsomeoneelse"});
    assert_eq!(
        set(json!({"inject": [rule], "expires_in": 5, "latency_ms": 150})).await,
        200
    );
    let started = std::time::Instant::now();
    let short = stable(true).await;
    assert!(started.elapsed() >= Duration::from_millis(150), "latency applied");
    assert_eq!(
        (short["expires_in"].as_u64(), short["errcode"].as_i64()),
        (Some(5), None)
    );
    assert_eq!(set(json!({"clear": true})).await, 200);
    assert_eq!(stable(true).await["expires_in"], 7200);
    fake.shutdown().await;
}

/// Slow clients are cut off: one that never finishes its request header, one that announces a body and stalls,
/// and an anonymous admin request and pushes whose queries fail the signature check, whose bodies are never read;
/// and the standalone fake WeChat cuts off a half header too. Without the header timeout such connections stayed open for good, and a few hundred exhausted the
/// server's file descriptors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_the_server_keeps_answering() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (fake, server) = start_with(fake_opts(7200), |s| {
        s.admin_token = Some(Secret::new("admin-token-0123456789"))
    })
    .await;
    // What `addr` sends back on a connection that sent `head` and then nothing, and how long it took.
    let stalled = |addr: std::net::SocketAddr, head: String| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
        assert!(read.is_ok(), "the connection was still open after 30 s: {head:?}");
        (String::from_utf8_lossy(&answer).into_owned(), started.elapsed())
    };
    let addr = server.addr();
    let half_header = stalled(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n".into());
    let fake_half_header = stalled(fake.addr(), "GET /cgi-bin/token HTTP/1.1\r\nHost: x\r\n".into());
    let ts = wx_sign::unix_timestamp();
    let signature = wx_sign::server_signature(wx_server::DEMO_TOKEN, &ts.to_string(), "n").unwrap();
    let stalled_push = stalled(
        addr,
        format!(
            "POST /wechat?signature={signature}&timestamp={ts}&nonce=n HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<x"
        ),
    );
    let unread_admin = stalled(
        addr,
        "POST /api/qrcode HTTP/1.1\r\nHost: x\r\nContent-Length: 1500000\r\nConnection: close\r\n\r\n".into(),
    );
    // Pushes whose query alone shows they are not WeChat's: answered without their bodies being waited for.
    let unread_pushes = [
        "signature=forged&timestamp=1&nonce=n".to_owned(),
        format!("encrypt_type=aes&signature={signature}&timestamp={ts}&nonce=n"),
    ]
    .map(|query| {
        let head =
            format!("POST /wechat?{query} HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\nConnection: close\r\n\r\n");
        stalled(addr, head)
    });
    let [forged, no_msg_signature] = unread_pushes;
    let (
        (header, header_took),
        (fake_header, fake_header_took),
        (push, push_took),
        (admin, admin_took),
        forged,
        no_msg_signature,
    ) = tokio::join!(
        half_header,
        fake_half_header,
        stalled_push,
        unread_admin,
        forged,
        no_msg_signature
    );
    for (refused, took) in [forged, no_msg_signature] {
        assert!(
            refused.starts_with("HTTP/1.1 403"),
            "refused before its body is read: {refused}"
        );
        assert!(
            took < Duration::from_secs(2),
            "a stranger's push body was waited for: {took:?}"
        );
    }
    for (header, took) in [(header, header_took), (fake_header, fake_header_took)] {
        assert!(header.is_empty() || header.contains(" 408 "), "{header}");
        assert!(took < Duration::from_secs(15), "half a header held {took:?}");
    }
    assert!(push.starts_with("HTTP/1.1 408"), "{push}");
    assert!(push_took < Duration::from_secs(15), "a stalled body held {push_took:?}");
    assert!(
        admin.starts_with("HTTP/1.1 401"),
        "refused before its body is read: {admin}"
    );
    assert!(
        admin_took < Duration::from_secs(2),
        "the admin body was waited for: {admin_took:?}"
    );
    let healthz = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(healthz.status(), 200);
}
