use crate::{
    components::{
        cell::{Look, cell},
        text_field::state_field,
    },
    wx::{WxStatus, use_wx},
};
use yew::{platform::spawn_local, prelude::*};

#[derive(Clone, PartialEq, Default)]
struct Inputs {
    ticket: String,
    noncestr: String,
    timestamp: String,
    url: String,
}

/// The fake WeChat's current ticket for `appid` (test-only path of `wx-server serve --mock`).
async fn fake_ticket(appid: &str) -> Option<String> {
    let url = format!("/fake-wechat/test-only/jsapi-ticket?appid={appid}");
    let response = wasm_bindgen_futures::JsFuture::from(web_sys::window()?.fetch_with_str(&url))
        .await
        .ok()?;
    let response: web_sys::Response = wasm_bindgen::JsCast::dyn_into(response).ok()?;
    let json = wasm_bindgen_futures::JsFuture::from(response.json().ok()?).await.ok()?;
    // One string field: read it directly (serde's error paths would link Rust's float formatting).
    js_sys::Reflect::get(&json, &"ticket".into()).ok()?.as_string()
}

/// wx-sign in the page: ticket, noncestr, timestamp and URL in, canonical string and signature out. The
/// offline twin of WeChat's jsapisign sandbox page.
#[function_component(SignatureDebugger)]
pub fn signature_debugger() -> Html {
    let wx = use_wx();
    let ready = match &wx.status {
        WxStatus::Ready(done) => Some(done.clone()),
        _ => None,
    };
    let inputs = use_state(Inputs::default);
    // Follow the config WeChat accepted last (Android re-signs after each navigation); keep a typed ticket.
    {
        let inputs = inputs.clone();
        use_effect_with(ready.clone(), move |ready| {
            if let Some(done) = ready {
                inputs.set(Inputs {
                    ticket: inputs.ticket.clone(),
                    noncestr: done.signed.nonce_str.clone(),
                    timestamp: done.signed.timestamp.to_string(),
                    url: done.url.clone(),
                });
            }
        });
    }
    let field = |id, label, value: &str, set: fn(&mut Inputs, String)| state_field(&inputs, id, label, value, set);
    let use_fake = ready.as_ref().filter(|_| wx.emulated).map(|done| {
        let (inputs, appid) = (inputs.clone(), done.signed.app_id.clone());
        Callback::from(move |_: MouseEvent| {
            let (inputs, appid) = (inputs.clone(), appid.clone());
            spawn_local(async move {
                if let Some(ticket) = fake_ticket(&appid).await {
                    inputs.set(Inputs {
                        ticket,
                        ..(*inputs).clone()
                    });
                }
            });
        })
    });
    let result = inputs
        .timestamp
        .trim()
        .parse::<u64>()
        .map_err(|_| "timestamp must be whole seconds, e.g. 1700000000".to_owned())
        .and_then(|ts| {
            wx_sign::sign_config(&inputs.ticket, &inputs.noncestr, ts, &inputs.url).map_err(|e| e.to_string())
        });
    let matches = match (&result, &ready) {
        (Ok(signed), Some(done)) => Some(signed.signature == done.signed.signature),
        _ => None,
    };
    html! {
        <>
            <div class="cells-title">{ "Signature debugger (wx-sign, in this page)" }</div>
            <div class="cells">
                { field("dbg-ticket", "jsapi_ticket", &inputs.ticket, |i, v| i.ticket = v) }
                { field("dbg-noncestr", "noncestr", &inputs.noncestr, |i, v| i.noncestr = v) }
                { field("dbg-timestamp", "timestamp", &inputs.timestamp, |i, v| i.timestamp = v) }
                { field("dbg-url", "url", &inputs.url, |i, v| i.url = v) }
            </div>
            if let Some(onclick) = use_fake {
                <div class="btn-area"><button class="btn" id="dbg-fake-ticket" {onclick}>{ "Use the fake WeChat's ticket" }</button></div>
            }
            <div class="cells">
                { match &result {
                    Ok(signed) => html! {
                        <>
                            <div class="cell"><span class="cell-body mono" id="dbg-canonical">{ signed.canonical.clone() }</span></div>
                            { cell("signature", Some("dbg-signature"), Look::Code, signed.signature.clone()) }
                        </>
                    },
                    Err(e) => html! { <div class="cell"><span class="cell-body" id="dbg-error">{ e.clone() }</span></div> },
                } }
                if let Some(done) = &ready {
                    { cell("backend", Some("dbg-backend-signature"), Look::Code, done.signed.signature.clone()) }
                }
                if let Some(m) = matches {
                    <div class="cell"><span class="cell-body" id="dbg-match">
                        { if m { "✓ equals the signature the backend returned" } else { "✗ differs from the signature the backend returned" } }
                    </span></div>
                }
            </div>
        </>
    }
}
