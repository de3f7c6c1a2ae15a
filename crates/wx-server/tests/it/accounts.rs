//! Several accounts in one server: two `[accounts.<name>]` tables of a settings file beside the default account,
//! each signing configs with its own ticket, verifying pushes at its own path with its own Token and key, keeping
//! its credentials and replay record apart in the file and Redis stores; the config endpoint's choice by domain
//! and by `account=`; an unknown account path; settings errors with their line.

use crate::common::{Config, Proc, Redis, TEST_APPID, TEST_SECRET, TempDir, client, enc, inproc, no_redirects, serve};
use serde_json::{Value, json};
use std::{path::PathBuf, time::Duration};
use wx_push::{EncodingAesKey, Message, Push, PushBody, PushCipher, PushSigner};
use wx_server::{
    AccountSettings, JsDomain, Secret, ServeArgs, Server, Settings,
    accounts::AnyHandler,
    fake::{FakeOptions, FakeWechat},
};

/// One account of the tests' settings file.
struct Acct {
    name: &'static str,
    appid: &'static str,
    secret: &'static str,
    token: &'static str,
    key: &'static str,
    domains: &'static str,
}

const A: Acct = Acct {
    name: "a",
    appid: "wxaaaa000011112222",
    secret: "secret-of-a-grep-me-31c5",
    token: "token-of-a-9d1e",
    key: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    domains: "a.example.com, shared.example.com",
};
const B: Acct = Acct {
    name: "b",
    appid: "wxbbbb000011112222",
    secret: "secret-of-b-grep-me-52e0",
    token: "token-of-b-7c44",
    key: "GFEDCBA9876543210zyxwvutsrqponmlkjihgfedcba",
    domains: "b.example.com, shared.example.com",
};
const ADMIN: &str = "admin-token-of-the-accounts-test";

/// A fake WeChat that knows the default account, A and B (each gets its own tokens and tickets).
async fn fake() -> FakeWechat {
    let opts = FakeOptions {
        credentials: [(TEST_APPID, TEST_SECRET), (A.appid, A.secret), (B.appid, B.secret)]
            .map(|(appid, secret)| (appid.to_owned(), Secret::new(secret)))
            .into(),
        ..FakeOptions::default()
    };
    FakeWechat::start("127.0.0.1:0".parse().unwrap(), opts).await.unwrap()
}

