use crate::{
    components::{
        cell::{Look, cell},
        error_line::error_line,
    },
    wx::use_wx,
};
use wx_jssdk::{WxError, scan};
use yew::{platform::spawn_local, prelude::*};

/// scanQRCode with needResult=1: WeChat scans and hands the text back to the page.
#[function_component(ScanPanel)]
pub fn scan_panel() -> Html {
    let wx = use_wx();
    let outcome = use_state(|| None::<Result<String, WxError>>);
    let start = {
        let outcome = outcome.clone();
        Callback::from(move |_: MouseEvent| {
            let outcome = outcome.clone();
            spawn_local(async move {
                let options = scan::ScanQrCode {
                    need_result: true,
                    ..Default::default()
                };
                let result = scan::scan_qr_code(&options)
                    .await
                    .map(|r| r.result_str.unwrap_or_default());
                outcome.set(Some(result));
            });
        })
    };
    let result = match &*outcome {
        Some(Ok(text)) => {
            let is_link = text.starts_with("https://") || text.starts_with("http://");
            html! {
                <div class="cells">
                    { cell("Result", Some("scan-result"), Look::LongCode, text.clone()) }
                    if is_link {
                        <div class="cell"><a id="scan-link" href={text.clone()} rel="noopener">{ "Open the link" }</a></div>
                    }
                </div>
            }
        }
        Some(Err(e)) => error_line(e),
        None => html! {},
    };
    html! {
        <>
            <h1 class="page-title">{ "Scan" }</h1>
            <p class="page-desc">{ "QR codes and barcodes, through WeChat's own scanner." }</p>
            <div class="btn-area">
                <button class="btn btn-primary" id="scan-start" disabled={!wx.is_ready()} onclick={start}>{ "Scan a code" }</button>
            </div>
            { result }
        </>
    }
}
