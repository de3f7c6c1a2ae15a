use crate::{route::Route, router::RouterState};
use yew::prelude::*;

/// The bottom tab bar; each tab is a real link that navigates with `pushState`.
pub fn tab_bar(router: &RouterState) -> Html {
    let current = router.location.route();
    html! {
        <nav class="tabbar">
            <div class="tabbar-inner">
                { for Route::TABS.iter().map(|&(route, label, icon)| {
                    let navigator = router.navigator.clone();
                    // A plain click navigates in the page; modified clicks keep the browser's meaning (new tab…).
                    let onclick = Callback::from(move |e: MouseEvent| {
                        if !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key()) {
                            e.prevent_default();
                            navigator.navigate(route);
                        }
                    });
                    html! {
                        <a href={route.path()} class="tab" aria-current={(current == route).then_some("page")} {onclick}>
                            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d={icon} /></svg>{ label }
                        </a>
                    }
                }) }
            </div>
        </nav>
    }
}
