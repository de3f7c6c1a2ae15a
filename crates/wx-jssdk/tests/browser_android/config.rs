//! `wx.config`: signatures WeChat accepts and refuses, self-healing, scripted outcomes, timeouts, tickets.

use crate::{
    common::{APP_ID, TICKET, all_apis, configure, setup, signed},
    support::{config_from_plain_js, within},
};
use std::cell::Cell;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use wx_jssdk::{
    ConfigOptions, JsApi, WxError,
    emulator::{Device, Reply, TicketSource},
};

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

/// A hand-written page calls `wx.config` without `openTagList` (WeChat accepts that): the emulator must answer.
#[wasm_bindgen_test]
async fn config_from_plain_js_without_open_tag_list_is_answered() {
    let emu = setup(Device::Android).await;
    // The bridge answers asynchronously; an exception inside it would leave the config unanswered forever.
    let last = config_from_plain_js(&emu, js_sys::Array::of1(&"chooseImage".into()), None).await;
    assert!(last.ok, "{last:?}");
    assert!(last.open_tag_list.is_empty());
}
