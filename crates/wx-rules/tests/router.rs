//! The router at its public boundary: pushes in, replies out, sessions through a store.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};
use wx_push::{Article, Event, Message, Push, PushBody, Reply, Scene};
use wx_rules::{
    Context, Group, MemorySessionStore, Router, Rule, SessionFuture, SessionStore, SessionStoreError, WaitRule,
};

static MSG_ID: AtomicU64 = AtomicU64::new(1);

fn push(from: &str, body: PushBody) -> Push {
    Push {
        to_user_name: "gh_account".into(),
        from_user_name: from.into(),
        create_time: 1_700_000_000,
        body,
    }
}

fn text(from: &str, content: &str) -> Push {
    push(
        from,
        PushBody::Message(Message::Text {
            content: content.into(),
            msg_id: MSG_ID.fetch_add(1, Ordering::Relaxed),
        }),
    )
}

fn event(from: &str, event: Event) -> Push {
    push(from, PushBody::Event(event))
}

fn image(from: &str) -> Push {
    push(
        from,
        PushBody::Message(Message::Image {
            pic_url: "http://p".into(),
            media_id: "m".into(),
            msg_id: 9,
        }),
    )
}

fn scene(value: &str) -> Option<Scene> {
    Some(Scene {
        value: value.into(),
        ticket: None,
    })
}

fn matching_router() -> Router {
    Router::new()
        .rule(Rule::new("exact").exact("Help").text("help text"))
        .rule(
            Rule::new("keywords")
                .keywords(["hello", "hi"])
                .template("kw {0}")
                .unwrap(),
        )
        .rule(
            Rule::new("regex")
                .regex(r"^weather (?P<city>\w+)(?: (\d+))?$")
                .unwrap()
                .template("{city}/{1}/{2}/{openid}/{account}")
                .unwrap(),
        )
        .rule(
            Rule::new("predicate")
                .when(|ctx| ctx.text().is_some_and(|t| t.len() > 20))
                .text("long"),
        )
        .rule(
            Rule::new("scene follow")
                .event("subscribe")
                .event_key_prefix("qrscene_")
                .template("from {scene}")
                .unwrap(),
        )
        .rule(Rule::new("follow").event("subscribe").text("welcome"))
        .rule(
            Rule::new("scan")
                .event("scan")
                .template("scanned {scene} key {event_key}")
                .unwrap(),
        )
        .rule(Rule::new("click").event("CLICK").event_key("MENU_A").text("menu a"))
        .rule(Rule::new("view").event("VIEW").template("{event} {event_key}").unwrap())
        .rule(
            Rule::new("scancode")
                .event("scancode_*")
                .template("{event} {event_key} {scan_type}:{scan_result}")
                .unwrap(),
        )
        .rule(Rule::new("location").event("LOCATION").text("located"))
        .rule(Rule::new("image").msg_type("image").reply(Reply::image("MEDIA")))
}

#[tokio::test]
async fn the_first_matching_rule_answers_with_its_captures() {
    let router = matching_router();
    let cases: Vec<(Push, Reply)> = vec![
        (text("o1", "  help "), Reply::text("help text")),
        (text("o1", "Oh HI there"), Reply::text("kw hi")),
        (text("o1", "weather Paris"), Reply::text("Paris/Paris//o1/gh_account")),
        (text("o1", "weather Rome 3"), Reply::text("Rome/Rome/3/o1/gh_account")),
        (text("o1", "a message that is rather long"), Reply::text("long")),
        (text("o1", "short"), Reply::Success),
        (
            event("o1", Event::Subscribe { scene: scene("42") }),
            Reply::text("from 42"),
        ),
        (event("o1", Event::Subscribe { scene: None }), Reply::text("welcome")),
        (
            event(
                "o1",
                Event::Scan(Scene {
                    value: "7".into(),
                    ticket: None,
                }),
            ),
            Reply::text("scanned 7 key 7"),
        ),
        (
            event("o1", Event::Click { key: "MENU_A".into() }),
            Reply::text("menu a"),
        ),
        (event("o1", Event::Click { key: "MENU_B".into() }), Reply::Success),
        (
            event(
                "o1",
                Event::View {
                    url: "https://x/".into(),
                    menu_id: None,
                },
            ),
            Reply::text("VIEW https://x/"),
        ),
        (
            event(
                "o1",
                Event::ScanCodeWaitMsg {
                    key: "scan1".into(),
                    info: wx_push::ScanCodeInfo {
                        scan_type: "qrcode".into(),
                        scan_result: "r".into(),
                    },
                },
            ),
            Reply::text("scancode_waitmsg scan1 qrcode:r"),
        ),
        (
            event(
                "o1",
                Event::Location {
                    latitude: 1.0,
                    longitude: 2.0,
                    precision: 3.0,
                },
            ),
            Reply::text("located"),
        ),
        (event("o1", Event::Unsubscribe), Reply::Success),
        (image("o1"), Reply::image("MEDIA")),
    ];
    for (i, (push, expected)) in cases.into_iter().enumerate() {
        assert_eq!(router.answer(push).await, expected, "case {i}");
    }
}

