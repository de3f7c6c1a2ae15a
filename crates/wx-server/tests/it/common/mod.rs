//! Helpers shared by the integration tests: an HTTP client, an independent SHA-1 check, child processes
//! with captured output, and a throwaway redis-server.

pub mod inproc;

use std::{
    io::{BufRead, BufReader, Read},
    net::{SocketAddr, TcpListener},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

pub const TEST_APPID: &str = "wx1111222233334444";

/// A client for loopback tests (rustls needs a provider even for plain http).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(2000)
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
            "import hashlib,sys\nfor line in sys.stdin.read().split('\\n')[:-1]: print(hashlib.sha1(line.encode()).hexdigest())",
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

/// A config answer, checked for shape.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub app_id: String,
    pub timestamp: u64,
    pub nonce_str: String,
    pub signature: String,
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process whose stdout and stderr are captured (for assertions and the secret grep).
pub struct Proc {
    pub child: Child,
    pub output: Arc<Mutex<String>>,
    pub first_line: String,
    /// The threads copying stdout and stderr into `output`: done once the child has exited and they drained.
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Proc {
    /// Spawns `cmd`, waits for its first stdout line (the "listening on" line) and keeps reading both streams.
    pub fn spawn(mut cmd: Command) -> Self {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        let output = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let err_out = output.clone();
        let err_reader = std::thread::spawn(move || {
            let mut r = BufReader::new(stderr);
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                err_out.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        let _ = stdout.read_line(&mut first_line);
        output.lock().unwrap().push_str(&first_line);
        let out = output.clone();
        let out_reader = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stdout.read_to_string(&mut rest);
            out.lock().unwrap().push_str(&rest);
        });
        Self {
            child,
            output,
            first_line,
            readers: vec![err_reader, out_reader],
        }
    }

    /// `http://addr` from a "… listening on http://addr" first line.
    pub fn base_url(&self) -> String {
        let url = self.first_line.trim().rsplit(' ').next().unwrap_or("").to_owned();
        assert!(
            url.starts_with("http://"),
            "no address line; output so far:\n{}",
            self.output()
        );
        url
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// The output once it contains `needle` (the reader threads may lag behind the process), or as it is after
    /// 10 s.
    pub fn output_once_it_has(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let output = self.output();
            if output.contains(needle) || Instant::now() >= deadline {
                return output;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM (graceful), then wait.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                self.drain();
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.drain();
    }

    /// Waits (up to 10 s) until everything the exited child wrote is in `output`.
    fn drain(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && !self.readers.iter().all(std::thread::JoinHandle::is_finished) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn wx_server() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wx-server"));
    c.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default());
    c
}

/// The process id of the Redis answering on `addr` (`INFO server`), if one answers.
fn redis_pid(addr: SocketAddr) -> Option<u32> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n").ok()?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("process_id:") || !answer.ends_with(b"\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&answer);
    text.lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .and_then(|pid| pid.trim().parse().ok())
}

/// A redis-server of our own on a free loopback port, without persistence; killed on drop.
pub struct Redis {
    pub child: Child,
    pub port: u16,
}

impl Redis {
    /// On a free port; a port taken by someone else between picking and binding it is replaced by another.
    pub fn start() -> Self {
        for _ in 0..5 {
            if let Some(redis) = Self::try_start_on(free_port()) {
                return redis;
            }
        }
        panic!("redis-server found no free port in 5 tries");
    }

    /// On `port`, which must be free.
    pub fn start_on(port: u16) -> Self {
        Self::try_start_on(port).unwrap_or_else(|| panic!("redis-server could not listen on {port}: in use?"))
    }

    /// `None` when the server on `port` is not this one (it exited: the port was taken meanwhile, perhaps by
    /// another test's Redis, which must not be mistaken for ours).
    fn try_start_on(port: u16) -> Option<Self> {
        let mut child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (cargo xtask setup installs it)");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(_)) = child.try_wait() {
                return None;
            }
            if let Some(pid) = redis_pid(addr) {
                if pid == child.id() {
                    return Some(Self { child, port });
                }
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            assert!(Instant::now() < deadline, "redis-server did not start on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
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

/// `GET url` and its JSON body; panics (failing the test) on a transport error or a body that is not JSON.
pub async fn get_json(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> serde_json::Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// POSTs `body` as JSON and reads the answer as JSON, whatever its status.
pub async fn post_json(
    client: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    body: &serde_json::Value,
) -> serde_json::Value {
    client.post(url).json(body).send().await.unwrap().json().await.unwrap()
}
