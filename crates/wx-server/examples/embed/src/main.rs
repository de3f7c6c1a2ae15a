//! wx-server inside an axum app of your own: your pages and wx-server's routes (the signed JS-SDK config,
//! `/wechat` with your own push handler, `/healthz`, …) on one listener.
//!
//! `cargo run -p wx-server-embed` runs it on the built-in fake WeChat (the demo account: no account needed) at
//! 127.0.0.1:3000 and prints where to point a browser; another address can be given as the only argument
//! (`127.0.0.1:0` picks a free port). With a real account, build the settings from the environment instead:
//! `wx_server::ServeArgs::default().into_settings()` reads the same `WX_*` variables as `wx-server serve`.

use axum::{Router, response::Html, routing::get};
use std::{net::SocketAddr, process::ExitCode};
use wx_push::{Message, Push, PushBody, Reply};
use wx_server::{App, Settings, StoreSpec};

const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let listen: SocketAddr = std::env::args()
        .nth(1)
        .as_deref()
        .unwrap_or(DEFAULT_LISTEN)
        .parse()
        .map_err(|e| format!("the address to listen on, like {DEFAULT_LISTEN}: {e}"))?;
    // Bound first: the fake WeChat is mounted on this listener, so its URL needs the port.
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let base = format!("http://{}", listener.local_addr()?);

    // The demo account on the fake WeChat, which `Settings::mock()` mounts under /fake-wechat.
    let mut settings = Settings::mock();
    settings.api_base = format!("{base}/fake-wechat");
    settings.oauth_authorize_base = settings.api_base.clone();
    settings.store = StoreSpec::Memory;
    let wx = App::build_with_handler(&settings, answer_push).await?;

    // Your routes, then wx-server's (its fallback serves the static app, if `settings.static_dir` names one).
    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .merge(wx.router());

    println!("wx-server-embed listening on {base}");
    println!("open {base}/ in a browser: the page signs itself and sends a push through the fake WeChat");
    println!("Ctrl-C stops it");
    // wx-server's serve: a header-read timeout and each request's peer address, which its OAuth routes use.
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    wx_server::serve(listener, app, stop, wx_server::ServeOptions::default()).await;
    Ok(())
}

/// Your push handler (it replaces wx-server's demo one): text gets a reply, anything else `success`.
async fn answer_push(push: Push) -> Reply {
    match push.body {
        PushBody::Message(Message::Text { content, .. }) => Reply::text(format!("the embedding app got: {content}")),
        _ => Reply::Success,
    }
}

/// Your page: asks the backend to sign its URL, then has the fake WeChat push a message to `/wechat`.
const PAGE: &str = r##"<!doctype html>
<meta charset="utf-8"><title>wx-server embedded</title>
<h1>wx-server embedded in an axum app</h1>
<p>Signed config for this page (<code>GET /api/jssdk/config</code>):</p>
<pre id="config">…</pre>
<p><input id="text" value="hello"> <button id="push">Push it through the fake WeChat</button></p>
<pre id="reply"></pre>
<script type="module">
  const url = encodeURIComponent(location.href.split("#")[0]);
  const config = await fetch(`/api/jssdk/config?url=${url}`).then((r) => r.json());
  document.querySelector("#config").textContent = JSON.stringify(config, null, 2);
  document.querySelector("#push").onclick = async () => {
    const push = { type: "text", content: document.querySelector("#text").value };
    const report = await fetch("/fake-wechat/test-only/push", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `${location.origin}/wechat`, mode: "safe", push }),
    }).then((r) => r.json());
    document.querySelector("#reply").textContent = report.reply ? report.reply.content : JSON.stringify(report);
  };
</script>
"##;
