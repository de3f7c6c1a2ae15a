//! Open tags' events: `ready`, `launch`, `error` (and `success` of `wx-open-subscribe`, `play`/`pause`/`ended`
//! of `wx-open-audio`) as typed handles, and the document's `WeixinOpenTagsError`.
//!
//! A handle listens until it is dropped: dropping it removes its listeners. Events that arrive while nobody
//! awaits are queued in order.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wx_jssdk::WxError> {
//! use wx_jssdk::{OpenTag, open_tags::{OpenTagEvent, OpenTagEvents}};
//! let document = web_sys::window().unwrap().document().unwrap();
//! let tag = OpenTag::LaunchWeapp
//!     .create_element(&document, &[("username", "gh_abc123")], "<button>Open</button>")?;
//! let mut events = OpenTagEvents::listen(OpenTag::LaunchWeapp, &tag)?;
//! document.body().unwrap().append_child(&tag)?;
//! while let Some(event) = events.next().await {
//!     match event {
//!         OpenTagEvent::Launch => break,
//!         OpenTagEvent::Error { err_msg } => web_sys::console::warn_1(&err_msg.into()),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

use crate::{OpenTag, WxError, js};
use std::{
    cell::RefCell,
    collections::VecDeque,
    future::poll_fn,
    rc::Rc,
    task::{Poll, Waker},
};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};

/// The document event WeChat fires when open tags cannot be rendered (the WeChat version is too old, config
/// failed, …).
pub const OPEN_TAGS_ERROR_EVENT: &str = "WeixinOpenTagsError";

/// One event of an open tag.
///
/// ```
/// use wx_jssdk::open_tags::OpenTagEvent;
/// assert_eq!(OpenTagEvent::Launch.name(), "launch");
/// assert_eq!(OpenTagEvent::Error { err_msg: "launch:fail".into() }.name(), "error");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenTagEvent {
    /// `ready`: WeChat rendered the tag.
    Ready,
    /// `launch`: the user tapped it and the mini program or app opened (`wx-open-launch-weapp`,
    /// `wx-open-launch-app`).
    Launch,
    /// `success` of `wx-open-subscribe`: the user answered; `subscribe_details` is WeChat's JSON text, one entry
    /// per template id (`{"<id>":"{\"status\":\"accept\"}"}`).
    Subscribed {
        /// `event.detail.subscribeDetails`, as WeChat sends it.
        subscribe_details: String,
    },
    /// `play` of `wx-open-audio`.
    Play,
    /// `pause` of `wx-open-audio`.
    Pause,
    /// `ended` of `wx-open-audio`.
    Ended,
    /// `error` (or `WeixinOpenTagsError`): `event.detail.errMsg`.
    Error {
        /// WeChat's errMsg, e.g. `launch:fail`.
        err_msg: String,
    },
}

impl OpenTagEvent {
    /// The DOM event's name.
    pub fn name(&self) -> &'static str {
        match self {
            OpenTagEvent::Ready => "ready",
            OpenTagEvent::Launch => "launch",
            OpenTagEvent::Subscribed { .. } => "success",
            OpenTagEvent::Play => "play",
            OpenTagEvent::Pause => "pause",
            OpenTagEvent::Ended => "ended",
            OpenTagEvent::Error { .. } => "error",
        }
    }

    /// Reads a DOM event of `name` (its `detail`); `None` for a name no open tag fires.
    fn read(name: &str, event: &JsValue) -> Option<OpenTagEvent> {
        let detail = js::get(event, "detail");
        let text = |key: &str| js::get_string(&detail, key).unwrap_or_default();
        Some(match name {
            "ready" => OpenTagEvent::Ready,
            "launch" => OpenTagEvent::Launch,
            "success" => OpenTagEvent::Subscribed {
                subscribe_details: text("subscribeDetails"),
            },
            "play" => OpenTagEvent::Play,
            "pause" => OpenTagEvent::Pause,
            "ended" => OpenTagEvent::Ended,
            "error" | OPEN_TAGS_ERROR_EVENT => OpenTagEvent::Error {
                err_msg: text("errMsg"),
            },
            _ => return None,
        })
    }
}

