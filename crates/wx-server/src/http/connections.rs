//! Serving the router over TCP: what `axum::serve` does, plus the header timeout it leaves out. Without one, a
//! client that sends half a request header and waits keeps its connection, and its file descriptor, forever: a
//! few hundred such clients exhaust the process's descriptors, and the config endpoint and `/wechat` stop
//! answering (WeChat's server check then fails too).

use axum::Router;
use hyper::server::conn::http1::Builder;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use std::{future::Future, io, time::Duration};
use tokio::net::TcpListener;

/// How long a client may take to send a request's header, which is also how long an idle keep-alive connection
/// stays open. WeChat gives up on a push after 5 s; browsers reopen idle connections as needed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting and waits for the requests in
/// flight (idle connections are closed at once). What [`Server`](crate::Server) and the fake WeChat run on; use it
/// for an [`App`](crate::App) mounted in a router of your own rather than `axum::serve`, which lets a client
/// that never finishes its request header hold its connection forever.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let mut settings = wx_server::Settings::mock();
/// settings.mock = None;
/// settings.api_base = "http://127.0.0.1:9100".into(); // e.g. `wx-server fake-wechat --listen 127.0.0.1:9100`
/// let app = wx_server::App::build(&settings).await?;
/// let router = axum::Router::new().route("/hello", axum::routing::get(|| async { "hi" })).merge(app.router());
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// wx_server::http::serve(listener, router, async {
///     let _ = tokio::signal::ctrl_c().await;
/// })
/// .await;
/// # Ok(()) }
/// ```
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>) {
    // HTTP/1.1 only, as `axum::serve` with axum's default features.
    let mut builder = Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!("connection ended: {error}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// A failed accept: a connection that died in the queue is skipped; anything else (out of file descriptors,
/// most often) is logged and waited out for a second rather than retried in a busy loop.
async fn accept_failed(error: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(error.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!("cannot accept connections: {error}; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
