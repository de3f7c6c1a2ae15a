//! `wx-server push`: one push, signed (and in safe and compatible modes encrypted) as WeChat does, sent to a
//! server URL with WeChat's retry timing; prints each attempt's timing and the reply as WeChat reads it.

use clap::{Args, Subcommand};
use std::{path::PathBuf, process::ExitCode, time::Duration};
use wx_push::{Reply, WECHAT_ATTEMPTS, WECHAT_REPLY_TIMEOUT};
use wx_server::{
    Secret,
    fake::{PushAccount, PushMode, PushReport, PushSimulator, PushTiming, SimulatedPush},
};

/// Where pushes go and how they are signed: shared by `push` and `chat`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The server URL WeChat posts to (`http://host:port/wechat`).
    #[arg(long)]
    url: String,
    /// The account's server URL Token (as the server's `WX_TOKEN`).
    #[arg(long, env = "WX_TOKEN", hide_env_values = true)]
    token: Secret,
    /// The EncodingAESKey, for safe and compatible modes (as the server's `WX_ENCODING_AES_KEY`).
    #[arg(long, env = "WX_ENCODING_AES_KEY", hide_env_values = true)]
    aes_key: Option<Secret>,
    /// The AppID sealed inside encrypted pushes (as the server's `WX_APPID`; safe and compatible modes).
    #[arg(long, env = "WX_APPID")]
    appid: Option<String>,
    /// The account's message encryption mode.
    #[arg(long, value_enum, default_value_t = PushMode::Plain)]
    mode: PushMode,
    /// The follower sending (`FromUserName` and the query's `openid`).
    #[arg(long, default_value = "o_wxkit_cli_follower")]
    openid: String,
    /// The account's original id (`ToUserName`).
    #[arg(long, default_value = "gh_wxkit_cli")]
    to: String,
    /// How long each attempt waits for the answer, in milliseconds (WeChat: 5000).
    #[arg(long, default_value_t = duration_ms(WECHAT_REPLY_TIMEOUT))]
    reply_timeout_ms: u64,
    /// Deliveries in all while unanswered (WeChat: 3).
    #[arg(long, default_value_t = WECHAT_ATTEMPTS, value_parser = clap::value_parser!(u32).range(1..=10))]
    attempts: u32,
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A simulator for these arguments, and WeChat's timing as asked.
pub(super) struct Target {
    pub(super) simulator: PushSimulator,
    pub(super) url: String,
    pub(super) mode: PushMode,
    pub(super) openid: String,
    pub(super) timing: PushTiming,
}

impl TargetArgs {
    /// The simulator, or the message saying what to fix.
    pub(super) fn open(self) -> Result<Target, String> {
        let encrypted = self.mode != PushMode::Plain;
        if encrypted && self.aes_key.is_none() {
            return Err(format!(
                "--mode {:?} needs the account's EncodingAESKey: give --aes-key or set WX_ENCODING_AES_KEY",
                self.mode
            ));
        }
        let appid = match (encrypted, self.appid) {
            (true, None) => {
                return Err(format!(
                    "--mode {:?} needs the account's AppID, which the server checks inside every encrypted push: \
                     give --appid or set WX_APPID",
                    self.mode
                ));
            }
            (_, appid) => appid.unwrap_or_default(),
        };
        let account = PushAccount {
            appid,
            token: self.token,
            encoding_aes_key: self.aes_key.filter(|_| encrypted),
            original_id: self.to,
        };
        let simulator = PushSimulator::new(account).map_err(|e| e.to_string())?.to_any_host();
        Ok(Target {
            simulator,
            url: self.url,
            mode: self.mode,
            openid: self.openid,
            timing: PushTiming {
                reply_timeout: Duration::from_millis(self.reply_timeout_ms.max(1)),
                attempts: self.attempts,
            },
        })
    }
}

/// Send one push like WeChat: signed with the Token (and encrypted in safe and compatible modes), retried while
/// unanswered (5 s × 3), the reply decrypted and checked as WeChat reads it.
///
/// Prints each attempt with its timing, then the reply. Exits 0 when the server answered 200 with a reply
/// WeChat accepts (or `success`), 1 when it did not, 2 for bad arguments. The Token and EncodingAESKey come from
/// WX_TOKEN and WX_ENCODING_AES_KEY as well as the flags, and are never printed.
#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(subcommand)]
    what: PushWhat,
}

