use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A labelled one-line input in a WeUI cell; `on_change` receives what the user typed. A stateless leaf, so a
/// view helper rather than a component (ARCHITECTURE.md, "Size rules").
pub fn text_field(id: &'static str, label: &'static str, value: &str, on_change: Callback<String>) -> Html {
    let oninput =
        Callback::from(move |e: InputEvent| on_change.emit(e.target_unchecked_into::<HtmlInputElement>().value()));
    html! {
        <label class="cell" for={id}>
            <span class="cell-label">{ label }</span>
            <input id={id} value={value.to_owned()} {oninput} />
        </label>
    }
}
