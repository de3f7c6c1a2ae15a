use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A labelled one-line input in a WeUI cell. A stateless leaf, so a view helper rather than a component: each
/// component type costs the wasm its own lifecycle instantiation.
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

/// A [`text_field`] bound to one field of a form kept in `state`: typing replaces that field (via `set`).
pub fn state_field<T: Clone + 'static>(
    state: &UseStateHandle<T>,
    id: &'static str,
    label: &'static str,
    value: &str,
    set: fn(&mut T, String),
) -> Html {
    let state = state.clone();
    let on_change = Callback::from(move |v: String| {
        let mut next = (*state).clone();
        set(&mut next, v);
        state.set(next);
    });
    text_field(id, label, value, on_change)
}
