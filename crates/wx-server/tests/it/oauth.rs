//! OAuth web authorisation end to end on loopback: the backend, the fake WeChat's authorize page and sns
//! endpoints, each redirect hop inspected by hand (redirects off) with a small cookie jar.

use crate::common::{self, get_text, no_redirects};

use reqwest::{StatusCode, header};
use serde_json::Value;
use std::{collections::BTreeMap, time::Duration};
use wx_server::{DEMO_APPID, Secret, Server, WechatClient, oauth};

const USER: &str = "oFake-wx0000000000demo-user";

/// The demo app's client for WeChat (or whatever answers) at `base`.
fn wechat_client(base: &str) -> WechatClient {
    common::inproc::wechat_client(base, DEMO_APPID, wx_server::DEMO_SECRET, Duration::from_secs(5))
}

async fn start() -> Server {
    common::inproc::start_mock(|_| {}).await
}

/// Cookies by name, with the attributes of the `Set-Cookie` that set them.
#[derive(Default, Clone)]
pub struct Jar(BTreeMap<String, (String, String)>);

impl Jar {
    fn take(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            self.0.insert(k.trim().into(), (val.into(), attrs.into()));
        }
    }

    pub fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, (v, _))| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn attrs(&self, name: &str) -> &str {
        &self.0[name].1
    }
}

pub async fn get(c: &reqwest::Client, url: &str, jar: &mut Jar) -> reqwest::Response {
    let r = c.get(url).header(header::COOKIE, jar.header()).send().await.unwrap();
    jar.take(&r);
    r
}

/// The `code` WeChat put in a callback URL.
fn code_of(callback: &str) -> String {
    let url = url::Url::parse(callback).unwrap();
    url.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[header::LOCATION].to_str().unwrap().to_owned()
}

/// start → authorize (fake) → the callback URL WeChat would send the browser to.
pub async fn to_callback(server: &Server, c: &reqwest::Client, jar: &mut Jar, scope: &str, ret: &str) -> String {
    let r = get(
        c,
        &server.url(&format!("/api/oauth/start?scope={scope}&return={}", common::enc(ret))),
        jar,
    )
    .await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let authorize = location(&r);
    let fake = server.url("/fake-wechat/connect/oauth2/authorize?appid=");
    assert!(authorize.starts_with(&fake), "{authorize}");
    assert!(authorize.ends_with("#wechat_redirect"), "{authorize}");
    let callback = common::enc(&server.url("/api/oauth/callback"));
    assert!(
        authorize.contains(&format!("&redirect_uri={}&", callback.replace("%2E", "."))),
        "{authorize}"
    );
    let attrs = jar.attrs("wx_oauth_state").to_owned();
    assert!(attrs.contains("HttpOnly") && attrs.contains("SameSite=Lax"), "{attrs}");
    // The browser drops the fragment; the fake consents and redirects back with a code.
    let r = get(c, authorize.split('#').next().unwrap(), jar).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let back = location(&r);
    assert!(back.starts_with(&server.url("/api/oauth/callback?code=")), "{back}");
    back
}

