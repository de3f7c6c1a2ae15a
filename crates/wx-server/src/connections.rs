//! Serving a router over TCP ([`serve`]): what `axum::serve` does, plus the two limits it leaves out.
//!
//! - A header timeout. Without one, a client that sends half a request header and waits keeps its connection,
//!   and its file descriptor, forever: a few hundred such clients exhaust the process's descriptors, and the
//!   config endpoint and `/wechat` stop answering (WeChat's server check then fails too).
//! - A connection cap below the open-file limit. Within the header timeout, one host opening connections fast
//!   enough (20,000 half-open ones in a probe) still ran the process out of descriptors: accepts failed with
//!   "Too many open files", and so did the store, calls to WeChat and static files. At the cap a new connection
//!   is accepted and closed at once, so the client learns at once (a health check fails fast rather than timing
//!   out in a full backlog) and the descriptors left over keep the rest of the process working.
//!
//! Each request carries its connection's peer address as [`ConnectInfo<SocketAddr>`](ConnectInfo), as with
//! axum's `into_make_service_with_connect_info`: the OAuth callback limits WeChat calls per client with it.

use crate::Metrics;
use axum::{Router, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1::Builder};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use std::{
    future::Future,
    io,
    num::NonZeroUsize,
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};
use tokio::{
    net::TcpListener,
    sync::{OwnedSemaphorePermit, Semaphore},
};
use tower::ServiceExt as _;

/// How long a client may take to send a request's header, which is also how long an idle keep-alive connection
/// stays open. WeChat gives up on a push after 5 s; browsers reopen idle connections as needed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// At most one log line about refused connections per this long (each line counts those since the last).
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The open-file limit used when the platform has none to read (not Unix): what the default cap derives from.
const UNKNOWN_FILE_LIMIT: u64 = 16_384;

/// Above this (or unlimited), the open-file limit counts as this much: memory, not descriptors, bounds the
/// connections then.
const LARGEST_FILE_LIMIT: u64 = 1 << 20;

/// How [`serve`] serves: the connection cap and where to count connections.
///
/// ```
/// use std::num::NonZeroUsize;
/// let options = wx_server::ServeOptions::default()
///     .max_connections(NonZeroUsize::new(500))
///     .metrics(std::sync::Arc::new(wx_server::Metrics::default()));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    max_connections: Option<NonZeroUsize>,
    metrics: Option<Arc<Metrics>>,
}

impl ServeOptions {
    /// At most this many connections open at once; `None` (the default): [`default_max_connections`].
    #[must_use]
    pub fn max_connections(mut self, max: Option<NonZeroUsize>) -> Self {
        self.max_connections = max;
        self
    }

    /// Counts open and refused connections here (`wxkit_connections_*` in `/metrics`); by default nowhere.
    #[must_use]
    pub fn metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }
}

/// Raises the process's soft open-file limit (`RLIMIT_NOFILE`) to its hard limit, once per process, and
/// returns the soft limit in force afterwards (`None` where the platform has no such limit). Distributions
/// often ship a soft limit of 1,024 under a hard one in the hundreds of thousands; a server may take the rest.
pub fn raise_open_file_limit() -> Option<u64> {
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        #[cfg(unix)]
        {
            let (before, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).ok()?;
            match rlimit::increase_nofile_limit(u64::MAX) {
                Ok(now) => {
                    if now > before {
                        tracing::info!("raised the open-file limit from {before} to {now} (the hard limit)");
                    }
                    Some(now)
                }
                Err(error) => {
                    tracing::warn!("could not raise the open-file limit above {before}: {error}");
                    Some(before)
                }
            }
        }
        #[cfg(not(unix))]
        {
            None
        }
    })
}

/// The connection cap for an open-file limit: three quarters of it, but at least 64 descriptors below it (or,
/// for a limit under 128, half of it), which leaves room for what else the process opens — the store's file or
/// Redis connection, calls to WeChat, static files being sent, the listener and the runtime's own. A limit
/// above 1,048,576 counts as that; `None` (no limit to read) as 16,384.
///
/// ```
/// use wx_server::connections::max_connections_for;
/// assert_eq!(max_connections_for(Some(1024)), 768);
/// assert_eq!(max_connections_for(Some(20_000)), 15_000);
/// assert_eq!(max_connections_for(Some(200)), 136);
/// assert_eq!(max_connections_for(Some(100)), 50);
/// assert_eq!(max_connections_for(Some(1)), 1);
/// assert_eq!(max_connections_for(Some(u64::MAX)), 786_432);
/// ```
pub fn max_connections_for(file_limit: Option<u64>) -> usize {
    let limit = file_limit.unwrap_or(UNKNOWN_FILE_LIMIT).min(LARGEST_FILE_LIMIT);
    let cap = (limit / 4 * 3).min(limit.saturating_sub(64)).max(limit / 2).max(1);
    usize::try_from(cap).unwrap_or(usize::MAX)
}

