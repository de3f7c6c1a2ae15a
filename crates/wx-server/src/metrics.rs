//! Prometheus counters, hand-written over atomics: the hot path (a cache hit and a 200) costs two relaxed
//! increments, and a metrics crate would add more than it saves here.

use crate::credentials::ForcedRefresh;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Which upstream credential a call fetched.
///
/// ```
/// use wx_server::metrics::{Metrics, UpstreamKind, UpstreamOutcome};
/// let m = Metrics::default();
/// m.upstream(UpstreamKind::JsapiTicket, UpstreamOutcome::Ok);
/// assert_eq!(m.upstream_count(UpstreamKind::JsapiTicket, UpstreamOutcome::Ok), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamKind {
    /// `/cgi-bin/token` or `/cgi-bin/stable_token`.
    AccessToken = 0,
    /// `/cgi-bin/ticket/getticket?type=jsapi`.
    JsapiTicket = 1,
    /// `/cgi-bin/ticket/getticket?type=wx_card`.
    CardTicket = 2,
}

/// How an upstream call ended.
///
/// ```
/// let m = wx_server::Metrics::default();
/// m.upstream(wx_server::metrics::UpstreamKind::AccessToken, wx_server::metrics::UpstreamOutcome::Network);
/// assert!(m.render().contains(r#"wxkit_upstream_calls_total{kind="access_token",outcome="network"} 1"#));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamOutcome {
    /// A usable credential came back.
    Ok = 0,
    /// WeChat answered with a non-zero `errcode`.
    Errcode = 1,
    /// A non-2xx HTTP status.
    HttpError = 2,
    /// Connection failure or timeout.
    Network = 3,
    /// The body was not the JSON WeChat documents, or the ticket/token was empty.
    Malformed = 4,
}

const KINDS: [&str; 3] = ["access_token", "jsapi_ticket", "card_ticket"];
const OUTCOMES: [&str; 5] = ["ok", "errcode", "http_error", "network", "malformed"];
const STATUSES: [u16; 7] = [200, 400, 403, 404, 502, 503, 0];

/// The server's counters. Render with [`Metrics::render`].
///
/// ```
/// let m = wx_server::Metrics::default();
/// m.config_request(200);
/// assert!(m.render().contains("wxkit_config_requests_total{status=\"200\"} 1"));
/// ```
#[derive(Debug, Default)]
pub struct Metrics {
    upstream: [[AtomicU64; 5]; 3],
    cache: [[AtomicU64; 2]; 3],
    config: [AtomicU64; 7],
    store_errors: AtomicU64,
    /// 1 while the last read or lock operation failed (the store is unreachable).
    store_unreachable: AtomicU64,
    /// 1 from a failed write until a write succeeds. Reads and lock files can keep working over a store that
    /// cannot be written (an immutable or read-only file, a full disk), so only a write may clear it.
    store_unwritable: AtomicU64,
    forced: [AtomicU64; 3],
    background: [AtomicU64; 2],
    connections_open: AtomicU64,
    connections_refused: AtomicU64,
    connection_cap: AtomicU64,
    oauth_refused: [AtomicU64; 2],
}

/// Why an OAuth callback was answered without a call to WeChat's `sns/oauth2/access_token`.
///
/// ```
/// let m = wx_server::Metrics::default();
/// m.oauth_callback_refused(wx_server::metrics::OauthRefusal::RateLimited);
/// assert!(m.render().contains(r#"wxkit_oauth_callbacks_refused_total{reason="rate_limited"} 1"#));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OauthRefusal {
    /// The client's address had no exchange left in its budget (429).
    RateLimited = 0,
    /// The callback's state had already exchanged another code (400).
    StateUsed = 1,
}

impl Metrics {
    /// Counts one upstream call.
    pub fn upstream(&self, kind: UpstreamKind, outcome: UpstreamOutcome) {
        self.upstream[kind as usize][outcome as usize].fetch_add(1, Relaxed);
    }

    /// Counts a lookup of the in-memory cache.
    pub fn cache(&self, kind: UpstreamKind, hit: bool) {
        self.cache[kind as usize][usize::from(!hit)].fetch_add(1, Relaxed);
    }

