//! The app's router: the page's location in a context (`<Router>`), read with `use_router()`, changed with
//! `pushState` through the context's `navigate` callback, and followed on back/forward (`popstate`).
//!
//! Why not yew-router: this app has six fixed paths and no parameters, and yew-router's stack was the largest
//! app-side cost of the wasm — yew-router, gloo-history, route-recognizer and the derived recognizer, plus
//! serde-wasm-bindgen and Rust's float formatting that gloo-history's history-state parsing pulls in: about
//! 65 KB of the 389 KB wasm (twiggy), more than any panel. The page's behaviour is the same: tabs are real
//! `<a href>` links that `pushState`, and every panel reads the route from the context.

use crate::route::Route;
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

/// What components read with [`use_router`].
#[derive(Clone, PartialEq)]
pub struct RouterContext {
    pub location: Location,
    /// Goes to a route with `history.pushState` (no page load).
    pub navigate: Callback<Route>,
}

#[derive(Properties, PartialEq)]
pub struct RouterProps {
    #[prop_or_default]
    pub children: Html,
}

#[function_component(Router)]
pub fn router(props: &RouterProps) -> Html {
    let location = use_state(Location::current);

    // Back and forward change the URL without a render: read it again.
    {
        let location = location.clone();
        use_effect_with((), move |_| {
            let window = web_sys::window();
            let listener = Closure::<dyn Fn()>::new(move || location.set(Location::current()));
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = &window {
                    let _ = w.remove_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
                }
            }
        });
    }

    let navigate = {
        let location = location.clone();
        use_callback((), move |route: Route, _| {
            let pushed = web_sys::window()
                .and_then(|w| w.history().ok())
                .is_some_and(|h| h.push_state_with_url(&JsValue::NULL, "", Some(route.path())).is_ok());
            if pushed {
                location.set(Location::current());
            }
        })
    };

    let context = RouterContext {
        location: (*location).clone(),
        navigate,
    };
    html! {
        <ContextProvider<RouterContext> context={context}>
            { props.children.clone() }
        </ContextProvider<RouterContext>>
    }
}

/// The router context. Panics only when used outside `<Router>`, a programming error.
#[hook]
pub fn use_router() -> RouterContext {
    use_context::<RouterContext>().expect("use_router() must be called inside <Router>")
}
