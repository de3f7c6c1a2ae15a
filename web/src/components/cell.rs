use yew::prelude::*;

/// A WeUI cell: a label and a value. `class` styles the value (`cell-value`, `cell-body`, `mono`…); `id`, when
/// given, is how tests and scripts find the value. One shared view helper: the panels show a dozen such rows,
/// and each inline `html!` copy would be its own code in the wasm.
pub fn cell(label: &'static str, id: Option<&'static str>, class: &'static str, value: String) -> Html {
    html! {
        <div class="cell"><span class="cell-label">{ label }</span><span {class} {id}>{ value }</span></div>
    }
}
