use crate::components::panel_switch::{PanelState, Updater};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A labelled one-line input in a WeUI cell. A stateless leaf, so a view helper rather than a component
/// (ARCHITECTURE.md, "Size rules").
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

/// A [`text_field`] bound to one field of the panel state: typing replaces that field (via `set`).
pub fn state_field(
    up: &Updater,
    id: &'static str,
    label: &'static str,
    value: &str,
    set: fn(&mut PanelState, String),
) -> Html {
    text_field(id, label, value, setter(up, set))
}

/// The change handler of a field bound to one field of the panel state (via `set`): one closure type for every
/// field.
pub fn setter(up: &Updater, set: fn(&mut PanelState, String)) -> Callback<String> {
    let up = up.clone();
    Callback::from(move |v: String| up.update(move |s| set(s, v)))
}
