//! The secret grep: real `wx-server` processes are taken through every route with good and bad input, then every
//! byte they wrote and every response they sent is searched for the app secret, the server Token, the
//! EncodingAESKey, the admin token, the session key and every token and ticket the fake WeChat issued.

use crate::common::*;

const SERVER_TOKEN: &str = "UrlT0ken-grep-me-41b8";
const WRONG_SECRET: &str = "Wr0ngS3cret-grep-me-c0de";
// 43 base64 characters, as WeChat generates them.
const AES_KEY: &str = "AesKeyGrepMe0123456789abcdefghijklmnopqrstu";
const ADMIN_TOKEN: &str = "AdminT0ken-grep-me-9d3e7a61";
const CENTRAL_TOKEN: &str = "CentralT0ken-grep-me-5a2f90";
const SESSION_KEY: &str = "SessionKey-grep-me-0123456789abcdef0123";
const PAGE: &str = "http://127.0.0.1/p?from=singlemessage";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_token_or_ticket_ever_appears_in_output_or_responses() {
    let fake = fake_wechat(&[]);
    let fake_url = fake.base_url();
    let mut seen = String::new(); // every response body the backends sent
    let mut tickets = Vec::new();
    let mut procs = Vec::new();
    for mode in ["stable", "classic"] {
        let server = step_start_a_backend_holding_every_secret(&fake_url, mode);
        let base = server.base_url();
        seen += &step_ask_for_configs_through_faults(&base, &fake_url).await;
        seen += &step_send_bad_input(&base).await;
        seen += &step_check_the_url_and_read_health_and_metrics(&base).await;
        seen += &step_push_plain_and_safe(&base).await;
        seen += &step_use_the_admin_api(&base).await;
        seen += &step_sign_cards_and_knock_on_the_central_api(&base).await;
        seen += &step_sign_in_and_replay_the_code(&base).await;
        tickets.extend(fake_tickets(&client(), &fake_url).await);
        procs.push(server);
    }
    let (wrong, body) = step_run_with_the_wrong_secret(&fake_url).await;
    seen += &body;
    procs.push(wrong);
    let mut output = step_print_help_and_fail_to_start(&fake_url);
    output += &step_stop_every_process(procs, fake);
    output += &step_refuse_invalid_secrets_at_start_up(&fake_url);
    assert_nothing_leaked(&output, &seen, &tickets);
}

/// A backend in token mode `mode` with every secret there is set (and plain pushes accepted too: the account's
/// mode, implied by the key, would refuse them).
fn step_start_a_backend_holding_every_secret(fake_url: &str, mode: &str) -> Proc {
    Proc::spawn(serve(
        fake_url,
        "memory",
        &[
            ("WX_TOKEN", SERVER_TOKEN),
            ("WX_TOKEN_MODE", mode),
            ("WX_UPSTREAM_TIMEOUT_MS", "300"),
            ("WX_ENCODING_AES_KEY", AES_KEY),
            ("WX_ENCRYPTION_MODE", "plain"),
            ("WX_ADMIN_TOKEN", ADMIN_TOKEN),
            ("WX_CENTRAL_TOKEN", CENTRAL_TOKEN),
            ("WX_SESSION_KEY", SESSION_KEY),
            ("WX_OAUTH_AUTHORIZE_BASE", fake_url),
        ],
    ))
}

