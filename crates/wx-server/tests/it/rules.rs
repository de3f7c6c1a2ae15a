//! Reply rules on `POST /wechat` through real HTTP on loopback: the demo rule file in plain and safe mode,
//! dialogues across instances (Redis) and restarts (file store), a Redis outage mid-dialogue, and the real
//! binary refusing a bad rule file and reloading a good one on change and on SIGHUP.

use crate::common::{self, TEST_SECRET, inproc::mock_settings};
use std::{path::Path, time::Duration};
use wx_push::Reply;
use wx_rules::{Context, Router, Rule, WaitRule};
use wx_server::{
    Server, Settings, StoreSpec,
    fake::{PushAccount, PushMode, PushSimulator, PushTiming, SimulatedPush},
};
use wx_testkit::{Proc, Redis, TempDir};

const FAST: PushTiming = PushTiming {
    reply_timeout: Duration::from_secs(5),
    attempts: 1,
};

fn simulator() -> PushSimulator {
    PushSimulator::new(PushAccount::default()).unwrap()
}

fn text(content: &str) -> SimulatedPush {
    SimulatedPush::Text {
        content: content.into(),
        msg_id: None,
    }
}

/// The reply to `push` from `openid`, which must arrive as a readable passive reply (or `success`: `None`).
async fn ask(base: &str, mode: PushMode, push: &SimulatedPush, openid: &str) -> Option<Reply> {
    let report = simulator()
        .send(&format!("{base}/wechat"), mode, push, openid, FAST)
        .await
        .unwrap();
    assert_eq!(report.status, Some(200), "{push:?}: {report:?}");
    assert_eq!(report.reply_error, None, "{push:?}");
    report.reply.map(|r| r.reply)
}

async fn say(base: &str, mode: PushMode, content: &str, openid: &str) -> String {
    match ask(base, mode, &text(content), openid).await {
        Some(Reply::Text(t)) => t,
        other => panic!("{content:?}: expected a text reply, got {other:?}"),
    }
}

async fn start(settings: Settings) -> Server {
    Server::start(settings).await.unwrap()
}

