//! Rule files at wx-rules' public boundary: a file's rules answering pushes, and bad files refused with the line.
#![cfg(feature = "toml")]

use std::sync::atomic::{AtomicU64, Ordering};
use wx_push::{Event, Message, Push, PushBody, Reply, Scene};
use wx_rules::parse_rules;

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

fn scene(value: &str) -> Option<Scene> {
    Some(Scene {
        value: value.into(),
        ticket: None,
    })
}

const FILE: &str = r#"
session_ttl_secs = 3600

[[rule]]
name = "hello"
keywords = ["hello"]
texts = ["Hi {openid}", "Hello {openid}"]

[[rule]]
name = "order"
regex = '^order (?P<item>\w+)$'
text = "Ordered {item} ({1})."

[[rule]]
name = "app"
exact = "app"
news = [{ title = "The app", description = "Open it", url = "{public_url}/", pic_url = "{public_url}/cover.png" }]

[[rule]]
name = "menu"
event = "CLICK"
event_key = "MENU_TODAY"
text = "Today: noodles."

[[rule]]
name = "follow"
event = "subscribe"
event_key_prefix = "qrscene_"
text = "Welcome from scene {scene}!"

[[rule]]
name = "song"
exact = "song"
music = { thumb_media_id = "T", title = "Song" }

[[rule]]
name = "survey"
exact = "survey"
dialogue = "survey"

[[dialogue]]
name = "survey"
escape = ["cancel"]
escaped = "Survey cancelled."
retries = 1
retry = "A number, please."
give_up = "Never mind."
done = "Thanks {session.name}, {session.age} it is; you like {session.colour}."
[[dialogue.step]]
ask = "Your name?"
save = "name"
[[dialogue.step]]
ask = "Hi {session.name}! Your age?"
regex = '^\d{1,3}$'
save = "age"
[[dialogue.step]]
ask = "Favourite colour?"
save = "colour"
"#;

#[tokio::test]
async fn a_rule_file_answers_and_runs_its_dialogue() {
    let router = parse_rules(FILE, &[("public_url", "https://h5.example.com")]).unwrap();
    let hello = router.answer(text("o", "hello")).await;
    assert!(
        [Reply::text("Hi o"), Reply::text("Hello o")].contains(&hello),
        "{hello:?}"
    );
    assert_eq!(
        router.answer(text("o", "order tea")).await,
        Reply::text("Ordered tea (tea).")
    );
    let Reply::News(news) = router.answer(text("o", "app")).await else {
        panic!("news")
    };
    assert_eq!(
        (news[0].url.as_str(), news[0].pic_url.as_str()),
        ("https://h5.example.com/", "https://h5.example.com/cover.png")
    );
    assert_eq!(
        router
            .answer(event(
                "o",
                Event::Click {
                    key: "MENU_TODAY".into()
                }
            ))
            .await,
        Reply::text("Today: noodles.")
    );
    assert_eq!(
        router
            .answer(event("o", Event::Subscribe { scene: scene("poster") }))
            .await,
        Reply::text("Welcome from scene poster!")
    );
    assert!(matches!(router.answer(text("o", "song")).await, Reply::Music(m) if m.thumb_media_id == "T"));
    let script = [
        ("survey", "Your name?"),
        ("Ada", "Hi Ada! Your age?"),
        ("old", "A number, please."),
        ("36", "Favourite colour?"),
        ("green", "Thanks Ada, 36 it is; you like green."),
        ("survey", "Your name?"),
        ("cancel", "Survey cancelled."),
        ("survey", "Your name?"),
        ("Bob", "Hi Bob! Your age?"),
        ("x", "A number, please."),
        ("y", "Never mind."),
    ];
    for (said, expected) in script {
        assert_eq!(
            router.answer(text("d", said)).await,
            Reply::text(expected),
            "said {said}"
        );
    }
}

