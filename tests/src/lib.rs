//! The end-to-end harness: a real `wx-server serve --mock` process (backend + fake WeChat on one loopback port,
//! serving the release build of the app), a real chromedriver, and a headless Chromium session at phone width.
//!
//! `cargo xtask test` builds the pieces and passes their paths:
//! `WXKIT_SERVER_BIN` (the `wx-server` binary) and `WXKIT_DIST` (the `trunk build --release` output).

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Phone width for screenshots and layout: an iPhone 12-class viewport.
pub const PHONE: (u32, u32) = (390, 844);
/// The appid `wx-server serve --mock` uses when none is configured.
pub const MOCK_APPID_ENV: &str = "WX_APPID";

/// A child process killed when dropped, so a failing test never leaks servers.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One running stack: server + fake WeChat, chromedriver, and a browser session.
pub struct Stack {
    pub base: String,
    pub appid: String,
    pub browser: Client,
    _server: Guard,
    _driver: Guard,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn env_path(name: &str) -> Result<PathBuf> {
    let p = std::env::var_os(name)
        .map(PathBuf::from)
        .with_context(|| format!("{name} is not set: run the end-to-end tests through `cargo xtask test`"))?;
    if !p.exists() {
        bail!(
            "{name}={} does not exist: run `cargo xtask test`, which builds it",
            p.display()
        );
    }
    Ok(p)
}

/// Polls `f` every 50 ms until it returns Some, or fails after `timeout` with `what`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return Ok(v);
        }
        if start.elapsed() > timeout {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A plain HTTP GET/POST on loopback, for the backend's and the fake's JSON endpoints.
pub async fn http(method: &str, url: &str) -> Result<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").context("http:// URLs only")?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut s = tokio::net::TcpStream::connect(host).await?;
    let req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf)).await??;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .context("no HTTP status")?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    let body = if text.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    };
    Ok((status, body))
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

impl Stack {
    /// Starts the server (with its in-process fake WeChat, memory store) and a browser at phone width.
    pub async fn start() -> Result<Self> {
        let server_bin = env_path("WXKIT_SERVER_BIN")?;
        let dist = env_path("WXKIT_DIST")?;
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let appid = "wx0000000000e2e001".to_owned();
        let server = Guard(
            Command::new(server_bin)
                .args(["serve", "--mock"])
                .env("WX_LISTEN", format!("127.0.0.1:{port}"))
                .env("WX_STATIC_DIR", &dist)
                .env("WX_STORE", "memory")
                .env(MOCK_APPID_ENV, &appid)
                .env("WX_JS_DOMAINS", "127.0.0.1")
                .stdout(Stdio::null())
                .spawn()
                .context("start wx-server")?,
        );
        eventually(Duration::from_secs(20), "wx-server /healthz", || async {
            http("GET", &format!("{base}/healthz"))
                .await
                .ok()
                .filter(|(s, _)| *s == 200)
        })
        .await?;

        let driver_port = free_port()?;
        let driver = Guard(
            Command::new("/usr/bin/chromedriver")
                .arg(format!("--port={driver_port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("start chromedriver (installed by `cargo xtask setup`)")?,
        );
        let driver_url = format!("http://127.0.0.1:{driver_port}");
        eventually(Duration::from_secs(20), "chromedriver /status", || async {
            http("GET", &format!("{driver_url}/status"))
                .await
                .ok()
                .filter(|(s, _)| *s == 200)
        })
        .await?;

        let profile = std::env::temp_dir().join(format!("wxkit-e2e-chrome-{driver_port}"));
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--no-first-run",
                    format!("--window-size={},{}", PHONE.0, PHONE.1),
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            bail!("capabilities are an object")
        };
        let browser = ClientBuilder::rustls()
            .context("rustls connector")?
            .capabilities(caps)
            .connect(&driver_url)
            .await
            .context("open a WebDriver session")?;
        browser.set_window_size(PHONE.0, PHONE.1).await.ok();
        Ok(Self {
            base,
            appid,
            browser,
            _server: server,
            _driver: driver,
        })
    }

    /// Text of the first element matching `css`, or None while it is absent.
    pub async fn text(&self, css: &str) -> Option<String> {
        let el = self.browser.find(Locator::Css(css)).await.ok()?;
        el.text().await.ok()
    }

    /// Waits until an element matching `css` has text containing `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        eventually(
            Duration::from_secs(20),
            &format!("{css} to contain {needle:?}"),
            || async { self.text(css).await.filter(|t| t.contains(needle)) },
        )
        .await
    }

    /// Saves a PNG of the current viewport under `target/e2e-screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.browser.screenshot().await?;
        let dir = std::env::var_os("WXKIT_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots"));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Runs JS in the page and returns its JSON result.
    pub async fn js(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.browser.execute(script, vec![]).await?)
    }

    pub async fn close(self) -> Result<()> {
        self.browser.close().await?;
        Ok(())
    }
}
