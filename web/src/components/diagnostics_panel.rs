use crate::{
    components::{
        cell::{Look, cell},
        error_line::error_line,
        signature_debugger::SignatureDebugger,
    },
    wx::{JS_API_LIST, WxStatus, use_wx},
};
use wx_jssdk::{
    Platform, WxError,
    device::{self, JsApiSupport},
};
use yew::{platform::spawn_local, prelude::*};

/// The platform as the row shows it (the names `{:?}` printed, without Debug formatting in the page).
fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Ios => "Ios",
        Platform::Android => "Android",
        Platform::Desktop => "Desktop",
        Platform::Other => "Other",
    }
}

/// Environment, config status, checkJsApi results and the signature debugger.
#[function_component(DiagnosticsPanel)]
pub fn diagnostics_panel() -> Html {
    let wx = use_wx();
    let checked = use_state(|| None::<Result<JsApiSupport, WxError>>);
    let check = {
        let checked = checked.clone();
        Callback::from(move |_: MouseEvent| {
            let checked = checked.clone();
            spawn_local(async move { checked.set(Some(device::check_js_api(&JS_API_LIST).await)) });
        })
    };
    let row = |label: &'static str, value: String| cell(label, None, Look::Text, value);
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let status = match &wx.status {
        WxStatus::Loading => "loading".to_owned(),
        WxStatus::Ready(done) if done.healed => "ready (healed with a fresh ticket)".to_owned(),
        WxStatus::Ready(_) => "ready".to_owned(),
        WxStatus::Failed(f) => format!("error: {}", f.error),
    };
    html! {
        <>
            <h1 class="page-title">{ "Diagnostics" }</h1>
            <div class="cells-title">{ "Environment" }</div>
            <div class="cells" id="diag-env">
                { row("In WeChat", yes_no(wx.env.in_wechat)) }
                { row("Version", wx.env.wechat_version.clone().unwrap_or_else(|| "—".into())) }
                { row("Platform", platform_name(wx.env.platform).to_owned()) }
                { row("Mini program", yes_no(wx.env.mini_program)) }
                { row("Emulator", yes_no(wx.emulated)) }
                { row("Config", status) }
            </div>
            <div class="cells-title">{ "checkJsApi" }</div>
            <div class="btn-area">
                <button class="btn" id="diag-check" disabled={!wx.is_ready()} onclick={check}>{ "Check the APIs this page uses" }</button>
            </div>
            { match &*checked {
                Some(Ok(map)) => html! {
                    <div class="cells" id="diag-checked">
                        { for map.iter().map(|(api, ok)| html! {
                            <div class="cell"><span class="cell-body mono">{ api.name() }</span>
                                <span class="cell-value">{ if ok { "✓" } else { "✗" } }</span></div>
                        }) }
                    </div>
                },
                Some(Err(e)) => error_line(e),
                None => html! {},
            } }
            <SignatureDebugger />
        </>
    }
}