    /// Counts one `/api/jssdk/config` answer by HTTP status.
    pub fn config_request(&self, status: u16) {
        let i = STATUSES.iter().position(|&s| s == status).unwrap_or(STATUSES.len() - 1);
        self.config[i].fetch_add(1, Relaxed);
    }

    /// Records a failed read or lock operation: the store is degraded until any operation succeeds.
    pub fn store_error(&self) {
        self.store_errors.fetch_add(1, Relaxed);
        self.store_unreachable.store(1, Relaxed);
    }

    /// Records a successful read or lock operation: the store is reachable again. A failed write still counts
    /// (see [`store_write_error`](Self::store_write_error)).
    pub fn store_ok(&self) {
        self.store_unreachable.store(0, Relaxed);
    }

    /// Records a failed write (a credential saved or removed): the store is degraded until a write succeeds.
    ///
    /// ```
    /// let m = wx_server::Metrics::default();
    /// m.store_write_error();
    /// m.store_ok(); // a read or a lock release works: the store still cannot keep credentials
    /// assert!(m.store_is_degraded());
    /// m.store_write_ok();
    /// assert!(!m.store_is_degraded());
    /// ```
    pub fn store_write_error(&self) {
        self.store_errors.fetch_add(1, Relaxed);
        self.store_unwritable.store(1, Relaxed);
    }

    /// Records a successful write: the store is reachable and writable.
    pub fn store_write_ok(&self) {
        self.store_unwritable.store(0, Relaxed);
        self.store_unreachable.store(0, Relaxed);
    }

    /// True while the store is unreachable (the last read or lock operation failed) or cannot be written (a write
    /// failed and none has succeeded since).
    pub fn store_is_degraded(&self) -> bool {
        self.store_unreachable.load(Relaxed) == 1 || self.store_unwritable.load(Relaxed) == 1
    }

    /// Counts a `refresh=true` request by what came of it.
    pub fn forced_refresh(&self, how: ForcedRefresh) {
        let i = match how {
            ForcedRefresh::Refreshed => 0,
            ForcedRefresh::RateLimited => 1,
            ForcedRefresh::Failed => 2,
        };
        self.forced[i].fetch_add(1, Relaxed);
    }

    /// Counts one background refresh run.
    pub fn background_refresh(&self, ok: bool) {
        self.background[usize::from(!ok)].fetch_add(1, Relaxed);
    }

    /// Counts a client connection accepted (the `wxkit_connections_open` gauge goes up).
    pub fn connection_opened(&self) {
        self.connections_open.fetch_add(1, Relaxed);
    }

    /// Counts a client connection ended (the gauge goes down).
    pub fn connection_closed(&self) {
        self.connections_open.fetch_sub(1, Relaxed);
    }

    /// Counts a connection closed on arrival because the connection cap was reached.
    pub fn connection_refused(&self) {
        self.connections_refused.fetch_add(1, Relaxed);
    }

    /// Records the connection cap in force (`wxkit_connections_max`).
    pub fn set_connection_cap(&self, cap: usize) {
        self.connection_cap
            .store(u64::try_from(cap).unwrap_or(u64::MAX), Relaxed);
    }

    /// Client connections open now.
    pub fn connections_open(&self) -> u64 {
        self.connections_open.load(Relaxed)
    }

    /// Connections refused at the cap so far.
    pub fn connections_refused(&self) -> u64 {
        self.connections_refused.load(Relaxed)
    }

    /// Counts an OAuth callback answered without a WeChat call, by why.
    pub fn oauth_callback_refused(&self, why: OauthRefusal) {
        self.oauth_refused[why as usize].fetch_add(1, Relaxed);
    }

