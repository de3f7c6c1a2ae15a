//! Every one-shot API through the real jweixin code, answered ok, cancel, fail and permission denied.

use crate::{
    common::{all_apis, configure, setup},
    support::{js, red_packet},
};
use std::{future::Future, pin::Pin};
use wasm_bindgen_test::wasm_bindgen_test;
use wx_jssdk::{
    JsApi, WxError,
    emulator::{Device, Reply},
};

type Outcome = Pin<Box<dyn Future<Output = Result<(), WxError>>>>;

/// Every one-shot API, each reduced to "did it succeed".
fn one_shot_apis() -> Vec<(JsApi, fn() -> Outcome)> {
    use wx_jssdk::*;
    vec![
        (JsApi::UpdateAppMessageShareData, || {
            Box::pin(async { share::update_app_message_share_data(&Default::default()).await })
        }),
        (JsApi::UpdateTimelineShareData, || {
            Box::pin(async { share::update_timeline_share_data(&Default::default()).await })
        }),
        (JsApi::StartRecord, || Box::pin(voice::start_record())),
        (JsApi::StopRecord, || {
            Box::pin(async { voice::stop_record().await.map(drop) })
        }),
        (JsApi::PlayVoice, || Box::pin(voice::play_voice("v"))),
        (JsApi::PauseVoice, || Box::pin(voice::pause_voice("v"))),
        (JsApi::StopVoice, || Box::pin(voice::stop_voice("v"))),
        (JsApi::UploadVoice, || {
            Box::pin(async { voice::upload_voice("v", false).await.map(drop) })
        }),
        (JsApi::DownloadVoice, || {
            Box::pin(async { voice::download_voice("s", false).await.map(drop) })
        }),
        (JsApi::TranslateVoice, || {
            Box::pin(async { voice::translate_voice("v", false).await.map(drop) })
        }),
        (JsApi::ChooseImage, || {
            Box::pin(async { image::choose_image(&Default::default()).await.map(drop) })
        }),
        (JsApi::PreviewImage, || {
            Box::pin(async { image::preview_image(&Default::default()).await })
        }),
        (JsApi::UploadImage, || {
            Box::pin(async { image::upload_image("i", false).await.map(drop) })
        }),
        (JsApi::DownloadImage, || {
            Box::pin(async { image::download_image("s", false).await.map(drop) })
        }),
        (JsApi::GetLocalImgData, || {
            Box::pin(async { image::get_local_img_data("i").await.map(drop) })
        }),
        (JsApi::GetNetworkType, || {
            Box::pin(async { device::get_network_type().await.map(drop) })
        }),
        (JsApi::OpenLocation, || {
            Box::pin(async { location::open_location(&Default::default()).await })
        }),
        (JsApi::GetLocation, || {
            Box::pin(async { location::get_location(location::CoordinateType::Wgs84).await.map(drop) })
        }),
        (JsApi::HideOptionMenu, || Box::pin(menu::hide_option_menu())),
        (JsApi::ShowOptionMenu, || Box::pin(menu::show_option_menu())),
        (JsApi::HideMenuItems, || {
            Box::pin(menu::hide_menu_items(&[menu::MenuItem::CopyUrl]))
        }),
        (JsApi::ShowMenuItems, || {
            Box::pin(menu::show_menu_items(&[menu::MenuItem::CopyUrl]))
        }),
        (JsApi::HideAllNonBaseMenuItem, || {
            Box::pin(menu::hide_all_non_base_menu_item())
        }),
        (JsApi::ShowAllNonBaseMenuItem, || {
            Box::pin(menu::show_all_non_base_menu_item())
        }),
        (JsApi::CloseWindow, || Box::pin(menu::close_window())),
        (JsApi::ScanQrCode, || {
            Box::pin(async { scan::scan_qr_code(&Default::default()).await.map(drop) })
        }),
        (JsApi::ChooseWxPay, || {
            Box::pin(async {
                pay::choose_wx_pay(&pay::ChooseWxPay {
                    timestamp: 1,
                    nonce_str: "n".into(),
                    package: "prepay_id=1".into(),
                    sign_type: "RSA".into(),
                    pay_sign: "s".into(),
                })
                .await
            })
        }),
        (JsApi::OpenProductSpecificView, || {
            Box::pin(misc::open_product_specific_view("p", misc::ProductViewType::Normal))
        }),
        (JsApi::AddCard, || {
            Box::pin(async { card::add_card(&[]).await.map(drop) })
        }),
        (JsApi::ChooseCard, || {
            Box::pin(async { card::choose_card(&Default::default()).await.map(drop) })
        }),
        (JsApi::OpenCard, || Box::pin(card::open_card(&[]))),
        (JsApi::OpenAddress, || {
            Box::pin(async { misc::open_address().await.map(drop) })
        }),
        (JsApi::StartSearchBeacons, || {
            Box::pin(beacon::start_search_beacons("t"))
        }),
        (JsApi::StopSearchBeacons, || Box::pin(beacon::stop_search_beacons())),
        (JsApi::ConsumeAndShareCard, || {
            Box::pin(async {
                card::consume_and_share_card(&card::CardToOpen {
                    card_id: "c".into(),
                    code: "1".into(),
                })
                .await
            })
        }),
        (JsApi::OpenEnterpriseRedPacket, || {
            Box::pin(async { pay::open_enterprise_red_packet(&red_packet()).await })
        }),
        (JsApi::OpenEnterpriseChat, || {
            Box::pin(async { misc::open_enterprise_chat(&Default::default()).await.map(drop) })
        }),
        (JsApi::LaunchMiniProgram, || {
            Box::pin(async { mini_program::launch_mini_program(&Default::default()).await })
        }),
        (JsApi::OpenBusinessView, || {
            Box::pin(async { pay::open_business_view(&Default::default()).await.map(drop) })
        }),
    ]
}

