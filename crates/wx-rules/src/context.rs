//! What a rule, hook or handler sees of one push: the push, the captures of the rule that matched, the
//! follower's session and the dialogue controls.

use crate::matcher::{self, Captures};
use crate::session::SessionData;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError},
};
use wx_push::Push;

/// One push being answered. Cheap to clone (handlers take it by value); every clone shares the same session,
/// so what a hook writes a rule reads.
///
/// ```
/// use wx_rules::{Router, Rule};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let router = Router::new().rule(Rule::new("count").exact("count").reply_with(|ctx: wx_rules::Context| async move {
///     let n: u32 = ctx.get("n").and_then(|n| n.parse().ok()).unwrap_or(0) + 1;
///     ctx.set("n", n.to_string());
///     wx_push::Reply::text(format!("{n}"))
/// }));
/// # let push = |id| wx_push::Push { to_user_name: "gh".into(), from_user_name: "o".into(), create_time: 1,
/// #     body: wx_push::PushBody::Message(wx_push::Message::Text { content: "count".into(), msg_id: id }) };
/// assert_eq!(router.answer(push(1)).await, wx_push::Reply::text("1"));
/// assert_eq!(router.answer(push(2)).await, wx_push::Reply::text("2"));
/// # });
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

struct Inner {
    push: Push,
    /// The text lowercased, once per push however many rules compare it.
    lowered: OnceLock<Option<String>>,
    vars: Arc<HashMap<String, String>>,
    state: Mutex<State>,
}

pub(crate) struct State {
    pub(crate) captures: Captures,
    pub(crate) session: SessionData,
    pub(crate) dirty: bool,
    pub(crate) next: NextWait,
    pub(crate) retries: u32,
    /// What the matched rule sends after its reply.
    pub(crate) follow_up: Option<crate::rule::FollowUp>,
}

/// What the answer decided about the follower's next message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NextWait {
    /// Nothing said: a wait rule's answer ends the dialogue; a rule's leaves no wait.
    Unsaid,
    /// Wait with this wait rule.
    Wait(String),
    /// Keep the current wait, one more retry counted.
    Rewait,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("openid", &self.inner.push.from_user_name)
            .finish_non_exhaustive()
    }
}

impl Context {
    pub(crate) fn new(push: Push, session: SessionData, vars: Arc<HashMap<String, String>>) -> Self {
        Self {
            inner: Arc::new(Inner {
                push,
                lowered: OnceLock::new(),
                vars,
                state: Mutex::new(State {
                    captures: Captures::default(),
                    session,
                    dirty: false,
                    next: NextWait::Unsaid,
                    retries: 0,
                    follow_up: None,
                }),
            }),
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The push.
    pub fn push(&self) -> &Push {
        &self.inner.push
    }

    /// The follower's openid (`FromUserName`).
    pub fn openid(&self) -> &str {
        &self.inner.push.from_user_name
    }

    /// The text the follower sent (a voice message's recognition too), if any.
    pub fn text(&self) -> Option<&str> {
        matcher::text(&self.inner.push)
    }

    pub(crate) fn lowered_text(&self) -> Option<&str> {
        self.inner
            .lowered
            .get_or_init(|| self.text().map(str::to_lowercase))
            .as_deref()
    }

    /// Group `i` of the matching rule's regular expression (`0`: the whole match, or the keyword found).
    pub fn capture(&self, i: usize) -> Option<String> {
        self.state().captures.groups.get(i).cloned().flatten()
    }

    /// A named group of the matching rule's regular expression.
    pub fn named(&self, name: &str) -> Option<String> {
        let state = self.state();
        state
            .captures
            .named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// The session's value under `key`.
    pub fn get(&self, key: &str) -> Option<String> {
        self.state().session.values.get(key).cloned()
    }

    /// Sets the session's `key` (saved after the reply).
    pub fn set(&self, key: impl Into<String>, value: impl Into<String>) {
        let mut state = self.state();
        state.session.values.insert(key.into(), value.into());
        state.dirty = true;
    }

    /// Removes the session's `key`.
    pub fn remove(&self, key: &str) -> Option<String> {
        let mut state = self.state();
        let old = state.session.values.remove(key);
        state.dirty |= old.is_some();
        old
    }

    /// Answers the follower's next message with the wait rule `name` (webot's `info.wait`).
    pub fn wait(&self, name: impl Into<String>) {
        self.state().next = NextWait::Wait(name.into());
    }

    /// In a wait rule: keep waiting with the same rule, one more retry (webot's `info.rewait`).
    pub fn rewait(&self) {
        self.state().next = NextWait::Rewait;
    }

    /// In a wait rule: how many times the wait was retried so far (webot's `rewaitCount`).
    pub fn retries(&self) -> u32 {
        self.state().retries
    }

    /// A router variable (`public_url`).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.inner.vars.get(name).map(String::as_str)
    }

    /// The value of a template placeholder (see [`Template`](crate::Template)).
    pub(crate) fn placeholder(&self, name: &str) -> Option<String> {
        let push = &self.inner.push;
        match name {
            "openid" => return Some(push.from_user_name.clone()),
            "account" => return Some(push.to_user_name.clone()),
            "content" => return self.text().map(str::to_owned),
            "msg_type" => return Some(matcher::msg_type(push).to_owned()),
            "event" => return matcher::event_name(push).map(str::to_owned),
            "event_key" => return matcher::event_key(push),
            "scene" => return matcher::scene(push).map(str::to_owned),
            "scan_type" => return matcher::scan_code(push).map(|i| i.scan_type.clone()),
            "scan_result" => return matcher::scan_code(push).map(|i| i.scan_result.clone()),
            _ => {}
        }
        if let Ok(i) = name.parse::<usize>() {
            return self.capture(i);
        }
        if let Some(key) = name.strip_prefix("session.") {
            return self.get(key);
        }
        self.named(name).or_else(|| self.var(name).map(str::to_owned))
    }
}
