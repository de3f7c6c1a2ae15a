use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// The bottom tab bar; each tab is a `pushState` navigation.
#[function_component(TabBar)]
pub fn tab_bar() -> Html {
    let current = use_route::<Route>();
    html! {
        <nav class="tabbar">
            <div class="tabbar-inner">
                { for Route::TABS.iter().map(|(route, label, icon)| {
                    let active = current == Some(*route);
                    html! {
                        <Link<Route> to={*route} classes={classes!("tab", active.then_some("tab-active"))}>
                            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d={*icon} /></svg>{ *label }
                        </Link<Route>>
                    }
                }) }
            </div>
        </nav>
    }
}
