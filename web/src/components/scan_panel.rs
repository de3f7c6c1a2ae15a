use crate::{
    components::{
        button::{Kind, button_area},
        cell::{Look, cell},
        error_line::error_line,
        page_head::page_head,
    },
    task::spawn,
    updater::Updater,
    wx::WxContext,
};
use wx_jssdk::{WxError, scan};
use yew::prelude::*;

/// What the scan panel keeps while it is shown.
#[derive(Clone, Default)]
pub struct ScanState {
    outcome: Option<Result<String, WxError>>,
}

/// scanQRCode with needResult=1: WeChat scans and hands the text back to the page.
pub fn scan_panel<R: 'static>(wx: &WxContext, state: &ScanState, up: &Updater<R, ScanState>) -> Html {
    let start = {
        let up = up.clone();
        Callback::from(move |_: MouseEvent| {
            let up = up.clone();
            spawn(async move {
                let options = scan::ScanQrCode {
                    need_result: true,
                    ..Default::default()
                };
                let result = scan::scan_qr_code(&options)
                    .await
                    .map(|r| r.result_str.unwrap_or_default());
                up.update(|s| s.outcome = Some(result));
            });
        })
    };
    let result = match &state.outcome {
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
            { page_head("Scan", "QR codes and barcodes, through WeChat's own scanner.") }
            { button_area(Kind::Primary, "scan-start", "Scan a code", !wx.is_ready(), start) }
            { result }
        </>
    }
}
