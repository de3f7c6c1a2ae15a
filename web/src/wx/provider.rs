//! The WeChat state: `use_wx_state()` loads and configures the JS-SDK once and re-configures after a URL change
//! when the platform's rule needs it; the root provides what it returns with [`WxProvider`], and components
//! below read it with [`use_wx`].

use super::boot::{self, ConfigFailure};
use crate::{
    effect::{no_cleanup, use_effect_keyed},
    router::Location,
    task::spawn,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use wx_jssdk::{Configured, Environment, Preload};
use yew::prelude::*;

/// Where configuration stands.
#[derive(Debug, Clone, PartialEq)]
pub enum WxStatus {
    /// Loading jweixin or waiting for `wx.ready`.
    Loading,
    /// `wx.ready` fired for this signed config.
    Ready(Configured),
    /// `wx.error`, or the SDK could not be loaded.
    Failed(ConfigFailure),
}

/// What the views read: the environment, the configuration status and how to configure again. Cheap to clone
/// and to compare: the `WxProvider` compares it on every render of the root and clones it for each reader, so the
/// environment and the status sit behind `Rc`s, compared by pointer (each change makes a new one).
#[derive(Debug, Clone)]
pub struct WxContext {
    /// The real environment, detected before any emulator was installed.
    pub env: Rc<Environment>,
    /// The page runs on wx-jssdk's emulator.
    pub emulated: bool,
    pub status: Rc<WxStatus>,
    state: UseReducerDispatcher<WxState>,
}

impl PartialEq for WxContext {
    fn eq(&self, other: &WxContext) -> bool {
        Rc::ptr_eq(&self.env, &other.env)
            && self.emulated == other.emulated
            && Rc::ptr_eq(&self.status, &other.status)
            && self.state == other.state
    }
}

impl WxContext {
    pub fn is_ready(&self) -> bool {
        matches!(*self.status, WxStatus::Ready(_))
    }

    /// Runs loading and configuration again (e.g. after fixing the backend).
    pub fn reconfigure(&self) {
        boot(self.env.clone(), self.state.clone(), Preload::default());
    }

    /// A click handler that runs [`reconfigure`](Self::reconfigure): one closure type for the banner's and
    /// the config panel's buttons (ARCHITECTURE.md, "Size rules").
    pub fn on_reconfigure(&self) -> Callback<MouseEvent> {
        let wx = self.clone();
        Callback::from(move |_: MouseEvent| wx.reconfigure())
    }
}

/// Loads and configures (adopting what index.html's script did in `preload`), reporting to `state`.
fn boot(env: Rc<Environment>, state: UseReducerDispatcher<WxState>, preload: Preload) {
    state.dispatch(WxAction::Start);
    spawn(async move {
        let (emulated, status) = match boot::start(&env, preload) {
            Ok((emulated, preload)) => (emulated, configure_latest(preload).await),
            Err(error) => (
                false,
                Some(WxStatus::Failed(ConfigFailure {
                    error,
                    signed: None,
                    url: wx_jssdk::url_to_sign(),
                })),
            ),
        };
        state.dispatch(WxAction::Booted(emulated, status));
    });
}

/// Configures for the URL to sign now, as the latest configuration of the page. `None` when a newer one
/// started meanwhile (after a navigation, even during the first boot): configs may finish in either order, and
/// only the latest one's outcome counts (an older one can even look ready after the newer one failed).
async fn configure_latest(preload: Preload) -> Option<WxStatus> {
    let mine = LATEST_CONFIG.fetch_add(1, Relaxed).wrapping_add(1);
    LATEST_URL.with(|latest| latest.replace(wx_jssdk::url_to_sign()));
    let status = configured(boot::configure(preload).await);
    (LATEST_CONFIG.load(Relaxed) == mine).then_some(status)
}

fn configured(result: Result<Configured, ConfigFailure>) -> WxStatus {
    if result.is_ok() {
        // Navigation → wx.ready, read by `cargo xtask bench` (performance.getEntriesByName("wx-ready")).
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark("wx-ready");
        }
    }
    result.map_or_else(WxStatus::Failed, WxStatus::Ready)
}

