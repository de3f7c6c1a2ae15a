use yew::prelude::*;

/// A panel's title and its one-line description.
pub fn page_head(title: &'static str, desc: &'static str) -> Html {
    html! {
        <>
            <h1 class="page-title">{ title }</h1>
            <p class="page-desc">{ desc }</p>
        </>
    }
}
