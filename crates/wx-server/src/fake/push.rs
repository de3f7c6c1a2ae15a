//! The fake WeChat's push simulator: sends a signed (and in safe/compatible mode encrypted) push to an
//! account's server URL with WeChat's retry timing, and reads the reply as WeChat does.
//!
//! WeChat waits [`WECHAT_REPLY_TIMEOUT`] (5 s) for an answer and delivers a push [`WECHAT_ATTEMPTS`] (3) times
//! in all while it gets none. Any HTTP answer ends the delivery. Tests shorten the timeout with
//! [`PushTiming`].

use super::simulated::SimulatedPush;
use crate::Secret;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use wx_push::{EncodingAesKey, PushCipher, PushSigner, ReplyMessage, WECHAT_ATTEMPTS, WECHAT_REPLY_TIMEOUT};

/// The account the simulator pushes for: what the server under test must be configured with.
///
/// ```
/// let account = wx_server::fake::PushAccount::default();
/// assert_eq!(account.appid, wx_server::DEMO_APPID);
/// assert_eq!(account.token.expose(), wx_server::DEMO_TOKEN);
/// ```
#[derive(Debug, Clone)]
pub struct PushAccount {
    /// The AppID checked inside safe-mode plaintexts.
    pub appid: String,
    /// The server URL Token (`WX_TOKEN` of the server).
    pub token: Secret,
    /// The EncodingAESKey (`WX_ENCODING_AES_KEY`), needed for safe and compatible modes.
    pub encoding_aes_key: Option<Secret>,
    /// The account's original id, the pushes' `ToUserName`.
    pub original_id: String,
}

impl Default for PushAccount {
    /// The demo account of `serve --mock`.
    fn default() -> Self {
        Self {
            appid: crate::demo::DEMO_APPID.into(),
            token: Secret::new(crate::demo::DEMO_TOKEN),
            encoding_aes_key: Some(Secret::new(crate::demo::DEMO_ENCODING_AES_KEY)),
            original_id: "gh_fakewechat0".into(),
        }
    }
}

/// How the push is sent (the account's "message encryption mode").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum PushMode {
    /// Plain XML, `signature` only.
    #[default]
    Plain,
    /// `<Encrypt>` only, `msg_signature`.
    Safe,
    /// Plain fields plus `<Encrypt>`, both signatures.
    Compatible,
}

/// WeChat's delivery timing; [`Default`] is WeChat's own (5 s, 3 attempts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushTiming {
    /// How long each attempt waits for an answer.
    pub reply_timeout: Duration,
    /// Deliveries in all (at least 1).
    pub attempts: u32,
}

impl Default for PushTiming {
    fn default() -> Self {
        Self {
            reply_timeout: WECHAT_REPLY_TIMEOUT,
            attempts: WECHAT_ATTEMPTS,
        }
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushAttempt {
    /// The HTTP status, when the server answered in time.
    pub status: Option<u16>,
    /// Time from sending to the answer or the timeout.
    pub elapsed_ms: u64,
    /// Why there was no answer (timeout, connection refused).
    pub error: Option<String>,
}

/// What happened to a simulated push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// Each delivery, in order.
    pub attempts: Vec<PushAttempt>,
    /// The final answer's status (`None`: no attempt was answered).
    pub status: Option<u16>,
    /// The final answer's body as received (encrypted in safe mode).
    pub body: Option<String>,
    /// The passive reply, decrypted and signature-checked; `None` for `success`, an empty body or an error.
    pub reply: Option<ReplyMessage>,
    /// Why a 200 answer could not be read as a reply (bad envelope signature, not a reply).
    pub reply_error: Option<String>,
}

impl PushReport {
    /// The text of a text reply.
    pub fn reply_text(&self) -> Option<&str> {
        match self.reply.as_ref().map(|r| &r.reply) {
            Some(wx_push::Reply::Text(t)) => Some(t),
            _ => None,
        }
    }
}

/// Why a push could not be simulated at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// The target is not an http URL on this machine.
    #[error(
        "`{0}` is not an http:// URL on loopback (127.0.0.1, [::1] or localhost): the simulator only pushes to local servers"
    )]
    Target(String),
    /// The target is not an http or https URL (the CLI's rule).
    #[error("`{0}` is not an http:// or https:// URL without a #fragment: give the server URL WeChat posts to")]
    AnyTarget(String),
    /// Safe or compatible mode without an EncodingAESKey.
    #[error("mode {0:?} needs the account's EncodingAESKey, and the fake has none")]
    NoKey(PushMode),
    /// The EncodingAESKey is not 43 base64 characters.
    #[error("the fake's EncodingAESKey is invalid: {0}")]
    Key(wx_push::CryptoError),
    /// Signing or encrypting failed.
    #[error("could not sign the push: {0}")]
    Sign(#[from] wx_push::SimulateError),
    /// The HTTP client could not be built.
    #[error("could not set up the HTTP client: {0}")]
    Client(String),
}

