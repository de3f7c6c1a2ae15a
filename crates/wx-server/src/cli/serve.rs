use clap::Args;
use std::process::ExitCode;
use wx_server::ServeArgs;

/// Run the backend: GET /api/jssdk/config, GET and POST /wechat (URL check, pushes), POST /api/qrcode,
/// /api/oauth/*, /healthz, /metrics and the static app.
///
/// Every option also reads its WX_* environment variable (shown below) or the TOML file given with
/// --config. A missing or invalid value stops start-up with a message naming the variable.
#[derive(Debug, Args)]
pub struct ServeCommand {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeCommand {
    pub fn run(self) -> ExitCode {
        super::init_logging();
        let settings = match self.args.into_settings() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let rt = match super::runtime() {
            Ok(rt) => rt,
            Err(code) => return code,
        };
        rt.block_on(async move {
            let listener = match tokio::net::TcpListener::bind(settings.listen).await {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("error: WX_LISTEN: could not listen on {}: {e}", settings.listen);
                    return ExitCode::from(2);
                }
            };
            let server = match wx_server::Server::start_on(listener, settings).await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            // Machine-readable first line: tests and `cargo xtask dev` read the bound address from it.
            println!("wx-server listening on {}", server.url(""));
            match server.run_until_signal().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        })
    }
}
