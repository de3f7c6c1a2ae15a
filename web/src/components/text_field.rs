use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub on_change: Callback<String>,
    #[prop_or_default]
    pub placeholder: AttrValue,
}

/// A labelled one-line input in a WeUI cell.
#[function_component(TextField)]
pub fn text_field(props: &TextFieldProps) -> Html {
    let on_change = props.on_change.clone();
    let oninput =
        Callback::from(move |e: InputEvent| on_change.emit(e.target_unchecked_into::<HtmlInputElement>().value()));
    html! {
        <label class="cell" for={props.id.clone()}>
            <span class="cell-label">{ props.label.clone() }</span>
            <input id={props.id.clone()} value={props.value.clone()} placeholder={props.placeholder.clone()} {oninput} />
        </label>
    }
}
