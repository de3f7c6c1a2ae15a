//! The app's routes. Each panel has its own path, so navigating changes the URL with `pushState` — the case
//! where iOS and Android WeChat disagree about which URL a signature must match.

/// A panel of the app, by its path (see [`crate::router`] for how the page moves between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Home,
    Share,
    Scan,
    Photos,
    Location,
    /// Sign-in and who signed in.
    Me,
    Diagnostics,
    /// Any other path: shows the home panel, with no tab selected.
    NotFound,
}

impl Route {
    /// The route a `location.pathname` selects; a trailing `/` is ignored, unknown paths are [`Route::NotFound`]
    /// (tested below: this is a binary crate, so its doc examples do not run).
    pub fn from_path(path: &str) -> Route {
        match path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path) {
            "/" | "" => Route::Home,
            "/share" => Route::Share,
            "/scan" => Route::Scan,
            "/photos" => Route::Photos,
            "/location" => Route::Location,
            "/me" => Route::Me,
            "/diagnostics" => Route::Diagnostics,
            _ => Route::NotFound,
        }
    }

    /// The path `pushState` puts in the address bar for this route.
    pub fn path(self) -> &'static str {
        match self {
            Route::Home => "/",
            Route::Share => "/share",
            Route::Scan => "/scan",
            Route::Photos => "/photos",
            Route::Location => "/location",
            Route::Me => "/me",
            Route::Diagnostics => "/diagnostics",
            Route::NotFound => "/404",
        }
    }

    /// The panels in tab-bar order, with their labels and icons (SVG path data on a 24×24 grid: no icon font
    /// to download, nothing that depends on the phone's fonts).
    pub const TABS: [(Route, &'static str, &'static str); 7] = [
        (Route::Home, "Config", "M4 7h16M4 12h16M4 17h16M8 5v4M15 10v4M11 15v4"),
        (Route::Share, "Share", "M14 5h5v5M19 5l-8 8M17 14v5H5V7h5"),
        (Route::Scan, "Scan", "M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5M4 12h16"),
        (Route::Photos, "Photos", "M4 5h16v14H4zM4 16l5-5 4 4 3-3 4 4M15 9h.01"),
        (
            Route::Location,
            "Location",
            "M12 21s7-6.2 7-11a7 7 0 0 0-14 0c0 4.8 7 11 7 11zM12 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z",
        ),
        (
            Route::Me,
            "Me",
            "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 20c0-4 3.6-6 8-6s8 2 8 6",
        ),
        (
            Route::Diagnostics,
            "Debug",
            "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v6M12 7.5v.01",
        ),
    ];
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn paths_select_their_routes() {
        for (path, want) in [
            ("/", Route::Home),
            ("", Route::Home),
            ("/share", Route::Share),
            ("/share/", Route::Share),
            ("/scan", Route::Scan),
            ("/photos", Route::Photos),
            ("/location", Route::Location),
            ("/me", Route::Me),
            ("/diagnostics", Route::Diagnostics),
            ("/404", Route::NotFound),
            ("/sharex", Route::NotFound),
            ("/share/extra", Route::NotFound),
        ] {
            assert_eq!(Route::from_path(path), want, "{path}");
        }
    }

    #[test]
    fn every_tab_links_to_a_path_that_selects_it() {
        for (route, _, _) in Route::TABS {
            assert_eq!(Route::from_path(route.path()), route);
        }
    }
}