/// Sends pushes for one [`PushAccount`].
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use wx_server::fake::{PushAccount, PushMode, PushSimulator, PushTiming, SimulatedPush};
/// let sim = PushSimulator::new(PushAccount::default())?;
/// let push = SimulatedPush::Text { content: "hi".into(), msg_id: None };
/// let report = sim.send("http://127.0.0.1:8080/wechat", PushMode::Safe, &push, "o-user", PushTiming::default()).await?;
/// assert_eq!(report.reply_text(), Some("hi")); // the demo handler echoes
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PushSimulator {
    account: PushAccount,
    cipher: Option<PushCipher>,
    http: reqwest::Client,
    /// Whether pushes may go beyond loopback (see [`PushSimulator::to_any_host`]).
    any_host: bool,
}

impl std::fmt::Debug for PushSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushSimulator")
            .field("appid", &self.account.appid)
            .finish_non_exhaustive()
    }
}

impl PushSimulator {
    /// A simulator for `account`.
    ///
    /// # Errors
    /// [`SimulateError::Key`] for an invalid EncodingAESKey, [`SimulateError::Client`] when TLS cannot start.
    pub fn new(account: PushAccount) -> Result<Self, SimulateError> {
        let cipher = match &account.encoding_aes_key {
            Some(k) => Some(PushCipher::new(
                EncodingAesKey::parse(k.expose()).map_err(SimulateError::Key)?,
                account.appid.clone(),
            )),
            None => None,
        };
        let _ = rustls::crypto::ring::default_provider().install_default();
        // No redirects: WeChat does not follow them on the server URL either.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SimulateError::Client(e.to_string()))?;
        Ok(Self {
            account,
            cipher,
            http,
            any_host: false,
        })
    }

    /// Lets this simulator push to any http or https URL, not only to loopback: for the `push` and `chat`
    /// subcommands, where the person running them names their own server. The fake's `POST /test-only/push`
    /// keeps the loopback rule, so that a request to the fake cannot make it send requests elsewhere.
    pub fn to_any_host(mut self) -> Self {
        self.any_host = true;
        self
    }

    /// The account pushed for.
    pub fn account(&self) -> &PushAccount {
        &self.account
    }

    fn signer(&self, mode: PushMode) -> Result<PushSigner, SimulateError> {
        let token = self.account.token.expose();
        Ok(match (mode, &self.cipher) {
            (PushMode::Plain, _) => PushSigner::plain(token),
            (PushMode::Safe, Some(c)) => PushSigner::safe(token, c.clone()),
            (PushMode::Compatible, Some(c)) => PushSigner::compatible(token, c.clone()),
            (mode, None) => return Err(SimulateError::NoKey(mode)),
        })
    }

