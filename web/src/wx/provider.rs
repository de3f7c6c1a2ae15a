//! The WeChat state: `use_wx_state()` loads and configures the JS-SDK once and re-configures after a URL change
//! when the platform's rule needs it; the root provides what it returns with [`WxProvider`], and components
//! below read it with [`use_wx`].

use super::boot::{self, ConfigFailure};
use crate::{router::Location, task::spawn};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use wx_jssdk::{Configured, Environment};
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
        boot(self.env.clone(), self.state.clone());
    }
}

/// Loads and configures, reporting to `state`.
fn boot(env: Rc<Environment>, state: UseReducerDispatcher<WxState>) {
    state.dispatch(WxAction::Start);
    spawn(async move {
        let (emulated, status) = boot_and_configure(&env).await;
        state.dispatch(WxAction::Booted(emulated, status));
    });
}

async fn boot_and_configure(env: &Environment) -> (bool, WxStatus) {
    match boot::load(env).await {
        Ok(emulated) => (emulated, configured(boot::configure().await)),
        Err(error) => (
            false,
            WxStatus::Failed(ConfigFailure {
                error,
                signed: None,
                url: wx_jssdk::url_to_sign(),
            }),
        ),
    }
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
/// component of its own: each component type costs the wasm its own lifecycle code.
#[hook]
pub fn use_wx_state(location: &Location) -> WxContext {
    // The environment is read once, before anything can change `location` or the user agent.
    let state = use_reducer(WxState::new);

    // Loads and configures on the first render. After pushState: Android WeChat checks the current URL, iOS the
    // landing URL. Re-configure only when the URL to sign changed, so iOS keeps its landing-URL config and
    // Android gets a fresh one. One effect for both: each effect costs the wasm its own copy of the hook code.
    {
        let state = state.clone();
        use_effect_with(location.clone(), move |_| {
            if !state.started {
                boot(state.env.clone(), state.dispatcher());
            } else if let WxStatus::Ready(done) = &*state.status
                && done.url != wx_jssdk::url_to_sign()
            {
                // Two quick navigations overlap their configs, which may finish in either order: only the
                // latest one's outcome counts (an older one can even look ready after the newer one failed).
                let mine = LATEST_CONFIG.fetch_add(1, Relaxed).wrapping_add(1);
                let state = state.dispatcher();
                spawn(async move {
                    let status = configured(boot::configure().await);
                    if LATEST_CONFIG.load(Relaxed) == mine {
                        state.dispatch(WxAction::Status(status));
                    }
                });
            }
        });
    }

    WxContext {
        env: state.env.clone(),
        emulated: state.emulated,
        status: state.status.clone(),
        state: state.dispatcher(),
    }
}

/// Counts the re-configurations started after navigations (one page, one counter).
static LATEST_CONFIG: AtomicU32 = AtomicU32::new(0);

/// Provides a [`WxContext`] (from [`use_wx_state`]) to the components below it.
pub type WxProvider = ContextProvider<WxContext>;

/// The WeChat state of the nearest [`WxProvider`]; `None` outside one.
#[hook]
pub fn use_wx() -> Option<WxContext> {
    use_context::<WxContext>()
}

/// What [`use_wx_state`] keeps: one reducer rather than a hook per field (each state type costs the wasm its own
/// copy of the hook code).
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
            env: Rc::new(Environment::detect()),
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
    /// Loading (on the emulator or not) and configuring ended.
    Booted(bool, WxStatus),
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
                next.status = Rc::new(status);
            }
        }
        Rc::new(next)
    }
}
