//! `wx-server push` and `wx-server chat`, run as a user runs them (the real binary, secrets from flags or the
//! environment) against a real server on loopback, in plain and safe mode. The server's handler names what it
//! received, so every subcommand is seen arriving as its own type.

use crate::common::{TempDir, inproc::start_mock_with_handler, wx_server};
use std::{
    io::Write,
    process::{Output, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};
use wx_push::{Event, Message, Push, PushBody, Reply};
use wx_server::{DEMO_APPID, DEMO_ENCODING_AES_KEY, DEMO_TOKEN, Server};

/// Answers every push with what it was (`text hello`, `event CLICK`, …); remembers each push; the first push
/// whose content is `slow` takes 700 ms.
async fn server() -> (Server, Arc<Mutex<Vec<Push>>>) {
    let seen: Arc<Mutex<Vec<Push>>> = Arc::default();
    let slow_once = Arc::new(AtomicU32::new(0));
    let record = seen.clone();
    let server = start_mock_with_handler(
        |_| {},
        move |push: Push| {
            record.lock().unwrap().push(push.clone());
            let slow_once = slow_once.clone();
            async move {
                let answer = match &push.body {
                    PushBody::Message(Message::Text { content, .. }) => {
                        if content == "slow" && slow_once.fetch_add(1, Ordering::SeqCst) == 0 {
                            tokio::time::sleep(Duration::from_millis(700)).await;
                        }
                        format!("text {content}")
                    }
                    PushBody::Message(m) => m.msg_type().to_owned(),
                    PushBody::Event(e) => format!("event {}", e.name()),
                    PushBody::Unknown { msg_type, .. } => format!("unknown {msg_type}"),
                };
                Reply::text(answer)
            }
        },
    )
    .await;
    (server, seen)
}

/// The binary with `args`, `stdin` piped in, and the demo account's secrets in the environment (`env`) or as
/// flags; run off the runtime so the in-process server keeps serving.
async fn run(args: Vec<String>, secrets_in_env: bool, stdin: Option<&str>) -> Output {
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut c = wx_server();
        let (command, rest) = args.split_first().expect("a subcommand");
        c.arg(command);
        if secrets_in_env {
            c.env("WX_TOKEN", DEMO_TOKEN)
                .env("WX_ENCODING_AES_KEY", DEMO_ENCODING_AES_KEY)
                .env("WX_APPID", DEMO_APPID);
        } else {
            c.args([
                "--token",
                DEMO_TOKEN,
                "--aes-key",
                DEMO_ENCODING_AES_KEY,
                "--appid",
                DEMO_APPID,
            ]);
        }
        c.args(rest)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("wx-server runs");
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).expect("stdin written");
        }
        drop(pipe);
        child.wait_with_output().expect("wx-server ends")
    })
    .await
    .expect("runner")
}

