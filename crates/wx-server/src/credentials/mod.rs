//! The central credential service: one place that fetches, caches and refreshes the access_token and the
//! jsapi_ticket, so no page request ever burns WeChat's daily quota.
//!
//! How a lookup works:
//! 1. **Memory** (a read lock): a usable value is returned at once. This is the steady state.
//! 2. **Single flight**: otherwise the request takes the credential's async mutex; whoever gets it first
//!    refreshes, everyone queued behind finds the fresh value in memory. So 1,000 concurrent requests on
//!    a cold cache cause one token fetch and one ticket fetch.
//! 3. **Shared store**: before calling WeChat, the holder reads the store (another process or instance
//!    may have refreshed already), then takes the store's lock with a lease and checks once more. A
//!    waiter on someone else's lock adopts their result as soon as it appears in the store. The work under
//!    the lock is cut off before the lease ends, so an instance taking over an expired lock never fetches
//!    alongside one still at it.
//! 4. **WeChat**, with bounded retries for transient failures (errcode -1, network, 5xx, malformed JSON,
//!    empty ticket). On 40001/40014/42001 from getticket, the token is invalidated only if it is still
//!    the one that failed (compare-and-swap in memory and in the store), fetched again, and the ticket
//!    call retried once. Quota, whitelist, risky-IP and bad-credential errors are never retried.
//!
//! When WeChat fails, a value that has not yet expired is still served, and requests arriving within a
//! short hold (2 s after a transient failure, 10 s after a configuration or quota error) get the same
//! error without calling WeChat again: an outage costs WeChat one attempt per hold, not one per request. A background task
//! (`background`) refreshes each credential ahead of expiry, so requests do not wait on WeChat.
//!
//! A request that does have to wait (a cold cache, a value past its usable time) waits at most the refresh
//! deadline ([`DEFAULT_REFRESH_DEADLINE`], `WX_REFRESH_DEADLINE_MS`): the lookup runs in a task of its own, so
//! when WeChat hangs the request gets [`UpstreamError::NoAnswerInTime`] while the fetch goes on, and the requests
//! after it get its result the moment it arrives.

mod account;
pub(crate) mod background;
mod retry;
mod slot;

use crate::{
    Secret,
    metrics::{Metrics, UpstreamKind},
    store::{Cached, CredentialStore, StoreError, now_ms},
    wechat::{Issued, TicketKind, UpstreamError, WechatClient},
};
use retry::with_retries;
use slot::{Accept, Slot};
use std::{
    future::Future,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};
use tokio::sync::Notify;

/// At most one forced ticket refresh (`refresh=true`) per this interval, across all clients (and all
/// instances sharing a Redis or file store).
pub const FORCED_REFRESH_INTERVAL: Duration = Duration::from_secs(300);

/// How long a request waits for a credential that has to be fetched before it gets
/// [`UpstreamError::NoAnswerInTime`] (the fetch goes on): a cold cache while WeChat hangs would otherwise keep it
/// for three timed-out attempts and their backoff (over 15 s at the default 5 s upstream timeout).
pub const DEFAULT_REFRESH_DEADLINE: Duration = Duration::from_secs(5);

const LOCK_POLL: Duration = Duration::from_millis(20);
/// The default lease of the shared refresh lock: a token and a ticket fetch with their retries fit well inside it
/// at WeChat's usual latency.
pub const DEFAULT_REFRESH_LEASE: Duration = Duration::from_secs(30);

/// A credential could not be obtained.
///
/// ```
/// let e = wx_server::CredentialError { credential: "jsapi_ticket", source: wx_server::UpstreamError::Quota(45009) };
/// assert!(e.to_string().starts_with("could not obtain the jsapi_ticket: "));
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[error("could not obtain the {credential}: {source}")]
pub struct CredentialError {
    /// `access_token`, `jsapi_ticket` or `card ticket`.
    pub credential: &'static str,
    /// What WeChat (or the network) did.
    #[source]
    pub source: UpstreamError,
}

