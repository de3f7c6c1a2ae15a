//! Helpers shared by the modules: JS values, timers, a hand-written `wx.config`, what the bridge received.

use crate::common::{APP_ID, TICKET, signed};
use std::future::Future;
use wasm_bindgen::JsValue;

/// A JS value from JSON text (answers to script, events to emit).
pub fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON")
}

/// The test page's window.
pub fn window() -> web_sys::Window {
    web_sys::window().expect("window")
}

/// Waits `ms` milliseconds on the browser's timer.
pub async fn sleep(ms: i32) {
    let tick = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
}

/// `Some(output)` if `f` finishes within `ms`, `None` if it is still pending then (a hang, made a failure).
pub async fn within<F: Future>(ms: i32, f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    let mut timer = std::pin::pin!(sleep(ms));
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(v));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// `wx.config` called as a hand-written JS page calls it (not through wx-jssdk, which validates first), signed
/// for the page, with `jsApiList` and, if given, `openTagList`: the emulator's record of its answer.
pub async fn config_from_plain_js(
    emu: &wx_jssdk::emulator::Emulator,
    js_api_list: js_sys::Array,
    open_tag_list: Option<js_sys::Array>,
) -> wx_jssdk::emulator::ConfigAttempt {
    use js_sys::{Function, Object, Reflect};
    let before = emu.record().configs.len();
    let c = signed(TICKET, APP_ID, &wx_jssdk::url_to_sign());
    let wx = Reflect::get(&window(), &"wx".into()).expect("wx");
    let options = Object::new();
    let fields = [
        ("appId", JsValue::from_str(&c.app_id)),
        ("timestamp", JsValue::from_f64(c.timestamp as f64)),
        ("nonceStr", JsValue::from_str(&c.nonce_str)),
        ("signature", JsValue::from_str(&c.signature)),
        ("jsApiList", js_api_list.into()),
    ];
    let tags = open_tag_list.map(|tags| ("openTagList", JsValue::from(tags)));
    for (k, v) in fields.into_iter().chain(tags) {
        Reflect::set(&options, &k.into(), &v).expect("set");
    }
    let config: Function = Reflect::get(&wx, &"config".into()).expect("config").into();
    config.call1(&wx, &options).expect("wx.config");
    for _ in 0..100 {
        if emu.record().configs.len() > before {
            break;
        }
        sleep(20).await;
    }
    let mut configs = emu.record().configs;
    let answered = configs.len() > before;
    configs
        .pop()
        .filter(|_| answered)
        .expect("the emulator answered the config")
}

/// The arguments the bridge received for the latest call of `api`, parsed.
pub fn sent(emu: &wx_jssdk::emulator::Emulator, api: &str) -> serde_json::Value {
    let call = emu
        .record()
        .calls
        .into_iter()
        .rev()
        .find(|c| c.api == api)
        .unwrap_or_else(|| panic!("the bridge saw no {api}"));
    serde_json::from_str(&call.args).unwrap_or_else(|e| panic!("{api} args {:?}: {e}", call.args))
}

/// An openEnterpriseRedPacket request (one-shot table and the undocumented APIs' test).
pub fn red_packet() -> wx_jssdk::pay::EnterpriseRedPacket {
    wx_jssdk::pay::EnterpriseRedPacket {
        timestamp: 1_700_000_000,
        nonce_str: "red-nonce".into(),
        package: "sendid=wxkit-1".into(),
        sign_type: "MD5".into(),
        pay_sign: "red-sign".into(),
    }
}
