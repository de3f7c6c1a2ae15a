use yew::prelude::*;

/// How a cell shows its value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Right-aligned text (`cell-value`).
    Text,
    /// Right-aligned code-like text: ids, signatures, figures (`cell-value mono`).
    Code,
    /// A long code-like value under its label (`cell-body mono`).
    LongCode,
}

/// A WeUI cell: a label and a value; `id`, when given, is how tests and scripts find the value. One shared view
/// helper for the dozen such rows the panels show (ARCHITECTURE.md, "Size rules").
pub fn cell(label: &'static str, id: Option<&'static str>, look: Look, value: String) -> Html {
    // Literal classes only (ARCHITECTURE.md, "Size rules").
    let value = match look {
        Look::Text => html! { <span class="cell-value" {id}>{ value }</span> },
        Look::Code => html! { <span class="cell-value mono" {id}>{ value }</span> },
        Look::LongCode => html! { <span class="cell-body mono" {id}>{ value }</span> },
    };
    html! { <div class="cell"><span class="cell-label">{ label }</span>{ value }</div> }
}
