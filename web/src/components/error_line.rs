use wx_jssdk::WxError;
use yew::prelude::*;

/// How an API call ended other than success: a cancel is neutral, a failure is red with its fix. A stateless
/// leaf, so a view helper rather than a component.
pub fn error_line(error: &WxError) -> Html {
    if matches!(error, WxError::Cancelled { .. }) {
        return html! { <div class="status status-loading" data-outcome="cancel">{ "Cancelled by the user." }</div> };
    }
    html! {
        <div class="status status-error" data-outcome="fail">
            { error.to_string() }
            <div class="hint">{ error.hint() }</div>
        </div>
    }
}