/// The cap used when none is set: [`max_connections_for`] the limit [`raise_open_file_limit`] leaves.
pub fn default_max_connections() -> usize {
    max_connections_for(raise_open_file_limit())
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting and waits for the requests in
/// flight (idle connections are closed at once): HTTP/1.1 with a [`HEADER_READ_TIMEOUT`], at most `options`'
/// connection cap open at once ([`default_max_connections`] unless set), each request carrying its peer address.
///
/// The one serve loop of the crate: [`Server`](crate::Server) runs the backend on it and
/// [`FakeWechat`](crate::fake::FakeWechat) the fake. Use it for an [`App`](crate::App) mounted in a router of your
/// own rather than `axum::serve`, which lets a client that never finishes its request header hold its connection
/// forever and sets no connection cap.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use wx_server::{DEMO_APPID, DEMO_SECRET, JsDomain, Secret, Settings};
/// let domains = vec![JsDomain::parse("localhost")?];
/// let mut settings = Settings::new(DEMO_APPID, Secret::new(DEMO_SECRET), domains); // production defaults
/// settings.api_base = "http://127.0.0.1:9100".into(); // e.g. `wx-server fake-wechat --listen 127.0.0.1:9100`
/// let app = wx_server::App::build(&settings).await?;
/// let router = axum::Router::new().route("/hello", axum::routing::get(|| async { "hi" })).merge(app.router());
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// let shutdown = async {
///     let _ = tokio::signal::ctrl_c().await;
/// };
/// // The cap from settings (WX_MAX_CONNECTIONS) and the backend's counters at /metrics, as `Server` does.
/// let options = wx_server::ServeOptions::default()
///     .max_connections(settings.max_connections)
///     .metrics(app.metrics().clone());
/// wx_server::serve(listener, router, shutdown, options).await;
/// # Ok(()) }
/// ```
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>, options: ServeOptions) {
    let max = connection_cap(options.max_connections);
    let metrics = options.metrics.unwrap_or_default();
    metrics.set_connection_cap(max);
    // HTTP/1.1 only, as `axum::serve` with axum's default features.
    let mut builder = Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(max));
    let mut refusals = Refusals::default();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            metrics.connection_refused();
            refusals.note(max);
            // Dropping the stream closes it: the client reads end-of-stream (or a reset) at once.
            drop(stream);
            continue;
        };
        let open = OpenConnection::new(slot, metrics.clone());
        let service = router
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _open = open;
            if let Err(error) = connection.await {
                tracing::trace!("connection ended: {error}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The cap in force: `configured`, or the one derived from the open-file limit (raised first either way, since
/// a configured cap needs the descriptors as much). A configured cap above the derived one is kept, with a
/// warning: the operator may know better, but accepts can then fail with "Too many open files" again.
fn connection_cap(configured: Option<NonZeroUsize>) -> usize {
    let file_limit = raise_open_file_limit();
    let derived = max_connections_for(file_limit);
    let shown_limit = file_limit.map_or_else(|| "unknown".to_owned(), |l| l.to_string());
    let max = match configured {
        Some(max) if max.get() > derived => {
            tracing::warn!(
                "WX_MAX_CONNECTIONS={max} leaves too few of the {shown_limit} open files for the store, calls to \
                 WeChat and static files (at most {derived} recommended); raise the hard open-file limit \
                 (`ulimit -Hn`, LimitNOFILE= in systemd) or lower WX_MAX_CONNECTIONS"
            );
            max.get()
        }
        Some(max) => max.get(),
        None => derived,
    };
    // The semaphore's own ceiling is far above any file limit.
    let max = max.min(Semaphore::MAX_PERMITS);
    tracing::info!("accepting at most {max} connections at once (open-file limit {shown_limit})");
    max
}

/// One accepted connection: holds its slot under the cap and the open-connection gauge until it ends.
struct OpenConnection {
    _slot: OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl OpenConnection {
    fn new(slot: OwnedSemaphorePermit, metrics: Arc<Metrics>) -> Self {
        metrics.connection_opened();
        Self { _slot: slot, metrics }
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.metrics.connection_closed();
    }
}

/// The rate-limited log of refused connections: a flood of them must not become a flood of log lines.
#[derive(Default)]
struct Refusals {
    last_logged: Option<Instant>,
    unlogged: u64,
}

impl Refusals {
    fn note(&mut self, max: usize) {
        self.unlogged += 1;
        let now = Instant::now();
        if self
            .last_logged
            .is_some_and(|at| now.duration_since(at) < REFUSAL_LOG_INTERVAL)
        {
            return;
        }
        let since = if self.last_logged.is_some() {
            " since the last such message"
        } else {
            ""
        };
        tracing::warn!(
            "connection cap reached: {max} connections open, {} new one(s) closed on arrival{since} \
             (wxkit_connections_refused_total counts them all); if these are real clients, raise \
             WX_MAX_CONNECTIONS within the open-file limit, else look for a host holding connections open",
            self.unlogged
        );
        self.unlogged = 0;
        self.last_logged = Some(now);
    }
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
