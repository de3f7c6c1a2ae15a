use crate::{
    components::cell::{Look, cell},
    wx::{WxStatus, use_wx},
};
use yew::{platform::spawn_local, prelude::*};

/// The config panel: what was signed and accepted, and the page-level actions.
#[function_component(HomePanel)]
pub fn home_panel() -> Html {
    let wx = use_wx();
    let close_error = use_state(|| None::<String>);
    let close = {
        let close_error = close_error.clone();
        Callback::from(move |_: MouseEvent| {
            let close_error = close_error.clone();
            // Through WeixinJSBridge directly: works even before (or without) wx.config.
            spawn_local(async move {
                if let Err(e) = wx_jssdk::close_window().await {
                    close_error.set(Some(e.to_string()));
                }
            });
        })
    };
    let row = |label: &'static str, id: &'static str, value: String| cell(label, Some(id), Look::Code, value);
    html! {
        <>
            <h1 class="page-title">{ "wxkit" }</h1>
            <p class="page-desc">{ "A WeChat H5 page in Rust: the backend signs this page's URL, the JS-SDK verifies it." }</p>
            if let WxStatus::Ready(done) = &wx.status {
                <div class="cells-title">{ "Signed config accepted by WeChat" }</div>
                <div class="cells">
                    { row("appId", "cfg-appid", done.signed.app_id.clone()) }
                    { row("URL", "cfg-url", done.url.clone()) }
                    { row("timestamp", "cfg-timestamp", done.signed.timestamp.to_string()) }
                    { row("nonceStr", "cfg-noncestr", done.signed.nonce_str.clone()) }
                    { row("signature", "cfg-signature", done.signed.signature.clone()) }
                </div>
            }
            <div class="btn-area">
                <button class="btn" id="reconfigure" onclick={wx.reconfigure.reform(|_: MouseEvent| ())}>{ "Configure again" }</button>
                <button class="btn btn-warn" id="close-window" onclick={close}>{ "Close this page" }</button>
                if let Some(e) = &*close_error { <div class="status status-error">{ e.clone() }</div> }
            </div>
        </>
    }
}