fn out(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Every subcommand, in plain and safe mode, secrets from flags and from the environment: the server receives
/// that type, and the command prints the timing of the attempt and the reply (decrypted in safe mode).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_sends_every_type_and_prints_the_reply_as_wechat_reads_it() {
    let (server, seen) = server().await;
    let url = server.url("/wechat");
    let dir = TempDir::new("push-cli-raw");
    let raw = dir.join("push.xml");
    std::fs::write(
        &raw,
        "<xml><ToUserName>gh_raw</ToUserName><FromUserName>o_raw</FromUserName><CreateTime>1</CreateTime>\
         <MsgType>shortvideo</MsgType><MediaId>m</MediaId><ThumbMediaId>t</ThumbMediaId><MsgId>77</MsgId></xml>",
    )
    .unwrap();
    let raw = raw.display().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["text", "hello 你好"], "text hello 你好"),
        (vec!["image", "--pic-url", "http://p/1.jpg"], "image"),
        (vec!["voice", "--recognition", "turn left"], "voice"),
        (vec!["video"], "video"),
        (vec!["shortvideo"], "shortvideo"),
        (vec!["location", "23.13", "-113.26", "--label", "Canton"], "location"),
        (vec!["link", "https://a.example/", "--title", "A"], "link"),
        (vec!["subscribe", "spring"], "event subscribe"),
        (vec!["unsubscribe"], "event unsubscribe"),
        (vec!["scan", "42"], "event SCAN"),
        (vec!["location_report", "23.1", "113.2"], "event LOCATION"),
        (vec!["click", "MENU_A"], "event CLICK"),
        (vec!["view", "https://a.example/page"], "event VIEW"),
        (vec!["scancode_push", "s1", "--scan-result", "r"], "event scancode_push"),
        (
            vec!["scancode_waitmsg", "s2", "--scan-result", "r"],
            "event scancode_waitmsg",
        ),
        (
            vec!["pic_sysphoto", "p1", "--pic-md5", "aa", "--pic-md5", "bb"],
            "event pic_sysphoto",
        ),
        (vec!["pic_photo_or_album", "p2"], "event pic_photo_or_album"),
        (vec!["pic_weixin", "p3", "--pic-md5", "cc"], "event pic_weixin"),
        (
            vec![
                "location_select",
                "l1",
                "--latitude",
                "1.5",
                "--longitude",
                "2.5",
                "--poi-name",
                "Tower",
            ],
            "event location_select",
        ),
        (
            vec!["template_send_job_finish", "--status", "failed:user block"],
            "event TEMPLATESENDJOBFINISH",
        ),
        (vec!["view_miniprogram", "pages/index/index"], "event view_miniprogram"),
        (vec!["raw", &raw], "shortvideo"),
    ];
    let mut n = 0;
    for mode in ["plain", "safe"] {
        for (args, expected) in &cases {
            n += 1;
            // Events are told apart by sender and second: a follower per push.
            let openid = format!("o_cli_{n}");
            let mut full = strings(&["push", "--url", &url, "--mode", mode, "--openid", &openid]);
            full.extend(strings(args));
            let o = run(full, n % 2 == 0, None).await;
            let (stdout, stderr) = out(&o);
            assert!(o.status.success(), "{mode} {args:?}: {stdout}{stderr}");
            let mut lines = stdout.lines();
            let attempt = lines.next().unwrap_or_default();
            assert!(
                attempt.starts_with("attempt 1: HTTP 200 in ") && attempt.ends_with(" ms"),
                "{mode} {args:?}: {stdout}"
            );
            assert_eq!(
                lines.next(),
                Some(format!("reply: text: {expected}").as_str()),
                "{mode} {args:?}"
            );
            let xml = lines.next().unwrap_or_default();
            assert!(
                xml.starts_with("<xml><ToUserName><![CDATA[") && xml.contains("<MsgType><![CDATA[text]]></MsgType>"),
                "the reply's plaintext XML, decrypted in safe mode: {mode} {args:?}: {xml}"
            );
            for secret in [DEMO_TOKEN, DEMO_ENCODING_AES_KEY] {
                assert!(
                    !stdout.contains(secret) && !stderr.contains(secret),
                    "{mode} {args:?} printed a secret"
                );
            }
        }
    }
    let seen = seen.lock().unwrap().clone();
    // The raw file's push has a fixed MsgId: sent again in safe mode it is WeChat's retry of the same push, answered
    // with the first reply without running the handler.
    assert_eq!(seen.len(), cases.len() * 2 - 1, "one handler run per push");
    let voice = seen
        .iter()
        .find(|p| matches!(p.body, PushBody::Message(Message::Voice { .. })))
        .unwrap();
    assert!(
        matches!(&voice.body, PushBody::Message(Message::Voice { recognition: Some(r), format, .. }) if r == "turn left" && format == "amr")
    );
    let pics = seen
        .iter()
        .find(|p| matches!(p.body, PushBody::Event(Event::PicSysPhoto { .. })))
        .unwrap();
    assert!(
        matches!(&pics.body, PushBody::Event(Event::PicSysPhoto { key, pics }) if key == "p1" && pics.count == 2 && pics.pic_md5_sums == ["aa", "bb"])
    );
    let location = seen
        .iter()
        .find(|p| matches!(p.body, PushBody::Message(Message::Location { .. })))
        .unwrap();
    assert!(
        matches!(&location.body, PushBody::Message(Message::Location { latitude, longitude, label, .. }) if *latitude == 23.13 && *longitude == -113.26 && label == "Canton")
    );
    server.shutdown().await;
}

