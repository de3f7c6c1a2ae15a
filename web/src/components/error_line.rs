use wx_jssdk::WxError;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ErrorLineProps {
    pub error: WxError,
}

/// How an API call ended other than success: a cancel is neutral, a failure is red with its fix.
#[function_component(ErrorLine)]
pub fn error_line(props: &ErrorLineProps) -> Html {
    if matches!(props.error, WxError::Cancelled { .. }) {
        return html! { <div class="status status-loading" data-outcome="cancel">{ "Cancelled by the user." }</div> };
    }
    html! {
        <div class="status status-error" data-outcome="fail">
            { props.error.to_string() }
            <div class="hint">{ props.error.hint() }</div>
        </div>
    }
}