/// The WeChat state, kept by the root component and provided to the tree with [`WxProvider`]; `location` is the
/// router's, followed to re-configure after `pushState`. A hook of the root rather than state inside a provider
/// component of its own (ARCHITECTURE.md, "Size rules").
#[hook]
pub fn use_wx_state(location: &Location) -> WxContext {
    // The environment is read once, before anything can change `location` or the user agent.
    let state = use_reducer(WxState::new);

    // Loads and configures on the first render. After pushState: Android WeChat checks the current URL, iOS the
    // landing URL. Re-configure only when the URL to sign changed, so iOS keeps its landing-URL config and
    // Android gets a fresh one. One effect for both, run again when the path or query changes.
    {
        let state = state.clone();
        let key = location.path.clone() + &location.query;
        use_effect_keyed(
            key,
            Box::new(move || {
                if !state.started {
                    boot(state.env.clone(), state.dispatcher(), boot::take_preload());
                } else if LATEST_URL.with(|latest| {
                    let latest = latest.borrow();
                    // Empty: no config started, the SDK never loaded (e.g. outside WeChat).
                    !latest.is_empty() && *latest != wx_jssdk::url_to_sign()
                }) {
                    // Compared with the latest config started, not the last one accepted: after A → B → A while
                    // B's config runs, A needs a config again (B's would leave WeChat verifying B's URL); and a
                    // navigation during the first boot's config needs one too.
                    let state = state.dispatcher();
                    spawn(async move {
                        if let Some(status) = configure_latest(Preload::default()).await {
                            state.dispatch(WxAction::Status(status));
                        }
                    });
                }
                no_cleanup()
            }),
        );
    }

    WxContext {
        env: state.env.clone(),
        emulated: state.emulated,
        status: state.status.clone(),
        state: state.dispatcher(),
    }
}

/// Counts the configurations started (one page, one counter): see [`configure_latest`].
static LATEST_CONFIG: AtomicU32 = AtomicU32::new(0);

thread_local! {
    /// The URL the latest configuration started signs, page-wide: a navigation away from it needs another.
    static LATEST_URL: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Provides a [`WxContext`] (from [`use_wx_state`]) to the components below it.
pub type WxProvider = ContextProvider<WxContext>;

/// The WeChat state of the nearest [`WxProvider`]; `None` outside one.
#[hook]
pub fn use_wx() -> Option<WxContext> {
    use_context::<WxContext>()
}

/// What [`use_wx_state`] keeps: one reducer rather than a hook per field (ARCHITECTURE.md, "Size rules").
#[derive(Debug, Clone)]
struct WxState {
    env: Rc<Environment>,
    emulated: bool,
    status: Rc<WxStatus>,
    /// Loading and configuring started once.
    started: bool,
}

impl WxState {
    fn new() -> WxState {
        wx_jssdk::remember_landing_url();
        WxState {
            env: Rc::new(boot::adopt_preload()),
            emulated: false,
            status: Rc::new(WxStatus::Loading),
            started: false,
        }
    }
}

enum WxAction {
    /// Loading and configuring (again) started.
    Start,
    /// The configuration status changed.
    Status(WxStatus),
    /// Loading (on the emulator or not) ended; so did configuring, unless a newer config reports instead.
    Booted(bool, Option<WxStatus>),
}

impl Reducible for WxState {
    type Action = WxAction;

    fn reduce(self: Rc<Self>, action: WxAction) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            WxAction::Start => {
                next.started = true;
                next.status = Rc::new(WxStatus::Loading);
            }
            WxAction::Status(status) => next.status = Rc::new(status),
            WxAction::Booted(emulated, status) => {
                next.emulated = emulated;
                if let Some(status) = status {
                    next.status = Rc::new(status);
                }
            }
        }
        Rc::new(next)
    }
}
