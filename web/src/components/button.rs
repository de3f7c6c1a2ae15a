use yew::prelude::*;

/// How a button looks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The panel's main action (`btn btn-primary`).
    Primary,
    /// A secondary action (`btn`).
    Plain,
    /// A destructive action (`btn btn-warn`).
    Warn,
}

/// A WeUI button; `id` is how tests and scripts find it. One shared view helper for every panel's buttons
/// (ARCHITECTURE.md, "Size rules").
pub fn button(
    kind: Kind,
    id: &'static str,
    label: &'static str,
    disabled: bool,
    onclick: Callback<MouseEvent>,
) -> Html {
    // Literal classes only (ARCHITECTURE.md, "Size rules").
    match kind {
        Kind::Primary => html! { <button class="btn btn-primary" {id} {disabled} {onclick}>{ label }</button> },
        Kind::Plain => html! { <button class="btn" {id} {disabled} {onclick}>{ label }</button> },
        Kind::Warn => html! { <button class="btn btn-warn" {id} {disabled} {onclick}>{ label }</button> },
    }
}

/// One [`button`] in its own button area.
pub fn button_area(
    kind: Kind,
    id: &'static str,
    label: &'static str,
    disabled: bool,
    onclick: Callback<MouseEvent>,
) -> Html {
    html! { <div class="btn-area">{ button(kind, id, label, disabled, onclick) }</div> }
}
