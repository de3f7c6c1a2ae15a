//! The router: hooks, the follower's pending wait, then the rules in order; the session saved after.

use crate::context::{Context, NextWait};
use crate::rule::{BoxFuture, FollowUp, Group, Rule, WaitRule};
use crate::session::{DEFAULT_SESSION_TTL, MemorySessionStore, SessionData, SessionStore, WaitState, now_secs};
use std::{collections::HashMap, future::Future, sync::Arc, time::Duration};
use wx_push::{Push, PushHandler, Reply};

type BeforeFn = Arc<dyn Fn(Context) -> BoxFuture<Option<Reply>> + Send + Sync>;
type AfterFn = Arc<dyn Fn(Context, Reply) -> BoxFuture<Reply> + Send + Sync>;

/// How long one session load or save may take before the router answers without it. Two of them fit well
/// inside WeChat's 5 s (and wx-push's 4 s deadline) with time left for the rule.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_millis(800);

/// Ordered, named rules that answer pushes: a [`PushHandler`]. First match wins; nothing matched → `success`.
///
/// For each push: the follower's session is loaded (a store that fails or is slow is logged and the push is
/// answered as with a fresh session); the before hooks run (one may answer, and nothing else runs); a pending
/// wait (dialogue) answers a user's message; otherwise the rules are tried in order. The after hooks see and may
/// change the reply; the session is saved if anything changed it.
///
/// ```
/// use wx_push::{Message, Push, PushBody, Reply};
/// use wx_rules::{Router, Rule};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let router = Router::new()
///     .rule(Rule::new("hello").keywords(["hi", "hello"]).template("Hello, {openid}!")?)
///     .rule(Rule::new("echo").any_text().template("You said: {content}")?);
/// let push = Push { to_user_name: "gh".into(), from_user_name: "o1".into(), create_time: 1,
///     body: PushBody::Message(Message::Text { content: "oh hi".into(), msg_id: 1 }) };
/// assert_eq!(router.answer(push).await, Reply::text("Hello, o1!"));
/// # Ok::<(), wx_rules::RuleError>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct Router {
    rules: Vec<Rule>,
    waits: HashMap<String, WaitRule>,
    before: Vec<BeforeFn>,
    after: Vec<AfterFn>,
    vars: Arc<HashMap<String, String>>,
    store: Arc<dyn SessionStore>,
    key_prefix: String,
    ttl: Duration,
    store_timeout: Duration,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("rules", &self.rules.iter().map(Rule::name).collect::<Vec<_>>())
            .field("waits", &self.waits.keys().collect::<Vec<_>>())
            .field("store", &self.store.describe())
            .finish_non_exhaustive()
    }
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

impl Router {
    /// No rules, sessions in memory for [`DEFAULT_SESSION_TTL`].
    pub fn new() -> Self {
        Self {
            rules: Vec::new(),
            waits: HashMap::new(),
            before: Vec::new(),
            after: Vec::new(),
            vars: Arc::new(HashMap::new()),
            store: Arc::new(MemorySessionStore::default()),
            key_prefix: String::new(),
            ttl: DEFAULT_SESSION_TTL,
            store_timeout: DEFAULT_STORE_TIMEOUT,
        }
    }

    /// Adds a rule after the others.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Adds a group's rules after the others, each behind the group's guard.
    pub fn group(mut self, group: Group) -> Self {
        self.rules.extend(group.into_rules());
        self
    }

    /// Adds (or replaces) a wait rule.
    pub fn wait_rule(mut self, wait: WaitRule) -> Self {
        self.waits.insert(wait.name.clone(), wait);
        self
    }

    /// Runs `hook` before the rules: `Some(reply)` answers at once (a filter), `None` goes on (load a user into
    /// the session, log).
    pub fn before<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Reply>> + Send + 'static,
    {
        self.before.push(Arc::new(move |ctx| Box::pin(hook(ctx))));
        self
    }