#[tokio::test]
async fn random_replies_pick_each_entry_and_nothing_else() {
    let router = Router::new().rule(Rule::new("r").any_text().random_texts(["a", "b", "c"]).unwrap());
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let Reply::Text(t) = router.answer(text("o", "x")).await else {
            panic!("a text reply")
        };
        seen.insert(t);
        if seen.len() == 3 {
            break;
        }
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
}

#[tokio::test]
async fn news_templates_and_async_replies() {
    let router = Router::new()
        .var("public_url", "https://h5.example.com")
        .rule(
            Rule::new("news")
                .exact("app")
                .news_template(&[Article {
                    title: "For {openid}".into(),
                    description: "d".into(),
                    pic_url: "{public_url}/p.png".into(),
                    url: "{public_url}/".into(),
                }])
                .unwrap(),
        )
        .rule(Rule::new("fn").any_text().reply_with(|ctx: Context| async move {
            tokio::task::yield_now().await;
            Reply::text(format!("async {}", ctx.text().unwrap_or_default().to_uppercase()))
        }));
    assert_eq!(
        router.answer(text("o9", "app")).await,
        Reply::News(vec![Article {
            title: "For o9".into(),
            description: "d".into(),
            pic_url: "https://h5.example.com/p.png".into(),
            url: "https://h5.example.com/".into(),
        }])
    );
    assert_eq!(router.answer(text("o9", "abc")).await, Reply::text("async ABC"));
}

#[tokio::test]
async fn hooks_load_filter_and_rewrite() {
    let router = Router::new()
        .before(|ctx: Context| async move {
            // "Load a user": the rules read it from the session.
            ctx.set("user", format!("user-{}", ctx.openid()));
            (ctx.openid() == "blocked").then(|| Reply::text("blocked"))
        })
        .after(|_ctx: Context, reply: Reply| async move {
            match reply {
                Reply::Text(t) => Reply::Text(format!("{t}!")),
                other => other,
            }
        })
        .rule(Rule::new("who").exact("who").template("{session.user}").unwrap());
    assert_eq!(router.answer(text("o1", "who")).await, Reply::text("user-o1!"));
    assert_eq!(router.answer(text("blocked", "who")).await, Reply::text("blocked!"));
    assert_eq!(router.answer(text("o1", "nothing")).await, Reply::Success);
}

#[tokio::test]
async fn a_group_guard_answers_for_its_rules_only() {
    let router = Router::new()
        .rule(Rule::new("join").exact("join").reply_with(|ctx: Context| async move {
            ctx.set("member", "yes");
            Reply::text("joined")
        }))
        .group(
            Group::new("members", |ctx: Context| async move {
                ctx.get("member").is_none().then(|| Reply::text("members only"))
            })
            .rule(Rule::new("perks").exact("perks").text("coffee")),
        )
        .rule(Rule::new("other").any_text().text("other"));
    assert_eq!(router.answer(text("g", "hello")).await, Reply::text("other"));
    assert_eq!(router.answer(text("g", "perks")).await, Reply::text("members only"));
    assert_eq!(router.answer(text("g", "join")).await, Reply::text("joined"));
    assert_eq!(router.answer(text("g", "perks")).await, Reply::text("coffee"));
}

/// The seed book's number-guessing game (webot's `wait_guess`), declared in Rust: three tries, a hint each time.
pub fn guessing_game() -> Router {
    Router::new()
        .rule(
            Rule::new("guess number")
                .regex(r"^game\s*(\d*)$")
                .unwrap()
                .reply_with(|ctx: Context| async move {
                    let answer = ctx
                        .capture(1)
                        .and_then(|n| n.parse::<u32>().ok())
                        .unwrap_or_else(|| 1 + getrandom::u32().unwrap_or(0) % 9);
                    ctx.set("guess_answer", answer.to_string());
                    ctx.wait("wait_guess");
                    Reply::text("Let's play: pick a number from 1 to 9.")
                }),
        )
        .wait_rule(
            WaitRule::new("wait_guess")
                .escape(["quit"])
                .escaped_text("Game over.")
                .retries(1)
                .retry_text("Numbers only, please.")
                .give_up_text("No number, no game.")
                .branch(
                    Rule::new("a guess")
                        .regex(r"^\d+$")
                        .unwrap()
                        .reply_with(|ctx: Context| async move {
                            let guess: u32 = ctx.text().and_then(|t| t.parse().ok()).unwrap_or(0);
                            let answer: u32 = ctx.get("guess_answer").and_then(|a| a.parse().ok()).unwrap_or(0);
                            if guess == answer {
                                return Reply::text("Clever you!");
                            }
                            if ctx.retries() >= 2 {
                                return Reply::text(format!("Still not? It was {answer}!"));
                            }
                            ctx.rewait();
                            let hint = if guess > answer { "Too big" } else { "Too small" };
                            Reply::text(format!("{hint}, {} more tries.", 2 - ctx.retries()))
                        }),
                ),
        )
        .rule(Rule::new("echo").any_text().template("echo {content}").unwrap())
}