async fn me(server: &Server, c: &reqwest::Client, jar: &mut Jar) -> (StatusCode, Value) {
    let r = get(c, &server.url("/api/oauth/me"), jar).await;
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn full_redirect_flow_sets_a_signed_session_and_a_reload_gets_the_same_one() {
    let server = start().await;
    let c = no_redirects();
    for (scope, nickname) in [("base", Value::Null), ("userinfo", Value::from("假用户 Fake User"))] {
        let mut jar = Jar::default();
        assert_eq!(me(&server, &c, &mut jar).await.0, StatusCode::UNAUTHORIZED);
        let back = to_callback(&server, &c, &mut jar, scope, "/shop?id=1#top").await;
        let r = get(&c, &back, &mut jar).await;
        assert_eq!(r.status(), StatusCode::FOUND, "{:?}", r.text().await);
        assert_eq!(location(&r), "/shop?id=1#top");
        let attrs = jar.attrs("wx_session").to_owned();
        assert!(
            attrs.contains("HttpOnly") && attrs.contains("SameSite=Lax") && attrs.contains("Path=/"),
            "{attrs}"
        );
        let session = jar.0["wx_session"].0.clone();
        let (status, v) = me(&server, &c, &mut jar).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["openid"], USER);
        assert_eq!(v.get("nickname").cloned().unwrap_or(Value::Null), nickname);

        // A reload replays the callback: the code was used, yet the same session comes back.
        let exchanges = server.app().fake().unwrap().stats()[DEMO_APPID].oauth_access_token;
        let r = get(&c, &back, &mut jar).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(location(&r), "/shop?id=1#top");
        let (_, again) = me(&server, &c, &mut jar).await;
        assert_eq!(again, v);
        assert_eq!(
            server.app().fake().unwrap().stats()[DEMO_APPID].oauth_access_token,
            exchanges
        );
        assert!(!session.is_empty());
    }
    server.shutdown().await;
}

/// A browser signed in with `scope`: its jar holds the `wx_session` cookie.
pub async fn signed_in(server: &Server, c: &reqwest::Client, scope: &str) -> Jar {
    let mut jar = Jar::default();
    let back = to_callback(server, c, &mut jar, scope, "/").await;
    let r = get(c, &back, &mut jar).await;
    assert_eq!(r.status(), StatusCode::FOUND, "{:?}", r.text().await);
    jar
}

#[tokio::test]
async fn the_session_keeps_the_avatar_and_unionid_where_wechat_gives_them() {
    let server = start().await;
    let c = no_redirects();
    // snsapi_base: the openid only (WeChat gives no unionid, nickname or avatar there); absent keys, never null.
    let mut jar = signed_in(&server, &c, "base").await;
    let (status, v) = me(&server, &c, &mut jar).await;
    assert_eq!(status, StatusCode::OK);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["openid", "scope"], "{v}");
    assert_eq!(v["scope"], "snsapi_base");

    // snsapi_userinfo: nickname and avatar from sns/userinfo, unionid from the token answer.
    let mut jar = signed_in(&server, &c, "userinfo").await;
    let cookie = jar.0["wx_session"].0.clone();
    assert!(
        cookie.len() < 1500,
        "the session cookie stays small: {} bytes",
        cookie.len()
    );
    let (status, v) = me(&server, &c, &mut jar).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["openid"], USER);
    assert_eq!(v["scope"], "snsapi_userinfo");
    assert_eq!(v["nickname"], "假用户 Fake User");
    assert_eq!(v["unionid"], "oFakeUnion-user-0000000000");
    assert_eq!(v.get("account"), None, "the default account is not named");
    // The avatar is the fake's own, on the page's origin under --mock: a browser can load it from the page.
    let avatar = v["headimgurl"].as_str().unwrap();
    assert!(avatar.starts_with(&server.url("/fake-wechat/mmopen/")), "{avatar}");
    let r = c.get(avatar).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert!(r.text().await.unwrap().starts_with("<svg"));
    server.shutdown().await;
}

