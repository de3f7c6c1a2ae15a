//! The account API from the command line: `menu`, `send`, `template`, `media`, `users`, `tags`. Each prints
//! WeChat's answer as JSON on stdout and, on failure, what failed in WeChat's terms (errcode and what to do) on
//! stderr with exit code 1 (2 for bad input: a file that cannot be read or parsed, a request refused before the
//! call).

use clap::{Args, Subcommand};
use serde::Serialize;
use std::{path::PathBuf, process::ExitCode, sync::Arc, time::Duration};
use wx_api::{AccountClient, ApiError, CustomerServiceMessage, MediaFile, MediaKind, Menu, TemplateMessage};
use wx_server::{CredentialService, Metrics, Secret, TokenMode, WechatClient, store::MemoryStore};

/// The account and where its token comes from (stable_token by default: it does not revoke a running server's).
#[derive(Debug, Args)]
pub struct Account {
    /// The account's AppID.
    #[arg(long, env = "WX_APPID")]
    appid: String,
    /// The AppSecret (never printed).
    #[arg(long, env = "WX_APPSECRET", hide_env_values = true)]
    appsecret: Secret,
    /// WeChat's API base (tests: the fake WeChat).
    #[arg(long, env = "WX_API_BASE", default_value = "https://api.weixin.qq.com")]
    api_base: String,
}

/// `menu create FILE` (a JSON `{"button":[…]}` as WeChat documents it), `menu get`, `menu delete`.
#[derive(Debug, Args)]
pub struct MenuArgs {
    #[command(flatten)]
    account: Account,
    #[command(subcommand)]
    action: MenuAction,
}

#[derive(Debug, Subcommand)]
enum MenuAction {
    /// Replace the menu with FILE's (checked against WeChat's limits first).
    Create { file: PathBuf },
    /// Print the default and conditional menus.
    Get,
    /// Delete every menu.
    Delete,
}

/// Send a customer-service text message (the follower must have interacted within 48 hours).
#[derive(Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    account: Account,
    /// The follower's openid.
    #[arg(long)]
    to: String,
    /// The text.
    #[arg(long)]
    text: String,
}

/// `template send FILE` (a JSON template message as WeChat documents it) or `template list`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    #[command(flatten)]
    account: Account,
    #[command(subcommand)]
    action: TemplateAction,
}

#[derive(Debug, Subcommand)]
enum TemplateAction {
    /// Send FILE's message; prints `{"msgid"}`.
    Send { file: PathBuf },
    /// Print the account's templates.
    List,
}

/// `media upload --type image FILE` or `media get MEDIA_ID --out PATH`.
#[derive(Debug, Args)]
pub struct MediaArgs {
    #[command(flatten)]
    account: Account,
    #[command(subcommand)]
    action: MediaAction,
}

#[derive(Debug, Subcommand)]
enum MediaAction {
    /// Upload a temporary medium (valid 3 days).
    Upload {
        /// image, voice, video or thumb.
        #[arg(long = "type")]
        kind: String,
        file: PathBuf,
    },
    /// Download a temporary medium to PATH (a video prints its URL instead).
    Get {
        media_id: String,
        #[arg(long)]
        out: PathBuf,
    },
}

/// `users list` (every follower's openid) or `users info OPENID`.
#[derive(Debug, Args)]
pub struct UsersArgs {
    #[command(flatten)]
    account: Account,
    #[command(subcommand)]
    action: UsersAction,
}

#[derive(Debug, Subcommand)]
enum UsersAction {
    /// Every follower's openid, as a JSON array.
    List,
    /// One user.
    Info { openid: String },
}

/// `tags list|create NAME|delete ID|tag ID OPENID…|untag ID OPENID…`.
#[derive(Debug, Args)]
pub struct TagsArgs {
    #[command(flatten)]
    account: Account,
    #[command(subcommand)]
    action: TagsAction,
}

#[derive(Debug, Subcommand)]
enum TagsAction {
    /// The account's tags.
    List,
    /// A new tag.
    Create { name: String },
    /// Delete a tag (its users are untagged).
    Delete { id: u64 },
    /// Tag up to 50 users.
    Tag { id: u64, openids: Vec<String> },
    /// Untag up to 50 users.
    Untag { id: u64, openids: Vec<String> },
}

type Client = AccountClient<CredentialService>;

/// What went wrong: exit 2 for the input, 1 for WeChat or the network.
enum Failure {
    Input(String),
    Api(ApiError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Invalid(_) => Self::Input(e.to_string()),
            e => Self::Api(e),
        }
    }
}

