//! The app's routes. Each panel has its own path, so navigating changes the URL with `pushState` — the case
//! where iOS and Android WeChat disagree about which URL a signature must match.

use yew_router::Routable;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/share")]
    Share,
    #[at("/scan")]
    Scan,
    #[at("/photos")]
    Photos,
    #[at("/location")]
    Location,
    #[at("/diagnostics")]
    Diagnostics,
    #[not_found]
    #[at("/404")]
    NotFound,
}

impl Route {
    /// The panels in tab-bar order, with their labels and icons.
    pub const TABS: [(Route, &'static str, &'static str); 6] = [
        (Route::Home, "Config", "⚙"),
        (Route::Share, "Share", "↗"),
        (Route::Scan, "Scan", "⌗"),
        (Route::Photos, "Photos", "▣"),
        (Route::Location, "Location", "⌖"),
        (Route::Diagnostics, "Debug", "ⓘ"),
    ];
}