    /// Runs `hook` on every reply (including `success`), in order; it returns the reply to send.
    pub fn after<F, Fut>(mut self, hook: F) -> Self
    where
        F: Fn(Context, Reply) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        self.after.push(Arc::new(move |ctx, reply| Box::pin(hook(ctx, reply))));
        self
    }

    /// Sets a variable templates read as `{name}` (`public_url`).
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.vars).insert(name.into(), value.into());
        self
    }

    /// Keeps sessions in `store` under `<prefix><openid>` (a prefix keeps accounts apart in a shared store).
    pub fn session_store(mut self, store: Arc<dyn SessionStore>, prefix: impl Into<String>) -> Self {
        self.store = store;
        self.key_prefix = prefix.into();
        self
    }

    /// How long a session lives after its last change.
    pub fn session_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long a session load or save may take ([`DEFAULT_STORE_TIMEOUT`]).
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// The rules' names, in order.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(Rule::name)
    }

    /// The session store's description.
    pub fn store_description(&self) -> String {
        self.store.describe()
    }

    /// The reply to `push` (what [`PushHandler::handle`] returns).
    pub async fn answer(&self, push: Push) -> Reply {
        self.answer_with_follow_up(push).await.0
    }

    /// The reply to `push`, and the [`FollowUp`] the matched rule sends after it (a rule file's `follow_up`,
    /// [`Rule::follow_up_news`]), which the caller sends as a customer-service message: wx-rules does no network
    /// I/O of its own.
    pub async fn answer_with_follow_up(&self, push: Push) -> (Reply, Option<FollowUp>) {
        let key = format!("{}{}", self.key_prefix, push.from_user_name);
        let session = self.load(&key).await;
        let ctx = Context::new(push, session, Arc::clone(&self.vars));
        let mut reply = self.decide(&ctx).await;
        for hook in &self.after {
            reply = hook(ctx.clone(), reply).await;
        }
        let changed = {
            let mut state = ctx.state();
            std::mem::take(&mut state.dirty).then(|| state.session.encode())
        };
        if let Some(text) = changed {
            self.save(&key, &text).await;
        }
        let follow_up = ctx.state().follow_up.take();
        (reply, follow_up)
    }

    async fn decide(&self, ctx: &Context) -> Reply {
        for hook in &self.before {
            if let Some(reply) = hook(ctx.clone()).await {
                return reply;
            }
        }
        if let Some(reply) = self.answer_wait(ctx).await {
            return reply;
        }
        for rule in &self.rules {
            if let Some(reply) = self.try_rule(rule, ctx, false).await {
                return reply;
            }
        }
        Reply::Success
    }

    /// The pending wait's answer to a user's message, or `None` to go on to the rules.
    async fn answer_wait(&self, ctx: &Context) -> Option<Reply> {
        let text = ctx.text()?.to_owned();
        let pending = ctx.state().session.wait.clone()?;
        let forget = |ctx: &Context| {
            let mut state = ctx.state();
            state.session.wait = None;
            state.dirty = true;
        };
        let Some(wait) = self.waits.get(&pending.rule) else {
            // The rule file changed under a dialogue in progress: the dialogue is over.
            tracing::info!(rule = %pending.rule, "a pending wait names no wait rule any more; forgotten");
            forget(ctx);
            return None;
        };
        if now_secs().saturating_sub(pending.since) > wait.timeout.as_secs() {
            forget(ctx);
            return None;
        }
        if wait.is_escape(&text) {
            forget(ctx);
            return Some(wait.escaped.render(ctx).await);
        }
        ctx.state().retries = pending.retries;
        for branch in &wait.branches {
            if let Some(reply) = self.try_rule(branch, ctx, true).await {
                return Some(reply);
            }
        }
        if pending.retries < wait.retries {
            {
                let mut state = ctx.state();
                state.session.wait = Some(WaitState {
                    retries: pending.retries + 1,
                    since: now_secs(),
                    ..pending
                });
                state.dirty = true;
            }
            return Some(wait.retry.render(ctx).await);
        }
        forget(ctx);
        Some(wait.give_up.render(ctx).await)
    }

    /// The rule's answer if it matches. In a wait (`waiting`), an answer that says nothing ends the wait.
    async fn try_rule(&self, rule: &Rule, ctx: &Context, waiting: bool) -> Option<Reply> {
        let mut captures = None;
        for m in &rule.matchers {
            if let Some(found) = m.test(ctx)? {
                captures = Some(found);
            }
        }
        ctx.state().captures = captures.unwrap_or_default();
        if let Some((group, guard)) = &rule.guard
            && let Some(reply) = guard(ctx.clone()).await
        {
            tracing::debug!(rule = %rule.name, %group, "the group's guard answered");
            return Some(reply);
        }
        for (key, template) in &rule.save {
            let value = template.render(ctx);
            ctx.set(key.clone(), value);
        }
        ctx.state().next = match &rule.then_wait {
            Some(name) => NextWait::Wait(name.clone()),
            None => NextWait::Unsaid,
        };
        let reply = match &rule.answer {
            Some(answer) => answer.render(ctx).await,
            None => Reply::Success,
        };
        let follow_up = rule.follow_up.as_ref().map(|f| f.render(ctx));
        let mut state = ctx.state();
        state.follow_up = follow_up;
        let next = std::mem::replace(&mut state.next, NextWait::Unsaid);
        let now = now_secs();
        let wait = match next {
            NextWait::Wait(name) => Some(Some(WaitState {
                rule: name,
                retries: 0,
                since: now,
            })),
            NextWait::Rewait => state.session.wait.clone().map(|w| {
                Some(WaitState {
                    retries: w.retries + 1,
                    since: now,
                    ..w
                })
            }),
            NextWait::Unsaid if waiting => Some(None),
            NextWait::Unsaid => None,
        };
        if let Some(wait) = wait {
            if let Some(w) = &wait
                && !self.waits.contains_key(&w.rule)
            {
                tracing::warn!(rule = %rule.name, wait = %w.rule, "waits for a wait rule that does not exist");
            }
            state.session.wait = wait;
            state.dirty = true;
        }
        tracing::debug!(rule = %rule.name, "matched");
        Some(reply)
    }

    async fn load(&self, key: &str) -> SessionData {
        match tokio::time::timeout(self.store_timeout, self.store.load(key)).await {
            Ok(Ok(Some(text))) => SessionData::decode(key, &text),
            Ok(Ok(None)) => SessionData::default(),
            Ok(Err(error)) => {
                tracing::warn!(%error, "could not load the session; answering as with a fresh one");
                SessionData::default()
            }
            Err(_) => {
                tracing::warn!(
                    "the session store ({}) did not answer within {:?}; answering as with a fresh session",
                    self.store.describe(),
                    self.store_timeout
                );
                SessionData::default()
            }
        }
    }

    async fn save(&self, key: &str, text: &str) {
        match tokio::time::timeout(self.store_timeout, self.store.save(key, text, self.ttl)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "could not save the session; the reply is sent without it"),
            Err(_) => tracing::warn!(
                "the session store ({}) did not answer within {:?}; the session is not saved",
                self.store.describe(),
                self.store_timeout
            ),
        }
    }
}

impl PushHandler for Router {
    fn handle(&self, push: Push) -> impl Future<Output = Reply> + Send {
        self.answer(push)
    }
}