/// What to push: a typed message or event, or a file of XML.
#[derive(Debug, Subcommand)]
enum PushWhat {
    #[command(flatten)]
    Typed(SimulatedPush),
    /// The XML in FILE, as it is (also malformed or hostile XML): signed and, in safe mode, encrypted.
    Raw {
        /// The file holding the push's XML.
        file: PathBuf,
    },
}

impl PushArgs {
    pub fn run(self) -> ExitCode {
        let target = match self.target.open() {
            Ok(target) => target,
            Err(message) => return usage(&message),
        };
        // The file is read before anything is sent, so a missing one is a usage error.
        let raw = match &self.what {
            PushWhat::Raw { file } => match std::fs::read_to_string(file) {
                Ok(xml) => Some(xml),
                Err(e) => return usage(&format!("cannot read {}: {e}", file.display())),
            },
            PushWhat::Typed(_) => None,
        };
        let runtime = match super::runtime() {
            Ok(rt) => rt,
            Err(code) => return code,
        };
        let Target {
            simulator,
            url,
            mode,
            openid,
            timing,
        } = &target;
        let sent = runtime.block_on(async {
            match (&self.what, raw) {
                (PushWhat::Typed(push), _) => simulator.send(url, *mode, push, openid, *timing).await,
                (PushWhat::Raw { .. }, xml) => {
                    let xml = xml.unwrap_or_default();
                    simulator.send_xml(url, *mode, &xml, openid, *timing).await
                }
            }
        });
        match sent {
            Ok(report) => {
                for line in attempt_lines(&report) {
                    println!("{line}");
                }
                let (lines, answered) = reply_lines(&report);
                for line in lines {
                    println!("{line}");
                }
                if answered { ExitCode::SUCCESS } else { ExitCode::from(1) }
            }
            Err(e) => usage(&e.to_string()),
        }
    }
}

pub(super) fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// One line per delivery: `attempt 1: HTTP 200 in 12 ms`, or why it got no answer.
pub(super) fn attempt_lines(report: &PushReport) -> Vec<String> {
    report
        .attempts
        .iter()
        .enumerate()
        .map(|(i, a)| match (a.status, &a.error) {
            (Some(status), _) => format!("attempt {}: HTTP {status} in {} ms", i + 1, a.elapsed_ms),
            (None, Some(error)) => format!("attempt {}: {error} (after {} ms)", i + 1, a.elapsed_ms),
            (None, None) => format!("attempt {}: no answer (after {} ms)", i + 1, a.elapsed_ms),
        })
        .collect()
}

/// The reply as WeChat reads it, and whether WeChat would count the push as answered.
pub(super) fn reply_lines(report: &PushReport) -> (Vec<String>, bool) {
    match (report.status, &report.reply, &report.reply_error) {
        (None, ..) => (vec!["no answer: WeChat gives up on this push".into()], false),
        (Some(200), _, Some(error)) => (
            vec![format!("reply unreadable (WeChat shows the follower nothing): {error}")],
            false,
        ),
        (Some(200), None, None) => (vec!["reply: none (success)".into()], true),
        (Some(200), Some(message), None) => {
            let mut lines = vec![format!("reply: {}", summary(&message.reply))];
            lines.push(message.to_xml());
            (lines, true)
        }
        (Some(status), ..) => (
            vec![format!(
                "refused: HTTP {status}: {}",
                report.body.as_deref().unwrap_or_default().trim()
            )],
            false,
        ),
    }
}

/// A reply in one line: a text's content, or the kind and its media or titles.
pub(super) fn summary(reply: &Reply) -> String {
    match reply {
        Reply::Success => "none (success)".into(),
        Reply::Text(text) => format!("text: {text}"),
        Reply::Image { media_id } => format!("image {media_id}"),
        Reply::Voice { media_id } => format!("voice {media_id}"),
        Reply::Video(video) => format!("video {}", video.media_id),
        Reply::Music(music) => format!("music {}", music.title.as_deref().unwrap_or("")),
        Reply::News(articles) => {
            let titles: Vec<&str> = articles.iter().map(|a| a.title.as_str()).collect();
            format!("news: {}", titles.join(" | "))
        }
    }
}
