//! The `wx-server` binary as an operator runs it: real processes on loopback, a real redis-server, restarts and
//! configuration errors (the grep of their output for secrets is `secret_grep`).

use crate::common::*;
use serde_json::Value;
use std::time::Duration;

const PAGE: &str = "http://127.0.0.1/p?from=singlemessage";

async fn stats(client: &reqwest::Client, fake: &str) -> (u64, u64) {
    let v: Value = get_json(client, format!("{fake}/test-only/stats")).await;
    let app = &v[TEST_APPID];
    // Token calls of either mode, getticket calls.
    (
        app["stable_token"].as_u64().unwrap() + app["token"].as_u64().unwrap(),
        app["getticket"].as_u64().unwrap(),
    )
}

/// `n` concurrent config requests to each base; every one must be 200 and verify.
async fn burst(client: &reqwest::Client, bases: &[String], n: usize) -> Vec<Config> {
    let mut tasks = Vec::new();
    for base in bases {
        for _ in 0..n {
            let (client, base) = (client.clone(), base.clone());
            tasks.push(tokio::spawn(
                async move { get_config(&client, &base, PAGE, false).await },
            ));
        }
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// Removes a file store and the guard file its locks leave beside it.
fn remove_store(file: &std::path::Path) {
    let mut guard = file.as_os_str().to_owned();
    guard.push(".guard");
    let _ = std::fs::remove_file(file);
    let _ = std::fs::remove_file(guard);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_store_is_shared_by_two_processes_and_survives_a_restart() {
    let client = client();
    let fake = fake_wechat(&["--latency-ms", "100"]);
    let fake_url = fake.base_url();
    let dir = TempDir::new("file-store");
    let file = dir.join("credentials.json");
    let store = format!("file:{}", file.display());
    let mut a = Proc::spawn(serve(&fake_url, &store, &[]));
    let mut b = Proc::spawn(serve(&fake_url, &store, &[]));
    let configs = burst(&client, &[a.base_url(), b.base_url()], 100).await;
    assert_eq!(
        stats(&client, &fake_url).await,
        (1, 1),
        "two cold processes on one file: one token, one ticket"
    );
    let valid = fake_tickets(&client, &fake_url).await;
    assert!(configs.iter().all(|c| verifies(c, PAGE, &valid)));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600,
            "credentials file is private"
        );
    }
    a.stop();
    b.stop();
    let c = Proc::spawn(serve(&fake_url, &store, &[]));
    let after = burst(&client, &[c.base_url()], 20).await;
    assert_eq!(
        stats(&client, &fake_url).await,
        (1, 1),
        "a restart reads the file: no new upstream call"
    );
    assert!(after.iter().all(|c| verifies(c, PAGE, &valid)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_redis_and_keep_serving_when_it_dies() {
    let client = client();
    let mut redis = Redis::start();
    let fake = fake_wechat(&["--latency-ms", "100"]);
    let fake_url = fake.base_url();
    // Classic mode is where independent fetchers cause 40001 storms (each fetch kills the previous token).
    let classic = [("WX_TOKEN_MODE", "classic")];
    let a = Proc::spawn(serve(&fake_url, &redis.url(), &classic));
    let b = Proc::spawn(serve(&fake_url, &redis.url(), &classic));
    let bases = [a.base_url(), b.base_url()];
    let configs = burst(&client, &bases, 100).await;
    assert_eq!(
        stats(&client, &fake_url).await,
        (1, 1),
        "two classic-mode instances on one Redis: one token, one ticket in total"
    );
    let valid = fake_tickets(&client, &fake_url).await;
    assert!(configs.iter().all(|c| verifies(c, PAGE, &valid)));

    redis.kill();
    let during = burst(&client, &bases, 50).await;
    assert!(
        during.iter().all(|c| verifies(c, PAGE, &valid)),
        "served from memory while Redis is down"
    );
    // A forced refresh touches the store: it must still answer, and the outage must show.
    let healed = get_config(&client, &bases[0], PAGE, true).await;
    assert!(verifies(&healed, PAGE, &fake_tickets(&client, &fake_url).await));
    let health: Value = get_json(&client, format!("{}/healthz", bases[0])).await;
    assert_eq!(health["storeDegraded"], true, "{health}");
    let metrics = get_text(&client, format!("{}/metrics", bases[0])).await;
    assert!(metrics.contains("wxkit_store_degraded 1"));
    assert!(!metrics.contains("wxkit_store_errors_total 0"));
    let logged = a.output_once_it_has("unavailable");
    assert!(logged.contains("unavailable"), "the outage is logged:\n{logged}");
    let again = burst(&client, &bases, 10).await;
    assert_eq!(again.len(), 20, "both instances still alive and answering");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_starts_during_a_redis_outage_and_shares_once_redis_is_back() {
    let client = client();
    let fake = fake_wechat(&[]);
    let fake_url = fake.base_url();
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}/0");
    let a = Proc::spawn(serve(&fake_url, &url, &[]));
    let base = a.base_url();
    let c = get_config(&client, &base, PAGE, false).await;
    assert!(
        verifies(&c, PAGE, &fake_tickets(&client, &fake_url).await),
        "serves without Redis"
    );
    let health: Value = get_json(&client, format!("{base}/healthz")).await;
    assert_eq!(health["storeDegraded"], true);
    let _redis = Redis::start_on(port);
    // The next operation that needs the store (a forced refresh) reconnects and writes to it.
    let healed = get_config(&client, &base, PAGE, true).await;
    assert!(verifies(&healed, PAGE, &fake_tickets(&client, &fake_url).await));
    let health: Value = get_json(&client, format!("{base}/healthz")).await;
    assert_eq!(health["storeDegraded"], false, "{health}");
    // A second instance now finds the ticket in Redis: no new upstream call.
    let before = stats(&client, &fake_url).await;
    let b = Proc::spawn(serve(&fake_url, &url, &[]));
    let from_b = get_config(&client, &b.base_url(), PAGE, false).await;
    assert!(verifies(&from_b, PAGE, &fake_tickets(&client, &fake_url).await));
    assert_eq!(stats(&client, &fake_url).await, before);
}

#[test]
fn start_up_fails_with_a_message_naming_the_variable() {
    let base = [
        ("WX_APPID", "wx1111222233334444"),
        ("WX_APPSECRET", "s"),
        ("WX_JS_DOMAINS", "a.com"),
        ("WX_STORE", "memory"),
        ("WX_LISTEN", "127.0.0.1:0"),
    ];
    let dir = TempDir::new("start-up");
    let cfg = dir.join("bad.toml");
    std::fs::write(&cfg, "appid = \"wx1\"\nunknown_key = 1\n").unwrap();
    let cfg = cfg.display().to_string();
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("WX_APPID", None, "WX_APPID"),
        ("WX_APPID", Some("wx 1"), "WX_APPID"),
        ("WX_APPSECRET", None, "WX_APPSECRET"),
        ("WX_APPSECRET", Some(""), "WX_APPSECRET"),
        ("WX_JS_DOMAINS", None, "WX_JS_DOMAINS"),
        ("WX_JS_DOMAINS", Some("https://a.com"), "WX_JS_DOMAINS"),
        ("WX_JS_DOMAINS", Some("a.com/path"), "WX_JS_DOMAINS"),
        ("WX_STORE", Some("file:"), "WX_STORE"),
        ("WX_STORE", Some("postgres://x"), "WX_STORE"),
        ("WX_LISTEN", Some("localhost"), "WX_LISTEN"),
        ("WX_TOKEN_MODE", Some("fast"), "WX_TOKEN_MODE"),
        ("WX_JS_PORTS", Some("80"), "WX_JS_PORTS"),
        ("WX_API_BASE", Some("not a url"), "WX_API_BASE"),
        ("WX_API_BASE", Some("ftp://api.weixin.qq.com"), "WX_API_BASE"),
        (
            "WX_API_BASE",
            Some("https://proxy:Pr0xyPassw0rd@api.example.com"),
            "user name or password",
        ),
        (
            "WX_API_BASE",
            Some("https//proxy:Pr0xyPassw0rd@api.example.com"),
            "WX_API_BASE",
        ),
        ("WX_CORS_ORIGINS", Some("https://a.com/path"), "WX_CORS_ORIGINS"),
        ("WX_UPSTREAM_TIMEOUT_MS", Some("0"), "WX_UPSTREAM_TIMEOUT_MS"),
        ("WX_STATIC_DIR", Some("/definitely/not/here"), "WX_STATIC_DIR"),
        ("WX_CONFIG", Some(&cfg), "WX_CONFIG"),
    ];
    for (var, value, needle) in cases {
        let mut c = wx_server();
        c.arg("serve");
        for (k, v) in base {
            if k != *var {
                c.env(k, v);
            }
        }
        if let Some(v) = value {
            c.env(var, v);
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}={value:?}: {err}");
        assert!(err.contains(needle), "{var}={value:?}: {err}");
        assert!(!err.contains("panicked"), "{var}={value:?}: {err}");
        assert!(!err.contains("Pr0xyPassw0rd"), "{var}={value:?}: {err}");
    }
    // A real account's domain cannot carry a port other than 80/443.
    let mut c = wx_server();
    c.arg("serve");
    for (k, v) in base {
        c.env(k, v);
    }
    let out = c
        .env("WX_JS_PORTS", "standard")
        .env("WX_JS_DOMAINS", "a.com,b.com:8080")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("WX_JS_DOMAINS") && err.contains("b.com:8080"), "{err}");
    // A port in use is reported against WX_LISTEN too.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap().to_string();
    let mut c = wx_server();
    c.arg("serve");
    for (k, v) in base {
        c.env(k, v);
    }
    let out = c.env("WX_LISTEN", &addr).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("WX_LISTEN"));

    // Nothing secret inside the served directory: not the credential file (here the default one, relative to a
    // working directory that is also the static directory, as after `cd dist`), not the config file.
    let dist = dir.join("served-dir");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    let inside_config = dist.join("assets/wx.toml");
    std::fs::write(&inside_config, "appid = \"wx1\"\n").unwrap();
    let served = [
        ("WX_STORE", None, &dist, "WX_STORE"),
        (
            "WX_STORE",
            Some(format!("file:{}/sub/../creds.json", dist.display())),
            &dist,
            "WX_STORE",
        ),
        (
            "WX_CONFIG",
            Some(inside_config.display().to_string()),
            &std::env::temp_dir(),
            "WX_CONFIG",
        ),
    ];
    for (var, value, cwd, needle) in served {
        let mut c = wx_server();
        c.arg("serve").current_dir(cwd).env("WX_STATIC_DIR", &dist);
        for (k, v) in base.iter().filter(|(k, _)| *k != "WX_STORE") {
            c.env(k, v);
        }
        if let Some(v) = &value {
            c.env(var, v);
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}={value:?}: {err}");
        assert!(
            err.contains(needle) && err.contains("WX_STATIC_DIR"),
            "{var}={value:?}: {err}"
        );
        assert!(!dist.join("creds.json").exists() && !dist.join("wx-server-credentials.json").exists());
    }
}

#[test]
fn help_documents_every_variable() {
    let out = wx_server().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    // Every setting of the list, by flag and variable (`[env: WX_TOKEN]` for a secret: never its value).
    for setting in wx_server::settings::SETTINGS {
        let flag = format!("{} <", setting.flag());
        assert!(help.contains(&flag), "{flag} missing from serve --help:\n{help}");
        let env = format!("[env: {}", setting.var());
        let shown = [format!("{env}]"), format!("{env}=")];
        let shown = if setting.is_secret() { &shown[..1] } else { &shown[..] };
        assert!(
            shown.iter().any(|s| help.contains(s)),
            "{env} missing from serve --help:\n{help}"
        );
    }
    for other in ["WX_CONFIG", "--mock"] {
        assert!(help.contains(other), "{other} missing from serve --help:\n{help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_mock_runs_with_no_configuration_and_a_toml_file_works() {
    let client = client();
    let mut c = wx_server();
    c.args(["serve", "--mock", "--listen", "127.0.0.1:0"]);
    let p = Proc::spawn(c);
    let base = p.base_url();
    let page = "http://localhost:8080/";
    let config = get_config(&client, &base, page, false).await;
    let t: Value = get_json(
        &client,
        format!("{base}/fake-wechat/test-only/jsapi-ticket?appid={}", config.app_id),
    )
    .await;
    assert!(verifies(&config, page, &[t["ticket"].as_str().unwrap().to_owned()]));
    let port = base.rsplit(':').next().unwrap();
    let health: Value = get_json(&client, format!("{base}/healthz")).await;
    // /healthz names only the kind of store; the start-up log gives the file.
    assert_eq!(health["store"], "file", "{health}");
    let log = p.output();
    let store = log
        .split_whitespace()
        .find_map(|w| w.strip_prefix("file:"))
        .map(|w| w.trim_end_matches([',', ')']).to_owned())
        .unwrap_or_else(|| panic!("no file store in the start-up log:\n{log}"));
    assert!(
        store.ends_with(&format!("wxkit-mock-credentials-{port}.json")),
        "{store}"
    );
    drop(p);
    // The per-port file `serve --mock` made; a stopped server leaves it for the next run on that port to empty.
    remove_store(std::path::Path::new(&store));

    // The same server configured from a TOML file only.
    let fake = fake_wechat(&[]);
    let dir = TempDir::new("toml-only");
    let file = dir.join("wx.toml");
    std::fs::write(
        &file,
        format!(
            "appid = \"{TEST_APPID}\"\nappsecret = \"{TEST_SECRET}\"\napi_base = \"{}\"\njs_domains = \"127.0.0.1\"\nlisten = \"127.0.0.1:0\"\nstore = \"memory\"\n",
            fake.base_url()
        ),
    )
    .unwrap();
    let mut c = wx_server();
    c.args(["serve", "--config", &file.display().to_string()]);
    let from_file = Proc::spawn(c);
    let cfg = get_config(&client, &from_file.base_url(), PAGE, false).await;
    assert_eq!(cfg.app_id, TEST_APPID);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

/// A config file error names the file and the line but never prints the line itself: a misspelt or malformed
/// secret would otherwise land in the start-up log.
#[test]
fn config_file_errors_never_print_the_secret_on_the_bad_line() {
    const SECRET: &str = "TomlLeakedSecret999";
    let cases = [
        format!("appid = \"wx1111222233334444\"\napp_secret = \"{SECRET}\"\n"),
        format!("appid = \"wx1111222233334444\"\nappsecret = {SECRET}\n"),
        "appid = \"wx1111222233334444\"\nappsecret = 987654321987\n".to_owned(),
        format!("appid = \"wx1111222233334444\"\ntoken = [\"{SECRET}\"]\n"),
        // toml reformats numbers, so the secret's digits appear in other forms than the source's.
        "appid = \"wx1111222233334444\"\ntoken = 987654321987 # from the MP console\n".to_owned(),
        "appid = \"wx1111222233334444\"\nappsecret = 9876_5432_1987\n".to_owned(),
        "appid = \"wx1111222233334444\"\nappsecret = 0xE5F4C8F6C3\n".to_owned(),
        // serde quotes a string where a number was expected, escaping what it must.
        format!("appid = \"wx1111222233334444\"\nupstream_timeout_ms = \"{SECRET}\"\n"),
        format!("appid = \"wx1111222233334444\"\nupstream_timeout_ms = \"a\\\", expected `{SECRET}`\"\n"),
    ];
    let dir = TempDir::new("config-errors");
    for (i, toml) in cases.iter().enumerate() {
        let cfg = dir.join(format!("secret-{i}.toml"));
        std::fs::write(&cfg, toml).unwrap();
        let out = wx_server()
            .args(["serve", "--config"])
            .arg(&cfg)
            .env("WX_JS_DOMAINS", "a.com")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "case {i}: {err}");
        assert!(err.contains("line 2"), "case {i} names the line: {err}");
        assert!(
            // 0xE5F4C8F6C3 is 987654321859 in decimal.
            !err.contains(SECRET) && !err.contains("987654321") && !err.contains("E5F4C8F6C3"),
            "case {i} printed the secret: {err}"
        );
    }
}
