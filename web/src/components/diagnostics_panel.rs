use crate::{
    components::{
        button::{Kind, button_area},
        cell::{Look, cell},
        error_line::error_line,
        signature_debugger::{Inputs, signature_debugger},
    },
    task::spawn,
    updater::Updater,
    wx::{JS_API_LIST, WxContext, WxStatus},
};
use wx_jssdk::{
    Platform, WxError,
    device::{self, JsApiSupport},
};
use yew::prelude::*;

/// The platform as the row shows it (the names `{:?}` printed, without Debug formatting in the page).
fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Ios => "Ios",
        Platform::Android => "Android",
        Platform::Desktop => "Desktop",
        Platform::Other => "Other",
    }
}

/// What the diagnostics panel keeps while it is shown.
#[derive(Clone, Default)]
pub struct DiagnosticsState {
    checked: Option<Result<JsApiSupport, WxError>>,
}

/// Environment, config status, checkJsApi results, and the signature debugger over its own state (`inputs`,
/// changed through `inputs_up`).
pub fn diagnostics_panel<R: 'static>(
    wx: &WxContext,
    state: &DiagnosticsState,
    up: &Updater<R, DiagnosticsState>,
    inputs: &Inputs,
    inputs_up: &Updater<R, Inputs>,
) -> Html {
    let check = {
        let up = up.clone();
        Callback::from(move |_: MouseEvent| {
            let up = up.clone();
            spawn(async move {
                let checked = device::check_js_api(&JS_API_LIST).await;
                up.update(|s| s.checked = Some(checked));
            });
        })
    };
    let row = |label: &'static str, value: String| cell(label, None, Look::Text, value);
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let status = match &*wx.status {
        WxStatus::Loading => "loading".to_owned(),
        WxStatus::Ready(done) if done.healed => "ready (healed with a fresh ticket)".to_owned(),
        WxStatus::Ready(_) => "ready".to_owned(),
        WxStatus::Failed(f) => "error: ".to_owned() + &f.error.to_string(),
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
            { button_area(Kind::Plain, "diag-check", "Check the APIs this page uses", !wx.is_ready(), check) }
            { match &state.checked {
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
            { signature_debugger(wx, inputs, inputs_up) }
        </>
    }
}
