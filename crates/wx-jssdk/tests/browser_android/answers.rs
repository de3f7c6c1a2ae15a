//! The emulator's default answers and WeChat's odd forms, read back through jweixin's conversions.

use crate::{
    common::{all_apis, configure, setup},
    support::{js, sent, window, within},
};
use wasm_bindgen_test::wasm_bindgen_test;
use wx_jssdk::{
    JsApi, WxError,
    emulator::{Device, FixedLocation, Reply},
};

#[wasm_bindgen_test]
async fn default_answers_go_through_jweixin_conversions() {
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");

    // Android sends localIds as a JSON string; jweixin parses it.
    emu.next_images(vec!["blob:one".into(), "blob:two".into(), "blob:three".into()]);
    let chosen = wx_jssdk::image::choose_image(&wx_jssdk::image::ChooseImage {
        count: 2,
        ..Default::default()
    })
    .await
    .expect("chooseImage");
    assert_eq!(chosen.local_ids, ["blob:one", "blob:two"]);

    emu.next_scan_result("https://example.com/item/42");
    let scanned = wx_jssdk::scan::scan_qr_code(&wx_jssdk::scan::ScanQrCode {
        need_result: true,
        ..Default::default()
    })
    .await
    .expect("scan");
    assert_eq!(scanned.result_str.as_deref(), Some("https://example.com/item/42"));

    // A WGS-84 point in Shanghai: answered as it is for `wgs84`, shifted onto GCJ-02 (the published reference
    // conversion) for `gcj02`, as WeChat does.
    emu.set_location(Some(FixedLocation {
        latitude: 31.1774276,
        longitude: 121.5272106,
        accuracy: 30.0,
    }));
    let gps = wx_jssdk::location::get_location(wx_jssdk::location::CoordinateType::Wgs84)
        .await
        .expect("location");
    assert_eq!(
        (gps.latitude, gps.longitude, gps.accuracy),
        (31.1774276, 121.5272106, 30.0)
    );
    let here = wx_jssdk::location::get_location(wx_jssdk::location::CoordinateType::Gcj02)
        .await
        .expect("location");
    assert!(
        (here.latitude - 31.17530398364597).abs() < 1e-9 && (here.longitude - 121.531541859215).abs() < 1e-9,
        "GCJ-02 of the Shanghai point: {here:?}"
    );

    // jweixin renames WeChat's address fields.
    let address = wx_jssdk::misc::open_address().await.expect("address");
    assert_eq!(address.postal_code, "200000");
    assert_eq!(address.country_name, "Huangpu");

    // checkJsApi: Android's JSON string, parsed and mapped back from bridge names by jweixin.
    let support = wx_jssdk::device::check_js_api(&[JsApi::GetLocation, JsApi::PreviewImage])
        .await
        .expect("check");
    assert_eq!(support.get(&JsApi::GetLocation), Some(&true));
    assert_eq!(support.get(&JsApi::PreviewImage), Some(&true));

    // Upload then download returns the same local id; getLocalImgData reads it.
    let data = "data:image/png;base64,iVBORw0KGgo=";
    let server_id = wx_jssdk::image::upload_image(data, false).await.expect("upload");
    assert_eq!(
        wx_jssdk::image::download_image(&server_id, false)
            .await
            .expect("download"),
        data
    );
    assert_eq!(
        wx_jssdk::image::get_local_img_data(data).await.expect("local data"),
        data
    );

    // addCard: jweixin parses WeChat's card_list JSON and renames the fields.
    let added = wx_jssdk::card::add_card(&[wx_jssdk::card::CardToAdd {
        card_id: "p1".into(),
        card_ext: "{}".into(),
    }])
    .await
    .expect("addCard");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].card_id, "p1");
    assert!(added[0].is_success);

    let net = wx_jssdk::device::get_network_type().await.expect("network");
    assert_eq!(net.0, "wifi");

    wx_jssdk::menu::hide_menu_items(&[wx_jssdk::menu::MenuItem::CopyUrl, wx_jssdk::menu::MenuItem::ShareQq])
        .await
        .expect("hide");
    wx_jssdk::menu::show_menu_items(&[wx_jssdk::menu::MenuItem::ShareQq])
        .await
        .expect("show");
    assert_eq!(emu.record().hidden_menu_items, ["menuItem:copyUrl"]);
}