    /// Sends `push` from `openid` to `url` (the server's `…/wechat`), created now.
    ///
    /// # Errors
    /// [`SimulateError`] when the push cannot be sent at all; an unanswered or refused push is a report.
    pub async fn send(
        &self,
        url: &str,
        mode: PushMode,
        push: &SimulatedPush,
        openid: &str,
        timing: PushTiming,
    ) -> Result<PushReport, SimulateError> {
        let push = push.to_push(&self.account.original_id, openid, wx_sign::unix_timestamp());
        let signer = self.signer(mode)?;
        let signed = signer.sign(&push, wx_sign::unix_timestamp(), &nonce())?;
        self.deliver(url, &signer, &signed, timing).await
    }

    /// Sends raw XML (also malformed or hostile XML) signed as a push from `openid`.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub async fn send_xml(
        &self,
        url: &str,
        mode: PushMode,
        xml: &str,
        openid: &str,
        timing: PushTiming,
    ) -> Result<PushReport, SimulateError> {
        let signer = self.signer(mode)?;
        let signed = signer.sign_xml(xml, wx_sign::unix_timestamp(), &nonce(), openid)?;
        self.deliver(url, &signer, &signed, timing).await
    }

    async fn deliver(
        &self,
        url: &str,
        signer: &PushSigner,
        signed: &wx_push::SignedPush,
        timing: PushTiming,
    ) -> Result<PushReport, SimulateError> {
        let target = check_target(url, self.any_host)?;
        let sep = if target.query().is_some() { '&' } else { '?' };
        let full = format!("{target}{sep}{}", signed.query);
        let mut report = PushReport {
            attempts: Vec::new(),
            status: None,
            body: None,
            reply: None,
            reply_error: None,
        };
        let attempts = timing.attempts.max(1);
        for attempt in 1..=attempts {
            let started = Instant::now();
            let sent = self
                .http
                .post(&full)
                .header("content-type", "text/xml")
                .body(signed.body.clone())
                .timeout(timing.reply_timeout)
                .send()
                .await;
            // The whole answer, body included, must arrive inside the timeout.
            let answered = match sent {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let left = timing.reply_timeout.saturating_sub(started.elapsed());
                    match tokio::time::timeout(left, r.text()).await {
                        Ok(Ok(body)) => Ok((status, body)),
                        Ok(Err(e)) => Err(describe(e)),
                        Err(_) => Err("timed out reading the answer".to_owned()),
                    }
                }
                Err(e) if e.is_timeout() => Err(format!("no answer within {:?}", timing.reply_timeout)),
                Err(e) => Err(describe(e)),
            };
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match answered {
                Ok((status, body)) => {
                    report.attempts.push(PushAttempt {
                        status: Some(status),
                        elapsed_ms,
                        error: None,
                    });
                    report.status = Some(status);
                    if status == 200 {
                        match signer.open_reply(&body) {
                            Ok(reply) => report.reply = reply,
                            Err(e) => report.reply_error = Some(e.to_string()),
                        }
                    }
                    report.body = Some(body);
                    break;
                }
                Err(error) => {
                    report.attempts.push(PushAttempt {
                        status: None,
                        elapsed_ms,
                        error: Some(error),
                    });
                    // A refused connection comes back at once; WeChat still spaces its attempts.
                    if attempt < attempts {
                        tokio::time::sleep(timing.reply_timeout.saturating_sub(started.elapsed())).await;
                    }
                }
            }
        }
        Ok(report)
    }
}

/// An HTTP failure with its causes (`error sending request: … Connection refused`), without the URL (the
/// report already names it once).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

fn nonce() -> String {
    wx_sign::nonce().unwrap_or_else(|_| format!("n{}", wx_sign::unix_timestamp()))
}

fn check_target(url: &str, any_host: bool) -> Result<url::Url, SimulateError> {
    let bad = || SimulateError::Target(url.to_owned());
    let parsed = url::Url::parse(url).map_err(|_| bad())?;
    if any_host {
        return match parsed.scheme() {
            "http" | "https" if parsed.has_host() && parsed.fragment().is_none() => Ok(parsed),
            _ => Err(SimulateError::AnyTarget(url.to_owned())),
        };
    }
    let local = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    if parsed.scheme() != "http" || !local || parsed.fragment().is_some() {
        return Err(bad());
    }
    Ok(parsed)
}
