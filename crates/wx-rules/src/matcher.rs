//! What a rule matches: the push's type, event, event key, text, or a predicate of yours.

use crate::context::Context;
use regex::Regex;
use std::sync::Arc;
use wx_push::{Event, Message, Push, PushBody};

/// A predicate over the push and session.
pub(crate) type Predicate = Arc<dyn Fn(&Context) -> bool + Send + Sync>;

/// One condition of a rule; a rule matches when all of its matchers do.
#[derive(Clone)]
pub(crate) enum Matcher {
    /// `MsgType` (`text`, `image`, `event`, …), ASCII case ignored.
    MsgType(String),
    /// `Event` (`subscribe`, `SCAN`, `CLICK`, …), ASCII case ignored; a trailing `*` matches a prefix
    /// (`scancode_*`, `pic_*`).
    Event(String),
    /// `EventKey` equal to this.
    EventKey(String),
    /// `EventKey` starting with this (`qrscene_`).
    EventKeyPrefix(String),
    /// Any text message (the wait rules of dialogues); `{0}` is the text.
    AnyText,
    /// The text, trimmed, equal to this (case ignored): kept trimmed and lowercased.
    Exact(String),
    /// The text contains one of these (case ignored); `{0}` is the keyword found.
    Keywords(Vec<Keyword>),
    /// The text matches; groups become `{1}`, `{2}`, … and named groups `{name}`.
    Regex(Regex),
    /// Your predicate.
    When(Predicate),
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MsgType(t) => write!(f, "MsgType({t})"),
            Self::Event(e) => write!(f, "Event({e})"),
            Self::EventKey(k) => write!(f, "EventKey({k})"),
            Self::EventKeyPrefix(k) => write!(f, "EventKeyPrefix({k})"),
            Self::AnyText => write!(f, "AnyText"),
            Self::Exact(t) => write!(f, "Exact({t})"),
            Self::Keywords(k) => write!(f, "Keywords({:?})", k.iter().map(|k| &k.word).collect::<Vec<_>>()),
            Self::Regex(r) => write!(f, "Regex({})", r.as_str()),
            Self::When(_) => write!(f, "When(..)"),
        }
    }
}

/// A keyword as given (what `{0}` shows) and lowercased once (what is searched for).
#[derive(Debug, Clone)]
pub(crate) struct Keyword {
    pub(crate) word: String,
    pub(crate) lowered: String,
}

impl Keyword {
    pub(crate) fn new(word: String) -> Self {
        let lowered = word.to_lowercase();
        Self { word, lowered }
    }
}

/// What a matching text left for the templates.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Captures {
    pub(crate) groups: Vec<Option<String>>,
    pub(crate) named: Vec<(String, String)>,
}

impl Matcher {
    /// `None`: no match; `Some(None)`: a match without captures; `Some(Some(c))`: a match with captures.
    pub(crate) fn test(&self, ctx: &Context) -> Option<Option<Captures>> {
        let push = ctx.push();
        let yes = |b: bool| b.then_some(None);
        match self {
            Self::MsgType(t) => yes(msg_type(push).eq_ignore_ascii_case(t)),
            Self::Event(e) => yes(event_name(push).is_some_and(|name| event_is(name, e))),
            Self::EventKey(k) => yes(event_key(push).is_some_and(|key| key == *k)),
            Self::EventKeyPrefix(p) => yes(event_key(push).is_some_and(|key| key.starts_with(p.as_str()))),
            Self::AnyText => Some(Some(Captures {
                groups: vec![Some(text(push)?.to_owned())],
                named: Vec::new(),
            })),
            Self::Exact(t) => (ctx.lowered_text()?.trim() == t).then(|| {
                Some(Captures {
                    groups: vec![text(push).map(|c| c.trim().to_owned())],
                    named: Vec::new(),
                })
            }),
            Self::Keywords(words) => {
                let content = ctx.lowered_text()?;
                let found = words.iter().find(|w| content.contains(w.lowered.as_str()))?;
                Some(Some(Captures {
                    groups: vec![Some(found.word.clone())],
                    named: Vec::new(),
                }))
            }
            Self::Regex(re) => {
                let caps = re.captures(text(push)?)?;
                let groups = caps.iter().map(|m| m.map(|m| m.as_str().to_owned())).collect();
                let named = re
                    .capture_names()
                    .flatten()
                    .filter_map(|n| caps.name(n).map(|m| (n.to_owned(), m.as_str().to_owned())))
                    .collect();
                Some(Some(Captures { groups, named }))
            }
            Self::When(predicate) => yes(predicate(ctx)),
        }
    }
}

/// The push's `MsgType`.
pub(crate) fn msg_type(push: &Push) -> &str {
    match &push.body {
        PushBody::Message(m) => m.msg_type(),
        PushBody::Event(_) => "event",
        PushBody::Unknown { msg_type, .. } => msg_type,
    }
}

/// The push's `Event`, for events.
pub(crate) fn event_name(push: &Push) -> Option<&str> {
    match &push.body {
        PushBody::Event(e) => Some(e.name()),
        PushBody::Unknown { event, .. } => event.as_deref(),
        PushBody::Message(_) => None,
    }
}

/// The text a follower sent: a text message's content, or a voice message's recognition.
pub(crate) fn text(push: &Push) -> Option<&str> {
    match &push.body {
        PushBody::Message(Message::Text { content, .. }) => Some(content),
        PushBody::Message(Message::Voice {
            recognition: Some(r), ..
        }) => Some(r),
        _ => None,
    }
}

/// The event's `EventKey` as WeChat sends it (`qrscene_42` for a follow from a scene code, `42` for `SCAN`).
pub(crate) fn event_key(push: &Push) -> Option<String> {
    let PushBody::Event(event) = &push.body else {
        return None;
    };
    Some(match event {
        Event::Subscribe { scene } => format!("qrscene_{}", scene.as_ref()?.value),
        Event::Scan(scene) => scene.value.clone(),
        Event::View { url, .. } => url.clone(),
        Event::Click { key }
        | Event::ScanCodePush { key, .. }
        | Event::ScanCodeWaitMsg { key, .. }
        | Event::PicSysPhoto { key, .. }
        | Event::PicPhotoOrAlbum { key, .. }
        | Event::PicWeixin { key, .. }
        | Event::LocationSelect { key, .. } => key.clone(),
        Event::Unsubscribe | Event::Location { .. } | Event::TemplateSendJobFinish { .. } => return None,
        // Events wx-push learns later carry their key in their own fields; until named here, no key.
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

/// The scene of a follow from a scene QR code or of a `SCAN`.
pub(crate) fn scene(push: &Push) -> Option<&str> {
    match &push.body {
        PushBody::Event(Event::Subscribe { scene: Some(s) } | Event::Scan(s)) => Some(&s.value),
        _ => None,
    }
}

/// The scan of a `scancode_push` or `scancode_waitmsg` menu event.
pub(crate) fn scan_code(push: &Push) -> Option<&wx_push::ScanCodeInfo> {
    match &push.body {
        PushBody::Event(Event::ScanCodePush { info, .. } | Event::ScanCodeWaitMsg { info, .. }) => Some(info),
        _ => None,
    }
}

/// `name` is the event `pattern` names: equal, or starting with what comes before a trailing `*` (case ignored).
fn event_is(name: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
        None => name.eq_ignore_ascii_case(pattern),
    }
}