#[tokio::test]
async fn the_fake_gives_unionid_per_the_docs() {
    let server = start().await;
    let c = no_redirects();
    let wechat = wechat_client(&server.url("/fake-wechat"));
    for (scope, unionid) in [("base", None), ("userinfo", Some("oFakeUnion-user-0000000000"))] {
        let mut jar = Jar::default();
        let back = to_callback(&server, &c, &mut jar, scope, "/").await;
        let tokens = oauth::exchange_code(&wechat, &code_of(&back)).await.unwrap();
        assert_eq!(tokens.unionid.as_deref(), unionid, "{scope}");
        if scope == "userinfo" {
            let info = oauth::userinfo(&wechat, &tokens).await.unwrap();
            assert_eq!(info.unionid.as_deref(), unionid);
            assert!(info.headimgurl.ends_with("/132"), "{}", info.headimgurl);
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn csrf_state_must_match_this_browsers_cookie() {
    let server = start().await;
    let c = no_redirects();
    let mut victim = Jar::default();
    let mut attacker = Jar::default();
    // The attacker's callback URL (their code, their state) opened in the victim's browser.
    let attackers_callback = to_callback(&server, &c, &mut attacker, "base", "/").await;
    let _ = get(&c, &server.url("/api/oauth/start?scope=base&return=/"), &mut victim).await;
    let r = get(&c, &attackers_callback, &mut victim).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "oauth_state_mismatch");
    assert!(!victim.0.contains_key("wx_session"));

    // No state cookie at all, a forged one, or no state parameter.
    let mut empty = Jar::default();
    let r = get(&c, &attackers_callback, &mut empty).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut forged = attacker.clone();
    let (v, a) = forged.0["wx_oauth_state"].clone();
    let (payload, tag) = v.split_once('.').unwrap();
    forged
        .0
        .insert("wx_oauth_state".into(), (format!("{payload}A.{tag}"), a));
    assert_eq!(
        get(&c, &attackers_callback, &mut forged).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = get(&c, &server.url("/api/oauth/callback?code=x"), &mut attacker).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // A forged session cookie is not a session.
    let mut jar = attacker.clone();
    jar.0
        .insert("wx_session".into(), ("eyJ4IjoxfQ.AAAA".into(), String::new()));
    assert_eq!(me(&server, &c, &mut jar).await.0, StatusCode::UNAUTHORIZED);
    server.shutdown().await;
}

#[tokio::test]
async fn an_https_public_url_in_any_case_makes_the_cookies_secure() {
    let args = wx_server::ServeArgs {
        mock: true,
        store: Some("memory".into()),
        public_url: Some("HTTPS://H5.Example.com/".into()),
        ..Default::default()
    };
    let mut s = args.into_settings().unwrap();
    assert_eq!(s.public_url.as_deref(), Some("https://h5.example.com"));
    s.listen = "127.0.0.1:0".parse().unwrap();
    let server = Server::start(s).await.unwrap();
    let mut jar = Jar::default();
    let r = get(&no_redirects(), &server.url("/api/oauth/start?return=/"), &mut jar).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    let attrs = jar.0.values().map(|(_, a)| a.as_str()).collect::<Vec<_>>();
    assert!(
        !attrs.is_empty() && attrs.iter().all(|a| a.contains("Secure")),
        "{attrs:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn open_redirects_and_bad_scopes_are_refused_at_start() {
    let server = start().await;
    let c = no_redirects();
    for ret in [
        "//evil.com",
        "https://evil.com/",
        "http:evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "evil.com",
        "/%2F%2Fevil.com",
        "/\r\nSet-Cookie: x=1",
        "%2F%2Fevil.com",
    ] {
        let mut jar = Jar::default();
        let r = get(
            &c,
            &server.url(&format!("/api/oauth/start?return={}", common::enc(ret))),
            &mut jar,
        )
        .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{ret:?}");
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"],
            "invalid_return_path",
            "{ret:?}"
        );
        assert!(jar.0.is_empty());
    }
    let mut jar = Jar::default();
    let r = get(&c, &server.url("/api/oauth/start?scope=snsapi_login"), &mut jar).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    server.shutdown().await;
}

#[tokio::test]
async fn a_code_used_elsewhere_gets_a_clear_400_unless_the_browser_is_signed_in() {
    let server = start().await;
    let c = no_redirects();
    let mut jar = Jar::default();
    let back = to_callback(&server, &c, &mut jar, "base", "/").await;
    let api = server.url("/fake-wechat");
    // Someone else exchanges the code of this callback URL first (WeChat answers 40163 to the backend then).
    let exchange = |back: &str| {
        let c = c.clone();
        let api = api.clone();
        let code = code_of(back);
        async move {
            let url = format!(
                "{api}/sns/oauth2/access_token?appid={DEMO_APPID}&secret={}&code={code}&grant_type=authorization_code",
                wx_server::DEMO_SECRET
            );
            c.get(url).send().await.unwrap().json::<Value>().await.unwrap()
        }
    };
    assert_eq!(exchange(&back).await["openid"], USER);
    let r = get(&c, &back, &mut jar).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["error"].as_str(), v["errcode"].as_i64()),
        (Some("oauth_code_invalid"), Some(40163)),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("/api/oauth/start"));

    // A browser that already holds a session, as after a first callback answered by another instance (whose
    // replay cache this one lacks): the used code sends it on with that session instead of to an error.
    let back = to_callback(&server, &c, &mut jar, "base", "/").await;
    let r = get(&c, &back, &mut jar).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let session = jar.0["wx_session"].0.clone();
    let back = to_callback(&server, &c, &mut jar, "base", "/shop").await;
    assert_eq!(exchange(&back).await["openid"], USER);
    let r = get(&c, &back, &mut jar).await;
    assert_eq!(r.status(), StatusCode::FOUND, "{:?}", r.text().await);
    assert_eq!(location(&r), "/shop");
    assert_eq!(jar.0["wx_session"].0, session, "the session is kept, not replaced");
    assert_eq!(me(&server, &c, &mut jar).await.0, StatusCode::OK);
    // A forged session cookie does not count: the used code is still an error.
    let back = to_callback(&server, &c, &mut jar, "base", "/").await;
    assert_eq!(exchange(&back).await["openid"], USER);
    jar.0
        .insert("wx_session".into(), (format!("{session}x"), String::new()));
    assert_eq!(get(&c, &back, &mut jar).await.status(), StatusCode::BAD_REQUEST);
    server.shutdown().await;
}

#[tokio::test]
async fn the_fake_enforces_single_use_lifetime_refresh_and_scope() {
    let opts = wx_server::fake::FakeOptions {
        // Long enough for each code to be exchanged on a busy machine; the expiry case waits it out.
        oauth_code_lifetime: Duration::from_secs(2),
        ..Default::default()
    };
    let fake = wx_server::fake::FakeWechat::start("127.0.0.1:0".parse().unwrap(), opts)
        .await
        .unwrap();
    let c = no_redirects();
    let code_for = |scope: &'static str| {
        let c = c.clone();
        let base = fake.base_url();
        async move {
            let url = format!(
                "{base}/connect/oauth2/authorize?appid={DEMO_APPID}&redirect_uri={}&response_type=code&scope={scope}&state=s1",
                common::enc("http://127.0.0.1:1/cb?x=1")
            );
            let r = c.get(url).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FOUND);
            let back = url::Url::parse(&location(&r)).unwrap();
            let q: BTreeMap<_, _> = back.query_pairs().into_owned().collect();
            assert_eq!((q["x"].as_str(), q["state"].as_str()), ("1", "s1"));
            q["code"].clone()
        }
    };
    let wechat = wechat_client(&fake.base_url());
    let code = code_for("snsapi_base").await;
    let tokens = oauth::exchange_code(&wechat, &code).await.unwrap();
    assert_eq!(tokens.openid, USER);
    assert!(
        !format!("{tokens:?}").contains(tokens.access_token.expose()),
        "tokens are redacted in Debug"
    );
    let errcode = |r: Result<_, wx_server::UpstreamError>| r.err().and_then(|e| e.errcode());
    assert_eq!(
        errcode(oauth::exchange_code(&wechat, &code).await.map(|_| ())),
        Some(40163)
    );
    assert_eq!(
        errcode(oauth::exchange_code(&wechat, "nope").await.map(|_| ())),
        Some(40029)
    );
    assert_eq!(
        errcode(oauth::userinfo(&wechat, &tokens).await.map(|_| ())),
        Some(48001)
    );
    let late = code_for("snsapi_userinfo").await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        errcode(oauth::exchange_code(&wechat, &late).await.map(|_| ())),
        Some(42003)
    );

    let code = code_for("snsapi_userinfo").await;
    let tokens = oauth::exchange_code(&wechat, &code).await.unwrap();
    assert_eq!(
        oauth::userinfo(&wechat, &tokens).await.unwrap().nickname,
        "假用户 Fake User"
    );
    let renewed = oauth::refresh(&wechat, &tokens.refresh_token).await.unwrap();
    assert_ne!(renewed.access_token, tokens.access_token);
    assert_eq!(renewed.refresh_token, tokens.refresh_token);
    assert_eq!(oauth::userinfo(&wechat, &renewed).await.unwrap().openid, USER);
    assert_eq!(
        errcode(oauth::refresh(&wechat, &Secret::new("bogus")).await.map(|_| ())),
        Some(40030)
    );

    // Unknown appid or a bad scope: the authorize page refuses.
    let r = c
        .get(format!("{}/connect/oauth2/authorize?appid=wxnope&redirect_uri=http%3A%2F%2Fx%2F&response_type=code&scope=snsapi_base&state=s", fake.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    fake.shutdown().await;
}

/// An error that quotes the code back (an upstream or proxy that echoes its query) does not carry the code on:
/// the code is a credential until it is spent.
#[tokio::test]
async fn an_error_that_echoes_the_code_does_not_repeat_it() {
    let echo = axum::Router::new().route(
        "/sns/oauth2/access_token",
        axum::routing::get(|axum::extract::RawQuery(q): axum::extract::RawQuery| async move {
            axum::Json(serde_json::json!({"errcode": 40029, "errmsg": format!("invalid code, query {}", q.unwrap_or_default())}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, echo).await });
    let wechat = wechat_client(&base);
    let error = oauth::exchange_code(&wechat, "CODE0123456789echoed")
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("40029"), "{error}");
    assert!(!error.contains("CODE0123456789echoed"), "{error}");
    assert!(!error.contains(wx_server::DEMO_SECRET), "{error}");
}

#[tokio::test]
async fn a_non_ascii_return_path_comes_back_percent_encoded() {
    let server = start().await;
    let c = no_redirects();
    let mut jar = Jar::default();
    let back = to_callback(&server, &c, &mut jar, "base", "/商品?名=茶#评").await;
    let r = get(&c, &back, &mut jar).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    // Raw UTF-8 in `Location` is not HTTP; browsers read the encoded form as the same page.
    assert_eq!(location(&r), "/%E5%95%86%E5%93%81?%E5%90%8D=%E8%8C%B6#%E8%AF%84");
    server.shutdown().await;
}

/// The fake's `sns/oauth2/access_token` calls so far: what a callback spends at WeChat.
fn exchanges(server: &Server) -> u64 {
    server.app().fake().unwrap().stats()[DEMO_APPID].oauth_access_token
}

/// A fresh sign-in's state (from `start`, its cookie in `jar`), as anyone can get one.
async fn fresh_state(server: &Server, c: &reqwest::Client, jar: &mut Jar) -> String {
    let r = get(c, &server.url("/api/oauth/start?scope=base&return=/"), jar).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let authorize = url::Url::parse(&location(&r)).unwrap();
    authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned()
}

fn callback_url(server: &Server, code: &str, state: &str) -> String {
    server.url(&format!(
        "/api/oauth/callback?code={}&state={}",
        common::enc(code),
        common::enc(state)
    ))
}

/// A callback's status and JSON error code.
async fn callback(c: &reqwest::Client, url: &str, jar: &mut Jar) -> (StatusCode, String) {
    let r = get(c, url, jar).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    (status, v["error"].as_str().unwrap_or_default().to_owned())
}

/// One self-issued state cookie with a stream of made-up codes made one WeChat call each: now a state starts
/// one exchange, whatever came of it.
#[tokio::test]
async fn a_state_starts_one_exchange() {
    let server = start().await;
    let c = no_redirects();
    let mut jar = Jar::default();
    let state = fresh_state(&server, &c, &mut jar).await;
    let before = exchanges(&server);
    assert_eq!(
        callback(&c, &callback_url(&server, "bogus-0", &state), &mut jar).await,
        (StatusCode::BAD_REQUEST, "oauth_code_invalid".into())
    );
    for i in 1..50 {
        assert_eq!(
            callback(&c, &callback_url(&server, &format!("bogus-{i}"), &state), &mut jar).await,
            (StatusCode::BAD_REQUEST, "oauth_state_used".into()),
            "code {i}"
        );
    }
    // Even a real code WeChat issued for that state: the state is spent.
    let authorize = server.url(&format!(
        "/fake-wechat/connect/oauth2/authorize?appid={DEMO_APPID}&redirect_uri={}&response_type=code&scope=snsapi_base&state={state}",
        common::enc(&server.url("/api/oauth/callback"))
    ));
    let real = code_of(&location(&c.get(authorize).send().await.unwrap()));
    assert_eq!(
        callback(&c, &callback_url(&server, &real, &state), &mut jar).await,
        (StatusCode::BAD_REQUEST, "oauth_state_used".into())
    );
    // The failed code again with its own state (a reload): the remembered failure.
    let r = get(&c, &callback_url(&server, "bogus-0", &state), &mut jar).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["error"].as_str(), v["errcode"].as_i64()),
        (Some("oauth_code_invalid"), Some(40029))
    );
    assert_eq!(exchanges(&server) - before, 1, "one state, one exchange");
    let m = get_text(&c, server.url("/metrics")).await;
    assert!(
        m.contains("wxkit_oauth_callbacks_refused_total{reason=\"state_used\"} 50"),
        "{m}"
    );

    // None of it got in the way of a real sign-in.
    let back = to_callback(&server, &c, &mut jar, "base", "/").await;
    assert_eq!(get(&c, &back, &mut jar).await.status(), StatusCode::FOUND);
    assert_eq!(me(&server, &c, &mut jar).await.0, StatusCode::OK);
    server.shutdown().await;
}