    /// Upstream calls of one kind and outcome so far.
    pub fn upstream_count(&self, kind: UpstreamKind, outcome: UpstreamOutcome) -> u64 {
        self.upstream[kind as usize][outcome as usize].load(Relaxed)
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP wxkit_upstream_calls_total Calls to WeChat by credential and outcome.\n");
        out.push_str("# TYPE wxkit_upstream_calls_total counter\n");
        for (k, kind) in KINDS.iter().enumerate() {
            for (o, outcome) in OUTCOMES.iter().enumerate() {
                let v = self.upstream[k][o].load(Relaxed);
                let _ = writeln!(
                    out,
                    "wxkit_upstream_calls_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {v}"
                );
            }
        }
        out.push_str("# HELP wxkit_cache_lookups_total In-memory credential cache lookups.\n");
        out.push_str("# TYPE wxkit_cache_lookups_total counter\n");
        for (k, kind) in KINDS.iter().enumerate() {
            for (r, result) in ["hit", "miss"].iter().enumerate() {
                let v = self.cache[k][r].load(Relaxed);
                let _ = writeln!(
                    out,
                    "wxkit_cache_lookups_total{{credential=\"{kind}\",result=\"{result}\"}} {v}"
                );
            }
        }
        out.push_str("# HELP wxkit_config_requests_total /api/jssdk/config answers by HTTP status.\n");
        out.push_str("# TYPE wxkit_config_requests_total counter\n");
        for (i, status) in STATUSES.iter().enumerate() {
            let v = self.config[i].load(Relaxed);
            let label = if *status == 0 {
                "other".to_owned()
            } else {
                status.to_string()
            };
            let _ = writeln!(out, "wxkit_config_requests_total{{status=\"{label}\"}} {v}");
        }
        out.push_str("# HELP wxkit_store_errors_total Failed credential store operations.\n");
        out.push_str("# TYPE wxkit_store_errors_total counter\n");
        let _ = writeln!(out, "wxkit_store_errors_total {}", self.store_errors.load(Relaxed));
        out.push_str(
            "# HELP wxkit_store_degraded 1 while the credential store is unreachable, or since a failed write until a \
             write succeeds (serving from memory).\n",
        );
        out.push_str("# TYPE wxkit_store_degraded gauge\n");
        let _ = writeln!(out, "wxkit_store_degraded {}", u8::from(self.store_is_degraded()));
        out.push_str(
            "# HELP wxkit_forced_ticket_refresh_total refresh=true requests: refetched, rate-limited, or failed \
             (WeChat gave no new ticket).\n",
        );
        out.push_str("# TYPE wxkit_forced_ticket_refresh_total counter\n");
        for (i, r) in ["refreshed", "rate_limited", "failed"].iter().enumerate() {
            let _ = writeln!(
                out,
                "wxkit_forced_ticket_refresh_total{{result=\"{r}\"}} {}",
                self.forced[i].load(Relaxed)
            );
        }
        out.push_str("# HELP wxkit_background_refresh_total Background refresh-ahead runs.\n");
        out.push_str("# TYPE wxkit_background_refresh_total counter\n");
        for (i, r) in ["ok", "error"].iter().enumerate() {
            let _ = writeln!(
                out,
                "wxkit_background_refresh_total{{result=\"{r}\"}} {}",
                self.background[i].load(Relaxed)
            );
        }
        out.push_str("# HELP wxkit_connections_open Client connections open now.\n");
        out.push_str("# TYPE wxkit_connections_open gauge\n");
        let _ = writeln!(out, "wxkit_connections_open {}", self.connections_open.load(Relaxed));
        out.push_str("# HELP wxkit_connections_max The connection cap (WX_MAX_CONNECTIONS or derived from the open-file limit).\n");
        out.push_str("# TYPE wxkit_connections_max gauge\n");
        let _ = writeln!(out, "wxkit_connections_max {}", self.connection_cap.load(Relaxed));
        out.push_str(
            "# HELP wxkit_connections_refused_total Connections closed on arrival because the cap was reached.\n",
        );
        out.push_str("# TYPE wxkit_connections_refused_total counter\n");
        let _ = writeln!(
            out,
            "wxkit_connections_refused_total {}",
            self.connections_refused.load(Relaxed)
        );
        out.push_str("# HELP wxkit_oauth_callbacks_refused_total OAuth callbacks answered without a WeChat call.\n");
        out.push_str("# TYPE wxkit_oauth_callbacks_refused_total counter\n");
        for (i, r) in ["rate_limited", "state_used"].iter().enumerate() {
            let _ = writeln!(
                out,
                "wxkit_oauth_callbacks_refused_total{{reason=\"{r}\"}} {}",
                self.oauth_refused[i].load(Relaxed)
            );
        }
        out
    }
}