/// The events each tag fires.
fn event_names(tag: OpenTag) -> &'static [&'static str] {
    match tag {
        OpenTag::LaunchWeapp | OpenTag::LaunchApp => &["ready", "launch", "error"],
        OpenTag::Subscribe => &["ready", "success", "error"],
        OpenTag::Audio => &["ready", "play", "pause", "ended", "error"],
    }
}

#[derive(Default)]
struct Queue {
    events: VecDeque<OpenTagEvent>,
    waker: Option<Waker>,
}

/// The events of one open tag element (or of the document's `WeixinOpenTagsError`), until dropped.
pub struct OpenTagEvents {
    target: web_sys::EventTarget,
    names: &'static [&'static str],
    queue: Rc<RefCell<Queue>>,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl std::fmt::Debug for OpenTagEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenTagEvents")
            .field("events", &self.names)
            .field("queued", &self.queue.borrow().events.len())
            .finish()
    }
}

impl OpenTagEvents {
    /// Listens to the events `tag` fires on `element` (a `wx-open-…` element, before or after it is inserted).
    ///
    /// # Errors
    /// [`WxError::Js`] if the browser refuses the listener.
    pub fn listen(tag: OpenTag, element: &web_sys::Element) -> Result<OpenTagEvents, WxError> {
        OpenTagEvents::on(element.clone().into(), event_names(tag))
    }

    /// Listens to the document's `WeixinOpenTagsError` (each as [`OpenTagEvent::Error`]).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_jssdk::WxError> {
    /// let mut errors = wx_jssdk::open_tags::OpenTagEvents::tags_errors()?;
    /// if let Some(e) = errors.next().await { web_sys::console::warn_1(&format!("{e:?}").into()); }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`WxError::Js`] without a document.
    pub fn tags_errors() -> Result<OpenTagEvents, WxError> {
        let document = js::window()?
            .document()
            .ok_or_else(|| WxError::Js("no document".into()))?;
        OpenTagEvents::on(document.into(), &[OPEN_TAGS_ERROR_EVENT])
    }

    fn on(target: web_sys::EventTarget, names: &'static [&'static str]) -> Result<OpenTagEvents, WxError> {
        let queue = Rc::new(RefCell::new(Queue::default()));
        let feed = Rc::clone(&queue);
        let callback = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(event) = OpenTagEvent::read(&event.type_(), &event) else {
                return;
            };
            let mut q = feed.borrow_mut();
            q.events.push_back(event);
            if let Some(w) = q.waker.take() {
                w.wake();
            }
        });
        let events = OpenTagEvents {
            target,
            names,
            queue,
            callback,
        };
        for name in names {
            events
                .target
                .add_event_listener_with_callback(name, events.callback.as_ref().unchecked_ref())?;
        }
        Ok(events)
    }

    /// The next event, in the order they fired. Never ends while the handle lives (the tag may fire again).
    pub async fn next(&mut self) -> Option<OpenTagEvent> {
        poll_fn(|cx| {
            let mut q = self.queue.borrow_mut();
            match q.events.pop_front() {
                Some(event) => Poll::Ready(Some(event)),
                None => {
                    q.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// The next queued event, without waiting.
    pub fn try_next(&mut self) -> Option<OpenTagEvent> {
        self.queue.borrow_mut().events.pop_front()
    }

    /// The element (or document) listened to: the escape hatch for what this handle does not cover.
    pub fn as_raw(&self) -> &web_sys::EventTarget {
        &self.target
    }
}

impl Drop for OpenTagEvents {
    fn drop(&mut self) {
        for name in self.names {
            let _ = self
                .target
                .remove_event_listener_with_callback(name, self.callback.as_ref().unchecked_ref());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{OpenTagEvent, event_names};
    use crate::OpenTag;

    #[test]
    fn each_tag_listens_to_ready_and_error() {
        for tag in OpenTag::ALL {
            let names = event_names(tag);
            assert!(names.contains(&"ready") && names.contains(&"error"), "{tag:?}");
        }
        assert!(event_names(OpenTag::LaunchApp).contains(&OpenTagEvent::Launch.name()));
        assert!(event_names(OpenTag::Subscribe).contains(&"success"));
    }
}
