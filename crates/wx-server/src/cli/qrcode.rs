use clap::Args;
use std::{path::PathBuf, process::ExitCode, sync::Arc, time::Duration};
use wx_server::{
    CredentialService, Metrics, Secret, TokenMode, WechatClient,
    qrcode::{self, QrCodeSpec},
    store::MemoryStore,
};

/// Create a scene QR code (`/cgi-bin/qrcode/create`) and draw it locally as PNG and SVG.
///
/// Prints `{"ticket","url","expireSeconds","imageUrl","png","svg"}` on stdout. The access_token is fetched
/// with stable_token by default, which does not invalidate the token a running server holds.
#[derive(Debug, Args)]
pub struct QrcodeArgs {
    /// The account's AppID.
    #[arg(long, env = "WX_APPID")]
    appid: String,
    /// The AppSecret (never printed).
    #[arg(long, env = "WX_APPSECRET", hide_env_values = true)]
    appsecret: Secret,
    /// WeChat's API base (tests: the fake WeChat).
    #[arg(long, env = "WX_API_BASE", default_value = "https://api.weixin.qq.com")]
    api_base: String,
    /// `stable` or `classic` (classic invalidates other holders' tokens after ~5 minutes).
    #[arg(long, env = "WX_TOKEN_MODE", default_value = "stable")]
    token_mode: String,
    /// A numeric scene (QR_SCENE, or QR_LIMIT_SCENE 1–100000 with --permanent).
    #[arg(long, conflicts_with = "scene_str", required_unless_present = "scene_str")]
    scene_id: Option<u64>,
    /// A string scene of 1–64 characters (QR_STR_SCENE, or QR_LIMIT_STR_SCENE with --permanent).
    #[arg(long)]
    scene_str: Option<String>,
    /// A permanent code (limited to 100,000 per account).
    #[arg(long, conflicts_with = "expire_seconds")]
    permanent: bool,
    /// Lifetime of a temporary code, 1–2592000 seconds (30 days).
    #[arg(long, default_value_t = 604_800)]
    expire_seconds: u64,
    /// Output path without extension: writes <OUT>.png and <OUT>.svg.
    #[arg(long, default_value = "qrcode")]
    out: PathBuf,
}

impl QrcodeArgs {
    pub fn run(self) -> ExitCode {
        super::init_logging();
        let spec = match (&self.scene_id, &self.scene_str, self.permanent) {
            (Some(id), _, false) => QrCodeSpec::temporary_id(*id, self.expire_seconds),
            (Some(id), _, true) => QrCodeSpec::permanent_id(*id),
            (None, Some(s), false) => QrCodeSpec::temporary_str(s, self.expire_seconds),
            (None, Some(s), true) => QrCodeSpec::permanent_str(s),
            (None, None, _) => {
                eprintln!("error: give --scene-id or --scene-str");
                return ExitCode::from(2);
            }
        };
        let spec = match spec {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let mode = match self.token_mode.as_str() {
            "stable" => TokenMode::Stable,
            "classic" => TokenMode::Classic,
            other => {
                eprintln!("error: WX_TOKEN_MODE `{other}`: use `stable` or `classic`");
                return ExitCode::from(2);
            }
        };
        let rt = match super::runtime() {
            Ok(rt) => rt,
            Err(code) => return code,
        };
        rt.block_on(async move {
            let metrics = Arc::new(Metrics::default());
            let client = match WechatClient::new(
                &self.api_base,
                &self.appid,
                self.appsecret,
                mode,
                Duration::from_secs(10),
                metrics.clone(),
            ) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: could not set up the HTTP client: {}", e.without_url());
                    return ExitCode::from(1);
                }
            };
            let service =
                CredentialService::new(&self.appid, client.clone(), Arc::new(MemoryStore::default()), metrics);
            let code = match qrcode::create(&service, &client, &spec).await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            };
            // Appended, not `with_extension`: that would cut `v1.2` to `v1` and could overwrite another code's files.
            let with_suffix = |suffix: &str| {
                let mut path = self.out.clone().into_os_string();
                path.push(suffix);
                std::path::PathBuf::from(path)
            };
            let (png, svg) = (with_suffix(".png"), with_suffix(".svg"));
            let drawn = qrcode::render::png(&code.url).and_then(|p| Ok((p, qrcode::render::svg(&code.url)?)));
            let written = drawn.map_err(|e| e.to_string()).and_then(|(p, s)| {
                std::fs::write(&png, p)
                    .and_then(|()| std::fs::write(&svg, s))
                    .map_err(|e| e.to_string())
            });
            if let Err(e) = written {
                eprintln!(
                    "error: created the code but could not draw it to {}: {e}",
                    self.out.display()
                );
                return ExitCode::from(1);
            }
            let mut out = serde_json::to_value(&code).unwrap_or_default();
            out["png"] = png.display().to_string().into();
            out["svg"] = svg.display().to_string().into();
            println!("{out}");
            ExitCode::SUCCESS
        })
    }
}
