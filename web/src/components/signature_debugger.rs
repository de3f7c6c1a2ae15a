use crate::{
    components::{
        button::{Kind, button_area},
        cell::{Look, cell},
        text_field::text_field,
    },
    effect::{Effect, no_cleanup},
    task::spawn,
    updater::Updater,
    wx::{WxContext, WxStatus},
};
use wx_jssdk::SignedConfig;
use yew::prelude::*;

/// What the debugger signs, kept in the panel state. `noncestr`, `timestamp` and `url` follow the config the
/// status holds, accepted or refused (Android re-signs after each navigation): see [`follow_config`]. A
/// typed ticket is kept.
#[derive(Clone, PartialEq, Default)]
pub struct Inputs {
    ticket: String,
    noncestr: String,
    timestamp: String,
    url: String,
    /// The signature of the config the three fields were last filled from.
    followed: Option<String>,
}

impl Inputs {
    /// Fills `noncestr`, `timestamp` and `url` from `config` unless they already followed it (and may have been
    /// edited since).
    fn follow(&mut self, config: Option<(&SignedConfig, &str)>) {
        if let Some((signed, url)) = config
            && self.followed.as_ref() != Some(&signed.signature)
        {
            self.noncestr = signed.nonce_str.clone();
            self.timestamp = signed.timestamp.to_string();
            self.url = url.to_owned();
            self.followed = Some(signed.signature.clone());
        }
    }
}

/// The fake WeChat's current ticket for `appid` (test-only path of `wx-server serve --mock`).
async fn fake_ticket(appid: &str) -> Option<String> {
    let url = "/fake-wechat/test-only/jsapi-ticket?appid=".to_owned() + appid;
    let response = wasm_bindgen_futures::JsFuture::from(web_sys::window()?.fetch_with_str(&url))
        .await
        .ok()?;
    let response: web_sys::Response = wasm_bindgen::JsCast::dyn_into(response).ok()?;
    let json = wasm_bindgen_futures::JsFuture::from(response.json().ok()?).await.ok()?;
    // One string field, read directly rather than through serde (ARCHITECTURE.md, "Size rules").
    js_sys::Reflect::get(&json, &"ticket".into()).ok()?.as_string()
}

/// The config the status holds and the URL it was signed for: the one WeChat accepted, or the one it refused
/// (the debugger is most useful for the latter).
fn signed(status: &WxStatus) -> Option<(&SignedConfig, &str)> {
    match status {
        WxStatus::Ready(done) => Some((&done.signed, &done.url)),
        WxStatus::Failed(failure) => failure.signed.as_ref().map(|s| (s, failure.url.as_str())),
        WxStatus::Loading => None,
    }
}

/// The effect that keeps the inputs on the config the WeChat state holds, with its key (the config's
/// signature): run after a render that shows a config they have not followed yet, it fills `noncestr`,
/// `timestamp` and `url` from it.
pub fn follow_config<R: 'static>(wx: &WxContext, up: Updater<R, Inputs>) -> (String, Effect) {
    let status = wx.status.clone();
    let key = signed(&status).map(|(s, _)| s.signature.clone()).unwrap_or_default();
    let follow = Box::new(move || {
        up.update(move |inputs| inputs.follow(signed(&status)));
        no_cleanup()
    });
    (key, follow)
}

/// wx-sign in the page: ticket, noncestr, timestamp and URL in, canonical string and signature out. The
/// offline twin of WeChat's jsapisign sandbox page. A view helper over state the panel keeps (ARCHITECTURE.md,
/// "Size rules").
pub fn signature_debugger<R: 'static>(wx: &WxContext, inputs: &Inputs, up: &Updater<R, Inputs>) -> Html {
    let config = signed(&wx.status);
    let field = |id, label, value: &str, set: fn(&mut Inputs, String)| text_field(id, label, value, up.setter(set));
    let use_fake = config.filter(|_| wx.emulated).map(|(signed, _)| {
        let (up, appid) = (up.clone(), signed.app_id.clone());
        Callback::from(move |_: MouseEvent| {
            let (up, appid) = (up.clone(), appid.clone());
            spawn(async move {
                if let Some(ticket) = fake_ticket(&appid).await {
                    up.update(|s| s.ticket = ticket);
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
    let matches = match (&result, config) {
        (Ok(ours), Some((backend, _))) => Some(ours.signature == backend.signature),
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
                { button_area(Kind::Plain, "dbg-fake-ticket", "Use the fake WeChat's ticket", false, onclick) }
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
                if let Some((backend, _)) = config {
                    { cell("backend", Some("dbg-backend-signature"), Look::Code, backend.signature.clone()) }
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