fn printed(value: impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(&value).map_err(|e| Failure::Input(e.to_string()))?;
    println!("{text}");
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(file: &PathBuf) -> Result<T, Failure> {
    let text = std::fs::read_to_string(file).map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
    serde_json::from_str(&text).map_err(|e| Failure::Input(format!("{}: {e}", file.display())))
}

fn ok() -> Result<(), Failure> {
    printed(serde_json::json!({"ok": true}))
}

/// Builds the client and runs `job` on it, turning the outcome into the exit code.
fn run<F, Fut>(account: Account, job: F) -> ExitCode
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<(), Failure>>,
{
    super::init_logging();
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async move {
        let metrics = Arc::new(Metrics::default());
        let wechat = WechatClient::new(
            &account.api_base,
            &account.appid,
            account.appsecret,
            TokenMode::Stable,
            Duration::from_secs(10),
            metrics.clone(),
        );
        let wechat = match wechat {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: could not set up the HTTP client: {}", e.without_url());
                return ExitCode::from(1);
            }
        };
        let service = CredentialService::new(&account.appid, wechat, Arc::new(MemoryStore::default()), metrics);
        let client = match AccountClient::new(&account.api_base, service) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        match job(client).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(Failure::Input(message)) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
            Err(Failure::Api(e)) => {
                match e.errcode() {
                    Some(code) => eprintln!("error: WeChat errcode {code}: {e}"),
                    None => eprintln!("error: {e}"),
                }
                ExitCode::from(1)
            }
        }
    })
}

impl MenuArgs {
    pub fn run(self) -> ExitCode {
        run(self.account, |c| async move {
            match self.action {
                MenuAction::Create { file } => {
                    let menu: Menu = read_json(&file)?;
                    c.create_menu(&menu).await?;
                    ok()
                }
                MenuAction::Get => printed(c.menus().await?),
                MenuAction::Delete => {
                    c.delete_menu().await?;
                    ok()
                }
            }
        })
    }
}

impl SendArgs {
    pub fn run(self) -> ExitCode {
        run(self.account, |c| async move {
            c.send_custom(&CustomerServiceMessage::text(self.to, self.text)).await?;
            ok()
        })
    }
}

impl TemplateArgs {
    pub fn run(self) -> ExitCode {
        run(self.account, |c| async move {
            match self.action {
                TemplateAction::Send { file } => {
                    let message: TemplateMessage = read_json(&file)?;
                    printed(serde_json::json!({"msgid": c.send_template(&message).await?}))
                }
                TemplateAction::List => printed(c.templates().await?),
            }
        })
    }
}

impl MediaArgs {
    pub fn run(self) -> ExitCode {
        run(self.account, |c| async move {
            match self.action {
                MediaAction::Upload { kind, file } => {
                    let kind: MediaKind = serde_json::from_value(serde_json::Value::String(kind.clone()))
                        .map_err(|_| Failure::Input(format!("--type {kind}: use image, voice, video or thumb")))?;
                    let bytes = std::fs::read(&file).map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
                    let filename = file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    printed(c.upload_media(kind, &MediaFile { filename, bytes }).await?)
                }
                MediaAction::Get { media_id, out } => match c.get_media(&media_id).await? {
                    wx_api::Media::File {
                        content_type,
                        filename,
                        bytes,
                    } => {
                        std::fs::write(&out, &bytes).map_err(|e| Failure::Input(format!("{}: {e}", out.display())))?;
                        printed(serde_json::json!({"path": out, "content_type": content_type,
                                                   "filename": filename, "bytes": bytes.len()}))
                    }
                    wx_api::Media::VideoUrl(url) => printed(serde_json::json!({"video_url": url})),
                    other => printed(serde_json::json!({"answer": format!("{other:?}")})),
                },
            }
        })
    }
}

impl UsersArgs {
    pub fn run(self) -> ExitCode {
        run(self.account, |c| async move {
            match self.action {
                UsersAction::List => {
                    use futures::TryStreamExt;
                    let all: Vec<String> = c.followers().try_collect().await?;
                    printed(all)
                }
                UsersAction::Info { openid } => printed(c.user_info(&openid).await?),
            }
        })
    }
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

impl TagsArgs {
    pub fn run(self) -> ExitCode {
        run(self.account, |c| async move {
            match self.action {
                TagsAction::List => printed(c.tags().await?),
                TagsAction::Create { name } => printed(c.create_tag(&name).await?),
                TagsAction::Delete { id } => {
                    c.delete_tag(id).await?;
                    ok()
                }
                TagsAction::Tag { id, openids } => {
                    c.tag_users(id, &refs(&openids)).await?;
                    ok()
                }
                TagsAction::Untag { id, openids } => {
                    c.untag_users(id, &refs(&openids)).await?;
                    ok()
                }
            }
        })
    }
}