/// Whether a `refresh=true` request actually refetched the ticket.
///
/// ```no_run
/// # async fn demo(service: wx_server::CredentialService) -> Result<(), wx_server::CredentialError> {
/// let (ticket, how) = service.jsapi_ticket_forced().await?;
/// if how == wx_server::ForcedRefresh::RateLimited {
///     // a forced refresh happened less than 5 minutes ago: `ticket` is the current one
/// }
/// # let _ = ticket; Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForcedRefresh {
    /// The ticket was refetched from WeChat for this request.
    Refreshed,
    /// A forced refresh got a new ticket less than [`FORCED_REFRESH_INTERVAL`] ago (in this process, or in
    /// another instance sharing the store): the current ticket was used.
    RateLimited,
    /// WeChat did not give a new ticket (it failed now, or moments ago and the failure is still held): the cached
    /// ticket, not yet expired, was used. The window was not used: a later `refresh=true` tries again.
    Failed,
}

/// This process's side of the forced-refresh window.
#[derive(Default)]
struct ForcedWindow {
    /// When a forced refresh of this process last got a new ticket: its window runs from there.
    used_at: Option<Instant>,
    /// Forced refreshes settled so far, whatever their outcome. A request that queued behind one shares its
    /// outcome instead of asking the store (and WeChat) again.
    settled: u64,
}

impl ForcedWindow {
    fn in_use(&self) -> bool {
        self.used_at.is_some_and(|t| t.elapsed() < FORCED_REFRESH_INTERVAL)
    }
}

struct Inner {
    client: WechatClient,
    store: Arc<dyn CredentialStore>,
    metrics: Arc<Metrics>,
    owner: String,
    token: Slot,
    ticket: Slot,
    /// The card ticket (`wx_card`): the jsapi ticket's rules, its own slot and store key.
    card: Slot,
    force_gate: String,
    forced: Mutex<ForcedWindow>,
    changed: Notify,
}

/// The credential service of one app. Cheap to clone (shared).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::{sync::Arc, time::Duration};
/// use wx_server::{CredentialService, Metrics, Secret, TokenMode, WechatClient, store::MemoryStore};
/// let metrics = Arc::new(Metrics::default());
/// let client = WechatClient::new("http://127.0.0.1:9000", "wxdemo", Secret::new("s"), TokenMode::Stable,
///     Duration::from_secs(5), metrics.clone())?;
/// let service = CredentialService::new("wxdemo", client, Arc::new(MemoryStore::default()), metrics);
/// let ticket = service.jsapi_ticket().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CredentialService {
    inner: Arc<Inner>,
    lease: Duration,
    deadline: Duration,
}

impl std::fmt::Debug for CredentialService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialService")
            .field("store", &self.inner.store.describe())
            .finish_non_exhaustive()
    }
}

impl CredentialService {
    /// A service for `appid`, fetching with `client` and sharing through `store`.
    pub fn new(appid: &str, client: WechatClient, store: Arc<dyn CredentialStore>, metrics: Arc<Metrics>) -> Self {
        let prefix = format!("wxkit:{appid}");
        // Stable and classic tokens are isolated by WeChat, so they are cached apart too.
        let token_key = format!("{prefix}:access_token:{}", client.mode().as_str());
        let owner = format!(
            "{}-{}",
            std::process::id(),
            wx_sign::nonce().unwrap_or_else(|_| now_ms().to_string())
        );
        let inner = Inner {
            client,
            store,
            metrics,
            owner,
            token: Slot::new(UpstreamKind::AccessToken, "access_token", token_key),
            ticket: Slot::new(
                UpstreamKind::JsapiTicket,
                "jsapi_ticket",
                format!("{prefix}:jsapi_ticket"),
            ),
            card: Slot::new(UpstreamKind::CardTicket, "card ticket", format!("{prefix}:card_ticket")),
            force_gate: format!("{prefix}:jsapi_ticket:forced"),
            forced: Mutex::new(ForcedWindow::default()),
            changed: Notify::new(),
        };
        Self {
            inner: Arc::new(inner),
            lease: DEFAULT_REFRESH_LEASE,
            deadline: DEFAULT_REFRESH_DEADLINE,
        }
    }

