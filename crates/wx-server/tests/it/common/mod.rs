//! What the modules share: wx-server's test account, the JS-SDK config answer and an independent check of its
//! signature (the sha1 crate and Python's hashlib, not wx-sign), the `wx-server` binary as a command, and, from
//! wx-testkit, processes, Redis, temporary directories and HTTP on loopback.

pub mod inproc;

use std::process::{Command, Stdio};

pub use wx_testkit::{Proc, Redis, TempDir, client, free_port, get_json, get_text, post_json};

/// The account of the tests' own fake WeChat (the demo account is `wx_server::DEMO_APPID`, for `--mock`).
pub const TEST_APPID: &str = "wx1111222233334444";
/// Its secret, which the secret grep looks for in every byte processes write.
pub const TEST_SECRET: &str = "S3cr3t-grep-me-7f2a9c";

/// A loopback client that does not follow redirects, so that each hop can be inspected.
pub fn no_redirects() -> reqwest::Client {
    wx_testkit::http::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Percent-encodes a page URL as a page would (encodeURIComponent).
pub fn enc(url: &str) -> String {
    percent_encoding::utf8_percent_encode(url, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The signature WeChat would compute, with the sha1 crate directly (not through wx-sign).
pub fn expected_signature(ticket: &str, nonce: &str, timestamp: u64, url: &str) -> String {
    use sha1::Digest;
    let canonical = format!("jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}");
    let digest = sha1::Sha1::digest(canonical.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-1 hex of each string, computed by Python's hashlib in one process (independent of Rust's code).
pub fn python_sha1_batch(inputs: &[String]) -> Vec<String> {
    let mut child = Command::new("python3")
        .args([
            "-c",
            // Bytes in, so that the locale's encoding never stands between the test and the digest.
            "import hashlib,sys\nfor line in sys.stdin.buffer.read().split(b'\\n')[:-1]: print(hashlib.sha1(line).hexdigest())",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is installed");
    let mut input = String::new();
    for s in inputs {
        assert!(!s.contains('\n'));
        input.push_str(s);
        input.push('\n');
    }
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// SHA-1 hex of one string, by Python's hashlib.
pub fn python_sha1(input: &str) -> String {
    python_sha1_batch(&[input.to_owned()]).remove(0)
}

/// A config answer, checked for shape.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub app_id: String,
    pub timestamp: u64,
    pub nonce_str: String,
    pub signature: String,
}

/// The `wx-server` binary with an empty environment (but PATH): nothing of the caller's `WX_*` reaches it.
pub fn wx_server() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wx-server"));
    c.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default());
    c
}

/// `wx-server fake-wechat` on a free loopback port for the test account, with `extra` flags; started and
/// listening (its URL is [`Proc::base_url`]).
pub fn fake_wechat(extra: &[&str]) -> Proc {
    let mut c = wx_server();
    c.args([
        "fake-wechat",
        "--listen",
        "127.0.0.1:0",
        "--appid",
        TEST_APPID,
        "--secret",
        TEST_SECRET,
    ]);
    c.args(extra);
    let p = Proc::spawn(c);
    let _ = p.base_url();
    p
}

/// `wx-server serve` for the test account on the WeChat at `fake`, with the store `store` (`WX_STORE`), debug
/// logs and `extra` variables; start it with [`Proc::spawn`] (or run it to see it refuse).
pub fn serve(fake: &str, store: &str, extra: &[(&str, &str)]) -> Command {
    let mut c = wx_server();
    c.arg("serve")
        .env("WX_APPID", TEST_APPID)
        .env("WX_APPSECRET", TEST_SECRET)
        .env("WX_API_BASE", fake)
        .env("WX_JS_DOMAINS", "127.0.0.1")
        .env("WX_LISTEN", "127.0.0.1:0")
        .env("WX_STORE", store)
        .env("RUST_LOG", "debug");
    c.envs(extra.iter().copied());
    c
}

/// `wx-server serve --mock --listen 127.0.0.1:0` with `args`, which must refuse to start (exit code 2, as for
/// every configuration error): its stderr.
pub fn refused_at_start_up(args: &[&str]) -> String {
    let out = wx_server()
        .args(["serve", "--mock", "--listen", "127.0.0.1:0"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    stderr
}

/// The tickets the fake WeChat process at `fake` accepts now for the test account.
pub async fn fake_tickets(client: &reqwest::Client, fake: &str) -> Vec<String> {
    let v = get_json(client, format!("{fake}/test-only/jsapi-ticket?appid={TEST_APPID}")).await;
    v["validTickets"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Fetches and parses a config; panics with the body when not 200.
pub async fn get_config(client: &reqwest::Client, base: &str, page: &str, refresh: bool) -> Config {
    let url = format!(
        "{base}/api/jssdk/config?url={}{}",
        enc(page),
        if refresh { "&refresh=true" } else { "" }
    );
    let r = client.get(&url).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// True when `c` verifies for `page` against one of `tickets`.
pub fn verifies(c: &Config, page: &str, tickets: &[String]) -> bool {
    let url = page.split('#').next().unwrap_or(page);
    tickets
        .iter()
        .any(|t| expected_signature(t, &c.nonce_str, c.timestamp, url) == c.signature)
}
