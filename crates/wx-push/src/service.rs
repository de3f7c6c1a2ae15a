//! `(query, body) → (status, content type, body)`: everything `POST /wechat` does, so the server's route is a
//! one-liner. Verification, parsing, de-duplication, the deadline and reply encryption happen here.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use crate::claims::{ClaimStore, Claimed, claim_key, reply_from_elsewhere};
use crate::dedupe::{Claim, DedupeCache, EntryId, Outcome};
use crate::detach::{Detachable, Panicked};
use crate::handler::{DynHandler, PushHandler, erase};
use crate::message::{DedupeKey, Push};
use crate::replay::{DEFAULT_REPLAY_MEMORY, ReplayStore, Sightings};
use crate::reply::{Addressee, Reply};
use crate::verify::{DEFAULT_MAX_CLOCK_SKEW, Mode, PushQuery, PushVerifier, QueryChecked, VerifyError};
use crate::xml::{MAX_BODY_BYTES, ParseError};

/// The default handler deadline: well inside WeChat's 5 seconds, leaving time for the network.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(4);
/// How long a push is remembered: WeChat's three attempts span about 15 s.
pub const DEFAULT_DEDUPE_TTL: Duration = Duration::from_secs(30);
/// How many pushes are remembered at most.
pub const DEFAULT_DEDUPE_CAPACITY: usize = 10_000;

const TEXT: &str = "text/plain; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

/// Why a push was refused; [`status`](Self::status) is the HTTP status to answer with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The body exceeds [`MAX_BODY_BYTES`] (413).
    #[error("the body is {len} bytes, more than the {limit}-byte limit")]
    TooLarge {
        /// The body length.
        len: usize,
        /// [`MAX_BODY_BYTES`].
        limit: usize,
    },
    /// The request is not verifiably from WeChat (403), or its encrypted envelope is unreadable (400).
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The verified XML is not a push (400).
    #[error(transparent)]
    Parse(#[from] ParseError),
}

impl PushError {
    /// 413 for an oversized body; 403 for a request not accepted as WeChat's (a failed signature, a stale or
    /// replayed one, a mode weaker than the account's); 503 when a verified push is encrypted but the server has no
    /// EncodingAESKey (safe mode is not set up: a configuration fault, not the sender's, and WeChat retries); 400
    /// for everything else.
    ///
    /// ```
    /// assert_eq!(wx_push::PushError::Verify(wx_push::VerifyError::Signature).status(), 403);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            PushError::TooLarge { .. } => 413,
            PushError::Verify(
                VerifyError::MissingParam(_)
                | VerifyError::Signature
                | VerifyError::MsgSignature
                | VerifyError::Downgrade { .. }
                | VerifyError::Timestamp
                | VerifyError::Stale { .. }
                | VerifyError::Replayed,
            ) => 403,
            PushError::Verify(VerifyError::NoKey) => 503,
            PushError::Verify(_) | PushError::Parse(_) => 400,
        }
    }
}

/// What to send back to WeChat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body: `success`, a reply's XML, an encrypted envelope, or an error's description.
    pub body: String,
}

impl PushResponse {
    fn success() -> Self {
        Self {
            status: 200,
            content_type: TEXT,
            body: "success".to_owned(),
        }
    }

    fn rejected(error: &PushError) -> Self {
        Self {
            status: error.status(),
            content_type: TEXT,
            body: error.to_string(),
        }
    }
}

/// A push whose query passed [`PushService::admit`]: read its body (at most [`MAX_BODY_BYTES`]) and
/// [`handle`](Self::handle) it.
#[derive(Debug)]
pub struct AdmittedPush<'s, 'q> {
    service: &'s PushService,
    query: PushQuery<'q>,
    checked: QueryChecked,
}

impl AdmittedPush<'_, '_> {
    /// The rest of [`PushService::handle`] for this push's body.
    pub async fn handle(self, body: &[u8]) -> PushResponse {
        match self.service.process(&self.query, self.checked, body).await {
            Ok(response) => response,
            Err(error) => refuse(&error),
        }
    }
}

