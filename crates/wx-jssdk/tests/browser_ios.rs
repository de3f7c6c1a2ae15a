//! The real jweixin 1.6.0 code over the emulator, as an iOS WeChat: the landing-URL rule for single-page apps
//! and iOS's own result encodings. One sequential test, so that the page's first `wx.config` is known.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{APP_ID, TICKET, all_apis, setup, signed};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wx_jssdk::{JsApi, Platform, WxError, emulator::Device};

wasm_bindgen_test_configure!(run_in_browser);

fn history() -> web_sys::History {
    web_sys::window().expect("window").history().expect("history")
}

#[wasm_bindgen_test]
async fn ios_checks_the_landing_url_and_decodes_ios_results() {
    let emu = setup(Device::Ios).await;
    assert_eq!(wx_jssdk::Environment::detect().platform, Platform::Ios);
    let landing = wx_jssdk::url_to_sign();

    // The page's first config fails: jweixin reports the error before its ready callbacks.
    let first = wx_jssdk::config(&signed("wrong-ticket", APP_ID, &landing), &all_apis()).await;
    assert!(matches!(first, Err(WxError::InvalidSignature { .. })), "{first:?}");

    // A single-page app navigates with pushState: iOS WeChat still checks the landing URL.
    history()
        .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/wxkit-spa/photos?tab=2#top"))
        .expect("push");
    let current = web_sys::window().expect("window").location().href().expect("href");
    assert_ne!(wx_sign::url_for_signing(&current), landing);
    assert_eq!(
        wx_jssdk::url_to_sign(),
        landing,
        "url_to_sign picks the landing URL on iOS"
    );

    let signed_current = signed(TICKET, APP_ID, &current);
    let result = wx_jssdk::config(&signed_current, &all_apis()).await;
    assert!(
        matches!(result, Err(WxError::InvalidSignature { .. })),
        "current URL on iOS: {result:?}"
    );
    assert_eq!(
        emu.record().configs.last().map(|c| c.url.clone()),
        Some(landing.clone())
    );

    wx_jssdk::config(&signed(TICKET, APP_ID, &wx_jssdk::url_to_sign()), &all_apis())
        .await
        .expect("landing URL");

    // iOS wraps scan results in JSON; jweixin unwraps scan_code.scan_result.
    emu.next_scan_result("EAN_13,6901234567892");
    let scanned = wx_jssdk::scan::scan_qr_code(&wx_jssdk::scan::ScanQrCode {
        need_result: true,
        ..Default::default()
    })
    .await
    .expect("scan");
    assert_eq!(scanned.result_str.as_deref(), Some("EAN_13,6901234567892"));

    // iOS sends localIds as an array and checkResult as an object.
    emu.next_images(vec!["blob:ios-1".into()]);
    let chosen = wx_jssdk::image::choose_image(&Default::default())
        .await
        .expect("chooseImage");
    assert_eq!(chosen.local_ids, ["blob:ios-1"]);
    // A client that sends Android's JSON text on another platform (jweixin parses it only on Android): same list.
    emu.script(
        JsApi::ChooseImage,
        wx_jssdk::emulator::Reply::OkWith(js_sys::JSON::parse(r#"{"localIds":"[\"blob:ios-json\"]"}"#).expect("json")),
    );
    let chosen = wx_jssdk::image::choose_image(&Default::default())
        .await
        .expect("chooseImage with localIds as JSON text");
    assert_eq!(chosen.local_ids, ["blob:ios-json"]);
    let support = wx_jssdk::device::check_js_api(&[JsApi::OpenCard])
        .await
        .expect("checkJsApi");
    assert_eq!(support.get(&JsApi::OpenCard), Some(&true));

    // The emulated iOS client sends chooseCard's card list as an array (Android: JSON text); same result.
    let chosen = wx_jssdk::card::choose_card(&wx_jssdk::card::ChooseCard {
        card_id: "pcard-ios".into(),
        ..Default::default()
    })
    .await
    .expect("chooseCard");
    assert_eq!(
        chosen.iter().map(|c| c.card_id.as_str()).collect::<Vec<_>>(),
        ["pcard-ios"]
    );
    assert!(chosen[0].encrypt_code.starts_with("wxkit-emulated-encrypt-code-"));

    // openBusinessView: iOS sends err_code as a number and extraData as an object, which jweixin leaves as is.
    let view = wx_jssdk::pay::BusinessView {
        business_type: "wxpayScoreDetail".into(),
        query_string: "mch_id=1&service_id=2".into(),
        env_version: None,
    };
    let back = wx_jssdk::pay::open_business_view(&view).await.expect("business view");
    assert_eq!((back.err_code, back.extra_data.as_deref()), (Some(0), Some("{}")));
    let args = emu
        .record()
        .calls
        .pop()
        .filter(|c| c.api == "openBusinessView")
        .expect("recorded")
        .args;
    assert_eq!(
        args,
        r#"{"businessType":"wxpayScoreDetail","queryString":"mch_id=1&service_id=2"}"#
    );
    emu.script(
        JsApi::OpenBusinessView,
        wx_jssdk::emulator::Reply::OkWith(
            js_sys::JSON::parse(r#"{"err_code":0,"extraData":{"query_id":"q-ios"}}"#).expect("json"),
        ),
    );
    let back = wx_jssdk::pay::open_business_view(&view).await.expect("business view");
    assert_eq!(back.extra_data.as_deref(), Some(r#"{"query_id":"q-ios"}"#));

    history()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&landing))
        .expect("restore");
}
