//! Listener APIs (`onVoiceRecordEnd`, `onMenuShare*`, …): a handle that yields events.

use js_sys::Function;
use std::{
    cell::RefCell,
    collections::VecDeque,
    future::poll_fn,
    rc::Rc,
    task::{Poll, Waker},
};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};

struct Shared<T> {
    queue: VecDeque<T>,
    waker: Option<Waker>,
    open: bool,
}

/// Events from a listener API. Await them with [`Listener::next`].
///
/// **On drop:** jweixin has no "off", so the bridge keeps the callback registered for the page's lifetime;
/// after the handle is dropped it becomes a no-op (events are discarded). Registering the same listener again
/// replaces the first: WeChat's bridge keeps one callback per event, the latest, so an earlier handle gets no
/// more events.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let mut ended = wx_jssdk::voice::on_voice_record_end()?;
/// let event = ended.next().await; // the recording hit the one-minute limit
/// web_sys::console::log_1(&event.local_id.into());
/// # Ok(()) }
/// ```
pub struct Listener<T> {
    shared: Rc<RefCell<Shared<T>>>,
}

impl<T> std::fmt::Debug for Listener<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("queued", &self.shared.borrow().queue.len())
            .finish()
    }
}

impl<T: 'static> Listener<T> {
    /// A listener and the JS callback factory that feeds it: `callback(tag)` is a function that, called with
    /// a result object, queues `convert(tag, result)`.
    pub(crate) fn new(convert: fn(&str, JsValue) -> T) -> (Listener<T>, impl Fn(&str) -> Function) {
        let shared = Rc::new(RefCell::new(Shared {
            queue: VecDeque::new(),
            waker: None,
            open: true,
        }));
        let feed = Rc::clone(&shared);
        let closure = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |tag: JsValue, result: JsValue| {
            let mut s = feed.borrow_mut();
            if !s.open {
                return;
            }
            s.queue.push_back(convert(&tag.as_string().unwrap_or_default(), result));
            if let Some(w) = s.waker.take() {
                w.wake();
            }
        });
        let function: Function = closure.as_ref().unchecked_ref::<Function>().clone();
        // The bridge holds this callback for the page's lifetime (no "off"); after the handle drops it is a no-op.
        closure.forget();
        let factory = move |tag: &str| {
            function
                .bind1(&JsValue::NULL, &JsValue::from_str(tag))
                .unchecked_into::<Function>()
        };
        (Listener { shared }, factory)
    }

    /// The next event, waiting for it if none is queued.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), wx_jssdk::WxError> {
    /// let mut played = wx_jssdk::voice::on_voice_play_end()?;
    /// let finished = played.next().await.local_id;
    /// # Ok(()) }
    /// ```
    pub async fn next(&mut self) -> T {
        poll_fn(|cx| {
            let mut s = self.shared.borrow_mut();
            match s.queue.pop_front() {
                Some(event) => Poll::Ready(event),
                None => {
                    s.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// The next event if one is queued, without waiting.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), wx_jssdk::WxError> {
    /// let mut played = wx_jssdk::voice::on_voice_play_end()?;
    /// assert!(played.try_next().is_none());
    /// # Ok(()) }
    /// ```
    pub fn try_next(&mut self) -> Option<T> {
        self.shared.borrow_mut().queue.pop_front()
    }
}

impl<T> Drop for Listener<T> {
    fn drop(&mut self) {
        let mut s = self.shared.borrow_mut();
        s.open = false;
        s.queue.clear();
    }
}