fn refuse(error: &PushError) -> PushResponse {
    tracing::warn!(%error, "push refused");
    PushResponse::rejected(error)
}

/// Receives pushes for one account: verify, parse, de-duplicate, run the handler under a deadline, reply.
///
/// Cheap to clone (shared state); clones share the de-duplication cache and the replay memory.
///
/// ```
/// use wx_push::{PushService, PushVerifier, Reply};
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let service = PushService::new(PushVerifier::new("token", None), |_push| async { Reply::text("hi") });
/// let push = wx_push::PushSigner::plain("token").sign_xml(
///     "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>\
///      <MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>", wx_sign::unix_timestamp(), "nonce", "o")?;
/// let response = service.handle(&push.query, push.body.as_bytes()).await;
/// assert_eq!(response.status, 200);
/// assert!(response.body.contains("<Content><![CDATA[hi]]></Content>"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PushService {
    verifier: PushVerifier,
    handler: DynHandler,
    cache: Arc<DedupeCache>,
    deadline: Duration,
    seen: Arc<Sightings>,
    shared_seen: Option<Arc<dyn ReplayStore>>,
    /// Pushes claimed across instances, and how long a claim lasts (the de-duplication TTL).
    claims: Option<Arc<dyn ClaimStore>>,
    dedupe_ttl: Duration,
}

/// What the replay check found for a request.
enum Sighting {
    /// Never seen: a first delivery.
    First,
    /// Seen by this process: a retry, or a replay.
    Again,
    /// Seen by another instance (through the shared [`ReplayStore`]): a retry that reached another instance, or a
    /// replay.
    Elsewhere,
}

