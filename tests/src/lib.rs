//! The end-to-end harness: a real `wx-server serve --mock` process (backend + fake WeChat on one loopback port,
//! serving the release build of the app), a real chromedriver, and a headless Chromium session at phone width.
//!
//! `cargo xtask test` builds the pieces and passes their paths:
//! `WXKIT_SERVER_BIN` (the `wx-server` binary) and `WXKIT_DIST` (the `trunk build --release` output).

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};
use wx_testkit::{Options, Proc, TempDir, free_port};

pub use wx_testkit::eventually;

/// Phone width for screenshots and layout: an iPhone 12-class viewport.
pub const PHONE: (u32, u32) = (390, 844);

/// One running stack: server + fake WeChat, chromedriver, and a browser session. Dropped (a test failed before
/// `close`, or panicked), every process is killed, chromedriver with its browsers, and the profile removed.
pub struct Stack {
    pub base: String,
    pub browser: Client,
    /// chromedriver's address, for its Chromium-only commands.
    driver_url: String,
    _server: Proc,
    _driver: Proc,
    /// Chromium's profile folder: removed after the browser is gone (fields drop in order).
    _profile: TempDir,
}

/// The path in environment variable `name`, which must exist (`cargo xtask test` sets and builds them).
pub fn env_path(name: &str) -> Result<PathBuf> {
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

/// A plain HTTP request on loopback (the backend's and the fake's JSON endpoints, chromedriver's status).
pub async fn http(method: &str, url: &str) -> Result<(u16, String)> {
    http_body(method, url, "").await
}

/// As [`http`], with a JSON body.
pub async fn http_body(method: &str, url: &str, json: &str) -> Result<(u16, String)> {
    let method = reqwest::Method::from_bytes(method.as_bytes())?;
    let response = wx_testkit::http::client_builder()
        .timeout(Duration::from_secs(10))
        .build()?
        .request(method, url)
        .header("content-type", "application/json")
        .body(json.to_owned())
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

impl Stack {
    /// Starts the server (with its in-process fake WeChat, memory store) serving the app (`WXKIT_DIST`) and a
    /// browser at phone width.
    pub async fn start() -> Result<Self> {
        Self::start_with(&env_path("WXKIT_DIST")?, &[]).await
    }

    /// As [`start`](Self::start), serving the page in `dist`, with `chrome_args` added to Chromium's.
    pub async fn start_with(dist: &Path, chrome_args: &[&str]) -> Result<Self> {
        let server_bin = env_path("WXKIT_SERVER_BIN")?;
        // The server's output, kept as it comes for a failed run's post-mortem: one file per process.
        let logs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-logs");
        std::fs::create_dir_all(&logs)?;
        let mut server = Command::new(server_bin);
        server
            .args(["serve", "--mock"])
            .env("WX_LISTEN", "127.0.0.1:0")
            .env("WX_STATIC_DIR", dist)
            .env("WX_STORE", "memory")
            .env("WX_JS_DOMAINS", "127.0.0.1");
        static STACKS: AtomicUsize = AtomicUsize::new(0);
        let n = STACKS.fetch_add(1, Ordering::Relaxed);
        let log = logs.join(format!("wx-server-{}-{n}.log", std::process::id()));
        let server = Proc::spawn_with(server, Options::default().log_to(log));
        // Serving once it has said where (the port is the OS's pick: no race for it).
        let base = server.base_url();

        let driver_port = free_port();
        let mut driver = Command::new("/usr/bin/chromedriver");
        driver.arg(format!("--port={driver_port}"));
        // chromedriver installed by `cargo xtask setup`; its browsers die with it.
        let driver = Proc::spawn_with(driver, Options::default().own_group());
        let driver_url = format!("http://127.0.0.1:{driver_port}");
        eventually(Duration::from_secs(20), "chromedriver /status", || async {
            http("GET", &format!("{driver_url}/status"))
                .await
                .ok()
                .filter(|(s, _)| *s == 200)
        })
        .await?;

        let profile = TempDir::new("e2e-chrome");
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ]
        .iter()
        .chain(chrome_args)
        .map(|a| (*a).to_owned())
        .collect();
        args.push(format!("--window-size={},{}", PHONE.0, PHONE.1));
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let caps = serde_json::json!({
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
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
            browser,
            driver_url,
            _server: server,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Chromium's network emulation (chromedriver's `network_conditions`, as DevTools throttles): every request
    /// that goes to the network, loopback included, is answered `latency_ms` later, as over a phone's mobile
    /// network. What the HTTP cache answers is not delayed.
    pub async fn emulate_latency(&self, latency_ms: u32) -> Result<()> {
        let session = self.browser.session_id().await?.context("a WebDriver session")?;
        let url = format!("{}/session/{session}/chromium/network_conditions", self.driver_url);
        // 100 Mbit/s both ways: latency is what this emulates, not a narrow link.
        let body = serde_json::json!({ "network_conditions": {
            "offline": false, "latency": latency_ms,
            "download_throughput": 12_500_000, "upload_throughput": 12_500_000,
        }});
        let (status, answer) = http_body("POST", &url, &body.to_string()).await?;
        if status != 200 {
            bail!("chromedriver refused network_conditions ({status}): {answer}");
        }
        Ok(())
    }

    /// Opens `path` (with the emulator switched on) and waits for `wx.ready`.
    pub async fn open_ready(&self, path: &str) -> Result<()> {
        self.browser.goto(&format!("{}{path}", self.base)).await?;
        self.wait_ready().await
    }

    /// Waits until the status banner says `wx.ready`.
    pub async fn wait_ready(&self) -> Result<()> {
        self.wait_state("ready").await
    }

    /// Waits until the status banner is in `state` (`loading`, `ready`, `error`).
    pub async fn wait_state(&self, state: &str) -> Result<()> {
        let css = format!("#wx-status[data-state=\"{state}\"]");
        eventually(Duration::from_secs(30), &format!("status {state}"), || async {
            self.browser.find(Locator::Css(&css)).await.ok()
        })
        .await?;
        Ok(())
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) -> Result<()> {
        let el = eventually(Duration::from_secs(20), css, || async {
            self.browser.find(Locator::Css(css)).await.ok()
        })
        .await?;
        // The tab bar is fixed at the bottom: bring the target to the middle first, as a user would scroll.
        self.browser
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![serde_json::to_value(&el)?],
            )
            .await?;
        el.click().await?;
        Ok(())
    }

    /// Replaces the text of the input matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let el = self.browser.find(Locator::Css(css)).await?;
        el.clear().await?;
        el.send_keys(text).await?;
        Ok(())
    }

    /// The emulator's record (`window.__wxkitEmulator.record()`).
    pub async fn record(&self) -> Result<serde_json::Value> {
        self.js("return window.__wxkitEmulator.record();").await
    }

    /// A backend or fake-WeChat URL on this stack.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Text of the first element matching `css`, or None while it is absent.
    pub async fn text(&self, css: &str) -> Option<String> {
        let el = self.browser.find(Locator::Css(css)).await.ok()?;
        el.text().await.ok()
    }

    /// Waits until an element matching `css` has text containing `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        let text = eventually(
            Duration::from_secs(20),
            &format!("{css} to contain {needle:?}"),
            || async { self.text(css).await.filter(|t| t.contains(needle)) },
        )
        .await?;
        Ok(text)
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
