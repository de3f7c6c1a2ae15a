//! Share content, recorded by the emulator and readable from JS as WebDriver tests read it.

use crate::{
    common::{all_apis, configure, setup},
    support::js,
};
use wasm_bindgen_test::wasm_bindgen_test;
use wx_jssdk::{WxError, emulator::Device};

#[wasm_bindgen_test]
async fn shares_are_recorded_and_readable_from_js() {
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    let data = wx_jssdk::share::AppMessageShare {
        title: "wxkit title".into(),
        desc: "wxkit desc".into(),
        link: wx_jssdk::url_to_sign(),
        img_url: "https://example.com/icon.png".into(),
    };
    wx_jssdk::share::update_app_message_share_data(&data)
        .await
        .expect("share");
    wx_jssdk::share::update_timeline_share_data(&wx_jssdk::share::TimelineShare {
        title: "moments".into(),
        link: data.link.clone(),
        img_url: data.img_url.clone(),
    })
    .await
    .expect("timeline");
    let record = emu.record();
    let shared = record.app_message_share.expect("recorded");
    assert_eq!(
        (shared.title.as_str(), shared.desc.as_str()),
        ("wxkit title", "wxkit desc")
    );
    assert_eq!(record.timeline_share.expect("recorded").title, "moments");

    // The same record through the well-known global, as WebDriver tests read it.
    let global = js_sys::Reflect::get(&js_sys::global(), &"__wxkitEmulator".into()).expect("global");
    let record_fn: js_sys::Function = js_sys::Reflect::get(&global, &"record".into()).expect("record").into();
    let from_js = record_fn.call0(&global).expect("record()");
    let json = String::from(js_sys::JSON::stringify(&from_js).expect("json"));
    assert!(
        json.contains(r#""appMessageShare":{"title":"wxkit title","desc":"wxkit desc""#),
        "{json}"
    );

    // Scripting through the global.
    let script_fn: js_sys::Function = js_sys::Reflect::get(&global, &"script".into()).expect("script").into();
    script_fn
        .call2(&global, &"scanQRCode".into(), &js(r#"{"outcome":"cancel"}"#))
        .expect("script()");
    let result = wx_jssdk::scan::scan_qr_code(&Default::default()).await;
    assert_eq!(
        result,
        Err(WxError::Cancelled {
            api: "scanQRCode".into()
        })
    );
}
