//! The app's router: the page's location, kept by the root with `use_router_state()`, changed with `pushState`
//! through the state's `navigate` callback, and followed on back/forward (`popstate`).
//!
//! Not yew-router: this app has six fixed paths and no parameters, and yew-router's stack was the largest
//! app-side cost of the wasm (ARCHITECTURE.md, "Size rules"). The page's behaviour is the same: tabs are real `<a href>` links that
//! `pushState`, and the root picks the panel from the route.

use crate::{effect::use_effect_keyed, route::Route};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use yew::prelude::*;

/// Where the page is, as `location` says (`pathname` and `search`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub path: String,
    pub query: String,
}

impl Location {
    /// The browser's current location.
    pub fn current() -> Location {
        let location = web_sys::window().map(|w| w.location());
        let read = |f: fn(&web_sys::Location) -> Result<String, JsValue>| {
            location.as_ref().and_then(|l| f(l).ok()).unwrap_or_default()
        };
        Location {
            path: read(web_sys::Location::pathname),
            query: read(web_sys::Location::search),
        }
    }

    /// The route this location selects.
    pub fn route(&self) -> Route {
        Route::from_path(&self.path)
    }
}

/// The router's state: what the root renders from, and how the tab bar navigates.
#[derive(Clone, PartialEq)]
pub struct RouterState {
    pub location: Location,
    pub navigator: Navigator,
}

/// Changes the page's location.
#[derive(Clone, PartialEq)]
pub struct Navigator(UseStateSetter<Location>);

impl Navigator {
    /// Goes to a route with `history.pushState` (no page load).
    pub fn navigate(&self, route: Route) {
        let pushed = web_sys::window()
            .and_then(|w| w.history().ok())
            .is_some_and(|h| h.push_state_with_url(&JsValue::NULL, "", Some(route.path())).is_ok());
        if pushed {
            self.0.set(Location::current());
        }
    }
}

/// The router's state, kept by the root component: the location (read again on back and forward) and how to
/// navigate. A hook of the root rather than a `<Router>` component of its own (ARCHITECTURE.md, "Size rules").
#[hook]
pub fn use_router_state() -> RouterState {
    let location = use_state(Location::current);

    // Back and forward change the URL without a render: read it again. Once (the key never changes).
    {
        let location = location.setter();
        use_effect_keyed(
            String::new(),
            Box::new(move || {
                let window = web_sys::window();
                let listener = Closure::<dyn Fn()>::new(move || location.set(Location::current()));
                if let Some(w) = &window {
                    let _ = w.add_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
                }
                Box::new(move || {
                    if let Some(w) = &window {
                        let _ = w.remove_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
                    }
                })
            }),
        );
    }

    RouterState {
        location: (*location).clone(),
        navigator: Navigator(location.setter()),
    }
}
