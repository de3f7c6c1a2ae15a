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