/// One made-up code repeated made a WeChat call each time: now a failed code is remembered for its 5 minutes,
/// whichever state it comes with.
#[tokio::test]
async fn a_failed_code_is_remembered() {
    let server = start().await;
    let c = no_redirects();
    let before = exchanges(&server);
    for i in 0..20 {
        let mut jar = Jar::default();
        let state = fresh_state(&server, &c, &mut jar).await;
        let r = get(&c, &callback_url(&server, "the-same-bogus-code", &state), &mut jar).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "try {i}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["error"].as_str(), v["errcode"].as_i64()),
            (Some("oauth_code_invalid"), Some(40029))
        );
    }
    assert_eq!(exchanges(&server) - before, 1, "one code, one exchange");
    server.shutdown().await;
}

/// Exchanges are limited per client address (30 a minute by default); a sign-in that succeeds gives its
/// exchange back, so only failed ones count, and another address has its own budget.
#[tokio::test]
async fn callbacks_are_limited_per_client_address_and_successful_sign_ins_do_not_count() {
    const LIMIT: u64 = 30;
    let server = start().await;
    let c = no_redirects();
    // More successful sign-ins than the limit: none is refused.
    for i in 0..LIMIT + 5 {
        let mut jar = Jar::default();
        let back = to_callback(&server, &c, &mut jar, "base", "/").await;
        assert_eq!(
            get(&c, &back, &mut jar).await.status(),
            StatusCode::FOUND,
            "sign-in {i}"
        );
    }
    // Made-up codes with fresh states: the limit's worth reach WeChat, then 429 with Retry-After.
    let before = exchanges(&server);
    let started = std::time::Instant::now();
    let (mut invalid, mut limited) = (0, 0);
    for i in 0..2 * LIMIT {
        let mut jar = Jar::default();
        let state = fresh_state(&server, &c, &mut jar).await;
        let r = get(&c, &callback_url(&server, &format!("made-up-{i}"), &state), &mut jar).await;
        match r.status() {
            StatusCode::BAD_REQUEST => invalid += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let wait: u64 = r.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
                assert!((1..=2).contains(&wait), "Retry-After {wait}");
                assert_eq!(r.json::<Value>().await.unwrap()["error"], "oauth_rate_limited");
                limited += 1;
            }
            other => panic!("{other}: {:?}", r.text().await),
        }
    }
    let made = exchanges(&server) - before;
    // The bucket refills one exchange per 2 s: a slow run may see a few more.
    let refilled = started.elapsed().as_secs() / 2 + 1;
    assert!((LIMIT..=LIMIT + refilled).contains(&made), "{made} exchanges");
    assert_eq!((invalid, limited), (made, 2 * LIMIT - made));
    let m = get_text(&c, server.url("/metrics")).await;
    assert!(
        m.contains(&format!(
            "wxkit_oauth_callbacks_refused_total{{reason=\"rate_limited\"}} {limited}"
        )),
        "{m}"
    );

    // Another address (loopback's 127.0.0.2) has its own budget.
    let other = wx_testkit::http::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let mut jar = Jar::default();
    let state = fresh_state(&server, &other, &mut jar).await;
    assert_eq!(
        callback(&other, &callback_url(&server, "made-up-elsewhere", &state), &mut jar).await,
        (StatusCode::BAD_REQUEST, "oauth_code_invalid".into())
    );
    server.shutdown().await;
}

