//! Listener APIs (`onVoiceRecordEnd`, `onMenuShare*`, …): a handle that yields events.
//!
//! jweixin has no "off", and WeChat's bridge keeps one callback per event, the latest registration's. So each
//! event gets one Rust closure for the page's lifetime, kept in a thread-local registry (not one per
//! registration), and the registry says which handle's queue it feeds: the newest. A new registration closes
//! the previous handle; dropping the newest one detaches it (events then go nowhere).

use crate::{WxError, js};
use js_sys::{Function, Object};
use std::{
    cell::RefCell,
    collections::VecDeque,
    future::poll_fn,
    rc::Rc,
    task::{Poll, Waker},
};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};

/// A queue that the event's closure feeds, whatever its event type.
trait Sink {
    fn push(&self, tag: &str, result: JsValue);
    fn close(&self);
}

struct Queue<T> {
    state: RefCell<State<T>>,
    convert: fn(&str, JsValue) -> T,
}

struct State<T> {
    events: VecDeque<T>,
    waker: Option<Waker>,
    open: bool,
}

impl<T> Sink for Queue<T> {
    fn push(&self, tag: &str, result: JsValue) {
        // Converted before borrowing: reading the result runs JS (getters).
        let event = (self.convert)(tag, result);
        let mut s = self.state.borrow_mut();
        if s.open {
            s.events.push_back(event);
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        }
    }

    fn close(&self) {
        let mut s = self.state.borrow_mut();
        s.open = false;
        if let Some(w) = s.waker.take() {
            w.wake();
        }
    }
}

/// One event's entry in the registry.
struct Slot {
    event: &'static str,
    /// The only callback jweixin ever gets for this event (bound to a tag per use); lives as long as the page.
    callback: Closure<dyn FnMut(JsValue, JsValue)>,
    /// The newest handle's queue; `None` once that handle dropped.
    current: Option<Rc<dyn Sink>>,
}

thread_local! {
    static SLOTS: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
}

/// The event's callback, created on its first registration.
fn callback(event: &'static str) -> Result<Function, WxError> {
    SLOTS.with(|slots| {
        let mut slots = slots
            .try_borrow_mut()
            .map_err(|_| WxError::Js("listener registry busy".into()))?;
        if let Some(slot) = slots.iter().find(|s| s.event == event) {
            return Ok(slot.callback.as_ref().unchecked_ref::<Function>().clone());
        }
        let callback = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |tag: JsValue, result: JsValue| {
            let current = SLOTS.with(|slots| {
                slots
                    .try_borrow()
                    .ok()
                    .and_then(|slots| slots.iter().find(|s| s.event == event)?.current.clone())
            });
            if let Some(sink) = current {
                sink.push(&tag.as_string().unwrap_or_default(), result);
            }
        });
        let function = callback.as_ref().unchecked_ref::<Function>().clone();
        slots.push(Slot {
            event,
            callback,
            current: None,
        });
        Ok(function)
    })
}

/// Registers `wx.<api>(options)` with the event's callback under each of `tags` (`complete`, `trigger`), and
/// returns the handle that now receives the event, `convert(tag, result)` each time. Waits for the bridge
/// first: without it jweixin drops the registration without a word.
pub(crate) async fn listen<T: 'static>(
    api: &'static str,
    options: Object,
    tags: &[&str],
    convert: fn(&str, JsValue) -> T,
) -> Result<Listener<T>, WxError> {
    let wx = js::wx()?;
    let register = crate::config::method(&wx, api)?;
    crate::bridge::required().await?;
    let callback = callback(api)?;
    for tag in tags {
        js::set(&options, tag, &callback.bind1(&JsValue::NULL, &JsValue::from_str(tag)))?;
    }
    register.call1(&wx, &options)?;
    let queue = Rc::new(Queue {
        state: RefCell::new(State {
            events: VecDeque::new(),
            waker: None,
            open: true,
        }),
        convert,
    });
    let previous = SLOTS.with(|slots| {
        let mut slots = slots.try_borrow_mut().ok()?;
        let slot = slots.iter_mut().find(|s| s.event == api)?;
        slot.current.replace(Rc::clone(&queue) as Rc<dyn Sink>)
    });
    // Closed outside the registry's borrow: closing wakes the old handle's task.
    if let Some(previous) = previous {
        previous.close();
    }
    Ok(Listener { queue, event: api })
}

/// Events from a listener API. Await them with [`Listener::next`].
///
/// WeChat's bridge keeps one callback per event, the latest registration's. So registering the same listener
/// again closes this handle: [`next`](Self::next) then yields what was already queued, then `None`.
///
/// **On drop:** the event is detached (jweixin has no "off": WeChat still calls the event's one callback,
/// which discards the event). Nothing is leaked per registration: each event has one callback for the page's
/// lifetime.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let mut ended = wx_jssdk::voice::on_voice_record_end().await?;
/// while let Some(event) = ended.next().await {
///     let ended = event?; // the recording hit the one-minute limit
///     web_sys::console::log_1(&ended.local_id.into());
/// }
/// // Another on_voice_record_end() took over.
/// # Ok(()) }
/// ```
pub struct Listener<T> {
    queue: Rc<Queue<T>>,
    event: &'static str,
}

impl<T> std::fmt::Debug for Listener<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.queue.state.borrow();
        f.debug_struct("Listener")
            .field("event", &self.event)
            .field("queued", &s.events.len())
            .field("open", &s.open)
            .finish()
    }
}

impl<T> Listener<T> {
    /// The next event, waiting for it if none is queued; `None` once a newer registration of the same
    /// listener replaced this one (after the events already queued).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_jssdk::WxError> {
    /// let mut played = wx_jssdk::voice::on_voice_play_end().await?;
    /// if let Some(finished) = played.next().await {
    ///     let local_id = finished?.local_id;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next(&mut self) -> Option<T> {
        poll_fn(|cx| {
            let mut s = self.queue.state.borrow_mut();
            if let Some(event) = s.events.pop_front() {
                Poll::Ready(Some(event))
            } else if !s.open {
                Poll::Ready(None)
            } else {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }

    /// The next event if one is queued, without waiting.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_jssdk::WxError> {
    /// let mut played = wx_jssdk::voice::on_voice_play_end().await?;
    /// assert!(played.try_next().is_none());
    /// # Ok(()) }
    /// ```
    pub fn try_next(&mut self) -> Option<T> {
        self.queue.state.borrow_mut().events.pop_front()
    }

    /// `true` once a newer registration of the same listener replaced this one.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_jssdk::WxError> {
    /// let first = wx_jssdk::voice::on_voice_play_end().await?;
    /// let second = wx_jssdk::voice::on_voice_play_end().await?;
    /// assert!(first.is_replaced() && !second.is_replaced());
    /// # Ok(()) }
    /// ```
    pub fn is_replaced(&self) -> bool {
        !self.queue.state.borrow().open
    }
}

impl<T> Drop for Listener<T> {
    fn drop(&mut self) {
        {
            let mut s = self.queue.state.borrow_mut();
            s.open = false;
            s.events.clear();
            s.waker = None;
        }
        let mine = Rc::as_ptr(&self.queue);
        // Detach, if this is still the newest handle (an older one's slot already feeds another queue).
        let detached = SLOTS.with(|slots| {
            let mut slots = slots.try_borrow_mut().ok()?;
            let slot = slots.iter_mut().find(|s| s.event == self.event)?;
            if slot
                .current
                .as_ref()
                .is_some_and(|c| std::ptr::addr_eq(Rc::as_ptr(c), mine))
            {
                slot.current.take()
            } else {
                None
            }
        });
        drop(detached);
    }
}
