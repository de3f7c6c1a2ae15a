use crate::{
    components::{
        diagnostics_panel::DiagnosticsPanel, home_panel::HomePanel, location_panel::LocationPanel,
        photos_panel::PhotosPanel, scan_panel::ScanPanel, share_panel::SharePanel,
    },
    route::Route,
    router::use_router,
};
use yew::prelude::*;

/// The panel of the current route.
#[function_component(PanelSwitch)]
pub fn panel_switch() -> Html {
    match use_router().location.route() {
        Route::Home | Route::NotFound => html! { <HomePanel /> },
        Route::Share => html! { <SharePanel /> },
        Route::Scan => html! { <ScanPanel /> },
        Route::Photos => html! { <PhotosPanel /> },
        Route::Location => html! { <LocationPanel /> },
        Route::Diagnostics => html! { <DiagnosticsPanel /> },
    }
}
