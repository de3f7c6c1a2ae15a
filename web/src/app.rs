use crate::{
    components::{
        diagnostics_panel::DiagnosticsPanel, home_panel::HomePanel, location_panel::LocationPanel,
        photos_panel::PhotosPanel, scan_panel::ScanPanel, share_panel::SharePanel, status_banner::StatusBanner,
        tab_bar::TabBar,
    },
    route::Route,
    wx::WxProvider,
};
use yew::prelude::*;
use yew_router::prelude::*;

/// The root: router, then the WeChat context (which needs the router to follow URL changes), then the panels.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <BrowserRouter>
            <WxProvider>
                <main class="app">
                    <StatusBanner />
                    <Switch<Route> render={switch} />
                </main>
                <TabBar />
            </WxProvider>
        </BrowserRouter>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home | Route::NotFound => html! { <HomePanel /> },
        Route::Share => html! { <SharePanel /> },
        Route::Scan => html! { <ScanPanel /> },
        Route::Photos => html! { <PhotosPanel /> },
        Route::Location => html! { <LocationPanel /> },
        Route::Diagnostics => html! { <DiagnosticsPanel /> },
    }
}