#[tokio::test]
async fn the_demo_rules_answer_in_plain_and_safe_mode() {
    let server = start(mock_settings(|_| {})).await;
    let base = server.url("");
    for mode in [PushMode::Plain, PushMode::Safe] {
        let who = format!("o-demo-{mode:?}");
        let menu = say(&base, mode, "what's on the MENU?", &who).await;
        assert!(menu.starts_with("Today: "), "{menu}");
        assert_eq!(
            say(&base, mode, "weather Chengdu", &who).await,
            "The weather in Chengdu: sunny, 24 °C (a demo never sees rain)."
        );
        let Some(Reply::News(news)) = ask(&base, mode, &text("app"), &who).await else {
            panic!("news")
        };
        assert_eq!(news.len(), 1);
        assert_eq!(news[0].url, format!("{base}/"), "links to the H5 page on this server");
        let click = SimulatedPush::Click {
            key: "V1001_TODAY".into(),
        };
        assert_eq!(
            ask(&base, mode, &click, &format!("{who}-click")).await,
            Some(Reply::text("Today's special: hand-pulled noodles."))
        );
        let follow = SimulatedPush::Subscribe {
            scene: Some("poster-7".into()),
        };
        assert_eq!(
            ask(&base, mode, &follow, &format!("{who}-follow")).await,
            Some(Reply::text("Welcome! You followed from scene poster-7."))
        );
        let survey = [
            ("survey", "Three questions. First: what is your name?"),
            ("Ada", "Hello Ada! How old are you?"),
            ("very", "Please answer with a number from 1 to 120 (or `cancel`)."),
            ("36", "Last one: your favourite colour?"),
            ("green", "Thanks, Ada! 36 years and fond of green: noted."),
            ("green", "green"),
            ("survey", "Three questions. First: what is your name?"),
            ("cancel", "Survey cancelled."),
        ];
        for (said, expected) in survey {
            assert_eq!(say(&base, mode, said, &who).await, expected, "{mode:?}: {said}");
        }
        assert_eq!(
            say(&base, mode, "anything else", &who).await,
            "anything else",
            "the echo"
        );
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialogue_started_on_one_instance_continues_on_another_sharing_redis() {
    let redis = Redis::start();
    let settings = || {
        mock_settings(|s| {
            s.store = StoreSpec::parse(&redis.url()).unwrap();
        })
    };
    let (a, b) = (start(settings()).await, start(settings()).await);
    let (a_url, b_url) = (a.url(""), b.url(""));
    for mode in [PushMode::Plain, PushMode::Safe] {
        let who = format!("o-shared-{mode:?}");
        assert_eq!(
            say(&a_url, mode, "survey", &who).await,
            "Three questions. First: what is your name?"
        );
        assert_eq!(say(&b_url, mode, "Grace", &who).await, "Hello Grace! How old are you?");
        assert_eq!(say(&a_url, mode, "45", &who).await, "Last one: your favourite colour?");
        assert_eq!(
            say(&b_url, mode, "blue", &who).await,
            "Thanks, Grace! 45 years and fond of blue: noted."
        );
    }
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn a_dialogue_survives_a_restart_with_the_file_store() {
    let dir = TempDir::new("rules-file-sessions");
    let settings = || {
        mock_settings(|s| {
            s.store = StoreSpec::File(dir.join("credentials.json"));
        })
    };
    let first = start(settings()).await;
    assert_eq!(
        say(&first.url(""), PushMode::Safe, "survey", "o-restart").await,
        "Three questions. First: what is your name?"
    );
    assert_eq!(
        say(&first.url(""), PushMode::Safe, "Linus", "o-restart").await,
        "Hello Linus! How old are you?"
    );
    first.shutdown().await;
    let second = start(settings()).await;
    assert_eq!(
        say(&second.url(""), PushMode::Plain, "30", "o-restart").await,
        "Last one: your favourite colour?"
    );
    assert_eq!(
        say(&second.url(""), PushMode::Plain, "red", "o-restart").await,
        "Thanks, Linus! 30 years and fond of red: noted."
    );
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_store_outage_does_not_stop_replies() {
    let mut redis = Redis::start();
    let server = start(mock_settings(|s| {
        s.store = StoreSpec::parse(&redis.url()).unwrap();
    }))
    .await;
    let base = server.url("");
    assert_eq!(
        say(&base, PushMode::Safe, "survey", "o-outage").await,
        "Three questions. First: what is your name?"
    );
    redis.kill();
    for (i, mode) in [PushMode::Safe, PushMode::Plain].into_iter().enumerate() {
        let started = std::time::Instant::now();
        // No session to read: the answer is the one a fresh session gets (the echo), within WeChat's 5 s.
        let content = format!("Ada {i}");
        assert_eq!(say(&base, mode, &content, "o-outage").await, content);
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
        let menu = say(&base, mode, "menu", "o-outage").await;
        assert!(menu.starts_with("Today: "), "{menu}");
    }
    server.shutdown().await;
}

/// `wx-server serve --mock --rules <file>` on a free port with the memory store.
fn serve_rules(file: &Path) -> std::process::Command {
    let mut c = common::wx_server();
    c.args(["serve", "--mock", "--listen", "127.0.0.1:0", "--rules"])
        .arg(file)
        .env("WX_STORE", "memory")
        .env("RUST_LOG", "info");
    c
}

fn one_rule(reply: &str) -> String {
    format!("[[rule]]\nname = \"ping\"\nexact = \"ping\"\ntext = \"{reply}\"\n")
}

#[test]
fn a_bad_rule_file_stops_start_up_with_the_line_and_the_reason() {
    let dir = TempDir::new("rules-bad");
    let cases: &[(&str, &str)] = &[
        (
            "[[rule]]\nname = \"a\"\nexact = \"x\"\n",
            "line 1: rule `a` has no reply",
        ),
        (
            "[[rule]]\nname = \"a\"\nregex = '(x'\ntext = \"t\"\n",
            "line 3: rule `a`: the regular expression is invalid",
        ),
        (
            "[[rule]]\nname = \"a\"\nexact = \"x\"\ntext = \"{nope}\"\n",
            "line 1: unknown placeholder `{nope}`",
        ),
        ("[[rule]\n", "line 1: "),
    ];
    for (i, (content, reason)) in cases.iter().enumerate() {
        let file = dir.join(format!("bad-{i}.toml"));
        std::fs::write(&file, content).unwrap();
        let stderr = common::refused_at_start_up(&["--rules", file.to_str().unwrap()]);
        let expected = format!("WX_RULES: {}: {reason}", file.display());
        assert!(stderr.contains(&expected), "{i}: {stderr}");
    }
    // A value in the wrong place is named by its kind, never quoted.
    let file = dir.join("secret.toml");
    std::fs::write(
        &file,
        format!("[[rule]]\nname = \"a\"\nexact = \"x\"\ntext = [\"{TEST_SECRET}\", 1]\n"),
    )
    .unwrap();
    let stderr = common::refused_at_start_up(&["--rules", file.to_str().unwrap()]);
    assert!(
        stderr.contains("WX_RULES: ") && !stderr.contains(TEST_SECRET),
        "{stderr}"
    );
    let missing = dir.join("missing.toml");
    let stderr = common::refused_at_start_up(&["--rules", missing.to_str().unwrap()]);
    assert!(
        stderr.contains("WX_RULES") && stderr.contains("cannot be read"),
        "{stderr}"
    );
}

/// Sends `ping` until the reply is `expected` (the file is polled once a second), at most 10 s.
async fn eventually_replies(base: &str, expected: &str) {
    let mut last = String::new();
    for _ in 0..40 {
        last = say(base, PushMode::Plain, "ping", "o-reload").await;
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("still {last:?}, not {expected:?}");
}

#[tokio::test]
async fn the_rule_file_reloads_on_change_and_on_sighup_and_a_broken_edit_keeps_the_old_rules() {
    let dir = TempDir::new("rules-reload");
    let file = dir.join("rules.toml");
    std::fs::write(&file, one_rule("v1")).unwrap();
    let server = Proc::spawn(serve_rules(&file));
    let base = server.base_url();
    assert_eq!(say(&base, PushMode::Plain, "ping", "o-reload").await, "v1");

    std::fs::write(&file, one_rule("v2-changed")).unwrap();
    eventually_replies(&base, "v2-changed").await;
    server.output_once_it_has("reloaded");

    std::fs::write(&file, "[[rule]]\nname = \"ping\"\nexact = \"ping\"\n").unwrap();
    let log = server.output_once_it_has("the previous rules stay in force");
    assert!(log.contains("line 1: rule `ping` has no reply"), "{log}");
    assert_eq!(say(&base, PushMode::Safe, "ping", "o-reload").await, "v2-changed");

    std::fs::write(&file, one_rule("v3-fixed!")).unwrap();
    eventually_replies(&base, "v3-fixed!").await;

    // An edit the poll cannot see (same length, same modification time): only SIGHUP picks it up.
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::write(&file, one_rule("v4-hup-ok")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(before)
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        say(&base, PushMode::Plain, "ping", "o-reload").await,
        "v3-fixed!",
        "not seen by the poll"
    );
    let status = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    eventually_replies(&base, "v4-hup-ok").await;
    assert!(server.output().contains("(SIGHUP)"), "{}", server.output());
}

/// The seed book's number-guessing game (webot's `wait_guess`) as a Rust router on the server's own session store.
fn guessing_game(sessions: std::sync::Arc<dyn wx_rules::SessionStore>, appid: &str) -> Router {
    Router::new()
        .session_store(sessions, format!("wxkit:{appid}:session:"))
        .rule(
            Rule::new("guess number")
                .regex(r"^game (\d)$")
                .unwrap()
                .reply_with(|ctx: Context| async move {
                    ctx.set("guess_answer", ctx.capture(1).unwrap_or_default());
                    ctx.wait("wait_guess");
                    Reply::text("Pick a number from 1 to 9.")
                }),
        )
        .wait_rule(
            WaitRule::new("wait_guess")
                .escape(["quit"])
                .escaped_text("Game over.")
                .branch(
                    Rule::new("a guess")
                        .regex(r"^\d$")
                        .unwrap()
                        .reply_with(|ctx: Context| async move {
                            let guess: u32 = ctx.text().and_then(|t| t.parse().ok()).unwrap_or(0);
                            let answer: u32 = ctx.get("guess_answer").and_then(|a| a.parse().ok()).unwrap_or(0);
                            if guess == answer {
                                return Reply::text("Clever you!");
                            }
                            if ctx.retries() >= 2 {
                                return Reply::text(format!("It was {answer}!"));
                            }
                            ctx.rewait();
                            Reply::text(if guess > answer { "Too big." } else { "Too small." })
                        }),
                ),
        )
        .rule(Rule::new("echo").any_text().template("echo {content}").unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guessing_game_is_played_across_two_instances_sharing_redis() {
    let redis = Redis::start();
    let mut servers = Vec::new();
    for _ in 0..2 {
        let settings = mock_settings(|s| {
            s.store = StoreSpec::parse(&redis.url()).unwrap();
        });
        let sessions = wx_server::App::session_store(&settings).await.unwrap();
        let router = guessing_game(sessions, &settings.appid);
        let listener = tokio::net::TcpListener::bind(settings.listen).await.unwrap();
        servers.push(Server::start_with_handler(listener, settings, router).await.unwrap());
    }
    let (a, b) = (servers[0].url(""), servers[1].url(""));
    let script = [
        (&a, PushMode::Safe, "game 4", "Pick a number from 1 to 9."),
        (&b, PushMode::Plain, "7", "Too big."),
        (&a, PushMode::Plain, "2", "Too small."),
        (&b, PushMode::Safe, "4", "Clever you!"),
        (&a, PushMode::Safe, "4", "echo 4"),
        (&b, PushMode::Plain, "game 3", "Pick a number from 1 to 9."),
        (&a, PushMode::Plain, "1", "Too small."),
        (&b, PushMode::Safe, "2", "Too small."),
        (&a, PushMode::Plain, "9", "It was 3!"),
        (&b, PushMode::Plain, "game 3", "Pick a number from 1 to 9."),
        (&a, PushMode::Safe, "quit", "Game over."),
        (&b, PushMode::Plain, "3", "echo 3"),
    ];
    for (i, (base, mode, said, expected)) in script.into_iter().enumerate() {
        assert_eq!(say(base, mode, said, "o-guess").await, expected, "step {i}: {said}");
    }
    for server in servers {
        server.shutdown().await;
    }
}

/// The customer-service messages the fake recorded for `openid` (`GET /fake-wechat/test-only/account`), waiting up
/// to 5 s for at least `n` (a follow-up is sent in the background after the reply).
async fn sent_to(base: &str, openid: &str, n: usize) -> Vec<serde_json::Value> {
    let c = wx_testkit::http::client_builder().build().unwrap();
    let url = format!("{base}/fake-wechat/test-only/account?appid={}", wx_server::DEMO_APPID);
    for _ in 0..100 {
        let account: serde_json::Value = c.get(&url).send().await.unwrap().json().await.unwrap();
        let sent: Vec<_> = account["custom_messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["touser"] == openid)
            .cloned()
            .collect();
        if sent.len() >= n {
            return sent;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} customer-service messages reached {openid}");
}

/// A push through the fake's simulator (`POST /fake-wechat/test-only/push`), as WeChat delivers it: the fake
/// also opens the sender's 48-hour window, as a follow or scan does.
async fn push_through_fake(base: &str, openid: &str, push: serde_json::Value) -> serde_json::Value {
    let c = wx_testkit::http::client_builder().build().unwrap();
    let body = serde_json::json!({"url": format!("{base}/wechat"), "push": push, "openid": openid, "attempts": 1});
    let r = c
        .post(format!("{base}/fake-wechat/test-only/push"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_follow_from_a_scene_code_gets_the_greeting_then_a_news_message_linking_to_the_page() {
    let server = start(mock_settings(|s| s.public_url = Some("https://h5.example.com".into()))).await;
    let base = server.url("");
    let cases = [
        (
            "o-poster-follow",
            serde_json::json!({"type": "subscribe", "scene": "spring sale/7"}),
            "Welcome! You followed from scene spring sale/7.",
        ),
        (
            "o-poster-scan",
            serde_json::json!({"type": "scan", "scene": "42"}),
            "You scanned scene 42.",
        ),
    ];
    for (openid, push, greeting) in cases {
        let report = push_through_fake(&base, openid, push.clone()).await;
        assert_eq!(report["reply"]["content"], greeting, "{report}");
        let sent = sent_to(&base, openid, 1).await;
        assert_eq!(sent.len(), 1, "one follow-up per push: {sent:?}");
        let msg = &sent[0];
        assert_eq!(msg["msgtype"], "news", "{msg}");
        let articles = msg["news"]["articles"].as_array().unwrap();
        assert_eq!(articles.len(), 1);
        let scene = push["scene"].as_str().unwrap();
        let encoded = common::enc(scene).replace("%2E", ".");
        assert_eq!(
            articles[0]["url"],
            format!("https://h5.example.com/share?scene={encoded}")
        );
        assert_eq!(articles[0]["picurl"], "https://h5.example.com/share-icon.png");
        assert_eq!(articles[0]["title"], "Open the wxkit demo");
        assert!(articles[0]["description"].as_str().unwrap().contains(scene));
    }
    // A plain follow (no scene) is greeted and sent nothing.
    let report = push_through_fake(&base, "o-plain-follow", serde_json::json!({"type": "subscribe"})).await;
    assert_eq!(report["reply"]["content"], "Welcome!");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let account: serde_json::Value = wx_testkit::http::client_builder()
        .build()
        .unwrap()
        .get(format!(
            "{base}/fake-wechat/test-only/account?appid={}",
            wx_server::DEMO_APPID
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !account["custom_messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["touser"] == "o-plain-follow"),
        "{account}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_follow_up_that_wechat_refuses_changes_no_reply() {
    // The simulator alone (not the fake's /test-only/push) does not open the follower's window: WeChat's 45015.
    let server = start(mock_settings(|_| {})).await;
    let base = server.url("");
    let follow = SimulatedPush::Subscribe {
        scene: Some("poster-9".into()),
    };
    assert_eq!(
        ask(&base, PushMode::Plain, &follow, "o-unknown-to-the-fake").await,
        Some(Reply::text("Welcome! You followed from scene poster-9."))
    );
    server.shutdown().await;
}
