//! A bare Yew counter: the baseline the app's size is compared with.
use yew::prelude::*;

#[function_component(Counter)]
fn counter() -> Html {
    let count = use_state(|| 0u32);
    let onclick = {
        let count = count.clone();
        Callback::from(move |_| count.set(*count + 1))
    };
    html! { <button {onclick}>{ format!("Clicked {} times", *count) }</button> }
}

fn main() {
    yew::Renderer::<Counter>::new().render();
}
