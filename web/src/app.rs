use crate::{
    components::{panel_switch::panel, status_banner::status_banner, tab_bar::tab_bar},
    router::use_router_state,
    wx::{WxProvider, use_wx_state},
};
use yew::prelude::*;

/// The root: keeps the router's and the WeChat state (which follows the router's URL changes) and provides the
/// WeChat state to the tree (`use_wx()` reads it); the status banner, the panel of the current route and the tab
/// bar are plain view helpers (ARCHITECTURE.md, "Size rules").
#[function_component(App)]
pub fn app() -> Html {
    let router = use_router_state();
    let wx = use_wx_state(&router.location);
    html! {
        <WxProvider context={wx.clone()}>
            <main class="app">
                { status_banner(&wx) }
                { panel(router.location.route()) }
            </main>
            { tab_bar(&router) }
        </WxProvider>
    }
}
