use clap::Args;
use std::process::ExitCode;
use wx_server::Secret;

/// Check a server URL signature (what WeChat sends as `GET /wechat?signature&timestamp&nonce&echostr`).
///
/// Exits 0 when it matches, 1 with a message when it does not.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The Token configured for the account's server URL (the server's own `WX_TOKEN` when not given).
    #[arg(long, env = "WX_TOKEN", hide_env_values = true)]
    token: Secret,
    /// The `timestamp` query parameter.
    #[arg(long)]
    timestamp: String,
    /// The `nonce` query parameter.
    #[arg(long)]
    nonce: String,
    /// The `signature` query parameter.
    #[arg(long)]
    signature: String,
}

impl CheckArgs {
    pub fn run(self) -> ExitCode {
        if wx_sign::verify_server_signature(self.token.expose(), &self.timestamp, &self.nonce, &self.signature) {
            println!("ok: the signature matches");
            return ExitCode::SUCCESS;
        }
        match wx_sign::server_signature(self.token.expose(), &self.timestamp, &self.nonce) {
            Ok(_) => eprintln!(
                "mismatch: the signature does not match this token, timestamp and nonce; \
                 check that the Token equals the one set in the account's server configuration"
            ),
            Err(e) => eprintln!("mismatch: {e}"),
        }
        ExitCode::from(1)
    }
}
