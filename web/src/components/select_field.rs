use yew::prelude::*;

/// A labelled `<select>` in a WeUI cell: `choices` are `(value, label)` pairs, `selected` the current value, and
/// `on_change` receives the chosen value. A stateless leaf shared by the panels, so a view helper.
pub fn select_field(
    id: &'static str,
    label: &'static str,
    choices: &'static [(&'static str, &'static str)],
    selected: &str,
    on_change: Callback<String>,
) -> Html {
    let onchange =
        Callback::from(move |e: Event| on_change.emit(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()));
    html! {
        <label class="cell"><span class="cell-label">{ label }</span>
            <select {id} {onchange}>
                { for choices.iter().map(|&(value, text)| html! {
                    <option {value} selected={value == selected}>{ text }</option>
                }) }
            </select>
        </label>
    }
}