    /// Sets how long a request waits for a credential that has to be fetched ([`DEFAULT_REFRESH_DEADLINE`]).
    /// Past it the request gets [`UpstreamError::NoAnswerInTime`] (or a cached value that has not expired yet),
    /// while the fetch goes on and the requests after it get its result as soon as it arrives. Kept at 1 ms or
    /// more. `wx-server serve` takes it from `WX_REFRESH_DEADLINE_MS`.
    ///
    /// ```no_run
    /// # fn demo(service: wx_server::CredentialService) {
    /// let service = service.with_refresh_deadline(std::time::Duration::from_secs(2));
    /// # }
    /// ```
    pub fn with_refresh_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline.max(Duration::from_millis(1));
        self
    }

    /// Sets how long one instance may hold a credential's shared refresh lock ([`DEFAULT_REFRESH_LEASE`]).
    /// A refresh still running when its lease is about to end is cut off with
    /// [`UpstreamError::OutOfTime`], so another instance that takes the lock over never fetches while this
    /// one still might. An instance waits at most twice the lease for a lock held by a crashed one.
    ///
    /// The lease is kept within 1 s … 1 hour (a zero lease would cut every refresh off at once; Redis cannot
    /// hold one under a millisecond).
    ///
    /// ```no_run
    /// # fn demo(service: wx_server::CredentialService) {
    /// let service = service.with_refresh_lease(std::time::Duration::from_secs(60));
    /// # }
    /// ```
    pub fn with_refresh_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.clamp(Duration::from_secs(1), Duration::from_secs(3600));
        self
    }

    /// The lease for WeChat calls that time out after `upstream_timeout`: [`DEFAULT_REFRESH_LEASE`], or longer
    /// when a token and a ticket fetch with all their retries (six timed calls and their pauses) would not fit.
    /// `wx-server serve` uses it with `WX_UPSTREAM_TIMEOUT_MS`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use wx_server::CredentialService;
    /// assert_eq!(CredentialService::refresh_lease_for(Duration::from_secs(1)), wx_server::DEFAULT_REFRESH_LEASE);
    /// assert_eq!(CredentialService::refresh_lease_for(Duration::from_secs(5)), Duration::from_secs(35));
    /// ```
    pub fn refresh_lease_for(upstream_timeout: Duration) -> Duration {
        upstream_timeout.saturating_mul(7).max(DEFAULT_REFRESH_LEASE)
    }

    /// The store's description for logs.
    pub fn store_description(&self) -> String {
        self.inner.store.describe()
    }

    /// The current jsapi_ticket: from memory in steady state, else fetched once for all waiting callers.
    ///
    /// # Errors
    /// [`CredentialError`] when no unexpired ticket is cached and WeChat does not provide one (within the
    /// refresh deadline: [`UpstreamError::NoAnswerInTime`]).
    pub async fn jsapi_ticket(&self) -> Result<Secret, CredentialError> {
        self.lookup(&self.inner.ticket, |this| async move {
            this.ticket_after_miss(TicketKind::Jsapi).await
        })
        .await
    }

    /// The current card ticket (`getticket?type=wx_card`, the `api_ticket` of chooseCard's `cardSign` and
    /// addCard's `cardExt`): cached, single-flight, shared through the store and refreshed ahead exactly as the
    /// jsapi_ticket is (no forced refresh: a card signature that fails is not healed by the page).
    ///
    /// # Errors
    /// As [`jsapi_ticket`](Self::jsapi_ticket), with `credential: "card ticket"`.
    pub async fn card_ticket(&self) -> Result<Secret, CredentialError> {
        self.lookup(&self.inner.card, |this| async move {
            this.ticket_after_miss(TicketKind::WxCard).await
        })
        .await
    }

    /// A credential with the time left until this service refreshes it (at least 1 s), for the account's other
    /// services (`GET /api/token`, `/api/ticket/*`): a consumer that caches it no longer than that never holds a
    /// value the service has replaced. `kind`: `None` for the access_token, else that ticket.
    ///
    /// # Errors
    /// As [`access_token`](Self::access_token) and [`jsapi_ticket`](Self::jsapi_ticket).
    pub async fn shared(&self, kind: Option<TicketKind>) -> Result<(Secret, Duration), CredentialError> {
        let (value, slot) = match kind {
            None => (self.access_token().await?, &self.inner.token),
            Some(TicketKind::Jsapi) => (self.jsapi_ticket().await?, &self.inner.ticket),
            Some(TicketKind::WxCard) => (self.card_ticket().await?, &self.inner.card),
        };
        let left_ms = slot
            .current()
            .filter(|c| c.value == value)
            .map_or(0, |c| c.refresh_at_ms().saturating_sub(now_ms()));
        Ok((value, Duration::from_millis(left_ms).max(Duration::from_secs(1))))
    }

    fn ticket_slot(&self, kind: TicketKind) -> &Slot {
        match kind {
            TicketKind::Jsapi => &self.inner.ticket,
            TicketKind::WxCard => &self.inner.card,
        }
    }

    /// The jsapi_ticket refetched from WeChat now, for a page that got `invalid signature` — unless a
    /// forced refresh already got a new ticket within [`FORCED_REFRESH_INTERVAL`] (here, or in an instance
    /// sharing the store), in which case the current ticket (waiting for a refresh in flight, if any).
    ///
    /// Only a refresh that gets a new ticket uses the window: one that fails leaves it open (in this process and
    /// in the store), so the next `refresh=true` after WeChat is back heals the page. Meanwhile the failure is
    /// held like any other (2 s, or 10 s for a configuration or quota error), so a storm of `refresh=true`
    /// during an outage costs WeChat one attempt per hold. Concurrent calls share one refresh.
    ///
    /// # Errors
    /// As [`jsapi_ticket`](Self::jsapi_ticket).
    pub async fn jsapi_ticket_forced(&self) -> Result<(Secret, ForcedRefresh), CredentialError> {
        let slot = &self.inner.ticket;
        let this = self.clone();
        let (c, how) = match self.waited(slot, async move { this.forced().await }).await {
            Some(result) => result?,
            // The refresh goes on and settles the window by its outcome.
            None => (self.no_answer_in_time(slot)?, ForcedRefresh::Failed),
        };
        Ok((c.value, how))
    }

    /// The current access_token (same caching as the ticket).
    ///
    /// # Errors
    /// As [`jsapi_ticket`](Self::jsapi_ticket).
    pub async fn access_token(&self) -> Result<Secret, CredentialError> {
        self.lookup(&self.inner.token, |this| async move { this.token_after_miss().await })
            .await
    }

    /// One credential: from memory in steady state (without cloning the service: this is every request), else
    /// `miss` in a task of its own, waited for at most the refresh deadline.
    async fn lookup<Fut>(&self, slot: &Slot, miss: impl FnOnce(Self) -> Fut) -> Result<Secret, CredentialError>
    where
        Fut: Future<Output = Result<Cached, CredentialError>> + Send + 'static,
    {
        if let Some(c) = self.fast(slot) {
            return Ok(c.value);
        }
        let looked_up = self.waited(slot, miss(self.clone())).await;
        looked_up
            .unwrap_or_else(|| self.no_answer_in_time(slot))
            .map(|c| c.value)
    }

    /// Runs a request's `lookup` in a task of its own and waits for it until the refresh deadline; `None` when the
    /// deadline passed first. The task is not cancelled then: its fetch goes on, and fills the cache for the
    /// requests after this one (which wait on the same single flight).
    async fn waited<T: Send + 'static>(
        &self,
        slot: &Slot,
        lookup: impl Future<Output = Result<T, CredentialError>> + Send + 'static,
    ) -> Option<Result<T, CredentialError>> {
        let task = tokio::spawn(lookup);
        match tokio::time::timeout(self.deadline, task).await {
            Ok(Ok(result)) => Some(result),
            Ok(Err(e)) => {
                let how = if e.is_panic() { "panicked" } else { "was cancelled" };
                tracing::error!("the {} lookup {how}", slot.name);
                Some(Err(
                    slot.err(UpstreamError::Network(format!("the {} lookup {how}", slot.name)))
                ))
            }
            Err(_) => None,
        }
    }

    /// A request's answer when WeChat has not answered within the refresh deadline: a value that has not expired
    /// yet, else [`UpstreamError::NoAnswerInTime`].
    fn no_answer_in_time(&self, slot: &Slot) -> Result<Cached, CredentialError> {
        let late = slot.err(UpstreamError::NoAnswerInTime(self.deadline));
        self.or_unexpired(slot, Err(late), true)
    }

    /// Calls a WeChat API with the current access_token. If WeChat rejects the token (40001 / 40014 /
    /// 42001), it is dropped only if it is still the cached one (compare-and-swap, as for the ticket), a
    /// fresh one is fetched, and the call is made once more. `what` names the call in errors.
    ///
    /// ```no_run
    /// # async fn demo(service: wx_server::CredentialService) -> Result<(), wx_server::CredentialError> {
    /// // Any call that takes the access_token; WeChat's 40001 leads to one refetch and one more call.
    /// let length = service
    ///     .with_access_token("example call", |token| async move { Ok(token.expose().len()) })
    ///     .await?;
    /// # let _ = length; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// A [`CredentialError`] for the token (`credential: "access_token"`) or for the call (`credential: what`).
    pub async fn with_access_token<T, F, Fut>(&self, what: &'static str, call: F) -> Result<T, CredentialError>
    where
        F: Fn(Secret) -> Fut,
        Fut: Future<Output = Result<T, UpstreamError>>,
    {
        let token = self.access_token().await?;
        let failed = |source| CredentialError {
            credential: what,
            source,
        };
        match call(token.clone()).await {
            Err(UpstreamError::InvalidToken(code)) => {
                tracing::warn!(
                    "WeChat rejected the cached access_token for the {what} (errcode {code}); fetching a new one once"
                );
                self.invalidate_token(&token).await;
                let token = self.access_token().await?;
                call(token).await.map_err(failed)
            }
            other => other.map_err(failed),
        }
    }

    async fn token(&self) -> Result<Cached, CredentialError> {
        match self.fast(&self.inner.token) {
            Some(c) => Ok(c),
            None => self.token_after_miss().await,
        }
    }

    async fn ticket(&self) -> Result<Cached, CredentialError> {
        match self.fast(&self.inner.ticket) {
            Some(c) => Ok(c),
            None => self.ticket_after_miss(TicketKind::Jsapi).await,
        }
    }

    /// The token once the cache has missed (counted once, by the caller).
    async fn token_after_miss(&self) -> Result<Cached, CredentialError> {
        self.single_flight(&self.inner.token, || self.refresh_token(Accept::Usable))
            .await
    }

    /// The ticket once the cache has missed (counted once, by the caller).
    async fn ticket_after_miss(&self, kind: TicketKind) -> Result<Cached, CredentialError> {
        self.single_flight(self.ticket_slot(kind), || self.refresh_ticket(kind, Accept::Usable))
            .await
    }

    /// The forced refresh behind [`jsapi_ticket_forced`](Self::jsapi_ticket_forced).
    async fn forced(&self) -> Result<(Cached, ForcedRefresh), CredentialError> {
        let inner = &self.inner;
        let slot = &inner.ticket;
        let seen = {
            let window = self.forced_window();
            (!window.in_use()).then_some(window.settled)
        };
        let Some(seen) = seen else {
            // This process's window is in use: no store round trip, whatever the herd.
            inner.metrics.forced_refresh(ForcedRefresh::RateLimited);
            return self.ticket().await.map(|c| (c, ForcedRefresh::RateLimited));
        };
        let _flight = slot.flight.lock().await;
        let unforced = || self.refresh_ticket(TicketKind::Jsapi, Accept::Usable);
        if let Some(e) = slot.held_failure() {
            // WeChat failed moments ago (perhaps for the forced refresh this request queued behind).
            inner.metrics.forced_refresh(ForcedRefresh::Failed);
            return self
                .or_unexpired(slot, Err(e), false)
                .map(|c| (c, ForcedRefresh::Failed));
        }
        let settled_meanwhile = {
            let window = self.forced_window();
            window.in_use() || window.settled != seen
        };
        if settled_meanwhile {
            // A forced refresh settled while this request queued: its ticket is the current one.
            inner.metrics.forced_refresh(ForcedRefresh::RateLimited);
            return self
                .in_flight(slot, unforced)
                .await
                .map(|c| (c, ForcedRefresh::RateLimited));
        }
        let old = slot.current().map(|c| c.value);
        let claimed = inner
            .store
            .try_lock(&inner.force_gate, &inner.owner, FORCED_REFRESH_INTERVAL)
            .await;
        // `None`: the store is down. That must not stop self-healing: the in-process window alone applies.
        let claimed = self.store_result(claimed, "claim the forced-refresh window");
        if claimed == Some(false) {
            // Another instance's window is in use. This process records nothing, so that its own refresh=true
            // works as soon as that window ends; the other instance may have saved its new ticket already.
            self.settle_forced(false);
            let _ = self.adoptable(slot, &Accept::Replacing(old)).await;
            inner.metrics.forced_refresh(ForcedRefresh::RateLimited);
            return self
                .in_flight(slot, unforced)
                .await
                .map(|c| (c, ForcedRefresh::RateLimited));
        }
        tracing::info!("forced jsapi_ticket refresh requested by a page (refresh=true)");
        match self.refresh_ticket(TicketKind::Jsapi, Accept::Replacing(old)).await {
            Ok(c) => {
                self.settle_forced(true);
                inner.metrics.forced_refresh(ForcedRefresh::Refreshed);
                Ok((c, ForcedRefresh::Refreshed))
            }
            Err(e) => {
                slot.failed(&e);
                if claimed == Some(true) {
                    // No new ticket: the window stays open for the next refresh=true, in any instance.
                    let released = inner.store.unlock(&inner.force_gate, &inner.owner).await;
                    self.store_result(released, "release the forced-refresh window");
                }
                self.settle_forced(false);
                inner.metrics.forced_refresh(ForcedRefresh::Failed);
                self.or_unexpired(slot, Err(e), true)
                    .map(|c| (c, ForcedRefresh::Failed))
            }
        }
    }

    fn forced_window(&self) -> std::sync::MutexGuard<'_, ForcedWindow> {
        self.inner.forced.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A forced refresh has ended; `used`: it got a new ticket, which starts this process's window.
    fn settle_forced(&self, used: bool) {
        let mut window = self.forced_window();
        window.settled = window.settled.wrapping_add(1);
        if used {
            window.used_at = Some(Instant::now());
        }
    }

    /// One slot's read path after a cache miss: under the slot's flight lock, the value another caller has just
    /// fetched, or one `refresh` for all waiters (or the failure held from a recent attempt); else a value that
    /// has not expired yet.
    async fn single_flight<F, Fut>(&self, slot: &Slot, refresh: F) -> Result<Cached, CredentialError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Cached, CredentialError>>,
    {
        let _flight = slot.flight.lock().await;
        self.in_flight(slot, refresh).await
    }

    /// [`single_flight`](Self::single_flight) once the caller holds the slot's flight lock.
    async fn in_flight<F, Fut>(&self, slot: &Slot, refresh: F) -> Result<Cached, CredentialError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Cached, CredentialError>>,
    {
        if let Some(c) = slot.current().filter(|c| c.is_usable(now_ms())) {
            return Ok(c);
        }
        let (result, fresh) = match slot.held_failure() {
            Some(e) => (Err(e), false),
            None => (refresh().await.inspect_err(|e| slot.failed(e)), true),
        };
        self.or_unexpired(slot, result, fresh)
    }

    fn fast(&self, slot: &Slot) -> Option<Cached> {
        let hit = slot.current().filter(|c| c.is_usable(now_ms()));
        self.inner.metrics.cache(slot.kind, hit.is_some());
        hit
    }

    /// WeChat failed: a value that has not expired yet is still correct to sign with. `fresh` is false
    /// for a held failure (already logged when it happened).
    fn or_unexpired(
        &self,
        slot: &Slot,
        result: Result<Cached, CredentialError>,
        fresh: bool,
    ) -> Result<Cached, CredentialError> {
        result.or_else(|e| match slot.current().filter(|c| c.is_unexpired(now_ms())) {
            Some(c) => {
                if fresh {
                    tracing::warn!("{e}; serving the cached {} until it expires", slot.name);
                }
                Ok(c)
            }
            None => {
                if fresh {
                    tracing::error!("{e}");
                }
                Err(e)
            }
        })
    }

    async fn refresh_token(&self, accept: Accept) -> Result<Cached, CredentialError> {
        let inner = &self.inner;
        self.coordinated(&inner.token, accept, || async {
            with_retries(|| inner.client.fetch_access_token())
                .await
                .map_err(|e| inner.token.err(e))
        })
        .await
    }

    /// One ticket of `kind` fetched under its slot's coordination; a token WeChat rejects for it is dropped (if
    /// still cached), fetched again, and the ticket asked for once more.
    async fn refresh_ticket(&self, kind: TicketKind, accept: Accept) -> Result<Cached, CredentialError> {
        let inner = &self.inner;
        let slot = self.ticket_slot(kind);
        self.coordinated(slot, accept, || async {
            let token = self.token().await?;
            match with_retries(|| inner.client.fetch_ticket(&token.value, kind)).await {
                Err(UpstreamError::InvalidToken(code)) => {
                    tracing::warn!("WeChat rejected the cached access_token (errcode {code}); fetching a new one once");
                    self.invalidate_token(&token.value).await;
                    let token = self.token().await?;
                    with_retries(|| inner.client.fetch_ticket(&token.value, kind))
                        .await
                        .map_err(|e| slot.err(e))
                }
                other => other.map_err(|e| slot.err(e)),
            }
        })
        .await
    }

    /// Drops the token from memory and the store only if it is still `failed` (compare-and-swap), so a
    /// token another request or instance has just fetched is never thrown away.
    async fn invalidate_token(&self, failed: &Secret) {
        let slot = &self.inner.token;
        {
            let mut cached = slot.cached.write().unwrap_or_else(PoisonError::into_inner);
            if cached.as_ref().is_some_and(|c| &c.value == failed) {
                *cached = None;
            }
        }
        let removed = self.inner.store.remove_if(&slot.key, failed).await;
        self.store_write_result(removed, "invalidate the access_token");
    }

    /// Store check, store lock, fetch, save. The caller holds the slot's in-process flight mutex.
    async fn coordinated<F, Fut>(&self, slot: &Slot, accept: Accept, fetch: F) -> Result<Cached, CredentialError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Issued, CredentialError>>,
    {
        let inner = &self.inner;
        let forced = matches!(accept, Accept::Replacing(_));
        if !forced && let Some(c) = self.adoptable(slot, &accept).await {
            return Ok(c);
        }
        let lease = self.lease;
        let deadline = Instant::now() + lease * 2;
        let held = loop {
            let asked = tokio::time::Instant::now();
            match inner.store.try_lock(&slot.lock, &inner.owner, lease).await {
                Ok(true) => {
                    inner.metrics.store_ok();
                    break Some(HeldLock {
                        store: Arc::clone(&inner.store),
                        name: slot.lock.clone(),
                        owner: inner.owner.clone(),
                        released: false,
                        // Counted from before the request, and a tenth short, so saving the result and
                        // releasing the lock also happen inside the lease.
                        until: asked + lease - lease / 10,
                    });
                }
                Ok(false) => {}
                Err(e) => {
                    self.store_failed(&e, "take the refresh lock");
                    break None; // degraded: refresh from this process alone
                }
            }
            if let Some(c) = self.adoptable(slot, &accept).await {
                return Ok(c);
            }
            if Instant::now() > deadline {
                tracing::warn!(
                    "the {} refresh lock is still held after {:?}; refreshing anyway",
                    slot.name,
                    lease * 2
                );
                break None;
            }
            tokio::time::sleep(LOCK_POLL).await;
        };
        // Someone may have finished between our first look and taking the lock.
        let adopted = if forced {
            None
        } else {
            self.adoptable(slot, &accept).await
        };
        let result = match adopted {
            Some(c) => Ok(c),
            None => self.fetch_within(slot, held.as_ref(), fetch).await.map(|issued| {
                let c = Cached::new(issued.value, now_ms(), issued.expires_in);
                tracing::info!(
                    "fetched a new {} (expires in {}s)",
                    slot.name,
                    issued.expires_in.as_secs()
                );
                c
            }),
        };
        if let Ok(c) = &result {
            let saved = inner.store.save(&slot.key, c).await;
            self.store_write_result(saved, "save a credential");
            slot.set(c.clone());
            inner.changed.notify_one();
        }
        if let Some(lock) = held {
            let unlocked = lock.release().await;
            self.store_result(unlocked, "release the refresh lock");
        }
        result
    }

    /// Runs `fetch`, cut off before the end of the lease when the shared lock is held: past it another
    /// instance may take the lock over and fetch too (in classic token mode each fetch revokes the other's token).
    async fn fetch_within<F, Fut>(
        &self,
        slot: &Slot,
        held: Option<&HeldLock>,
        fetch: F,
    ) -> Result<Issued, CredentialError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Issued, CredentialError>>,
    {
        let Some(lock) = held else {
            return fetch().await;
        };
        tokio::time::timeout_at(lock.until, fetch()).await.unwrap_or_else(|_| {
            tracing::warn!(
                "the {} refresh ran out of its {:?} lock lease; giving up",
                slot.name,
                self.lease
            );
            Err(slot.err(UpstreamError::OutOfTime(self.lease)))
        })
    }

    async fn adoptable(&self, slot: &Slot, accept: &Accept) -> Option<Cached> {
        let loaded = self.inner.store.load(&slot.key).await;
        let c = self.store_result(loaded, "read a credential").flatten()?;
        if !accept.takes(&c, now_ms()) {
            return None;
        }
        slot.set(c.clone());
        self.inner.changed.notify_one();
        Some(c)
    }

    fn store_result<T>(&self, r: Result<T, StoreError>, what: &str) -> Option<T> {
        match r {
            Ok(v) => {
                self.inner.metrics.store_ok();
                Some(v)
            }
            Err(e) => {
                self.store_failed(&e, what);
                None
            }
        }
    }

    /// As [`store_result`](Self::store_result) for a write: a failed one keeps the store degraded until a write
    /// succeeds, whatever reads and lock operations do meanwhile.
    fn store_write_result<T>(&self, r: Result<T, StoreError>, what: &str) -> Option<T> {
        match r {
            Ok(v) => {
                self.inner.metrics.store_write_ok();
                Some(v)
            }
            Err(e) => {
                self.inner.metrics.store_write_error();
                self.log_store_failure(&e, what);
                None
            }
        }
    }

    fn store_failed(&self, e: &StoreError, what: &str) {
        self.inner.metrics.store_error();
        self.log_store_failure(e, what);
    }

    fn log_store_failure(&self, e: &StoreError, what: &str) {
        tracing::warn!(
            "credential store {} unavailable: could not {what}: {e}; serving from memory",
            self.inner.store.describe()
        );
    }

    pub(crate) fn next_refresh_at_ms(&self) -> Option<u64> {
        [&self.inner.token, &self.inner.ticket, &self.inner.card]
            .into_iter()
            .filter_map(|slot| slot.current().map(|c| c.refresh_at_ms()))
            .min()
    }

    /// Refreshes whichever credential is due (token first: the ticket needs it).
    pub(crate) async fn refresh_due(&self) -> Result<(), CredentialError> {
        let inner = &self.inner;
        if inner.token.current().is_some_and(|c| c.is_due(now_ms())) {
            let _flight = inner.token.flight.lock().await;
            if inner.token.current().is_some_and(|c| c.is_due(now_ms())) {
                self.refresh_token(Accept::NotDue).await?;
            }
        }
        for kind in [TicketKind::Jsapi, TicketKind::WxCard] {
            let slot = self.ticket_slot(kind);
            if slot.current().is_some_and(|c| c.is_due(now_ms())) {
                let _flight = slot.flight.lock().await;
                if slot.current().is_some_and(|c| c.is_due(now_ms())) {
                    self.refresh_ticket(kind, Accept::NotDue).await?;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) async fn changed(&self) {
        self.inner.changed.notified().await;
    }
}

/// The shared refresh lock while a request holds it. A request dropped mid-refresh (its client went away)
/// would otherwise leave the lock held for the whole lease, stalling every instance's next refresh: dropping
/// the guard unheld releases it from a task of its own.
struct HeldLock {
    store: Arc<dyn CredentialStore>,
    name: String,
    owner: String,
    released: bool,
    /// When the work done under the lock must end.
    until: tokio::time::Instant,
}

impl HeldLock {
    async fn release(mut self) -> Result<(), StoreError> {
        self.released = true;
        self.store.unlock(&self.name, &self.owner).await
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (store, name, owner) = (
            Arc::clone(&self.store),
            std::mem::take(&mut self.name),
            std::mem::take(&mut self.owner),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = store.unlock(&name, &owner).await {
                    tracing::warn!("could not release the refresh lock of a dropped request: {e}");
                }
            });
        }
    }
}
