use crate::{
    components::{panel_switch::PanelSwitch, status_banner::StatusBanner, tab_bar::TabBar},
    router::Router,
    wx::WxProvider,
};
use yew::prelude::*;

/// The root: router, then the WeChat context (which needs the router to follow URL changes), then the panels.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <Router>
            <WxProvider>
                <main class="app">
                    <StatusBanner />
                    <PanelSwitch />
                </main>
                <TabBar />
            </WxProvider>
        </Router>
    }
}
