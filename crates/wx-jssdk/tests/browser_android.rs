//! The real jweixin 1.6.0 code over the emulator, as an Android WeChat, in headless Chromium.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{APP_ID, TICKET, all_apis, configure, setup, signed};
use std::{cell::Cell, future::Future, pin::Pin};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wx_jssdk::{
    ConfigOptions, JsApi, WxError,
    emulator::{Device, FixedLocation, MenuShareKind, Reply, TicketSource},
    share::MenuShareEvent,
};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn config_ok_is_recorded_with_the_page_url() {
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("a correct signature is accepted");
    let last = emu.record().configs.pop().expect("the emulator saw preVerifyJSAPI");
    assert!(last.ok);
    assert_eq!(last.err_msg, "config:ok");
    assert_eq!(last.app_id, APP_ID);
    assert_eq!(last.url, wx_jssdk::url_to_sign());
    // jweixin sent bridge names; the record maps them back.
    assert!(last.js_api_list.contains(&"getLocation".to_owned()));
}

#[wasm_bindgen_test]
async fn bad_configs_fail_typed_as_wechat_would() {
    let emu = setup(Device::Android).await;
    let url = wx_jssdk::url_to_sign();
    let cases = [
        ("wrong signature", {
            let mut c = signed(TICKET, APP_ID, &url);
            c.signature = "0".repeat(40);
            c
        }),
        ("wrong url", signed(TICKET, APP_ID, "http://127.0.0.1:1/other-page?x=1")),
        (
            "url with a different query",
            signed(TICKET, APP_ID, &format!("{url}&extra=1")),
        ),
        ("stale ticket", signed("an-older-ticket", APP_ID, &url)),
        ("wrong appId", signed(TICKET, "wx-another-app", &url)),
    ];
    for (what, config) in cases {
        let result = wx_jssdk::config(&config, &all_apis()).await;
        assert!(
            matches!(result, Err(WxError::InvalidSignature { .. })),
            "{what}: {result:?}"
        );
        let last = emu.record().configs.pop().expect("recorded");
        assert!(!last.ok, "{what}");
        assert_eq!(last.err_msg, "config:invalid signature", "{what}");
    }
    // The JS safe domain check comes first, as on WeChat's servers.
    emu.set_allowed_domains(Some(vec!["example.com".into()]));
    let result = configure(all_apis()).await;
    emu.set_allowed_domains(None);
    assert!(matches!(result, Err(WxError::InvalidUrlDomain { .. })), "{result:?}");
    // Missing fields never reach WeChat.
    let mut empty = signed(TICKET, APP_ID, &url);
    empty.nonce_str.clear();
    assert!(matches!(
        wx_jssdk::config(&empty, &all_apis()).await,
        Err(WxError::ConfigMissingFields { .. })
    ));
    // And the page can recover with a correct config.
    configure(all_apis()).await.expect("recovers");
}

#[wasm_bindgen_test]
async fn self_healing_refetches_once_and_never_loops() {
    let emu = setup(Device::Android).await;
    let calls = Cell::new(0);
    let healed = wx_jssdk::configure_with(&all_apis(), async |url: &str, refresh: bool| {
        calls.set(calls.get() + 1);
        // The backend's cached ticket is stale until it is asked to refresh.
        Ok(signed(if refresh { TICKET } else { "stale-ticket" }, APP_ID, url))
    })
    .await
    .expect("heals with the refreshed ticket");
    assert!(healed.healed);
    assert_eq!(calls.get(), 2);

    let calls = Cell::new(0);
    let result = wx_jssdk::configure_with(&all_apis(), async |url: &str, _refresh: bool| {
        calls.set(calls.get() + 1);
        Ok(signed("always-wrong", APP_ID, url))
    })
    .await;
    assert!(matches!(result, Err(WxError::InvalidSignature { .. })), "{result:?}");
    assert_eq!(calls.get(), 2, "exactly one retry");

    // A rotated ticket on WeChat's side: the old signature fails, the refreshed one passes.
    emu.set_ticket(TicketSource::Fixed {
        app_id: APP_ID.into(),
        ticket: "rotated".into(),
    });
    let healed = wx_jssdk::configure_with(&all_apis(), async |url: &str, refresh: bool| {
        Ok(signed(if refresh { "rotated" } else { TICKET }, APP_ID, url))
    })
    .await;
    emu.set_ticket(TicketSource::Fixed {
        app_id: APP_ID.into(),
        ticket: TICKET.into(),
    });
    assert!(healed.expect("healed").healed);
    configure(all_apis()).await.expect("back to the original ticket");
}

