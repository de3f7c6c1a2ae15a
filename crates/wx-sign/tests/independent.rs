//! Every signer checked against an independent implementation: Python's hashlib, with the sorting and
//! joining written again in Python from WeChat's documentation, run once over a table of cases.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::{Value, json};
use std::{io::Write, process::Command};

const PYTHON: &str = r#"
import hashlib, json, sys
out = []
for case in json.load(sys.stdin):
    kind = case["kind"]
    if kind == "config":
        fields = {"jsapi_ticket": case["ticket"], "noncestr": case["noncestr"],
                  "timestamp": str(case["timestamp"]), "url": case["url"]}
        s = "&".join(f"{k}={fields[k]}" for k in sorted(fields))
    else:
        s = "".join(sorted(case["values"]))
    out.append({"canonical": s, "sha1": hashlib.sha1(s.encode("utf-8")).hexdigest()})
json.dump(out, sys.stdout)
"#;

fn python_reference(cases: &Value) -> Vec<Value> {
    let mut child = Command::new("python3")
        .args(["-c", PYTHON])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is part of the machine image and of xtask setup");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python reference failed");
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

const TICKET: &str = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";

/// (noncestr, timestamp, url) cases for the JS-SDK config signature.
const CONFIG_CASES: &[(&str, u64, &str)] = &[
    ("Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value"),
    ("abc", 0, "https://a.com/"),
    ("N0nce", 1700000000, "https://a.com/p?x=1&y=2&z=a=b"),
    ("N0nce", 1700000000, "https://a.com/p?q=%E4%BD%A0%E5%A5%BD&r=%2F%26"),
    ("N0nce", 1700000000, "https://例子.测试/路径?名=值&emoji=🎉"),
    (
        "N0nce",
        1700000000,
        "http://localhost:8080/index.html?from=singlemessage&isappinstalled=0",
    ),
    ("N0nce", u64::MAX, "https://a.com/?a=%zz&b=%"),
];

#[test]
fn config_signature_matches_python() {
    let cases: Vec<Value> = CONFIG_CASES
        .iter()
        .map(|(n, ts, url)| json!({"kind": "config", "ticket": TICKET, "noncestr": n, "timestamp": ts, "url": url}))
        .collect();
    let reference = python_reference(&Value::Array(cases));
    for ((nonce, ts, url), want) in CONFIG_CASES.iter().zip(&reference) {
        let got = wx_sign::sign_config(TICKET, nonce, *ts, url).unwrap();
        assert_eq!(got.canonical, want["canonical"], "canonical string for {url}");
        assert_eq!(got.signature, want["sha1"], "signature for {url}");
    }
}

#[test]
fn documented_example_signature() {
    let got = wx_sign::sign_config(
        TICKET,
        "Wm3WZYTPz0wzccnW",
        1414587457,
        "http://mp.weixin.qq.com?params=value",
    );
    assert_eq!(got.unwrap().signature, "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
}

#[test]
fn fragment_is_stripped_by_the_helper_and_refused_by_the_signer() {
    let cases = [
        ("https://a.com/p?x=1#/route?y=2", "https://a.com/p?x=1"),
        ("https://a.com/#", "https://a.com/"),
        ("https://a.com/p?x=%23", "https://a.com/p?x=%23"),
        ("https://a.com/p#a#b", "https://a.com/p"),
    ];
    for (href, want) in cases {
        assert_eq!(wx_sign::url_for_signing(href), want);
        assert_eq!(
            wx_sign::sign_config(TICKET, "n", 1, href).map(|s| s.signature),
            if href.contains('#') {
                Err(wx_sign::SignError::UrlHasFragment)
            } else {
                wx_sign::sign_config(TICKET, "n", 1, want).map(|s| s.signature)
            },
        );
    }
}

#[test]
fn empty_fields_are_typed_errors() {
    use wx_sign::SignError::Empty;
    assert_eq!(
        wx_sign::sign_config("", "n", 1, "https://a.com/"),
        Err(Empty("jsapi_ticket"))
    );
    assert_eq!(
        wx_sign::sign_config("t", "", 1, "https://a.com/"),
        Err(Empty("noncestr"))
    );
    assert_eq!(wx_sign::sign_config("t", "n", 1, ""), Err(Empty("url")));
    assert_eq!(wx_sign::server_signature("", "1", "n"), Err(Empty("token")));
    assert_eq!(wx_sign::msg_signature("t", "1", "n", ""), Err(Empty("encrypted")));
    assert_eq!(wx_sign::card_signature(&["", ""]), Err(Empty("card values")));
    let msg = wx_sign::SignError::UrlHasFragment.to_string();
    assert!(msg.contains("url_for_signing"), "the error names the fix: {msg}");
}

/// (values) cases for the sorted-concatenation family: server check, msg_signature, cards.
const SORTED_CASES: &[&[&str]] = &[
    &["wxkit", "1700000000", "123456789"],
    &["Token", "1409304348", "xxxxxx"],
    &["token", "1700000000", "nonce", "Q0JDRW5jcnlwdGVkQm9keQ=="],
    &["141231233", "23456", "345667", "456789"],
    &[
        "ticket",
        "1700000000",
        "pFS7Fjg8kV1IdDz01r4SQwMkuCKc",
        "code-1",
        "oXYZ",
        "Nonce",
    ],
    &["B", "a", "A", "b", "中文", "10", "9"],
];

#[test]
fn sorted_family_matches_python() {
    let cases: Vec<Value> = SORTED_CASES
        .iter()
        .map(|v| json!({"kind": "sorted", "values": v}))
        .collect();
    let reference = python_reference(&Value::Array(cases));
    for (values, want) in SORTED_CASES.iter().zip(&reference) {
        let want_sig = want["sha1"].as_str().unwrap();
        assert_eq!(wx_sign::card_signature(values).unwrap(), want_sig, "card {values:?}");
        match values {
            [token, ts, nonce] => {
                assert_eq!(wx_sign::server_signature(token, ts, nonce).unwrap(), want_sig);
                assert!(wx_sign::verify_server_signature(token, ts, nonce, want_sig));
                assert!(wx_sign::verify_server_signature(
                    token,
                    ts,
                    nonce,
                    &want_sig.to_uppercase()
                ));
                assert!(!wx_sign::verify_server_signature(token, ts, "other", want_sig));
                assert!(!wx_sign::verify_server_signature(token, ts, nonce, &want_sig[..39]));
                assert!(!wx_sign::verify_server_signature(token, ts, nonce, &want_sig.repeat(3)));
            }
            [token, ts, nonce, body] => {
                assert_eq!(wx_sign::msg_signature(token, ts, nonce, body).unwrap(), want_sig);
                assert!(wx_sign::verify_msg_signature(token, ts, nonce, body, want_sig));
                assert!(!wx_sign::verify_msg_signature(token, ts, nonce, "tampered", want_sig));
            }
            _ => {}
        }
    }
}

#[test]
fn nonces_are_alphanumeric_and_distinct() {
    let nonces: std::collections::HashSet<String> = (0..1000).map(|_| wx_sign::nonce().unwrap()).collect();
    assert_eq!(nonces.len(), 1000);
    for n in &nonces {
        assert_eq!(n.len(), wx_sign::NONCE_LEN);
        assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()), "{n}");
    }
    // All 62 symbols show up over 16,000 draws: the alphabet is used whole, not a biased slice of it.
    let seen: std::collections::HashSet<char> = nonces.iter().flat_map(|n| n.chars()).collect();
    assert_eq!(seen.len(), 62);
}
