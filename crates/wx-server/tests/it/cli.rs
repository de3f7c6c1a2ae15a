//! The `sign` and `check` subcommands, run as a user runs them, checked against Python's hashlib.

use crate::common::{python_sha1, wx_server};

fn run(args: &[&str]) -> std::process::Output {
    run_with(args, &[])
}

/// With these environment variables only (none of the caller's: `wx_server()` clears them).
fn run_with(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    wx_server().args(args).envs(env.iter().copied()).output().unwrap()
}

/// The signature on stdout; with -v the canonical string on stderr, its ticket redacted. The ticket comes from
/// `--ticket` or, out of other users' `ps`, from `WX_JSAPI_TICKET`.
#[test]
fn sign_prints_signature_and_canonical_string() {
    let url = "https://a.com/p?x=1&q=%E4%BD%A0&z=中";
    let rest = ["--noncestr", "N1", "--timestamp", "1700000000", "--url", url, "-v"];
    let from_flag = run(&[&["sign", "--ticket", "T1CKET"][..], &rest].concat());
    let from_env = run_with(&[&["sign"][..], &rest].concat(), &[("WX_JSAPI_TICKET", "T1CKET")]);
    let canonical = format!("jsapi_ticket=T1CKET&noncestr=N1&timestamp=1700000000&url={url}");
    for out in [from_flag, from_env] {
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), python_sha1(&canonical));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim(),
            format!("jsapi_ticket=<redacted>&noncestr=N1&timestamp=1700000000&url={url}")
        );
    }
}

#[test]
fn sign_refuses_bad_input_with_a_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--ticket",
                "T",
                "--noncestr",
                "N",
                "--timestamp",
                "1",
                "--url",
                "https://a.com/#x",
            ],
            "#",
        ),
        (
            &[
                "--ticket",
                "",
                "--noncestr",
                "N",
                "--timestamp",
                "1",
                "--url",
                "https://a.com/",
            ],
            "jsapi_ticket",
        ),
        (
            &[
                "--ticket",
                "T",
                "--noncestr",
                "N",
                "--timestamp",
                "soon",
                "--url",
                "https://a.com/",
            ],
            "timestamp",
        ),
    ];
    for (args, needle) in cases {
        let mut full = vec!["sign"];
        full.extend_from_slice(args);
        let out = run(&full);
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "no signature printed for {args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn check_exits_zero_on_match_and_one_on_mismatch() {
    let mut parts = ["wxtoken", "1700000000", "nonce42"];
    parts.sort();
    let good = python_sha1(&parts.concat());
    let query = ["--timestamp", "1700000000", "--nonce", "nonce42", "--signature", &good];
    let ok = run(&[&["check", "--token", "wxtoken"][..], &query].concat());
    assert_eq!(ok.status.code(), Some(0));
    // The server's own WX_TOKEN when --token is not given.
    let from_env = run_with(&[&["check"][..], &query].concat(), &[("WX_TOKEN", "wxtoken")]);
    assert_eq!(from_env.status.code(), Some(0), "{from_env:?}");
    let bad = run(&[&["check", "--token", "other"][..], &query].concat());
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Token"));
}

/// `menu`, `send`, `template`, `media`, `users` and `tags` against a fake WeChat process: JSON on stdout, WeChat's
/// errcode and what to do on stderr (exit 1), bad input named (exit 2), no secret printed.
#[test]
fn account_subcommands_print_json_and_say_what_failed_in_wechats_terms() {
    use crate::common::{TEST_APPID, TEST_SECRET, TempDir, fake_wechat};
    let fake = fake_wechat(&[]);
    let base = fake.base_url();
    let env = [
        ("WX_APPID", TEST_APPID),
        ("WX_APPSECRET", TEST_SECRET),
        ("WX_API_BASE", base.as_str()),
    ];
    let dir = TempDir::new("cli-account");
    let json = |out: &std::process::Output| -> serde_json::Value {
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let path = |name: &str, content: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        p.to_string_lossy().into_owned()
    };

    let menu = path(
        "menu.json",
        br#"{"button":[{"type":"view","name":"Open","url":"https://h5.example.com/"}]}"#,
    );
    assert_eq!(
        json(&run_with(&["menu", "create", &menu], &env)),
        serde_json::json!({"ok": true})
    );
    assert_eq!(
        json(&run_with(&["menu", "get"], &env))["menu"]["button"][0]["name"],
        "Open"
    );
    let four = r#"{"type":"click","name":"b","key":"K"}"#;
    let bad = path(
        "bad.json",
        format!(r#"{{"button":[{four},{four},{four},{four}]}}"#).as_bytes(),
    );
    let out = run_with(&["menu", "create", &bad], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("4 top-level buttons"),
        "{out:?}"
    );
    let out = run_with(&["menu", "create", &path("broken.json", b"{")], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.json"), "{out:?}");

    // The follower has not interacted: WeChat's 45015, said as what to do.
    let out = run_with(&["send", "--to", "o-fake-user", "--text", "hi"], &env);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("errcode 45015") && stderr.contains("48 hours"),
        "{stderr}"
    );

    let templates = json(&run_with(&["template", "list"], &env));
    let id = templates[0]["template_id"].as_str().unwrap().to_owned();
    let message = serde_json::json!({"touser": "o-fake-user", "template_id": id, "data": {"k": {"value": "v"}}});
    let message = path("template.json", message.to_string().as_bytes());
    assert!(json(&run_with(&["template", "send", &message], &env))["msgid"].is_u64());

    let photo = path("photo.png", &[0x89, b'P', b'N', b'G', 1, 2, 3]);
    let up = json(&run_with(&["media", "upload", "--type", "image", &photo], &env));
    let media_id = up["media_id"].as_str().unwrap();
    let copy = dir.join("copy.png");
    let got = json(&run_with(
        &["media", "get", media_id, "--out", &copy.to_string_lossy()],
        &env,
    ));
    assert_eq!(got["content_type"], "image/png");
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&photo).unwrap());
    let out = run_with(&["media", "upload", "--type", "sticker", &photo], &env);
    assert_eq!(out.status.code(), Some(2));

    let users = json(&run_with(&["users", "list"], &env));
    assert!(users.as_array().unwrap().contains(&serde_json::json!("o-fake-user")));
    assert_eq!(json(&run_with(&["users", "info", "o-fake-user"], &env))["subscribe"], 1);

    let tag = json(&run_with(&["tags", "create", "VIP"], &env));
    let tag_id = tag["id"].to_string();
    json(&run_with(&["tags", "tag", &tag_id, "o-fake-user"], &env));
    assert_eq!(json(&run_with(&["tags", "list"], &env))[0]["count"], 1);
    json(&run_with(&["tags", "untag", &tag_id, "o-fake-user"], &env));
    json(&run_with(&["tags", "delete", &tag_id], &env));

    // A wrong secret: WeChat's errcode, and the secret is not printed.
    let wrong = [
        ("WX_APPID", TEST_APPID),
        ("WX_APPSECRET", "Wr0ng-secret-cli-77"),
        ("WX_API_BASE", base.as_str()),
    ];
    let out = run_with(&["tags", "list"], &wrong);
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("40125"), "{all}");
    assert!(!all.contains("Wr0ng-secret-cli-77") && !all.contains(TEST_SECRET));
}
