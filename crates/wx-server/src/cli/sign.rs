use clap::Args;
use std::process::ExitCode;
use wx_server::Secret;

/// Compute a JS-SDK `wx.config` signature offline (the twin of WeChat's jsapisign sandbox page).
///
/// Prints the signature (lowercase hex) on stdout; with -v, the canonical string on stderr (its ticket
/// redacted). A URL with `#…` is refused: sign `location.href.split('#')[0]`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The jsapi_ticket (from the environment rather than the command line, where other users' `ps` sees it).
    #[arg(long, env = "WX_JSAPI_TICKET", hide_env_values = true)]
    ticket: Secret,
    /// The nonceStr given to wx.config.
    #[arg(long)]
    noncestr: String,
    /// The timestamp given to wx.config (seconds).
    #[arg(long)]
    timestamp: u64,
    /// The page URL, without `#` and what follows.
    #[arg(long)]
    url: String,
    /// Also print the canonical string that was hashed, on stderr, with the ticket redacted.
    #[arg(short, long)]
    verbose: bool,
}

impl SignArgs {
    pub fn run(self) -> ExitCode {
        match wx_sign::sign_config(self.ticket.expose(), &self.noncestr, self.timestamp, &self.url) {
            Ok(signed) => {
                if self.verbose {
                    eprintln!("{}", signed.canonical_redacted());
                }
                println!("{}", signed.signature);
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        }
    }
}