#[wasm_bindgen_test]
async fn api_missing_from_js_api_list_is_refused_typed() {
    let emu = setup(Device::Android).await;
    configure(ConfigOptions::new([JsApi::GetNetworkType]))
        .await
        .expect("config");
    emu.next_images(vec!["blob:unused".into()]);
    let refused = wx_jssdk::image::choose_image(&Default::default()).await;
    assert_eq!(
        refused,
        Err(WxError::NotVerified {
            api: "chooseImage".into()
        })
    );
    let allowed = wx_jssdk::device::get_network_type().await.expect("listed API works");
    assert!(allowed.is_wifi());
    emu.reset();
    configure(all_apis()).await.expect("config");
}

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

fn red_packet() -> wx_jssdk::pay::EnterpriseRedPacket {
    wx_jssdk::pay::EnterpriseRedPacket {
        timestamp: 1_700_000_000,
        nonce_str: "red-nonce".into(),
        package: "sendid=wxkit-1".into(),
        sign_type: "MD5".into(),
        pay_sign: "red-sign".into(),
    }
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

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON")
}

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

#[wasm_bindgen_test]
async fn listeners_deliver_events_and_go_quiet_on_drop() {
    use wx_jssdk::voice::VoiceEnded;
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    let data = wx_jssdk::share::MenuShare {
        title: "legacy".into(),
        link: wx_jssdk::url_to_sign(),
        ..Default::default()
    };
    let mut events = wx_jssdk::share::on_menu_share_timeline(&data).await.expect("listener");
    assert_eq!(emu.trigger_share(MenuShareKind::Timeline), 1);
    assert_eq!(events.next().await, Some(MenuShareEvent::Triggered));
    assert_eq!(events.next().await, Some(MenuShareEvent::Shared));
    let legacy = emu.record().legacy_shares.pop().expect("recorded");
    assert_eq!(
        (
            legacy.api.as_str(),
            legacy.content.title.as_str(),
            legacy.outcome.as_str()
        ),
        ("shareTimeline", "legacy", "ok")
    );

    emu.script_name("shareTimeline", Reply::Cancel);
    emu.trigger_share(MenuShareKind::Timeline);
    assert_eq!(events.next().await, Some(MenuShareEvent::Triggered));
    assert_eq!(events.next().await, Some(MenuShareEvent::Cancelled));

    // WeChat's bridge keeps the latest registration per event: the share uses its data, and the first handle
    // ends (instead of waiting forever for events that now go to the newer one).
    let newer = wx_jssdk::share::MenuShare {
        title: "newer".into(),
        ..data.clone()
    };
    let mut replaced = wx_jssdk::share::on_menu_share_timeline(&newer).await.expect("listener");
    assert!(events.is_replaced() && !replaced.is_replaced());
    assert_eq!(within(2_000, events.next()).await, Some(None), "a replaced handle ends");
    assert_eq!(emu.trigger_share(MenuShareKind::Timeline), 1);
    assert_eq!(replaced.next().await, Some(MenuShareEvent::Triggered));
    assert_eq!(replaced.next().await, Some(MenuShareEvent::Shared));
    assert_eq!(
        emu.record().legacy_shares.pop().map(|s| s.content.title),
        Some("newer".to_owned())
    );
    assert!(events.try_next().is_none(), "the replaced listener got an event");
    drop(replaced);

    let mut ended = wx_jssdk::voice::on_voice_record_end().await.expect("listener");
    assert_eq!(
        emu.emit(
            "onVoiceRecordEnd",
            &js(r#"{"localId":"voice-7","err_msg":"onVoiceRecordEnd:ok"}"#)
        ),
        1
    );
    assert_eq!(
        ended.next().await,
        Some(Ok(VoiceEnded {
            local_id: "voice-7".into()
        }))
    );
    // jweixin runs `complete` for failed events too: they come out as errors, not as an empty recording.
    emu.emit(
        "onVoiceRecordEnd",
        &js(r#"{"err_msg":"onVoiceRecordEnd:fail_record error"}"#),
    );
    let failed = ended.next().await;
    assert!(
        matches!(&failed, Some(Err(WxError::Failed { api, .. })) if api == "onVoiceRecordEnd"),
        "{failed:?}"
    );
    emu.emit("onVoiceRecordEnd", &js(r#"{"err_msg":"onVoiceRecordEnd:ok"}"#));
    let nameless = ended.next().await;
    assert!(
        matches!(&nameless, Some(Err(WxError::BadResult { .. }))),
        "{nameless:?}"
    );

    let mut played = wx_jssdk::voice::on_voice_play_end().await.expect("listener");
    emu.emit(
        "onVoicePlayEnd",
        &js(r#"{"localId":"voice-9","err_msg":"onVoicePlayEnd:ok"}"#),
    );
    assert_eq!(
        played.next().await.and_then(Result::ok).map(|e| e.local_id),
        Some("voice-9".into())
    );
    // Dropping the newest handle detaches it: the event goes nowhere, and a later handle starts empty.
    drop(played);
    assert_eq!(emu.emit("onVoicePlayEnd", &js(r#"{"localId":"voice-10"}"#)), 1);
    let mut played = wx_jssdk::voice::on_voice_play_end().await.expect("listener");
    assert!(played.try_next().is_none());
    // Many registrations, one callback per event: each new handle still gets the events.
    for _ in 0..20 {
        played = wx_jssdk::voice::on_voice_play_end().await.expect("listener");
    }
    emu.emit("onVoicePlayEnd", &js(r#"{"localId":"voice-11"}"#));
    assert_eq!(
        played.next().await.and_then(Result::ok).map(|e| e.local_id),
        Some("voice-11".into())
    );

    // onSearchBeacons listens on the bridge's onBeaconsInRange (jweixin's mapping table).
    let mut beacons = wx_jssdk::beacon::on_search_beacons().await.expect("listener");
    emu.emit(
        "onBeaconsInRange",
        &js(r#"{"beacons":[{"major":1}],"err_msg":"onBeaconsInRange:ok"}"#),
    );
    let found = beacons.next().await.expect("an event");
    assert_eq!(
        js_sys::JSON::stringify(&js_sys::Reflect::get(&found, &"beacons".into()).expect("beacons")).map(String::from),
        Ok(r#"[{"major":1}]"#.to_owned())
    );
    assert!(beacons.try_next().is_none());

    drop(ended);
    drop(events);
    // The bridge still calls the (now detached) callbacks: nothing throws, nothing is queued.
    assert_eq!(emu.emit("onVoiceRecordEnd", &js(r#"{"localId":"voice-8"}"#)), 1);
    emu.trigger_share(MenuShareKind::Timeline);
}

/// jweixin drops a listener registration when `WeixinJSBridge` is absent, and defers `getEnv` until it
/// appears: both must fail `NotInWechat` rather than hand back a dead handle or hang.
#[wasm_bindgen_test]
async fn without_the_bridge_listeners_and_get_env_fail_not_in_wechat() {
    use js_sys::Reflect;
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    let window = web_sys::window().expect("window");
    let bridge = Reflect::get(&window, &"WeixinJSBridge".into()).expect("bridge");
    Reflect::delete_property(&window, &"WeixinJSBridge".into()).expect("remove the bridge");
    // WeChat's user agent and no bridge: wx-jssdk waits for WeixinJSBridgeReady, which comes without one.
    let ready_without_bridge = || {
        wasm_bindgen_futures::spawn_local(async {
            sleep(50).await;
            let document = web_sys::window().and_then(|w| w.document()).expect("document");
            let event = web_sys::Event::new("WeixinJSBridgeReady").expect("event");
            document.dispatch_event(&event).expect("dispatch");
        })
    };
    ready_without_bridge();
    let listener = within(10_000, wx_jssdk::voice::on_voice_record_end()).await;
    ready_without_bridge();
    let share = within(10_000, wx_jssdk::share::on_menu_share_qq(&Default::default())).await;
    ready_without_bridge();
    let env = within(10_000, wx_jssdk::mini_program::get_env()).await;
    Reflect::set(&window, &"WeixinJSBridge".into(), &bridge).expect("restore the bridge");
    assert!(matches!(listener, Some(Err(WxError::NotInWechat))), "{listener:?}");
    assert!(matches!(share, Some(Err(WxError::NotInWechat))), "{share:?}");
    assert_eq!(env, Some(Err(WxError::NotInWechat)));
    // With the bridge back, both work.
    assert_eq!(wx_jssdk::mini_program::get_env().await, Ok(false));
    let mut ended = wx_jssdk::voice::on_voice_record_end().await.expect("listener");
    emu.emit("onVoiceRecordEnd", &js(r#"{"localId":"voice-12"}"#));
    assert!(matches!(ended.next().await, Some(Ok(_))));
}

/// jweixin keeps one set of config callbacks: a late answer to an attempt that timed out must not decide the
/// attempt after it.
#[wasm_bindgen_test]
async fn a_late_answer_to_a_timed_out_config_does_not_decide_the_retry() {
    use js_sys::{Function, Reflect};
    let emu = setup(Device::Android).await;
    let window = web_sys::window().expect("window");
    let bridge = Reflect::get(&window, &"WeixinJSBridge".into()).expect("bridge");
    let invoke = Reflect::get(&bridge, &"invoke".into()).expect("invoke");
    // WeChat is slow with the first config: its answer comes only when the page sends the next one.
    let slow = Function::new_with_args(
        "real, bridge",
        r#"let held = null, seen = 0;
        return function (name, args, cb) {
            if (name === 'preVerifyJSAPI' && seen++ === 0) { held = [args, cb]; return; }
            if (name === 'preVerifyJSAPI' && held) {
                const h = held; held = null;
                real.call(bridge, name, h[0], h[1]);
            }
            return real.call(bridge, name, args, cb);
        };"#,
    )
    .call2(&JsValue::NULL, &invoke, &bridge)
    .expect("wrapper");
    Reflect::set(&bridge, &"invoke".into(), &slow).expect("wrap invoke");
    let mut wrong = signed(TICKET, APP_ID, &wx_jssdk::url_to_sign());
    wrong.signature = "0".repeat(40);
    let first = wx_jssdk::config(&wrong, &all_apis().with_timeout_ms(200)).await;
    let retry = within(10_000, configure(all_apis())).await;
    Reflect::set(&bridge, &"invoke".into(), &invoke).expect("unwrap invoke");
    assert!(matches!(&first, Err(WxError::Timeout { .. })), "{first:?}");
    assert_eq!(retry, Some(Ok(())), "the first attempt's late answer decided the retry");
    // Both reached WeChat, the first one answered first.
    let configs = emu.record().configs;
    let last: Vec<_> = configs.iter().rev().take(2).map(|c| c.err_msg.as_str()).collect();
    assert_eq!(last, ["config:ok", "config:invalid signature"]);
    wx_jssdk::device::get_network_type()
        .await
        .expect("the retry's config holds");
}

/// WeChat documents jsApiList as required, open tags or not: the binding and the emulator both refuse an empty
/// one.
#[wasm_bindgen_test]
async fn an_empty_js_api_list_is_refused_by_the_binding_and_the_emulator() {
    let emu = setup(Device::Android).await;
    let only_tags = ConfigOptions::default().with_open_tags([wx_jssdk::OpenTag::LaunchWeapp]);
    let refused = configure(only_tags).await;
    assert!(
        matches!(&refused, Err(WxError::ConfigMissingFields { detail }) if detail.contains("jsApiList")),
        "{refused:?}"
    );
    // A hand-written page that sends one anyway gets WeChat's `config:fail`.
    let last = config_from_plain_js(
        &emu,
        js_sys::Array::new(),
        Some(js_sys::Array::of1(&"wx-open-launch-weapp".into())),
    )
    .await;
    assert!(!last.ok, "{last:?}");
    assert_eq!(last.err_msg, "config:fail");
    configure(all_apis()).await.expect("recovers");
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

fn window() -> web_sys::Window {
    web_sys::window().expect("window")
}

async fn sleep(ms: i32) {
    let tick = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
}

/// `Some(output)` if `f` finishes within `ms`, `None` if it is still pending then (a hang, made a failure).
async fn within<F: Future>(ms: i32, f: F) -> Option<F::Output> {
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

#[wasm_bindgen_test]
async fn close_window_works_through_the_bridge_without_config() {
    let emu = setup(Device::Android).await;
    wx_jssdk::close_window().await.expect("closeWindow");
    assert!(emu.record().closed);
}

#[wasm_bindgen_test]
async fn tickets_come_from_the_fake_wechat_endpoint() {
    let emu = setup(Device::Android).await;
    // A data: URL stands in for GET /fake-wechat/test-only/jsapi-ticket: the `?appid=…` the emulator appends
    // lands after `#`, in the fragment, which fetch ignores.
    let endpoint = |appid: &str, ticket: &str| TicketSource::FakeWechat {
        url: format!("data:application/json,{{\"appid\":\"{appid}\",\"ticket\":\"{ticket}\"}}#"),
    };
    // Right after a renewal both tickets are valid: a page signed with the previous one still verifies.
    emu.set_ticket(TicketSource::FakeWechat {
        url: format!(
            "data:application/json,{{\"appid\":\"{APP_ID}\",\"ticket\":\"renewed\",\"validTickets\":[\"renewed\",\"previous\"]}}#"
        ),
    });
    let overlap = wx_jssdk::config(&signed("previous", APP_ID, &wx_jssdk::url_to_sign()), &all_apis()).await;
    assert_eq!(overlap, Ok(()));
    emu.set_ticket(endpoint(APP_ID, "ticket-from-the-fake"));
    let ok = wx_jssdk::config(
        &signed("ticket-from-the-fake", APP_ID, &wx_jssdk::url_to_sign()),
        &all_apis(),
    )
    .await;
    // A ticket issued for another appId cannot verify this one.
    emu.set_ticket(endpoint("wx-someone-else", "ticket-from-the-fake"));
    let other_app = wx_jssdk::config(
        &signed("ticket-from-the-fake", APP_ID, &wx_jssdk::url_to_sign()),
        &all_apis(),
    )
    .await;
    // An unreachable endpoint is reported, not mistaken for a bad signature.
    emu.set_ticket(TicketSource::FakeWechat {
        url: "http://127.0.0.1:9/fake-wechat/test-only/jsapi-ticket".into(),
    });
    let unreachable = configure(all_apis()).await;
    emu.set_ticket(TicketSource::Fixed {
        app_id: APP_ID.into(),
        ticket: TICKET.into(),
    });
    assert_eq!(ok, Ok(()));
    assert!(
        matches!(other_app, Err(WxError::InvalidSignature { .. })),
        "{other_app:?}"
    );
    assert!(
        matches!(&unreachable, Err(WxError::Other { err_msg }) if err_msg.contains("could not get the jsapi ticket")),
        "{unreachable:?}"
    );
    configure(all_apis()).await.expect("back to the fixed ticket");
}

#[wasm_bindgen_test]
async fn scripted_config_outcomes_and_timeouts() {
    let emu = setup(Device::Android).await;
    type Check = fn(&Result<(), WxError>) -> bool;
    let cases: [(Reply, Check); 4] = [
        (Reply::Fail("require subscribe".into()), |r| {
            matches!(r, Err(WxError::RequireSubscribe { .. }))
        }),
        (Reply::PermissionDenied, |r| {
            matches!(r, Err(WxError::PermissionDenied { .. }))
        }),
        (Reply::Fail("invalid url domain".into()), |r| {
            matches!(r, Err(WxError::InvalidUrlDomain { .. }))
        }),
        (Reply::NoAnswer, |r| matches!(r, Err(WxError::Timeout { .. }))),
    ];
    for (reply, expected) in cases {
        let label = format!("{reply:?}");
        // Only the unanswered config waits out its (short) limit; the others get a generous one.
        let limit = if reply == Reply::NoAnswer { 300 } else { 5_000 };
        emu.script_name("config", reply);
        let result = configure(all_apis().with_timeout_ms(limit)).await;
        assert!(expected(&result), "{label}: {result:?}");
    }
    let record = emu.record();
    let messages: Vec<_> = record
        .configs
        .iter()
        .rev()
        .take(3)
        .map(|c| c.err_msg.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "config:invalid url domain",
            "config:permission denied",
            "config:require subscribe"
        ]
    );
    configure(all_apis()).await.expect("recovers");
}

#[wasm_bindgen_test]
async fn mini_program_calls_and_open_tags() {
    let emu = setup(Device::Android).await;
    configure(all_apis().with_open_tags(wx_jssdk::OpenTag::ALL))
        .await
        .expect("config");
    assert_eq!(emu.record().configs.pop().expect("recorded").open_tag_list.len(), 4);

    // Not inside a mini program's web-view: getEnv says so and navigation fails, typed.
    assert_eq!(wx_jssdk::mini_program::get_env().await, Ok(false));
    let outside = wx_jssdk::mini_program::navigate_to("/pages/index/index").await;
    assert!(matches!(&outside, Err(WxError::Failed { .. })), "{outside:?}");
    emu.script_name("invokeMiniProgramAPI", Reply::Ok);
    wx_jssdk::mini_program::post_message(&serde_json::json!({"order": 42}))
        .await
        .expect("scripted ok");

    let document = web_sys::window().expect("window").document().expect("document");
    let tag = wx_jssdk::OpenTag::LaunchWeapp
        .create_element(
            &document,
            &[("username", "gh_123"), ("path", "pages/a.html")],
            "<button>Open</button>",
        )
        .expect("element");
    assert_eq!(tag.tag_name().to_lowercase(), "wx-open-launch-weapp");
    assert_eq!(tag.get_attribute("username").as_deref(), Some("gh_123"));
    let template = tag.first_element_child().expect("template child");
    assert_eq!(template.get_attribute("type").as_deref(), Some("text/wxtag-template"));
    assert_eq!(template.inner_html(), "<button>Open</button>");
}

/// A hand-written page calls `wx.config` without `openTagList` (WeChat accepts that): the emulator must answer.
#[wasm_bindgen_test]
async fn config_from_plain_js_without_open_tag_list_is_answered() {
    let emu = setup(Device::Android).await;
    // The bridge answers asynchronously; an exception inside it would leave the config unanswered forever.
    let last = config_from_plain_js(&emu, js_sys::Array::of1(&"chooseImage".into()), None).await;
    assert!(last.ok, "{last:?}");
    assert!(last.open_tag_list.is_empty());
}

/// `wx.config` called as a hand-written JS page calls it (not through wx-jssdk, which validates first), signed
/// for the page, with `jsApiList` and, if given, `openTagList`: the emulator's record of its answer.
async fn config_from_plain_js(
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
fn sent(emu: &wx_jssdk::emulator::Emulator, api: &str) -> serde_json::Value {
    let call = emu
        .record()
        .calls
        .into_iter()
        .rev()
        .find(|c| c.api == api)
        .unwrap_or_else(|| panic!("the bridge saw no {api}"));
    serde_json::from_str(&call.args).unwrap_or_else(|e| panic!("{api} args {:?}: {e}", call.args))
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

#[wasm_bindgen_test]
async fn undocumented_apis_send_what_jweixin_sends() {
    use wx_jssdk::{mini_program, misc, pay};
    let emu = setup(Device::Android).await;
    configure(all_apis()).await.expect("config");
    // wx.config sent them under their bridge names; the emulator verified them like any other.
    let verified = emu.record().configs.pop().expect("config recorded").js_api_list;
    for api in JsApi::UNDOCUMENTED {
        assert!(
            verified.contains(&api.name().to_owned()),
            "{api} not in the verified jsApiList"
        );
    }

    // openEnterpriseRedPacket: chooseWXPay's fields, on the bridge as getRecevieBizHongBaoRequest.
    pay::open_enterprise_red_packet(&red_packet())
        .await
        .expect("red packet");
    assert_eq!(
        sent(&emu, "openEnterpriseRedPacket"),
        serde_json::json!({
            "timeStamp": "1700000000", "nonceStr": "red-nonce", "package": "sendid=wxkit-1",
            "paySign": "red-sign", "signType": "MD5",
        })
    );
    let last = emu.record().calls.pop().expect("recorded");
    assert_eq!(
        (last.api.as_str(), last.err_msg.as_str()),
        ("openEnterpriseRedPacket", "openEnterpriseRedPacket:ok")
    );

    let opened = misc::open_enterprise_chat(&misc::EnterpriseChat {
        user_ids: vec!["zhangsan".into(), "lisi".into()],
        group_name: "release".into(),
    })
    .await
    .expect("enterprise chat");
    assert_eq!(
        sent(&emu, "openEnterpriseChat"),
        serde_json::json!({"useridlist": "zhangsan;lisi", "chatname": "release"})
    );
    assert_eq!(opened.err_code, Some(0));
    emu.script(
        JsApi::OpenEnterpriseChat,
        Reply::OkWith(js(r#"{"err_code":"0","chatId":"chat-9"}"#)),
    );
    let opened = misc::open_enterprise_chat(&Default::default()).await.expect("chat");
    assert_eq!((opened.err_code, opened.chat_id.as_deref()), (Some(0), Some("chat-9")));

    // launchMiniProgram: jweixin appends .html to the page and keeps only the first query.
    let cases = [
        (
            "pages/index/index?from=h5",
            Some(mini_program::EnvVersion::Trial),
            serde_json::json!({"targetAppId": "wx-target", "path": "pages/index/index.html?from=h5", "envVersion": "trial"}),
        ),
        (
            "pages/index/index.html?next=/b?c=1",
            None,
            serde_json::json!({"targetAppId": "wx-target", "path": "pages/index/index.html?next=/b%3Fc=1"}),
        ),
        ("", None, serde_json::json!({"targetAppId": "wx-target"})),
    ];
    for (path, env_version, expected) in cases {
        mini_program::launch_mini_program(&mini_program::LaunchMiniProgram {
            target_app_id: "wx-target".into(),
            path: path.into(),
            env_version,
        })
        .await
        .expect("launchMiniProgram");
        assert_eq!(sent(&emu, "launchMiniProgram"), expected, "{path}");
    }

    // openBusinessView: Android's err_code is a string and its extraData JSON text, which jweixin parses.
    let view = pay::BusinessView {
        business_type: "wxpayScoreUse".into(),
        query_string: "mch_id=1230000109&package=p".into(),
        env_version: Some(mini_program::EnvVersion::Develop),
    };
    let back = pay::open_business_view(&view).await.expect("business view");
    assert_eq!(
        sent(&emu, "openBusinessView"),
        serde_json::json!({"businessType": "wxpayScoreUse", "queryString": "mch_id=1230000109&package=p", "envVersion": "develop"})
    );
    assert_eq!(back.err_code, Some(0));
    assert_eq!(back.extra_data.as_deref(), Some("{}"));
    assert!(back.returned_normally());
    emu.script(
        JsApi::OpenBusinessView,
        Reply::OkWith(js(r#"{"err_code":"0","extraData":"{\"query_id\":\"q-1\"}"}"#)),
    );
    let back = pay::open_business_view(&view).await.expect("business view");
    assert_eq!(back.extra_data.as_deref(), Some(r#"{"query_id":"q-1"}"#));
    // The user left another way: no err_code 0, no extraData.
    emu.script(JsApi::OpenBusinessView, Reply::OkWith(js(r#"{"err_code":"-1"}"#)));
    let back = pay::open_business_view(&view).await.expect("business view");
    assert_eq!((back.err_code, back.extra_data.as_deref()), (Some(-1), None));
    assert!(!back.returned_normally());
    emu.script(JsApi::OpenBusinessView, Reply::OkWith(js(r#"{"err_code":"x"}"#)));
    let garbled = pay::open_business_view(&view).await;
    assert!(matches!(&garbled, Err(WxError::BadResult { .. })), "{garbled:?}");

    // WeChat may refuse them: typed like any API.
    emu.script(JsApi::LaunchMiniProgram, Reply::PermissionDenied);
    let refused = mini_program::launch_mini_program(&Default::default()).await;
    assert!(matches!(&refused, Err(WxError::PermissionDenied { .. })), "{refused:?}");
}
