//! `<WxProvider>`: loads and configures the JS-SDK once, re-configures after a URL change when the platform's
//! rule needs it, and shares the state with every component through `use_wx()`.

use super::boot::{self, ConfigFailure};
use crate::router::use_router;
use wx_jssdk::{Configured, Environment};
use yew::{platform::spawn_local, prelude::*};

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

/// What components read with [`use_wx`].
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

#[derive(Properties, PartialEq)]
pub struct WxProviderProps {
    #[prop_or_default]
    pub children: Html,
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

#[function_component(WxProvider)]
pub fn wx_provider(props: &WxProviderProps) -> Html {
    // Read before anything can change `location` or the user agent.
    let env = use_memo((), |_| {
        wx_jssdk::remember_landing_url();
        Environment::detect()
    });
    let status = use_state(|| WxStatus::Loading);
    let emulated = use_state(|| false);

    let reconfigure = {
        let (env, status, emulated) = (env.clone(), status.clone(), emulated.clone());
        use_callback((), move |(), _| {
            let (env, status, emulated) = ((*env).clone(), status.clone(), emulated.clone());
            status.set(WxStatus::Loading);
            spawn_local(async move {
                let (emu, result) = boot_and_configure(env).await;
                emulated.set(emu);
                status.set(result);
            });
        })
    };

    {
        let reconfigure = reconfigure.clone();
        use_effect_with((), move |_| reconfigure.emit(()));
    }

    // After pushState: Android WeChat checks the current URL, iOS the landing URL. Re-configure only when the
    // URL to sign changed, so iOS keeps its landing-URL config and Android gets a fresh one.
    let location = use_router().location;
    {
        let status = status.clone();
        use_effect_with(location, move |_| {
            if let WxStatus::Ready(done) = &*status
                && done.url != wx_jssdk::url_to_sign()
            {
                let status = status.clone();
                spawn_local(async move { status.set(configured(boot::configure().await)) });
            }
        });
    }

    let context = WxContext {
        env: (*env).clone(),
        emulated: *emulated,
        status: (*status).clone(),
        reconfigure,
    };
    html! {
        <ContextProvider<WxContext> context={context}>
            { props.children.clone() }
        </ContextProvider<WxContext>>
    }
}

/// The WeChat context. Panics only when used outside `<WxProvider>`, a programming error.
#[hook]
pub fn use_wx() -> WxContext {
    use_context::<WxContext>().expect("use_wx() must be called inside <WxProvider>")
}