#[tokio::test]
async fn the_guessing_game_retries_ends_and_escapes() {
    let router = guessing_game();
    let script: &[(&str, &str, &str)] = &[
        ("a", "game 5", "Let's play: pick a number from 1 to 9."),
        ("a", "7", "Too big, 2 more tries."),
        ("a", "2", "Too small, 1 more tries."),
        ("a", "5", "Clever you!"),
        ("a", "5", "echo 5"),
        ("b", "game 3", "Let's play: pick a number from 1 to 9."),
        ("b", "1", "Too small, 2 more tries."),
        ("b", "2", "Too small, 1 more tries."),
        ("b", "9", "Still not? It was 3!"),
        ("b", "3", "echo 3"),
        ("c", "game 4", "Let's play: pick a number from 1 to 9."),
        ("c", "four", "Numbers only, please."),
        ("c", "four!", "No number, no game."),
        ("c", "4", "echo 4"),
        ("d", "game 4", "Let's play: pick a number from 1 to 9."),
        ("d", " QUIT ", "Game over."),
        ("d", "4", "echo 4"),
    ];
    for (i, (who, said, expected)) in script.iter().enumerate() {
        assert_eq!(
            router.answer(text(who, said)).await,
            Reply::text(*expected),
            "step {i}: {who} said {said}"
        );
    }
}

#[tokio::test]
async fn a_wait_times_out_and_events_do_not_answer_it() {
    let router = Router::new()
        .rule(Rule::new("start").exact("start").text("waiting").then_wait("w"))
        .rule(Rule::new("follow").event("subscribe").text("welcome"))
        .rule(Rule::new("echo").any_text().template("echo {content}").unwrap())
        .wait_rule(
            WaitRule::new("w")
                .timeout(Duration::from_secs(1))
                .branch(Rule::new("any").any_text().text("answered")),
        );
    assert_eq!(router.answer(text("t", "start")).await, Reply::text("waiting"));
    assert_eq!(
        router.answer(event("t", Event::Subscribe { scene: None })).await,
        Reply::text("welcome")
    );
    assert_eq!(router.answer(text("t", "x")).await, Reply::text("answered"));
    assert_eq!(router.answer(text("t", "start")).await, Reply::text("waiting"));
    // The wait's clock is the wall clock (it must hold across restarts), so real time passes here.
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(router.answer(text("t", "x")).await, Reply::text("echo x"));
}

#[tokio::test]
async fn sessions_are_per_follower_and_live_in_the_store() {
    let store = Arc::new(MemorySessionStore::default());
    let counter = || {
        Router::new()
            .session_store(store.clone(), "acct:")
            .rule(Rule::new("n").any_text().reply_with(|ctx: Context| async move {
                let n = ctx.get("n").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0) + 1;
                ctx.set("n", n.to_string());
                Reply::text(n.to_string())
            }))
    };
    let (first, second) = (counter(), counter());
    assert_eq!(first.answer(text("x", "-")).await, Reply::text("1"));
    assert_eq!(
        second.answer(text("x", "-")).await,
        Reply::text("2"),
        "a second router on the same store"
    );
    assert_eq!(first.answer(text("y", "-")).await, Reply::text("1"), "another follower");
    assert!(
        store
            .load("acct:x")
            .await
            .unwrap()
            .is_some_and(|s| s.contains("\"n\":\"2\""))
    );
}

/// A store that always fails or never answers: replies go on as with a fresh session.
struct Broken {
    hang: bool,
}

impl SessionStore for Broken {
    fn describe(&self) -> String {
        "broken".into()
    }
    fn load<'a>(&'a self, _: &'a str) -> SessionFuture<'a, Option<String>> {
        let hang = self.hang;
        Box::pin(async move {
            if hang {
                std::future::pending::<()>().await;
            }
            Err(SessionStoreError("down".into()))
        })
    }
    fn save<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> SessionFuture<'a, ()> {
        let hang = self.hang;
        Box::pin(async move {
            if hang {
                std::future::pending::<()>().await;
            }
            Err(SessionStoreError("down".into()))
        })
    }
}

#[tokio::test]
async fn a_failing_or_hanging_store_still_gets_replies() {
    for hang in [false, true] {
        let router = guessing_game()
            .session_store(Arc::new(Broken { hang }), "")
            .store_timeout(Duration::from_millis(50));
        let started = std::time::Instant::now();
        assert_eq!(
            router.answer(text("z", "game 5")).await,
            Reply::text("Let's play: pick a number from 1 to 9.")
        );
        // No session: the guess is an ordinary message.
        assert_eq!(router.answer(text("z", "5")).await, Reply::text("echo 5"));
        assert!(started.elapsed() < Duration::from_secs(2), "hang={hang}");
    }
}
