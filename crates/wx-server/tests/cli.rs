//! The `sign` and `check` subcommands, run as a user runs them, checked against Python's hashlib.

use std::process::Command;

fn wx_server(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wx-server"))
        .args(args)
        .output()
        .unwrap()
}

fn python_sha1(s: &str) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
            s,
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn sign_prints_signature_and_canonical_string() {
    let url = "https://a.com/p?x=1&q=%E4%BD%A0&z=中";
    let out = wx_server(&[
        "sign",
        "--ticket",
        "T1",
        "--noncestr",
        "N1",
        "--timestamp",
        "1700000000",
        "--url",
        url,
        "-v",
    ]);
    assert!(out.status.success());
    let canonical = format!("jsapi_ticket=T1&noncestr=N1&timestamp=1700000000&url={url}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), python_sha1(&canonical));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), canonical);
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
        let out = wx_server(&full);
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
    let ok = wx_server(&[
        "check",
        "--token",
        "wxtoken",
        "--timestamp",
        "1700000000",
        "--nonce",
        "nonce42",
        "--signature",
        &good,
    ]);
    assert_eq!(ok.status.code(), Some(0));
    let bad = wx_server(&[
        "check",
        "--token",
        "other",
        "--timestamp",
        "1700000000",
        "--nonce",
        "nonce42",
        "--signature",
        &good,
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Token"));
}
