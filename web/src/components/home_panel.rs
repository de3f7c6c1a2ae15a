use crate::{
    components::{
        button::{Kind, button},
        cell::{Look, cell},
        page_head::page_head,
    },
    task::spawn,
    updater::Updater,
    wx::{WxContext, WxStatus},
};
use wx_jssdk::WxError;
use yew::prelude::*;

/// What the home panel keeps while it is shown.
#[derive(Clone, Default)]
pub struct HomeState {
    close_error: Option<WxError>,
}

/// The config panel: what was signed and accepted, and the page-level actions.
pub fn home_panel<R: 'static>(wx: &WxContext, state: &HomeState, up: &Updater<R, HomeState>) -> Html {
    let close = {
        let up = up.clone();
        Callback::from(move |_: MouseEvent| {
            let up = up.clone();
            // Through WeixinJSBridge directly: works even before (or without) wx.config.
            spawn(async move {
                if let Err(e) = wx_jssdk::close_window().await {
                    up.update(|s| s.close_error = Some(e));
                }
            });
        })
    };
    let row = |label: &'static str, id: &'static str, value: String| cell(label, Some(id), Look::Code, value);
    html! {
        <>
            { page_head("wxkit", "A WeChat H5 page in Rust: the backend signs this page's URL, the JS-SDK verifies it.") }
            if let WxStatus::Ready(done) = &*wx.status {
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
                { button(Kind::Plain, "reconfigure", "Configure again", false, wx.on_reconfigure()) }
                { button(Kind::Warn, "close-window", "Close this page", false, close) }
                if let Some(e) = &state.close_error { <div class="status status-error">{ e.to_string() }</div> }
            </div>
        </>
    }
}