#[test]
fn bad_rule_files_name_the_line_and_the_fix() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "[[rule]]\nname = \"a\"\ntext = \"x\"\n[[rule]\n",
            4,
            "unclosed array table",
        ),
        (
            "[[rule]]\nname = \"a\"\nkeyword = [\"x\"]\ntext = \"x\"\n",
            3,
            "unknown field `keyword`",
        ),
        ("\n[[rule]]\nname = \"a\"\nexact = \"x\"\n", 2, "rule `a` has no reply"),
        (
            "[[rule]]\nname = \"a\"\nexact = \"x\"\ntext = \"t\"\nimage = \"m\"\n",
            1,
            "has 2 replies (text, image)",
        ),
        (
            "[[rule]]\nname = \"a\"\n\nregex = '(unclosed'\ntext = \"t\"\n",
            4,
            "the regular expression is invalid",
        ),
        (
            "[[rule]]\nname = \"a\"\nexact = \"x\"\ntext = \"{nope}\"\n",
            1,
            "unknown placeholder `{nope}`",
        ),
        (
            "[[rule]]\nname = \"a\"\nregex = 'a(b)'\ntext = \"{2}\"\n",
            1,
            "unknown placeholder `{2}`",
        ),
        (
            "[[rule]]\nname = \"a\"\nexact = \"x\"\ntext = \"{public_url}\"\n",
            1,
            "(set WX_PUBLIC_URL)",
        ),
        (
            "[[rule]]\nname = \"a\"\nexact = \"x\"\ndialogue = \"d\"\n",
            1,
            "dialogue `d`, which is not declared",
        ),
        (
            "[[rule]]\nname = \"a\"\nexact = \"x\"\ntext = \"{oops\"\n",
            1,
            "not closed",
        ),
        ("[[rule]]\nname = 7\n", 2, "invalid type: integer, expected a string"),
    ];
    for (i, (file, line, reason)) in cases.iter().enumerate() {
        let e = parse_rules(file, &[]).map(|_| ()).unwrap_err();
        assert_eq!(e.line, Some(*line), "case {i}: {e}");
        assert!(e.message.contains(reason), "case {i}: {e}");
    }
}

#[test]
fn a_rule_file_error_never_quotes_a_value() {
    let e = parse_rules("[[rule]]\nname = \"a\"\nexact = \"x\"\ntext = 12345678987654321\n", &[])
        .map(|_| ())
        .unwrap_err();
    assert!(!e.to_string().contains("12345678987654321"), "{e}");
}

#[tokio::test]
async fn a_follow_up_is_rendered_for_the_push_that_matched_and_urls_are_encoded() {
    let router = parse_rules(
        r#"
[[rule]]
name = "follow from a scene"
event = "subscribe"
event_key_prefix = "qrscene_"
text = "Welcome from {scene}!"
follow_up.news = { title = "Open the app", description = "for {openid}", url = "{public_url}/?scene={scene|url}", pic_url = "{public_url}/p.png" }

[[rule]]
name = "hello"
exact = "hello"
text = "hi"
follow_up.text = "and {content|url}"

[[rule]]
name = "plain"
exact = "plain"
text = "no follow-up"
"#,
        &[("public_url", "https://h5.example.com")],
    )
    .unwrap();
    let (reply, follow) = router
        .answer_with_follow_up(event(
            "o1",
            Event::Subscribe {
                scene: scene("spring sale/7&x=1"),
            },
        ))
        .await;
    assert_eq!(reply, Reply::text("Welcome from spring sale/7&x=1!"));
    let Some(wx_rules::FollowUp::News(article)) = follow else {
        panic!("a news follow-up: {follow:?}")
    };
    assert_eq!(article.url, "https://h5.example.com/?scene=spring%20sale%2F7%26x%3D1");
    assert_eq!(article.description, "for o1");
    assert_eq!(article.pic_url, "https://h5.example.com/p.png");
    let cases = [
        ("hello", Some(wx_rules::FollowUp::Text("and hello".into()))),
        ("plain", None),
        ("nothing matches", None),
    ];
    for (said, expected) in cases {
        assert_eq!(
            router.answer_with_follow_up(text("o1", said)).await.1,
            expected,
            "{said}"
        );
    }
}

#[test]
fn a_bad_follow_up_names_the_line_and_the_fix() {
    let cases = [
        ("follow_up = {}", "`follow_up` needs one of `text` or `news`"),
        (
            "follow_up = { text = \"a\", news = { title = \"t\", url = \"u\" } }",
            "needs one of",
        ),
        ("follow_up.text = \"{nope}\"", "unknown placeholder `{nope}`"),
        (
            "follow_up.text = \"{openid|html}\"",
            "`|html` is not a placeholder filter",
        ),
        ("follow_up.sms = \"x\"", "unknown field `sms`"),
    ];
    for (line, expected) in cases {
        let file = format!("[[rule]]\nname = \"r\"\nexact = \"x\"\ntext = \"y\"\n{line}\n");
        let e = parse_rules(&file, &[]).unwrap_err();
        assert!(e.to_string().contains(expected), "{line}: {e}");
        assert!(e.line.is_some(), "{line}: {e}");
    }
}