/// Configs, a forced refresh after the ticket was revoked, and forced refreshes while the fake fails in each
/// way there is (the errors travel through the backend's messages).
async fn step_ask_for_configs_through_faults(base: &str, fake_url: &str) -> String {
    let client = client();
    let config = format!("{base}/api/jssdk/config?url={}", enc(PAGE));
    let refresh = format!("{config}&refresh=true");
    let mut seen = get_text(&client, &config).await;
    seen += &get_text(&client, &refresh).await;
    client
        .post(format!("{fake_url}/test-only/rotate-ticket?appid={TEST_APPID}"))
        .send()
        .await
        .unwrap();
    for fault in [
        r#"{"errcode":40001}"#,
        r#"{"errcode":45009}"#,
        r#""timeout""#,
        r#""malformed_json""#,
    ] {
        let faults = format!(r#"{{"clear":true,"inject":[{{"endpoint":"any","fault":{fault},"times":3}}]}}"#);
        set_faults(&client, fake_url, faults).await;
        seen += &get_text(&client, &refresh).await;
    }
    set_faults(&client, fake_url, r#"{"clear":true}"#.into()).await;
    seen
}

async fn set_faults(client: &reqwest::Client, fake_url: &str, body: String) {
    let url = format!("{fake_url}/test-only/faults");
    client.post(url).body(body).send().await.unwrap();
}

/// Config requests a page would never send.
async fn step_send_bad_input(base: &str) -> String {
    let client = client();
    let mut seen = String::new();
    for bad in ["", "url=javascript%3A1", "url=http%3A%2F%2Fevil.com%2F", "url=%FF"] {
        seen += &get_text(&client, format!("{base}/api/jssdk/config?{bad}")).await;
    }
    seen
}

/// WeChat's URL check, well and badly signed, then `/healthz` and `/metrics`.
async fn step_check_the_url_and_read_health_and_metrics(base: &str) -> String {
    let client = client();
    let ts = wx_sign::unix_timestamp();
    let sig = wx_sign::server_signature(SERVER_TOKEN, &ts.to_string(), "n").unwrap();
    let mut seen = String::new();
    for signature in [sig.as_str(), "bad"] {
        let check = format!("{base}/wechat?signature={signature}&timestamp={ts}&nonce=n&echostr=e");
        seen += &get_text(&client, check).await;
    }
    seen += &get_text(&client, format!("{base}/metrics")).await;
    seen + &get_text(&client, format!("{base}/healthz")).await
}

/// Pushes in plain and safe mode, well and badly signed; the plain one is answered.
async fn step_push_plain_and_safe(base: &str) -> String {
    let client = client();
    let cipher = wx_push::PushCipher::new(wx_push::EncodingAesKey::parse(AES_KEY).unwrap(), TEST_APPID);
    let xml = "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>\
               <MsgType>text</MsgType><Content>echo me</Content><MsgId>42</MsgId></xml>";
    let mut seen = String::new();
    for signer in [
        wx_push::PushSigner::plain(SERVER_TOKEN),
        wx_push::PushSigner::safe(SERVER_TOKEN, cipher.clone()),
        wx_push::PushSigner::safe("not-the-token", cipher),
    ] {
        let push = signer.sign_xml(xml, wx_sign::unix_timestamp(), "n", "o").unwrap();
        let url = format!("{base}/wechat?{}", push.query);
        seen += &client
            .post(url)
            .body(push.body)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
    }
    assert!(seen.contains("echo me"), "the plain push was answered: {seen}");
    seen
}

/// The admin API with the right and a wrong token.
async fn step_use_the_admin_api(base: &str) -> String {
    let client = client();
    let mut seen = String::new();
    for token in [ADMIN_TOKEN, "wrong-admin-token-0000"] {
        let r = client
            .post(format!("{base}/api/qrcode"))
            .bearer_auth(token)
            .body(r#"{"action_name":"QR_LIMIT_SCENE","scene_id":7}"#)
            .send()
            .await
            .unwrap();
        seen += &r.text().await.unwrap();
    }
    seen
}

/// OAuth: start → the fake's authorize page → callback (twice: a reload) → me; then the code exchanged again
/// under another state, whose 40163 error travels through the backend's message. The session cookie counts as
/// a response too.
async fn step_sign_in_and_replay_the_code(base: &str) -> String {
    let hop = no_redirects();
    let cookie = |r: &reqwest::Response| {
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    let location = |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_owned();
    let r = hop
        .get(format!("{base}/api/oauth/start?scope=userinfo&return=/"))
        .send()
        .await
        .unwrap();
    let state_cookie = cookie(&r);
    let authorize = location(&r).split('#').next().unwrap().to_owned();
    let callback = location(&hop.get(authorize).send().await.unwrap());
    let mut seen = String::new();
    let mut session = String::new();
    for _ in 0..2 {
        let r = hop.get(&callback).header("cookie", &state_cookie).send().await.unwrap();
        assert_eq!(r.status(), 302, "{:?}", r.text().await);
        session = cookie(&r);
        seen += &r.text().await.unwrap();
    }
    let me = client()
        .get(format!("{base}/api/oauth/me"))
        .header("cookie", &session)
        .send()
        .await;
    let me = me.unwrap().text().await.unwrap();
    assert!(me.contains("openid"), "{me}");
    let code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap();
    let replay = format!("{base}/api/oauth/callback?code={code}&state=other");
    seen + &me + &session + &hop.get(replay).send().await.unwrap().text().await.unwrap()
}

/// A backend with the wrong secret: WeChat refuses, the error is shown, the secret is not.
async fn step_run_with_the_wrong_secret(fake_url: &str) -> (Proc, String) {
    let wrong = Proc::spawn(serve(fake_url, "memory", &[("WX_APPSECRET", WRONG_SECRET)]));
    let body = get_text(
        &client(),
        format!("{}/api/jssdk/config?url={}", wrong.base_url(), enc(PAGE)),
    )
    .await;
    assert!(
        body.contains("wechat_bad_credentials") && body.contains("WX_APPSECRET"),
        "{body}"
    );
    (wrong, body)
}

/// `--help` and a start-up error, with the secrets in the environment: what they printed.
fn step_print_help_and_fail_to_start(fake_url: &str) -> String {
    let with_token = [("WX_TOKEN", SERVER_TOKEN)];
    let help = serve(fake_url, "memory", &with_token).arg("--help").output().unwrap();
    let bad_start = serve(fake_url, "mysql://nope", &with_token).output().unwrap();
    assert!(String::from_utf8_lossy(&bad_start.stderr).contains("WX_STORE"));
    [help, bad_start]
        .iter()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
        .collect()
}

/// Every process stopped (gracefully: shutdown logs count too), and all they wrote.
fn step_stop_every_process(procs: Vec<Proc>, fake: Proc) -> String {
    let mut output = String::new();
    for mut p in procs.into_iter().chain([fake]) {
        p.stop();
        output += &p.output();
    }
    assert!(
        output.contains("fetched a new jsapi_ticket"),
        "the logs were captured:\n{output}"
    );
    output
}

/// Card signatures (signed with the card ticket, which must not show) and the central endpoints without the right
/// bearer token (they hand out credentials only to it, so what they answer anyone else is searched too).
async fn step_sign_cards_and_knock_on_the_central_api(base: &str) -> String {
    let client = client();
    let mut seen = String::new();
    for path in [
        "/api/jssdk/card?for=chooseCard&cardId=pCARD",
        "/api/jssdk/card?for=addCard&cardId=pCARD&code=1",
    ] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        seen += &r.text().await.unwrap();
    }
    for bearer in ["", "nope", &CENTRAL_TOKEN[..20]] {
        for path in ["/api/token", "/api/ticket/jsapi", "/api/ticket/wx_card"] {
            let r = client
                .get(format!("{base}{path}"))
                .bearer_auth(bearer)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{path}");
            seen += &r.text().await.unwrap();
        }
        let r = client
            .post(format!("{base}/api/token/rejected"))
            .bearer_auth(bearer)
            .body(r#"{"access_token":"x"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        seen += &r.text().await.unwrap();
    }
    seen
}

/// Invalid secrets at start-up: the message names the variable, never the value. What was printed.
fn step_refuse_invalid_secrets_at_start_up(fake_url: &str) -> String {
    let mut output = String::new();
    for (var, value) in [
        ("WX_ENCODING_AES_KEY", &AES_KEY[..42]),
        ("WX_ADMIN_TOKEN", &ADMIN_TOKEN[..10]),
        ("WX_CENTRAL_TOKEN", &CENTRAL_TOKEN[..10]),
        ("WX_SESSION_KEY", &SESSION_KEY[..20]),
    ] {
        let out = serve(fake_url, "memory", &[(var, value)]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var), "{stderr}");
        assert!(!stderr.contains(value), "{var} leaked: {stderr}");
        output += &stderr;
    }
    output
}

/// No secret, and no token or ticket the fake issued (its own prefixes, and each ticket seen), in the processes'
/// output or in a response.
fn assert_nothing_leaked(output: &str, seen: &str, tickets: &[String]) {
    assert!(!tickets.is_empty());
    let mut needles = vec![
        TEST_SECRET,
        SERVER_TOKEN,
        WRONG_SECRET,
        AES_KEY,
        ADMIN_TOKEN,
        SESSION_KEY,
        CENTRAL_TOKEN,
        "fake-at-",
        "fake-jt-",
        "fake-ct-",
        "fake-web-at-",
        "fake-web-rt-",
    ];
    needles.extend(tickets.iter().map(String::as_str));
    for needle in needles {
        assert!(
            !output.contains(needle),
            "`{needle}` leaked into process output:\n{output}"
        );
        assert!(!seen.contains(needle), "`{needle}` leaked into a response:\n{seen}");
    }
}
