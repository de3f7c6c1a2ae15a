//! Open tags over the emulator: drawn as tappable placeholders once verified, their events typed, each tap
//! recorded; a failed config with open tags fires `WeixinOpenTagsError`.

use crate::{
    common::{all_apis, configure, setup},
    support::{window, within},
};
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_test::wasm_bindgen_test;
use wx_jssdk::{
    OpenTag,
    emulator::{Device, Reply},
    open_tags::{OpenTagEvent, OpenTagEvents},
};

/// A tag of `kind` with `attributes`, listened to, inserted, and drawn (its `ready` received).
async fn drawn(kind: OpenTag, attributes: &[(&str, &str)]) -> (web_sys::HtmlElement, OpenTagEvents) {
    let document = window().document().expect("document");
    let tag = kind
        .create_element(&document, attributes, "<button>tap me</button>")
        .expect("create the tag");
    let mut events = OpenTagEvents::listen(kind, &tag).expect("listen");
    document.body().expect("body").append_child(&tag).expect("insert");
    assert_eq!(
        within(2_000, events.next()).await,
        Some(Some(OpenTagEvent::Ready)),
        "{kind:?} drawn"
    );
    let shadow = tag.shadow_root().expect("a shadow root");
    assert!(
        shadow.inner_html().contains("<button>tap me</button>"),
        "the template is shown"
    );
    (tag.unchecked_into(), events)
}

#[wasm_bindgen_test]
async fn open_tags_fire_typed_events_and_are_recorded() {
    let emu = setup(Device::Android).await;
    emu.reset();
    configure(all_apis().with_open_tags(OpenTag::ALL))
        .await
        .expect("config");

    // A dropped handle must leave no listener behind (a dropped Rust closure called by JS throws).
    let thrown = Rc::new(RefCell::new(Vec::<String>::new()));
    let seen = thrown.clone();
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let message = js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string());
        seen.borrow_mut().push(message.unwrap_or_default());
    });
    window()
        .add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref())
        .expect("listen to errors");

    let (weapp, mut events) = drawn(OpenTag::LaunchWeapp, &[("username", "gh_abc123"), ("path", "pages/a")]).await;
    weapp.click();
    assert_eq!(events.try_next(), Some(OpenTagEvent::Launch));
    let call = emu.record().calls.pop().expect("the tap is recorded");
    assert_eq!(
        (call.api.as_str(), call.err_msg.as_str()),
        ("wx-open-launch-weapp", "launch:ok")
    );
    assert!(call.args.contains("\"username\":\"gh_abc123\""), "{}", call.args);
    assert!(
        !call.args.contains("data-wxkit"),
        "the emulator's marks are not the page's: {}",
        call.args
    );

    // A scripted failure under the tag's name, then the handle replaced: the new one hears, the old one is gone.
    emu.script_name("wx-open-launch-weapp", Reply::Fail("user denied".into()));
    drop(events);
    let mut events = OpenTagEvents::listen(OpenTag::LaunchWeapp, &weapp).expect("listen again");
    weapp.click();
    assert_eq!(
        events.try_next(),
        Some(OpenTagEvent::Error {
            err_msg: "launch:fail user denied".into()
        })
    );
    assert_eq!(events.try_next(), None, "one event per tap");

    // A tag without its required attribute fails the tap, saying which.
    let (app, mut events) = drawn(OpenTag::LaunchApp, &[("extinfo", "x")]).await;
    app.click();
    assert_eq!(
        events.try_next(),
        Some(OpenTagEvent::Error {
            err_msg: "launch:fail the appid attribute is missing".into()
        })
    );
    let (app, mut events) = drawn(OpenTag::LaunchApp, &[("appid", "wx0123456789")]).await;
    app.click();
    assert_eq!(events.try_next(), Some(OpenTagEvent::Launch));

    // Subscribe: every template accepted, in WeChat's shape.
    let (subscribe, mut events) = drawn(OpenTag::Subscribe, &[("template", "t1, t2")]).await;
    subscribe.click();
    let Some(OpenTagEvent::Subscribed { subscribe_details }) = events.try_next() else {
        panic!("subscribe fires success");
    };
    let details = js_sys::JSON::parse(&subscribe_details).expect("JSON text");
    for id in ["t1", "t2"] {
        let status = js_sys::Reflect::get(&details, &id.into()).expect("entry").as_string();
        assert_eq!(
            status.as_deref(),
            Some("{\"status\":\"accept\"}"),
            "{subscribe_details}"
        );
    }

    // Audio: a tap plays, the next pauses.
    let (audio, mut events) = drawn(OpenTag::Audio, &[("src", "https://example.com/a.mp3")]).await;
    audio.click();
    audio.click();
    assert_eq!(events.try_next(), Some(OpenTagEvent::Play));
    assert_eq!(events.try_next(), Some(OpenTagEvent::Pause));
    let taps: Vec<_> = emu.record().calls.iter().map(|c| c.err_msg.clone()).collect();
    assert!(
        taps.ends_with(&["audio:play".to_owned(), "audio:pause".to_owned()]),
        "{taps:?}"
    );

    assert_eq!(
        thrown.borrow().as_slice(),
        &[] as &[String],
        "no listener outlived its handle"
    );
    let _ = window().remove_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
}

#[wasm_bindgen_test]
async fn a_failed_config_with_open_tags_fires_weixin_open_tags_error() {
    let emu = setup(Device::Android).await;
    let mut errors = OpenTagEvents::tags_errors().expect("listen on the document");
    emu.script_name("config", Reply::Fail("invalid signature".into()));
    let failed = configure(all_apis().with_open_tags([OpenTag::LaunchWeapp])).await;
    assert!(failed.is_err(), "{failed:?}");
    assert_eq!(
        within(2_000, errors.next()).await,
        Some(Some(OpenTagEvent::Error {
            err_msg: "config:invalid signature".into()
        }))
    );
    // A config without open tags says nothing about them.
    emu.script_name("config", Reply::Fail("invalid signature".into()));
    let _ = configure(all_apis()).await;
    assert_eq!(errors.try_next(), None);
    configure(all_apis())
        .await
        .expect("the page configured again for the other tests");
}
