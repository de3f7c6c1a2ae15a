use crate::{
    components::{
        button::{Kind, button_area},
        not_in_wechat_notice::not_in_wechat_notice,
    },
    wx::{WxContext, WxStatus},
};
use wx_jssdk::WxError;
use yew::prelude::*;

/// The configuration state above every panel: loading, ready, or the error with its fix and the
/// canonical string to compare with WeChat's.
pub fn status_banner(wx: &WxContext) -> Html {
    match &*wx.status {
        WxStatus::Loading => html! {
            <div id="wx-status" class="status status-loading" data-state="loading">{ "Configuring the JS-SDK…" }</div>
        },
        WxStatus::Ready(done) => html! {
            <div id="wx-status" class="status status-ready" data-state="ready">
                { "wx.ready ✓" }
                { if done.healed { " — re-signed with a fresh ticket" } else { "" } }
                { if wx.emulated { " · emulator" } else { "" } }
            </div>
        },
        WxStatus::Failed(failure) if failure.error == WxError::NotInWechat => not_in_wechat_notice(),
        WxStatus::Failed(failure) => {
            // The ticket is secret: the page shows where it goes, the debugger fills it in.
            let canonical = failure.signed.as_ref().and_then(|s| {
                wx_sign::canonical_config_string("<jsapi_ticket>", &s.nonce_str, s.timestamp, &failure.url).ok()
            });
            html! {
                <div id="wx-status" class="status status-error" data-state="error">
                    { failure.error.to_string() }
                    <div class="hint" id="wx-hint">{ failure.error.hint() }</div>
                    if let Some(c) = canonical {
                        <div class="hint">{ "Canonical string: " }<span id="wx-canonical" class="mono">{ c }</span></div>
                    }
                    { button_area(Kind::Plain, "wx-retry", "Try again", false, wx.on_reconfigure()) }
                </div>
            }
        }
    }
}