/// The settings file: the default account at top level, then A and B (plain mode with a key: every mode accepted).
fn settings_file(dir: &TempDir, fake: &FakeWechat, store: &str) -> PathBuf {
    let mut text = format!(
        "appid = \"{TEST_APPID}\"\nappsecret = \"{TEST_SECRET}\"\ntoken = \"default-token\"\n\
         js_domains = \"127.0.0.1\"\napi_base = \"{}\"\nlisten = \"127.0.0.1:0\"\nstore = \"{store}\"\n\
         admin_token = \"{ADMIN}\"\noauth_authorize_base = \"{}\"\n",
        fake.base_url(),
        fake.base_url()
    );
    for acct in [&A, &B] {
        text.push_str(&format!(
            "\n[accounts.{}]\nappid = \"{}\"\nappsecret = \"{}\"\ntoken = \"{}\"\nencoding_aes_key = \"{}\"\n\
             encryption_mode = \"plain\"\njs_domains = \"{}\"\nrules = \"{}\"\n",
            acct.name,
            acct.appid,
            acct.secret,
            acct.token,
            acct.key,
            acct.domains,
            rules_file(dir, acct.name).display()
        ));
    }
    let path = dir.join("wx-server.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Account `name`'s rule file, written: every text is answered `rules of <name>: <text>`.
fn rules_file(dir: &TempDir, name: &str) -> PathBuf {
    let path = dir.join(format!("rules-{name}.toml"));
    let rules = format!("[[rule]]\nname = \"echo\"\nregex = '^(.+)$'\ntext = \"rules of {name}: {{1}}\"\n");
    std::fs::write(&path, rules).unwrap();
    path
}

fn read_settings(path: PathBuf) -> Settings {
    let mut settings = ServeArgs {
        config: Some(path),
        ..ServeArgs::default()
    }
    .into_settings()
    .unwrap();
    // Generous, as in `inproc::settings_for`: a stalled fake must not look like a timeout.
    settings.upstream_timeout = Duration::from_secs(10);
    settings.refresh_deadline = Duration::from_secs(30);
    settings
}

/// A server of the file's three accounts, each account's pushes answered `<account name>: <text>` (so that a
/// reply shows which account's handler ran).
async fn start(settings: Settings) -> Server {
    let listener = tokio::net::TcpListener::bind(settings.listen).await.unwrap();
    Server::start_with_handlers(listener, settings, |account| {
        let name = account.name.clone();
        Ok(AnyHandler::new(move |push: Push| {
            let name = name.clone();
            async move {
                match push.body {
                    PushBody::Message(Message::Text { content, .. }) => {
                        wx_push::Reply::text(format!("{name}: {content}"))
                    }
                    _ => wx_push::Reply::Success,
                }
            }
        }))
    })
    .await
    .unwrap()
}

/// `GET /api/jssdk/config` with `query`: the status and the body as JSON.
async fn config(server: &Server, query: &str) -> (u16, Value) {
    let r = client()
        .get(server.url(&format!("/api/jssdk/config?{query}")))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// True when `body` is a config for `appid` signed for `page` with the fake's current ticket of `appid` (checked
/// with wx-sign).
fn signed_by(fake: &FakeWechat, appid: &str, page: &str, body: &Value) -> bool {
    let config: Config = serde_json::from_value(body.clone()).unwrap();
    let Some(ticket) = fake.control().current_ticket(appid) else {
        return false;
    };
    let expected = wx_sign::sign_config(&ticket, &config.nonce_str, config.timestamp, page).unwrap();
    config.app_id == appid && expected.signature == config.signature
}

fn text_push(content: &str, msg_id: u64) -> Push {
    Push {
        to_user_name: "gh_account".into(),
        from_user_name: "oFollower".into(),
        create_time: wx_sign::unix_timestamp(),
        body: PushBody::Message(Message::Text {
            content: content.into(),
            msg_id,
        }),
    }
}

fn plain(acct: &Acct) -> PushSigner {
    PushSigner::plain(acct.token)
}

fn safe(acct: &Acct) -> PushSigner {
    PushSigner::safe(
        acct.token,
        PushCipher::new(EncodingAesKey::parse(acct.key).unwrap(), acct.appid),
    )
}

/// `POST <path>` of `push` signed by `signer`: the status and the body.
async fn send(server: &Server, path: &str, signer: &PushSigner, push: &Push, nonce: &str) -> (u16, String) {
    let signed = signer.sign(push, wx_sign::unix_timestamp(), nonce).unwrap();
    let r = client()
        .post(server.url(&format!("{path}?{}", signed.query)))
        .body(signed.body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The text of the reply `body`, read as WeChat reads it with `signer` (safe mode: verified and decrypted).
fn reply_text(signer: &PushSigner, body: &str) -> String {
    match signer.open_reply(body).unwrap().map(|m| m.reply) {
        Some(wx_push::Reply::Text(content)) => content,
        other => panic!("not a text reply: {other:?}"),
    }
}

#[tokio::test]
async fn each_account_signs_configs_with_its_own_ticket_chosen_by_domain_or_parameter() {
    let fake = fake().await;
    let dir = TempDir::new("accounts-config");
    let settings = read_settings(settings_file(&dir, &fake, "memory"));
    assert_eq!(settings.accounts.len(), 2);
    assert_eq!(
        settings.accounts[0].rules,
        Some(dir.join("rules-a.toml")),
        "the rules path is kept"
    );
    let server = start(settings).await;

    // (query, the account expected to sign, the page it signs): by domain, subdomain, parameter, and the default.
    let cases = [
        ("url={}", A.appid, "https://a.example.com/shop?x=1"),
        ("url={}", A.appid, "https://m.a.example.com/"),
        ("url={}", B.appid, "https://b.example.com/"),
        ("url={}&account=b", B.appid, "https://shared.example.com/p"),
        ("url={}&account=a", A.appid, "https://shared.example.com/p"),
        ("url={}", TEST_APPID, "http://127.0.0.1/page"),
        ("account=default&url={}", TEST_APPID, "http://127.0.0.1/page"),
    ];
    for (query, appid, page) in cases {
        let query = query.replace("{}", &enc(page));
        let (status, body) = config(&server, &query).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert!(
            signed_by(&fake, appid, page, &body),
            "{query}: not signed by {appid}: {body}"
        );
        // A mix-up fails: no other account's ticket verifies it.
        for other in [TEST_APPID, A.appid, B.appid].into_iter().filter(|o| *o != appid) {
            assert!(
                !signed_by(&fake, other, page, &body),
                "{query}: signed with {other}'s ticket"
            );
        }
    }
    let tickets: Vec<_> = [TEST_APPID, A.appid, B.appid]
        .map(|appid| fake.control().current_ticket(appid).unwrap())
        .into();
    assert!(tickets[0] != tickets[1] && tickets[1] != tickets[2] && tickets[0] != tickets[2]);

    // (query, status, error code, what the message must name).
    let refusals = [
        (
            "url={}",
            "https://shared.example.com/",
            400,
            "ambiguous_account",
            "account=<name>",
        ),
        (
            "url={}",
            "https://elsewhere.example.org/",
            403,
            "domain_not_allowed",
            "js_domains",
        ),
        (
            "url={}&account=nope",
            "https://a.example.com/",
            400,
            "unknown_account",
            "default, a, b",
        ),
        (
            "url={}&account=b",
            "https://a.example.com/",
            403,
            "domain_not_allowed",
            "a.example.com",
        ),
        (
            "url={}&account=a&account=b",
            "https://a.example.com/",
            400,
            "duplicate_account",
            "at most once",
        ),
        ("url={}", "ftp://a.example.com/", 400, "unsupported_scheme", "http"),
    ];
    for (query, page, status, error, names) in refusals {
        let query = query.replace("{}", &enc(page));
        let (got, body) = config(&server, &query).await;
        assert_eq!((got, body["error"].as_str()), (status, Some(error)), "{query}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(names), "{query}: {message}");
        for secret in [TEST_SECRET, A.secret, B.secret, A.token, B.token] {
            assert!(!body.to_string().contains(secret), "{query}: {body}");
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn pushes_reach_each_account_at_its_path_verified_with_its_own_token_and_key() {
    let fake = fake().await;
    let dir = TempDir::new("accounts-push");
    let server = start(read_settings(settings_file(&dir, &fake, "memory"))).await;

    // (path, signer, the handler's name): each path in plain and safe mode; the default account at /wechat.
    let accepted = [
        ("/wechat/a", plain(&A), "a"),
        ("/wechat/a", safe(&A), "a"),
        ("/wechat/b", plain(&B), "b"),
        ("/wechat/b", safe(&B), "b"),
        ("/wechat", PushSigner::plain("default-token"), "default"),
    ];
    for (i, (path, signer, name)) in accepted.iter().enumerate() {
        // The same MsgId at every path: de-duplication is each account's own, so each handler runs.
        let (status, body) = send(&server, path, signer, &text_push("hi", 42), &format!("ok{i}")).await;
        assert_eq!(status, 200, "{path} #{i}: {body}");
        assert_eq!(reply_text(signer, &body), format!("{name}: hi"), "{path} #{i}");
    }

    // Another account's Token or key, at either path and in either mode, is refused, and nothing runs.
    let refused = [
        ("/wechat/b", plain(&A)),
        ("/wechat/b", safe(&A)),
        ("/wechat/a", plain(&B)),
        ("/wechat/a", safe(&B)),
        ("/wechat", plain(&A)),
        ("/wechat/a", PushSigner::plain("default-token")),
    ];
    for (i, (path, signer)) in refused.iter().enumerate() {
        let (status, body) = send(&server, path, signer, &text_push("stolen", 7), &format!("bad{i}")).await;
        assert_eq!(status, 403, "{path} #{i}: {body}");
        assert!(body.contains("signature"), "{path} #{i}: {body}");
        assert!(!body.contains("stolen"), "{path} #{i}: {body}");
    }

    // WeChat's URL check at an account's path, with its Token.
    let ts = wx_sign::unix_timestamp().to_string();
    let signature = wx_sign::server_signature(B.token, &ts, "n-check").unwrap();
    let check = format!("/wechat/b?signature={signature}&timestamp={ts}&nonce=n-check&echostr=echo-b");
    let r = client().get(server.url(&check)).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (200, "echo-b".to_owned())
    );
    server.shutdown().await;
}

#[tokio::test]
async fn an_unknown_account_path_is_a_404_naming_the_paths_and_nothing_secret() {
    let fake = fake().await;
    let dir = TempDir::new("accounts-unknown");
    let server = start(read_settings(settings_file(&dir, &fake, "memory"))).await;
    let signed = plain(&A)
        .sign(&text_push("lost?", 9), wx_sign::unix_timestamp(), "n")
        .unwrap();
    for (method, path) in [
        ("POST", format!("/wechat/nope?{}", signed.query)),
        (
            "GET",
            "/wechat/nope?signature=x&timestamp=1&nonce=n&echostr=e".to_owned(),
        ),
        ("POST", "/wechat/default".to_owned()),
        ("POST", "/wechat/%3Cscript%3E".to_owned()),
    ] {
        let request = match method {
            "POST" => client().post(server.url(&path)).body(signed.body.clone()),
            _ => client().get(server.url(&path)),
        };
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert!(
            body.contains("/wechat (default), /wechat/a, /wechat/b"),
            "{path}: {body}"
        );
        assert!(!body.contains("<script>"), "{body}");
        for secret in [TEST_SECRET, A.secret, B.secret, A.token, B.token, A.key, B.key] {
            assert!(!body.contains(secret), "{path}: {body}");
        }
    }
    // The push was not lost: signed for A, it is still accepted once sent to A's path.
    let r = client()
        .post(server.url(&format!("/wechat/a?{}", signed.query)))
        .body(signed.body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(reply_text(&plain(&A), &r.text().await.unwrap()), "a: lost?");
    server.shutdown().await;
}

/// Configs and a push for A and B, then what the store holds for each: its own ticket under its own key.
async fn use_both(server: &Server) {
    for (page, nonce, acct) in [
        ("https://a.example.com/", "sa", &A),
        ("https://b.example.com/", "sb", &B),
    ] {
        let (status, body) = config(server, &format!("url={}", enc(page))).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = send(
            server,
            &format!("/wechat/{}", acct.name),
            &plain(acct),
            &text_push("x", 1),
            nonce,
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn credentials_and_replay_records_stay_apart_in_the_file_store() {
    let fake = fake().await;
    let dir = TempDir::new("accounts-file");
    let file = dir.join("credentials.json");
    let server = start(read_settings(settings_file(
        &dir,
        &fake,
        &format!("file:{}", file.display()),
    )))
    .await;
    use_both(&server).await;

    let stored: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    for acct in [&A, &B] {
        let key = format!("wxkit:{}:jsapi_ticket", acct.appid);
        assert_eq!(
            stored[&key]["value"].as_str(),
            fake.control().current_ticket(acct.appid).as_deref(),
            "{key} in {stored}"
        );
        // Its access_token too, under its own key (the fake issues each app its own tokens).
        let token = format!("wxkit:{}:access_token:stable", acct.appid);
        assert!(stored[&token]["value"].as_str().is_some(), "{token} in {stored}");
        // Each account's replay record is its own directory, holding its push's marker.
        let seen = dir.join(format!("credentials.json.{}.seen", acct.name));
        assert_eq!(std::fs::read_dir(&seen).unwrap().count(), 1, "{}", seen.display());
    }
    let token = |appid: &str| stored[format!("wxkit:{appid}:access_token:stable")]["value"].clone();
    assert_ne!(token(A.appid), token(B.appid));
    assert!(
        !dir.join("credentials.json.seen").exists(),
        "nothing was pushed to the default account"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn credentials_and_replay_records_stay_apart_in_redis() {
    let redis = Redis::start();
    let fake = fake().await;
    let dir = TempDir::new("accounts-redis");
    let server = start(read_settings(settings_file(&dir, &fake, &redis.url()))).await;
    use_both(&server).await;

    let mut conn = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    for acct in [&A, &B] {
        let key = format!("wxkit:{}:jsapi_ticket", acct.appid);
        let raw: String = redis::cmd("GET").arg(&key).query_async(&mut conn).await.unwrap();
        let stored: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(
            stored["value"].as_str(),
            fake.control().current_ticket(acct.appid).as_deref(),
            "{key}"
        );
        let seen: Vec<String> = redis::cmd("KEYS")
            .arg(format!("wxkit:{}:seen:*", acct.appid))
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(seen.len(), 1, "{}: {seen:?}", acct.appid);
    }
    server.shutdown().await;
}

#[tokio::test]
async fn oauth_and_qr_codes_use_the_chosen_account() {
    let fake = fake().await;
    let dir = TempDir::new("accounts-oauth");
    let server = start(read_settings(settings_file(&dir, &fake, "memory"))).await;

    // start → the fake's authorize page → callback → me, for the default account and for B: each signs in with
    // its own appid and gets its own openid (the fake's user is `oFake-<appid>-user`).
    for (query, appid, account) in [("", TEST_APPID, None), ("&account=b", B.appid, Some("b"))] {
        let c = no_redirects();
        let mut cookies = String::new();
        let mut url = server.url(&format!("/api/oauth/start?scope=base&return=/done{query}"));
        for hop in 0..3 {
            let r = c.get(&url).header("cookie", &cookies).send().await.unwrap();
            assert_eq!(r.status(), 302, "hop {hop} of {query}: {url}");
            for set in r.headers().get_all("set-cookie") {
                let pair = set.to_str().unwrap().split(';').next().unwrap();
                cookies = format!("{cookies}{pair}; ");
            }
            url = r.headers()["location"]
                .to_str()
                .unwrap()
                .split('#')
                .next()
                .unwrap()
                .to_owned();
            if hop == 0 {
                assert!(url.contains(&format!("appid={appid}&")), "{url}");
            }
        }
        assert_eq!(url, "/done");
        let r = c
            .get(server.url("/api/oauth/me"))
            .header("cookie", &cookies)
            .send()
            .await
            .unwrap();
        let me: Value = r.json().await.unwrap();
        assert_eq!(me["openid"], format!("oFake-{appid}-user"), "{me}");
        assert_eq!(me["account"].as_str(), account, "{me}");
    }
    let r = client()
        .get(server.url("/api/oauth/start?account=zz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "unknown_account");

    let body = json!({"action_name": "QR_STR_SCENE", "scene_str": "spring", "expire_seconds": 3600});
    let r = client()
        .post(server.url("/api/qrcode?account=a"))
        .bearer_auth(ADMIN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let stats = fake.control().stats();
    assert_eq!((stats[A.appid].qrcode_create, stats[TEST_APPID].qrcode_create), (1, 0));
    server.shutdown().await;
}

#[test]
fn settings_errors_name_the_line_and_the_fix_without_quoting_a_secret() {
    let top = format!("appid = \"{TEST_APPID}\"\nappsecret = \"{TEST_SECRET}\"\njs_domains = \"127.0.0.1\"\n");
    let table = |name: &str, appid: &str, extra: &str| {
        format!(
            "\n[accounts.{name}]\nappid = \"{appid}\"\nappsecret = \"{}\"\njs_domains = \"a.example.com\"\n{extra}",
            A.secret
        )
    };
    // (the tables after the 3 top-level lines, what the error must say). Line 5 is the first table's header.
    let cases = [
        (table("a", A.appid, "") + &table("a", B.appid, ""), "line 10"),
        (table("a", A.appid, "") + &table("a", B.appid, ""), "duplicate key"),
        (
            "\n[accounts.b]\nappid = \"wxbbbb000011112222\"\njs_domains = \"b.example.com\"\n".into(),
            "line 5: [accounts.b]: appsecret is not set",
        ),
        (
            table("a", A.appid, "") + &table("b", A.appid, ""),
            "line 10: [accounts.b]: accounts `a` and `b` have the same appid",
        ),
        (
            table("c", TEST_APPID, ""),
            "line 5: [accounts.c]: accounts `default` and `c` have the same appid",
        ),
        (
            table("default", A.appid, ""),
            "line 5: [accounts.default]: `default` is the top-level account's name",
        ),
        (table("Shop", A.appid, ""), "lowercase letters, digits"),
        (
            table("a", A.appid, "encryption_mode = \"safe\"\n"),
            "safe mode needs encoding_aes_key",
        ),
        (
            table("a", A.appid, &format!("encoding_aes_key = \"{}\"\n", &A.secret[..20])),
            "line 5: [accounts.a]: encoding_aes_key",
        ),
        (
            table("a", A.appid, &format!("app_secret = \"{}\"\n", B.secret)),
            "unknown field `app_secret`",
        ),
        (
            format!(
                "\n[accounts.e]\nappid = \"wxeeee000011112222\"\nappsecret = \"{}\"\n",
                B.secret
            ),
            "line 5: [accounts.e]: js_domains is not set",
        ),
    ];
    let dir = TempDir::new("accounts-errors");
    for (i, (tables, expected)) in cases.iter().enumerate() {
        let path = dir.join(format!("bad-{i}.toml"));
        std::fs::write(&path, format!("{top}{tables}")).unwrap();
        let error = ServeArgs {
            config: Some(path.clone()),
            ..ServeArgs::default()
        }
        .into_settings()
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with(&format!("WX_CONFIG file {}: ", path.display())),
            "#{i}: {error}"
        );
        assert!(error.contains(expected), "#{i}: expected `{expected}` in: {error}");
        for secret in [TEST_SECRET, A.secret, B.secret, &A.secret[..20]] {
            assert!(!error.contains(secret), "#{i}: {error}");
        }
    }
}

#[test]
fn a_domain_with_a_bad_port_and_an_invalid_domain_are_refused_in_a_table() {
    let dir = TempDir::new("accounts-domains");
    let top = format!(
        "appid = \"{TEST_APPID}\"\nappsecret = \"{TEST_SECRET}\"\njs_domains = \"127.0.0.1\"\njs_ports = \"standard\"\n"
    );
    for (domains, expected) in [
        (
            "a.example.com:8443",
            "line 6: [accounts.a]: js_domains: `a.example.com:8443`",
        ),
        (
            "https://a.example.com",
            "line 6: [accounts.a]: js_domains: `https://a.example.com` is not a bare domain",
        ),
        ("", "line 6: [accounts.a]: js_domains is empty"),
    ] {
        let path = dir.join("domains.toml");
        let text = format!(
            "{top}\n[accounts.a]\nappid = \"{}\"\nappsecret = \"{}\"\njs_domains = \"{domains}\"\n",
            A.appid, A.secret
        );
        std::fs::write(&path, text).unwrap();
        let error = ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        }
        .into_settings()
        .unwrap_err()
        .to_string();
        assert!(error.contains(expected), "{domains}: {error}");
    }
}

/// The binary with the settings file: its logs (debug) and answers for both accounts, good and bad requests, hold
/// no account's secret, Token, key or ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_process_serves_both_accounts_and_never_shows_their_secrets() {
    let fake = fake().await;
    let dir = TempDir::new("accounts-process");
    let file = settings_file(&dir, &fake, "memory");
    // The file's top-level account is overridden by the variables `serve` sets; the tables are the file's alone.
    let mut server = Proc::spawn({
        let mut c = serve(&fake.base_url(), "memory", &[("WX_TOKEN", "default-token")]);
        c.env("WX_CONFIG", &file);
        c
    });
    let base = server.base_url();
    let c = client();
    let mut seen = String::new();
    for query in [
        format!("url={}", enc("https://a.example.com/")),
        format!("url={}", enc("https://b.example.com/")),
        format!("url={}", enc("https://shared.example.com/")),
        format!("url={}&account=zz", enc("https://a.example.com/")),
    ] {
        seen += &c
            .get(format!("{base}/api/jssdk/config?{query}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    }
    for (path, signer) in [
        ("/wechat/a", safe(&A)),
        ("/wechat/b", plain(&A)),
        ("/wechat/b", plain(&B)),
        ("/wechat/nope", plain(&B)),
    ] {
        let signed = signer
            .sign(&text_push("hello", 5), wx_sign::unix_timestamp(), "p")
            .unwrap();
        let r = c
            .post(format!("{base}{path}?{}", signed.query))
            .body(signed.body)
            .send()
            .await
            .unwrap();
        seen += &r.text().await.unwrap();
    }
    assert!(seen.contains("\"appId\":\"wxaaaa000011112222\""), "{seen}");
    assert!(seen.contains("no account is served at /wechat/nope"), "{seen}");
    // Each account answers with the rules of its own `rules` file.
    assert!(seen.contains("rules of b: hello"), "{seen}");
    assert!(!seen.contains("rules of a"), "B's push answered by A's rules: {seen}");
    server.stop();
    let output = server.output();
    assert!(output.contains("account a at /wechat/a"), "{output}");
    let tickets = [A.appid, B.appid].map(|appid| fake.control().current_ticket(appid).unwrap());
    for secret in [
        A.secret,
        B.secret,
        A.token,
        B.token,
        A.key,
        B.key,
        TEST_SECRET,
        "default-token",
    ]
    .into_iter()
    .chain(tickets.iter().map(String::as_str))
    {
        assert!(!output.contains(secret), "the logs show a secret:\n{output}");
        assert!(!seen.contains(secret), "a response shows a secret:\n{seen}");
    }
}

/// An embedder's accounts (`Settings::accounts` set in Rust) under `--mock`: the in-process fake knows every
/// appid and gives each its own ticket; accounts that would be mixed up are refused at start.
#[tokio::test]
async fn mock_mode_serves_accounts_given_in_rust_and_refuses_a_mix_up() {
    let account = |name: &str, appid: &str, domain: &str| AccountSettings {
        name: name.into(),
        appid: appid.into(),
        secret: Secret::new(A.secret),
        server_token: None,
        encoding_aes_key: None,
        encryption_mode: None,
        js_domains: vec![JsDomain::parse(domain).unwrap()],
        rules: None,
    };
    let server = inproc::start_mock(|s| s.accounts.push(account("a", A.appid, "a.example.com"))).await;
    let page = "https://a.example.com/";
    let (status, body) = config(&server, &format!("url={}", enc(page))).await;
    assert_eq!(status, 200, "{body}");
    let fake = server.app().fake().unwrap();
    let config: Config = serde_json::from_value(body).unwrap();
    let ticket = fake.current_ticket(A.appid).unwrap();
    assert_ne!(Some(&ticket), fake.current_ticket(wx_server::DEMO_APPID).as_ref());
    let expected = wx_sign::sign_config(&ticket, &config.nonce_str, config.timestamp, page).unwrap();
    assert_eq!(
        (config.app_id.as_str(), expected.signature),
        (A.appid, config.signature)
    );
    assert!(server.app().account_service("a").is_some() && server.app().account_service("zz").is_none());
    // Without a token the account's path says which setting is missing.
    let r = client().post(server.url("/wechat/a")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("set `token` in its [accounts.a] table")
    );
    server.shutdown().await;

    // (the accounts, what start-up says).
    let cases = [
        (
            vec![
                account("a", A.appid, "a.example.com"),
                account("b", A.appid, "b.example.com"),
            ],
            "have the same appid",
        ),
        (
            vec![account("a", wx_server::DEMO_APPID, "a.example.com")],
            "`default` and `a` have the same appid",
        ),
        (
            vec![
                account("a", A.appid, "a.example.com"),
                account("a", B.appid, "b.example.com"),
            ],
            "two accounts are named `a`",
        ),
        (vec![account("A/b", A.appid, "a.example.com")], "lowercase letters"),
        (
            vec![account("default", A.appid, "a.example.com")],
            "is the top-level account's name",
        ),
        (
            vec![account("a", "", "a.example.com")],
            "account `a`: appid: an AppID is letters and digits only",
        ),
        (
            vec![AccountSettings {
                encryption_mode: Some(wx_push::Mode::Safe),
                ..account("a", A.appid, "a.example.com")
            }],
            "account `a`: an encrypted mode needs its EncodingAESKey",
        ),
        (
            vec![AccountSettings {
                js_domains: Vec::new(),
                ..account("a", A.appid, "a.example.com")
            }],
            "account `a`: it has no JS safe domain",
        ),
    ];
    for (accounts, expected) in cases {
        let settings = inproc::mock_settings(|s| s.accounts = accounts);
        let error = wx_server::App::build(&settings).await.unwrap_err().to_string();
        assert!(
            error.starts_with("WX_CONFIG is invalid: ") && error.contains(expected),
            "{error}"
        );
    }
}

/// The endpoints with no page to choose an account by (the central credentials, the card signature) take
/// `account=<name>`, else serve the default account; an unknown name is a 400 naming the accounts.
#[tokio::test]
async fn central_credentials_and_card_signatures_are_each_accounts_own() {
    const CENTRAL: &str = "central-token-for-the-accounts-test";
    let fake = fake().await;
    let dir = TempDir::new("accounts-central");
    let mut settings = read_settings(settings_file(&dir, &fake, "memory"));
    settings.central_token = Some(CENTRAL.into());
    let server = start(settings).await;
    let c = client();
    let get = |path: String| {
        let c = c.clone();
        let url = server.url(&path);
        async move {
            let r = c.get(url).bearer_auth(CENTRAL).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    for (query, appid) in [("", TEST_APPID), ("?account=a", A.appid), ("?account=b", B.appid)] {
        let (status, body) = get(format!("/api/ticket/jsapi{query}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["ticket"].as_str(),
            fake.control().current_ticket(appid).as_deref(),
            "{query}: the ticket of {appid}"
        );
    }
    let (status, body) = get("/api/token?account=zz".into()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unknown_account")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("default, a, b"), "{body}");

    let (status, card) = get("/api/jssdk/card?for=chooseCard&cardType=GROUPON&account=b".into()).await;
    assert_eq!(status, 200, "{card}");
    let tickets = fake.control().valid_card_tickets(B.appid);
    assert_eq!(tickets.len(), 1, "B's card ticket, fetched for B");
    let s = |k: &str| card[k].as_str().unwrap().to_owned();
    let mut values = [
        tickets[0].as_str(),
        B.appid,
        "",
        &s("timestamp"),
        &s("nonceStr"),
        "",
        "GROUPON",
    ];
    values.sort_unstable();
    assert_eq!(
        s("cardSign"),
        crate::common::python_sha1(&values.concat()),
        "signed with B's ticket and appid"
    );
    assert!(
        fake.control().valid_card_tickets(A.appid).is_empty(),
        "A's card ticket was never needed"
    );
}

#[tokio::test]
async fn a_photo_is_downloaded_as_the_account_named() {
    let fake = fake().await;
    let dir = TempDir::new("accounts-photos");
    let mut settings = read_settings(settings_file(&dir, &fake, "memory"));
    settings.media_dir = Some(dir.join("media"));
    let server = start(settings).await;
    let c = no_redirects();
    // B's phone uploads: the media id is B's, unknown to the default account.
    let r = c
        .post(format!("{}/test-only/client-media?appid={}", fake.base_url(), B.appid))
        .header("content-type", "image/png")
        .body(b"\x89PNG\r\n\x1a\n b's photo".to_vec())
        .send()
        .await
        .unwrap();
    let id = r.json::<Value>().await.unwrap()["media_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = |url: String, body: Value| {
        let c = c.clone();
        async move {
            let r = c.post(url).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, v) = ask(server.url("/api/photos"), json!({"serverId": id})).await;
    assert_eq!((status, v["error"].as_str()), (404, Some("invalid_media_id")), "{v}");
    for (url, body) in [
        (server.url("/api/photos?account=b"), json!({"serverId": id})),
        (server.url("/api/photos"), json!({"serverId": id, "account": "b"})),
    ] {
        let (status, v) = ask(url, body).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["contentType"], "image/png");
    }
    server.shutdown().await;
    fake.shutdown().await;
}