/// `Cookie: wx_session=garbage; wx_session=<valid>` (a stale cookie of the same name from another path or a
/// parent domain comes first) was a 401: the first cookie that verifies counts, for the state cookie too.
#[tokio::test]
async fn a_cookie_that_verifies_is_found_behind_others_of_the_same_name() {
    let server = start().await;
    let c = no_redirects();
    let mut jar = Jar::default();
    let back = to_callback(&server, &c, &mut jar, "base", "/shop").await;
    let state = jar.0["wx_oauth_state"].0.clone();
    let r = c
        .get(&back)
        .header(
            header::COOKIE,
            format!("wx_oauth_state=garbage; wx_oauth_state=e30.AAAA; wx_oauth_state={state}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND, "{:?}", r.text().await);
    assert_eq!(location(&r), "/shop");
    jar.take(&r);
    let session = jar.0["wx_session"].0.clone();
    let me = server.url("/api/oauth/me");
    for cookies in [
        vec![format!("wx_session=garbage; wx_session={session}")],
        vec![format!(
            "a=1; wx_session=e30.AAAA; b=2; wx_session={session}x; wx_session={session}"
        )],
        // Two `Cookie` header lines, as HTTP/2-to-1 proxies may send.
        vec!["wx_session=garbage".to_owned(), format!("wx_session={session}")],
    ] {
        let mut request = c.get(&me);
        for line in &cookies {
            request = request.header(header::COOKIE, line);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{cookies:?}");
        assert_eq!(r.json::<Value>().await.unwrap()["openid"], USER);
    }
    // Garbage alone is still no session.
    let r = c
        .get(&me)
        .header(header::COOKIE, "wx_session=garbage; wx_session=e30.AAAA")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    server.shutdown().await;
}

/// A zero callback budget stops start-up with a message naming the setting.
#[test]
fn a_zero_callback_budget_is_refused_at_start_up() {
    let stderr = common::refused_at_start_up(&["--oauth-callbacks-per-minute", "0"]);
    assert!(
        stderr.contains("error: WX_OAUTH_CALLBACKS_PER_MINUTE is invalid: use 1 or more"),
        "{stderr}"
    );
}