/// A handler slower than the reply timeout: the first attempt times out, WeChat's retry gets the first
/// delivery's reply (the handler ran once), and each attempt's timing is printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_retries_like_wechat_and_times_each_attempt() {
    let (server, seen) = server().await;
    let url = server.url("/wechat");
    for mode in ["plain", "safe"] {
        seen.lock().unwrap().clear();
        let args = strings(&[
            "push",
            "--url",
            &url,
            "--mode",
            mode,
            "--openid",
            mode,
            "--reply-timeout-ms",
            "400",
            "text",
            "slow",
        ]);
        // The handler is slow once only: the safe run's first attempt is answered at once.
        let o = run(args, true, None).await;
        let (stdout, stderr) = out(&o);
        assert!(o.status.success(), "{stdout}{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        if mode == "plain" {
            assert!(
                lines[0].starts_with("attempt 1: no answer within 400ms (after "),
                "{stdout}"
            );
            assert!(lines[1].starts_with("attempt 2: HTTP 200 in "), "{stdout}");
            assert_eq!(lines[2], "reply: text: text slow");
        } else {
            assert!(lines[0].starts_with("attempt 1: HTTP 200 in "), "{stdout}");
        }
        assert_eq!(
            seen.lock().unwrap().len(),
            1,
            "the handler ran once for the push and its retry"
        );
    }
    // Nobody listening: every attempt fails, spaced by the timeout, and the exit code says so.
    let closed = format!("http://127.0.0.1:{}/wechat", wx_testkit::free_port());
    let args = strings(&[
        "push",
        "--url",
        &closed,
        "--reply-timeout-ms",
        "100",
        "--attempts",
        "2",
        "text",
        "x",
    ]);
    let o = run(args, true, None).await;
    let (stdout, _) = out(&o);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("attempt 2: ") && stdout.contains("no answer: WeChat gives up"),
        "{stdout}"
    );
    server.shutdown().await;
}

/// Bad input gets exit code 2 and a message naming the fix; a refused push exits 1 with the server's reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_refuses_bad_input_with_a_message() {
    let (server, _) = server().await;
    let url = server.url("/wechat");
    let without_key = wx_server()
        .args([
            "push", "--url", &url, "--token", DEMO_TOKEN, "--mode", "safe", "text", "x",
        ])
        .output()
        .unwrap();
    let cases: Vec<(Output, i32, &str)> = vec![
        (without_key, 2, "--aes-key or set WX_ENCODING_AES_KEY"),
        (
            run(
                strings(&["push", "--url", &url, "raw", "/nonexistent/push.xml"]),
                true,
                None,
            )
            .await,
            2,
            "cannot read /nonexistent/push.xml",
        ),
        (
            run(strings(&["push", "--url", "ftp://x/wechat", "text", "x"]), true, None).await,
            2,
            "is not an http:// or https:// URL",
        ),
        (
            run(
                strings(&["push", "--url", &url, "--token", "wrong", "text", "x"]),
                true,
                None,
            )
            .await,
            1,
            "refused: HTTP 403",
        ),
    ];
    for (o, code, needle) in cases {
        let (stdout, stderr) = out(&o);
        assert_eq!(o.status.code(), Some(code), "{stdout}{stderr}");
        assert!(
            stdout.contains(needle) || stderr.contains(needle),
            "{needle}: {stdout}{stderr}"
        );
    }
    server.shutdown().await;
}

/// Each line piped in is a follower's text message; `/…` lines are events; a bad `/…` line is explained on stderr
/// and the chat goes on; end of input ends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_sends_each_line_and_prints_the_reply() {
    let (server, seen) = server().await;
    let url = server.url("/wechat");
    for mode in ["plain", "safe"] {
        seen.lock().unwrap().clear();
        let openid = format!("o_chat_{mode}");
        let input = "hello\n\n/subscribe 7\n/nonsense\n/click MENU_B\n你好 ]]> <xml>\n";
        let args = strings(&["chat", "--url", &url, "--mode", mode, "--openid", &openid]);
        let o = run(args, true, Some(input)).await;
        let (stdout, stderr) = out(&o);
        assert!(o.status.success(), "{stdout}{stderr}");
        assert_eq!(
            stdout.lines().collect::<Vec<_>>(),
            [
                "reply: text: text hello",
                "reply: text: event subscribe",
                "reply: text: event CLICK",
                "reply: text: text 你好 ]]> <xml>"
            ],
            "{mode}: {stderr}"
        );
        assert!(stderr.contains("unrecognized subcommand 'nonsense'"), "{stderr}");
        assert!(stderr.contains("attempt 1: HTTP 200 in "), "{stderr}");
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 4);
        assert!(seen.iter().all(|p| p.from_user_name == openid));
    }
    server.shutdown().await;
}