/// WeChat clients send `speed` / `accuracy` as `null` or `""` when they do not know them: read as absent.
#[wasm_bindgen_test]
async fn unknown_speed_and_accuracy_read_as_absent() {
    use wx_jssdk::location::{CoordinateType, get_location};
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    for extra in [
        r#"{"latitude":"31.2","longitude":121.5,"speed":null,"accuracy":""}"#,
        r#"{"latitude":31.2,"longitude":"121.5","speed":"","accuracy":null}"#,
    ] {
        emu.script(JsApi::GetLocation, Reply::OkWith(js(extra)));
        let here = get_location(CoordinateType::Wgs84).await.expect(extra);
        assert_eq!(
            (here.latitude, here.longitude, here.speed, here.accuracy),
            (31.2, 121.5, -1.0, 0.0),
            "{extra}"
        );
    }
    // A value that is there but not a number is still refused.
    emu.script(
        JsApi::GetLocation,
        Reply::OkWith(js(r#"{"latitude":1,"longitude":2,"speed":"fast"}"#)),
    );
    let bad = get_location(CoordinateType::Wgs84).await;
    assert!(matches!(bad, Err(WxError::BadResult { .. })), "{bad:?}");
}

/// In a desktop browser `input.click()` opens no file picker outside a user gesture, and says nothing: the
/// emulator answers chooseImage with a failure naming the reason instead of never answering.
#[wasm_bindgen_test]
async fn choose_image_without_user_activation_fails_with_the_reason() {
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    emu.reset();
    let activation = js_sys::Reflect::get(&window().navigator(), &"userActivation".into()).expect("navigator");
    let active = js_sys::Reflect::get(&activation, &"isActive".into()).expect("userActivation");
    assert_eq!(active.as_bool(), Some(false), "the test page has no user activation");
    let result = within(5_000, wx_jssdk::image::choose_image(&Default::default())).await;
    assert!(
        matches!(&result, Some(Err(WxError::Failed { err_msg, .. })) if err_msg.contains("user activation")),
        "{result:?}"
    );
}

#[wasm_bindgen_test]
async fn close_window_works_through_the_bridge_without_config() {
    let emu = setup(Device::Android).await;
    wx_jssdk::close_window().await.expect("closeWindow");
    assert!(emu.record().closed);
}

#[wasm_bindgen_test]
async fn product_view_type_reaches_wechat_as_a_string() {
    use wx_jssdk::misc::{ProductViewType, open_product_specific_view};
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    for (view_type, expected) in [
        (ProductViewType::Normal, "0"),
        (ProductViewType::Scan, "1"),
        (ProductViewType::Shop, "2"),
    ] {
        open_product_specific_view("pid-7", view_type)
            .await
            .expect("openProductSpecificView");
        // jweixin renames the fields and passes viewType through; WeChat takes "0" | "1" | "2".
        assert_eq!(
            sent(&emu, "openProductSpecificView"),
            serde_json::json!({"pid": "pid-7", "view_type": expected})
        );
    }
}

#[wasm_bindgen_test]
async fn choose_card_reads_every_form_of_card_list() {
    use wx_jssdk::card::{ChooseCard, ChosenCard, choose_card};
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    let options = ChooseCard {
        card_id: "pcard-1".into(),
        timestamp: 1_700_000_000,
        nonce_str: "card-nonce".into(),
        sign_type: "SHA1".into(),
        card_sign: "card-sign".into(),
        ..Default::default()
    };
    // The emulated Android client answers JSON text.
    let chosen = choose_card(&options).await.expect("chooseCard");
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0].card_id, "pcard-1");
    assert!(chosen[0].encrypt_code.starts_with("wxkit-emulated-encrypt-code-"));
    let args = sent(&emu, "chooseCard");
    assert_eq!(args["card_id"], "pcard-1");
    assert_eq!(args["time_stamp"], "1700000000");
    assert_eq!(args["card_sign"], "card-sign");

    let expected = vec![ChosenCard {
        card_id: "p1".into(),
        encrypt_code: "code-1".into(),
    }];
    for (form, info) in [
        ("JSON text", r#""[{\"card_id\":\"p1\",\"encrypt_code\":\"code-1\"}]""#),
        ("an array", r#"[{"card_id":"p1","encrypt_code":"code-1"}]"#),
        (
            "an array of JSON text",
            r#"["{\"card_id\":\"p1\",\"encrypt_code\":\"code-1\"}"]"#,
        ),
    ] {
        emu.script(
            JsApi::ChooseCard,
            Reply::OkWith(js(&format!(r#"{{"choose_card_info":{info}}}"#))),
        );
        assert_eq!(choose_card(&options).await.as_ref(), Ok(&expected), "{form}");
    }
    for broken in [r#""not json""#, r#"{"card_id":"p1"}"#, r#"[{"card_id":"p1"}]"#] {
        emu.script(
            JsApi::ChooseCard,
            Reply::OkWith(js(&format!(r#"{{"choose_card_info":{broken}}}"#))),
        );
        let result = choose_card(&options).await;
        assert!(
            matches!(&result, Err(WxError::BadResult { .. })),
            "{broken}: {result:?}"
        );
    }
}
