//! The WeChat state: `use_wx_state()` loads and configures the JS-SDK once and re-configures after a URL change
//! when the platform's rule needs it; the root provides what it returns with [`WxProvider`], and components
//! below read it with [`use_wx`].

use super::boot::{self, ConfigFailure};
use crate::{router::Location, task::spawn};
use std::rc::Rc;
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

/// What the views read: the environment, the configuration status and how to configure again.
#[derive(Debug, Clone, PartialEq)]
pub struct WxContext {
    /// The real environment, detected before any emulator was installed.
    pub env: Environment,
    /// The page runs on wx-jssdk's emulator.
    pub emulated: bool,
    pub status: WxStatus,
    /// Runs loading and configuration again (e.g. after fixing the backend).
    pub reconfigure: Callback<()>,
}

impl WxContext {
    pub fn is_ready(&self) -> bool {
        matches!(self.status, WxStatus::Ready(_))
    }
}

async fn boot_and_configure(env: Environment) -> (bool, WxStatus) {
    match boot::load(&env).await {
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

    let reconfigure = {
        let state = state.clone();
        use_callback((), move |(), _| {
            let (env, state) = (state.env.clone(), state.dispatcher());
            state.dispatch(WxAction::Status(WxStatus::Loading));
            spawn(async move {
                let (emulated, status) = boot_and_configure(env).await;
                state.dispatch(WxAction::Booted(emulated, status));
            });
        })
    };

    {
        let reconfigure = reconfigure.clone();
        use_effect_with((), move |_| reconfigure.emit(()));
    }

    // After pushState: Android WeChat checks the current URL, iOS the landing URL. Re-configure only when the
    // URL to sign changed, so iOS keeps its landing-URL config and Android gets a fresh one.
    {
        let state = state.clone();
        use_effect_with(location.clone(), move |_| {
            if let WxStatus::Ready(done) = &state.status
                && done.url != wx_jssdk::url_to_sign()
            {
                let state = state.dispatcher();
                spawn(async move { state.dispatch(WxAction::Status(configured(boot::configure().await))) });
            }
        });
    }

    WxContext {
        env: state.env.clone(),
        emulated: state.emulated,
        status: state.status.clone(),
        reconfigure,
    }
}

/// Provides a [`WxContext`] (from [`use_wx_state`]) to the components below it.
pub type WxProvider = ContextProvider<WxContext>;

/// The WeChat state of the nearest [`WxProvider`]; `None` outside one.
#[hook]
pub fn use_wx() -> Option<WxContext> {
    use_context::<WxContext>()
}

/// What [`use_wx_state`] keeps: one reducer rather than a hook per field (each state type costs the wasm its own
/// copy of the hook code).
#[derive(Clone)]
struct WxState {
    env: Environment,
    emulated: bool,
    status: WxStatus,
}

impl WxState {
    fn new() -> WxState {
        wx_jssdk::remember_landing_url();
        WxState {
            env: Environment::detect(),
            emulated: false,
            status: WxStatus::Loading,
        }
    }
}

enum WxAction {
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
            WxAction::Status(status) => next.status = status,
            WxAction::Booted(emulated, status) => {
                next.emulated = emulated;
                next.status = status;
            }
        }
        Rc::new(next)
    }
}