impl std::fmt::Debug for PushService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushService")
            .field("verifier", &self.verifier)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl PushService {
    /// A service with the default deadline ([`DEFAULT_DEADLINE`]), cache ([`DEFAULT_DEDUPE_TTL`],
    /// [`DEFAULT_DEDUPE_CAPACITY`]) and replay memory ([`DEFAULT_REPLAY_MEMORY`] requests, for twice the verifier's
    /// clock skew: as long as a request's timestamp can pass), and no shared [`ReplayStore`].
    pub fn new(verifier: PushVerifier, handler: impl PushHandler) -> Self {
        let seen = Sightings::new(replay_ttl(&verifier), DEFAULT_REPLAY_MEMORY);
        Self {
            verifier,
            handler: erase(handler),
            cache: Arc::new(DedupeCache::new(DEFAULT_DEDUPE_TTL, DEFAULT_DEDUPE_CAPACITY)),
            deadline: DEFAULT_DEADLINE,
            seen: Arc::new(seen),
            shared_seen: None,
            claims: None,
            dedupe_ttl: DEFAULT_DEDUPE_TTL,
        }
    }

    /// Sets how many accepted requests this process remembers against replay (a fresh, empty memory). When full,
    /// the oldest are forgotten before their time, and only a [`ReplayStore`] still refuses their replays.
    pub fn with_replay_memory(mut self, capacity: usize) -> Self {
        self.seen = Arc::new(Sightings::new(replay_ttl(&self.verifier), capacity));
        self
    }

    /// Also records every accepted request in `store`, shared by the instances behind one load balancer: a
    /// request another instance accepted is refused here ([`VerifyError::Replayed`]). A store that fails is
    /// logged and skipped; this process's memory still applies.
    pub fn with_replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.shared_seen = Some(store);
        self
    }

    /// Also claims every push in `store`, shared by the instances behind one load balancer, and leaves its reply
    /// there: WeChat's retry of a push that reaches another instance waits for (at most the deadline) and answers
    /// with the first instance's reply, without running the handler. A retry sent exactly as the first request
    /// (which the shared [`ReplayStore`] reports as seen elsewhere) shares the reply the same way. This process's
    /// cache is still asked first; a store that fails is logged and the push handled here.
    pub fn with_claim_store(mut self, store: Arc<dyn ClaimStore>) -> Self {
        self.claims = Some(store);
        self
    }

    /// Sets how long a push waits for its handler before WeChat is answered `success`.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets how long and how many pushes are remembered for de-duplication (a fresh, empty cache). When full, the
    /// oldest push is forgotten; a capacity of 1024 or more is kept in 16 shards by hash, each forgetting its own
    /// oldest (so a sixteenth of the capacity each).
    pub fn with_dedupe(mut self, ttl: Duration, capacity: usize) -> Self {
        self.cache = Arc::new(DedupeCache::new(ttl, capacity));
        self.dedupe_ttl = ttl;
        self
    }

    /// The `GET /wechat` URL check: `echostr` (text/plain) when `signature` holds and the timestamp is fresh;
    /// 403 otherwise (400 for an `echostr` WeChat would not send).
    ///
    /// ```
    /// # let service = wx_push::PushService::new(wx_push::PushVerifier::new("token", None), wx_push::DemoHandler);
    /// assert_eq!(service.verify_url("signature=bad&timestamp=1&nonce=n&echostr=e").status, 403);
    /// let ts = wx_sign::unix_timestamp();
    /// let sig = wx_sign::server_signature("token", &ts.to_string(), "n")?;
    /// let ok = service.verify_url(&format!("signature={sig}&timestamp={ts}&nonce=n&echostr=4463380474612386548"));
    /// assert_eq!((ok.status, ok.body.as_str()), (200, "4463380474612386548"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_url(&self, raw_query: &str) -> PushResponse {
        match self.verifier.verify_url(&PushQuery::parse(raw_query)) {
            Ok(echostr) => PushResponse {
                status: 200,
                content_type: TEXT,
                body: echostr,
            },
            Err(e) => PushResponse::rejected(&PushError::Verify(e)),
        }
    }

    /// Handles one `POST /wechat`: `raw_query` is the request's query string (percent-encoded, without `?`),
    /// `body` its bytes. Never panics; errors become 4xx responses with a description. Call it inside a Tokio
    /// runtime (axum's is one): a handler still running at the deadline, or when the caller drops this
    /// future, moves to a spawned task and finishes there.
    ///
    /// A server that has not read the body yet should call [`admit`](Self::admit) first and read it only for an
    /// admitted push; this is the two in one.
    pub async fn handle(&self, raw_query: &str, body: &[u8]) -> PushResponse {
        match self.admit(raw_query) {
            Ok(admitted) => admitted.handle(body).await,
            Err(refused) => refused,
        }
    }

    /// The checks a push's query allows on its own, to run before the body is read: in plain mode the whole
    /// `signature`; in safe and compatible modes `encrypt_type` and the parameters `msg_signature`'s check needs.
    /// A request failing them gets its response (403, or 400 for an unknown `encrypt_type`) without a byte of its
    /// body being read, so a stranger can make the server neither wait for a body nor buffer one.
    ///
    /// ```
    /// # let service = wx_push::PushService::new(wx_push::PushVerifier::new("token", None), wx_push::DemoHandler);
    /// let refused = service.admit("signature=forged&timestamp=1&nonce=n").unwrap_err();
    /// assert_eq!(refused.status, 403);
    /// ```
    ///
    /// # Errors
    /// The response to send instead of reading the body.
    pub fn admit<'s, 'q>(&'s self, raw_query: &'q str) -> Result<AdmittedPush<'s, 'q>, PushResponse> {
        let query = PushQuery::parse(raw_query);
        match self.verifier.verify_query(&query) {
            Ok(checked) => Ok(AdmittedPush {
                service: self,
                query,
                checked,
            }),
            Err(error) => Err(refuse(&PushError::Verify(error))),
        }
    }

    async fn process(
        &self,
        query: &PushQuery<'_>,
        checked: QueryChecked,
        body: &[u8],
    ) -> Result<PushResponse, PushError> {
        if body.len() > MAX_BODY_BYTES {
            return Err(PushError::TooLarge {
                len: body.len(),
                limit: MAX_BODY_BYTES,
            });
        }
        let verified = self.verifier.verify_body(checked, query, body)?;
        let push = Push::parse_text(&verified.xml)?;
        let outcome = match self.first_sighting(query, checked).await? {
            Sighting::First => self.dispatch(push).await,
            Sighting::Again => self.retry(&push).await?,
            Sighting::Elsewhere => self.retry_elsewhere(push).await?,
        };
        let Some(xml) = outcome else {
            return Ok(PushResponse::success());
        };
        Ok(self.seal(verified.mode, &xml))
    }

    /// Records the request against replay, here and in the shared store.
    async fn first_sighting(&self, query: &PushQuery<'_>, checked: QueryChecked) -> Result<Sighting, PushError> {
        let Some(signed) = PushVerifier::signed_by(query, checked) else {
            return Err(VerifyError::MissingParam("signature").into());
        };
        if !self.seen.sight(signed) {
            return Ok(Sighting::Again);
        }
        if let Some(shared) = &self.shared_seen {
            match shared.first_sighting(&signed.store_key(), self.seen.ttl()).await {
                Ok(true) => {}
                Ok(false) => return Ok(Sighting::Elsewhere),
                Err(error) => tracing::warn!(%error, "replay store unavailable: judged by this process's memory"),
            }
        }
        Ok(Sighting::First)
    }

    /// A request another instance accepted: with a [`ClaimStore`] where that instance claimed this push, WeChat's
    /// retry, which shares its reply; otherwise a replay.
    async fn retry_elsewhere(&self, push: Push) -> Result<Outcome, PushError> {
        let replayed = || {
            tracing::warn!("a request another instance accepted was sent here again: refused as a replay");
            PushError::from(VerifyError::Replayed)
        };
        let Some(store) = &self.claims else {
            return Err(replayed());
        };
        let key = push.dedupe_key();
        let shared_key = claim_key(&key);
        let claimed = match store.peek(&shared_key).await {
            Ok(Some(claimed)) => claimed,
            Ok(None) => return Err(replayed()),
            Err(error) => {
                tracing::warn!(%error, "claim store unavailable: a request seen elsewhere is refused as a replay");
                return Err(replayed());
            }
        };
        match self.first_delivery_outcome(self.cache.claim(key.clone())).await {
            Ok(shared) => Ok(shared),
            Err(id) => Ok(self
                .share_elsewhere(Arc::clone(store), shared_key, claimed, id, &key)
                .await),
        }
    }

    /// This process's entry `id` for a push another instance claimed: settled with that instance's reply once it
    /// is in the store (a task asks for it, for at most the de-duplication TTL, so this process's own retries wait
    /// for it like for a local handler); this request waits for it at most the deadline.
    async fn share_elsewhere(
        &self,
        store: Arc<dyn ClaimStore>,
        shared_key: String,
        claimed: Claimed,
        id: EntryId,
        key: &DedupeKey,
    ) -> Outcome {
        if let Claimed::Replied(reply) = claimed {
            tracing::debug!("retried push: sharing another instance's reply");
            let outcome: Outcome = reply.map(Arc::from);
            self.cache.settle(id, Ok(outcome.clone()));
            return outcome;
        }
        tracing::debug!("retried push: waiting for another instance's reply");
        let (cache, ttl) = (Arc::clone(&self.cache), self.dedupe_ttl);
        tokio::spawn(async move {
            let reply = reply_from_elsewhere(&*store, &shared_key, ttl).await;
            cache.settle(id, Ok(reply.map(Arc::from)));
        });
        match self.cache.find(key) {
            Some(claim) => self.first_delivery_outcome(claim).await.unwrap_or_default(),
            // Evicted meanwhile (a full cache): nothing left to wait on.
            None => None,
        }
    }

    /// A repeated request: WeChat's retry (the same push) shares the first delivery's reply and runs nothing;
    /// another push under the same signature, or the same one once its reply is forgotten, is a replay.
    async fn retry(&self, push: &Push) -> Result<Outcome, PushError> {
        let Some(claim) = self.cache.find(&push.dedupe_key()) else {
            return Err(VerifyError::Replayed.into());
        };
        self.first_delivery_outcome(claim)
            .await
            .map_err(|_| VerifyError::Replayed.into())
    }

    /// A retry's share of the first delivery's outcome (waited for while its handler runs), or the entry to run
    /// the handler for when this is the first delivery.
    async fn first_delivery_outcome(&self, claim: Claim) -> Result<Outcome, EntryId> {
        match claim {
            Claim::First(id) => Err(id),
            Claim::Running(running) => {
                tracing::debug!("retried push: waiting for the first delivery's reply");
                let waited = tokio::time::timeout(self.deadline, running.wait()).await;
                Ok(self.settle(waited, "the first delivery"))
            }
            Claim::Settled(outcome) => {
                tracing::debug!("retried push: sharing the first delivery's reply");
                Ok(self.settle(Ok(outcome), "the first delivery"))
            }
        }
    }

    /// Runs the handler once per push and waits for its outcome at most until the deadline.
    async fn dispatch(&self, push: Push) -> Outcome {
        let key = push.dedupe_key();
        // Only a store needs the key again, after this process's cache took it.
        let shared_key = self.claims.as_ref().map(|_| (key.clone(), claim_key(&key)));
        let id = match self.first_delivery_outcome(self.cache.claim(key)).await {
            Ok(shared) => return shared,
            Err(id) => id,
        };
        let mut shared = None;
        if let (Some(store), Some((key, shared_key))) = (&self.claims, shared_key) {
            match store.claim(&shared_key, self.dedupe_ttl).await {
                Ok(None) => shared = Some((Arc::clone(store), shared_key)),
                Ok(Some(claimed)) => {
                    return self
                        .share_elsewhere(Arc::clone(store), shared_key, claimed, id, &key)
                        .await;
                }
                Err(error) => tracing::warn!(%error, "claim store unavailable: the push is handled here"),
            }
        }
        let addressee = Addressee::of(&push);
        // Polled right here (a reply that is ready costs no task and no timer); handed to the runtime only if it
        // outlives the deadline or WeChat hangs up, so the work always finishes and retries get its outcome.
        let mut first = FirstDelivery {
            cache: &self.cache,
            id,
            work: Some((Detachable::boxed((self.handler)(push)), addressee)),
            shared,
        };
        let waited = first.run(self.deadline).await;
        if let (Ok(ended), Some((store, shared_key))) = (&waited, first.shared.take()) {
            // Left before WeChat is answered, so a retry at another instance finds it.
            let reply = ended.as_ref().ok().and_then(|o| o.as_deref());
            if let Err(error) = store.reply(&shared_key, reply).await {
                tracing::warn!(%error, "claim store unavailable: the reply is not shared with other instances");
            }
        }
        self.settle(waited, "the push handler")
    }

    /// The outcome once the wait ends; `success` (None) when the handler panicked or `what` missed the deadline.
    fn settle(&self, waited: Result<Result<Outcome, Panicked>, tokio::time::error::Elapsed>, what: &str) -> Outcome {
        match waited {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(Panicked)) => {
                tracing::error!("the push handler panicked; answering success");
                None
            }
            Err(_) => {
                tracing::warn!(deadline = ?self.deadline, "{what} is past its deadline; answering success");
                None
            }
        }
    }

    fn seal(&self, mode: Mode, xml: &str) -> PushResponse {
        let cipher = match (mode.is_encrypted(), self.verifier.cipher()) {
            (false, _) => {
                return PushResponse {
                    status: 200,
                    content_type: XML,
                    body: xml.to_owned(),
                };
            }
            (true, Some(cipher)) => cipher,
            // verify() only yields an encrypted mode when a cipher is configured.
            (true, None) => return PushResponse::success(),
        };
        match cipher.seal_fresh(self.verifier.token(), xml, wx_sign::unix_timestamp()) {
            Ok(body) => PushResponse {
                status: 200,
                content_type: XML,
                body,
            },
            Err(error) => {
                tracing::error!(%error, "cannot encrypt the reply; answering success");
                PushResponse::success()
            }
        }
    }
}

