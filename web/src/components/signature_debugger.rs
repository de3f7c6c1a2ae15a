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
    /// The canonical string last digested, and its SHA-1 (hex) or why there is none.
    digest: Option<(String, Result<String, String>)>,
}

impl Inputs {
    /// wx-sign's canonical string of the four fields, or what to fix in them.
    fn canonical(&self) -> Result<String, String> {
        let ts = self.timestamp.trim().parse::<u64>();
        let ts = ts.map_err(|_| "timestamp must be whole seconds, e.g. 1700000000".to_owned())?;
        wx_sign::canonical_config_string(&self.ticket, &self.noncestr, ts, &self.url).map_err(|e| e.to_string())
    }

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
    crate::api::field(&crate::api::call(&url).await.ok()?, "ticket")
}

/// SHA-1 of `text` as lowercase hex, by the browser's WebCrypto: a digest independent of wx-sign's, and none of
/// a SHA-1's code in the page (ARCHITECTURE.md, "Size rules").
async fn sha1_hex(text: &str) -> Result<String, String> {
    let insecure = || "WebCrypto's SHA-1 needs a secure context: open the page over https or on localhost".to_owned();
    let crypto = web_sys::window().and_then(|w| w.crypto().ok()).ok_or_else(insecure)?;
    // `crypto.subtle` is undefined outside secure contexts.
    if js_sys::Reflect::get(&crypto, &"subtle".into()).map_or(true, |s| s.is_undefined()) {
        return Err(insecure());
    }
    let data = js_sys::Uint8Array::from(text.as_bytes());
    let digest = crypto
        .subtle()
        .digest_with_str_and_buffer_source("SHA-1", &data)
        .map_err(|_| insecure())?;
    let digest = wasm_bindgen_futures::JsFuture::from(digest)
        .await
        .map_err(|_| insecure())?;
    let mut hex = String::with_capacity(40);
    for byte in js_sys::Uint8Array::new(&digest).to_vec() {
        for nibble in [byte >> 4, byte & 0xf] {
            hex.push(char::from(b"0123456789abcdef"[usize::from(nibble)]));
        }
    }
    Ok(hex)
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

/// The effect that keeps the inputs on the config the WeChat state holds, and their signature current, with its
/// key (the config's signature and the inputs' canonical string): run after a render that shows a config they
/// have not followed yet, it fills `noncestr`, `timestamp` and `url` from it; run after a render whose canonical
/// string changed, it digests that string.
pub fn follow_config<R: 'static>(wx: &WxContext, inputs: &Inputs, up: Updater<R, Inputs>) -> (String, Effect) {
    let status = wx.status.clone();
    let canonical = inputs.canonical().ok();
    let mut key = signed(&status).map(|(s, _)| s.signature.clone()).unwrap_or_default();
    key.push('\n');
    key.push_str(canonical.as_deref().unwrap_or_default());
    let follow = Box::new(move || {
        up.update(move |inputs| inputs.follow(signed(&status)));
        if let Some(canonical) = canonical {
            spawn(async move {
                let digest = sha1_hex(&canonical).await;
                // Kept only for the inputs as they are now: an older digest finishing last must not replace a
                // newer one (the effect would not run again for the same inputs).
                up.update(move |inputs| {
                    if inputs.canonical().is_ok_and(|now| now == canonical) {
                        inputs.digest = Some((canonical, digest));
                    }
                });
            });
        }
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
    // The canonical string now, and its signature once digested (an older digest is of other inputs).
    let result = inputs.canonical().map(|canonical| {
        let digest = inputs
            .digest
            .as_ref()
            .filter(|(of, _)| *of == canonical)
            .map(|(_, d)| d.clone());
        (canonical, digest)
    });
    let matches = match (&result, config) {
        (Ok((_, Some(Ok(ours)))), Some((backend, _))) => Some(*ours == backend.signature),
        _ => None,
    };
    html! {
        <>
            <div class="cells-title">{ "Signature debugger (wx-sign and WebCrypto, in this page)" }</div>
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
                    Ok((canonical, digest)) => html! {
                        <>
                            <div class="cell"><span class="cell-body mono" id="dbg-canonical">{ canonical.clone() }</span></div>
                            { match digest {
                                Some(Ok(signature)) => cell("signature", Some("dbg-signature"), Look::Code, signature.clone()),
                                Some(Err(e)) => html! { <div class="cell"><span class="cell-body" id="dbg-error">{ e.clone() }</span></div> },
                                None => cell("signature", Some("dbg-signature"), Look::Code, "…".into()),
                            } }
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
