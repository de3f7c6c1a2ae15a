//! Listener events: delivered, replaced, dropped; and refused without the bridge.

use crate::{
    common::{all_apis, configure, setup},
    support::{js, sleep, within},
};
use wasm_bindgen_test::wasm_bindgen_test;
use wx_jssdk::{
    WxError,
    emulator::{Device, MenuShareKind, Reply},
    share::MenuShareEvent,
};

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