/// How long accepted requests are remembered: as long as their timestamp can pass the freshness check.
fn replay_ttl(verifier: &PushVerifier) -> Duration {
    verifier
        .max_clock_skew()
        .unwrap_or(DEFAULT_MAX_CLOCK_SKEW)
        .saturating_mul(2)
}

/// The first delivery's handler, whose outcome lands in its cache entry however it ends: settled in place when it
/// finishes (or panics) before the deadline; when it outlives the deadline or the request, settled by the task it
/// moves to. Only that rare case takes a counted reference to the cache.
struct FirstDelivery<'a> {
    cache: &'a Arc<DedupeCache>,
    id: EntryId,
    /// The handler's own (boxed) future, and whom its reply goes to.
    work: Option<(Detachable<Reply>, Addressee)>,
    /// The push's claim in the shared store, where its reply is left for other instances.
    shared: Option<(Arc<dyn ClaimStore>, String)>,
}

impl FirstDelivery<'_> {
    async fn run(&mut self, deadline: Duration) -> Result<Result<Outcome, Panicked>, tokio::time::error::Elapsed> {
        let Some((work, _)) = self.work.as_mut() else {
            return Ok(Err(Panicked));
        };
        // `None`: a deadline too far off to represent (`Duration::MAX`), which is no deadline.
        let until = tokio::time::Instant::now().checked_add(deadline);
        // Most handlers answer on their first poll, and only one that does not needs a timer (making one takes a
        // counted reference to the runtime, shared by every worker thread).
        let first = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut *work).poll(cx))).await;
        let ended = match first {
            Poll::Ready(ended) => ended,
            // Past the deadline the work stays here, and dropping `self` moves it to a task.
            Poll::Pending => match until {
                Some(until) => tokio::time::timeout_at(until, work).await?,
                None => work.await,
            },
        };
        let Some((_, to)) = self.work.take() else {
            return Ok(Err(Panicked));
        };
        let ended = ended.map(|reply| outcome(reply, to));
        self.cache.settle(self.id, ended.clone());
        Ok(ended)
    }
}

impl Drop for FirstDelivery<'_> {
    fn drop(&mut self) {
        if let Some((work, to)) = self.work.take() {
            let (cache, id, shared) = (Arc::clone(self.cache), self.id, self.shared.take());
            work.detach(move |ended| {
                let ended = ended.map(|reply| outcome(reply, to));
                if let Some((store, key)) = shared {
                    let reply = ended.as_ref().ok().and_then(|o| o.as_deref().map(str::to_owned));
                    tokio::spawn(async move {
                        if let Err(error) = store.reply(&key, reply.as_deref()).await {
                            tracing::warn!(%error, "claim store unavailable: a late reply is not shared");
                        }
                    });
                }
                cache.settle(id, ended);
            });
        }
    }
}

/// A handler's reply as the XML to answer with (and to share with retries); `success` when it is invalid.
fn outcome(reply: Reply, to: Addressee) -> Outcome {
    match reply.addressed(to, wx_sign::unix_timestamp()) {
        Ok(message) => message.map(|m| Arc::from(m.to_xml())),
        Err(error) => {
            tracing::error!(%error, "the handler's reply is invalid; answering success");
            None
        }
    }
}
