use clap::Args;
use std::{net::SocketAddr, process::ExitCode, time::Duration};
use wx_server::{
    DEMO_APPID, DEMO_SECRET, Secret,
    fake::{FakeOptions, FakeWechat},
};

/// Run a fake WeChat API (token, stable_token, getticket, qrcode/create, OAuth) plus /test-only/* control
/// paths, including the push simulator (POST /test-only/push).
///
/// Without --appid/--secret it knows the demo app that `serve --mock` uses.
#[derive(Debug, Args)]
pub struct FakeArgs {
    /// Address to listen on (port 0 picks a free one; the bound address is printed on stdout).
    #[arg(long, default_value = "127.0.0.1:9100")]
    listen: SocketAddr,
    /// An AppID the fake accepts (repeat together with --secret).
    #[arg(long)]
    appid: Vec<String>,
    /// The AppSecret of the --appid at the same position.
    #[arg(long, hide_env_values = true)]
    secret: Vec<Secret>,
    /// Lifetime of issued tokens and tickets, in seconds (1 to ten years).
    #[arg(long, default_value_t = 7200,
          value_parser = clap::value_parser!(u64).range(1..=wx_server::fake::MAX_LIFETIME_SECS))]
    expires_in: u64,
    /// Latency added to every WeChat-path answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// The server URL Token the push simulator (POST /test-only/push) signs with [default: the demo token].
    #[arg(long, hide_env_values = true)]
    push_token: Option<Secret>,
    /// The EncodingAESKey the push simulator encrypts with [default: the demo key].
    #[arg(long, hide_env_values = true)]
    push_aes_key: Option<Secret>,
}

impl FakeArgs {
    pub fn run(self) -> ExitCode {
        super::init_logging();
        if self.appid.len() != self.secret.len() {
            eprintln!(
                "error: give one --secret for each --appid ({} appids, {} secrets)",
                self.appid.len(),
                self.secret.len()
            );
            return ExitCode::from(2);
        }
        if let Some(key) = &self.push_aes_key
            && let Err(e) = wx_push::EncodingAesKey::parse(key.expose())
        {
            eprintln!("error: --push-aes-key: {e}");
            return ExitCode::from(2);
        }
        let mut push = wx_server::fake::PushAccount::default();
        if let Some(appid) = self.appid.first() {
            push.appid = appid.clone();
        }
        if let Some(token) = self.push_token {
            push.token = token;
        }
        if let Some(key) = self.push_aes_key {
            push.encoding_aes_key = Some(key);
        }
        let credentials = if self.appid.is_empty() {
            vec![(DEMO_APPID.to_owned(), Secret::new(DEMO_SECRET))]
        } else {
            self.appid.into_iter().zip(self.secret).collect()
        };
        let opts = FakeOptions {
            credentials,
            expires_in: Duration::from_secs(self.expires_in),
            latency: Duration::from_millis(self.latency_ms),
            push,
            ..FakeOptions::default()
        };
        let rt = match super::runtime() {
            Ok(rt) => rt,
            Err(code) => return code,
        };
        rt.block_on(async move {
            let fake = match FakeWechat::start(self.listen, opts).await {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("error: could not listen on {}: {e}", self.listen);
                    return ExitCode::from(2);
                }
            };
            // Machine-readable first line: tests and scripts read the bound address from it.
            println!("fake-wechat listening on {}", fake.base_url());
            tracing::info!(
                "fake WeChat ready at {} (test-only paths under /test-only/)",
                fake.base_url()
            );
            tokio::select! {
                r = fake.wait() => match r {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => { eprintln!("error: {e}"); ExitCode::from(1) }
                },
                _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
            }
        })
    }
}