#[wasm_bindgen_test]
async fn every_one_shot_api_answers_ok_cancel_and_fail() {
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    let apis = one_shot_apis();
    // Every bound API that is not a listener is in the table.
    for &api in JsApi::ALL {
        let listener = api.name().starts_with("on");
        assert!(
            listener || apis.iter().any(|(a, _)| *a == api),
            "{api} has no one-shot test"
        );
    }
    for (api, call) in &apis {
        let ok = match api {
            JsApi::ChooseImage => Reply::OkWith(js(r#"{"localIds":"[\"blob:x\"]"}"#)),
            JsApi::ScanQrCode => Reply::OkWith(js(r#"{"resultStr":"x"}"#)),
            JsApi::GetLocation => Reply::OkWith(js(r#"{"latitude":1,"longitude":2,"speed":0,"accuracy":5}"#)),
            JsApi::GetNetworkType => Reply::Ok,
            JsApi::DownloadImage | JsApi::DownloadVoice => Reply::OkWith(js(r#"{"localId":"l"}"#)),
            JsApi::GetLocalImgData => Reply::OkWith(js(r#"{"localData":"data:image/png;base64,"}"#)),
            JsApi::TranslateVoice => Reply::OkWith(js(r#"{"translateResult":"t"}"#)),
            _ => Reply::Ok,
        };
        let table = [
            (ok, "ok"),
            (Reply::Cancel, "cancel"),
            (Reply::Fail("scripted failure".into()), "fail"),
            (Reply::PermissionDenied, "denied"),
        ];
        for (reply, label) in table {
            emu.script(*api, reply);
            let result = call().await;
            let as_expected = match label {
                "ok" => result.is_ok(),
                // jweixin rewrites every getNetworkType answer that names no network into "getNetworkType:fail".
                _ if *api == JsApi::GetNetworkType => {
                    matches!(&result, Err(WxError::Failed { err_msg, .. }) if err_msg == "getNetworkType:fail")
                }
                "cancel" => matches!(&result, Err(WxError::Cancelled { api: a }) if a == api.name()),
                "fail" => matches!(&result, Err(WxError::Failed { err_msg, .. })
                    if err_msg == &format!("{}:fail scripted failure", api.name())),
                _ => matches!(&result, Err(WxError::PermissionDenied { .. })),
            };
            assert!(as_expected, "{api} scripted {label}: {result:?}");
        }
    }
}
