//! A desktop browser without the emulator: loading (fallback, one shared load) and the "not in WeChat" paths.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::disallowed_methods, reason = "test code: the size rules are for pages")]

mod common;

use common::{APP_ID, JWEIXIN_NPM, TICKET, all_apis, signed};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wx_jssdk::{SdkSource, WxError, emulator::EmulatorError};

wasm_bindgen_test_configure!(run_in_browser);

fn scripts_with_src(prefix: &str) -> u32 {
    let document = web_sys::window().expect("window").document().expect("document");
    let scripts = document.query_selector_all("script[src]").expect("query");
    (0..scripts.length())
        .filter_map(|i| scripts.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .filter(|e| e.get_attribute("src").is_some_and(|s| s.starts_with(prefix)))
        .count() as u32
}

#[wasm_bindgen_test]
async fn loads_once_with_fallback_and_refuses_outside_wechat() {
    let config = signed(TICKET, APP_ID, &wx_jssdk::url_to_sign());
    // Before loading, calls say what to do.
    let early = wx_jssdk::image::choose_image(&Default::default()).await;
    assert!(matches!(early, Err(WxError::LoadFailed { .. })), "{early:?}");

    // Every source failing is a typed error naming each source (port 9 on loopback refuses connections).
    let dead = SdkSource::Urls(vec!["http://127.0.0.1:9/jweixin-1.6.0.js".into()]);
    let failed = wx_jssdk::load_sdk(&dead).await;
    assert!(
        matches!(&failed, Err(WxError::LoadFailed { detail }) if detail.contains("127.0.0.1:9")),
        "{failed:?}"
    );
    // Its message says what failed once, not the prefix twice (the error used to cross the shared load as text).
    let message = failed.expect_err("failed").to_string();
    assert_eq!(message.matches("could not be loaded").count(), 1, "{message}");

    // The npm CommonJS file as a plain script URL: named for what it is, pointing at the source that loads it.
    let npm_as_script = format!(
        "data:text/javascript,{}",
        String::from(js_sys::encode_uri_component(JWEIXIN_NPM))
    );
    let wrong = wx_jssdk::load_sdk(&SdkSource::Urls(vec![npm_as_script])).await;
    let wrong = wrong.expect_err("CommonJS as a script");
    assert!(
        matches!(&wrong, WxError::LoadFailed { detail } if detail.contains("SdkSource::CommonJsUrl")),
        "{wrong:?}"
    );
    assert_eq!(wrong.to_string().matches("could not be loaded").count(), 1, "{wrong}");

    // A CommonJS URL that is unreachable, or answers a page instead of the file, fails saying so.
    let unreachable = wx_jssdk::load_sdk(&SdkSource::CommonJsUrl(
        "http://127.0.0.1:9/jweixin-1.6.0.cjs.js".into(),
    ))
    .await;
    assert!(
        matches!(&unreachable, Err(WxError::LoadFailed { detail }) if detail == "http://127.0.0.1:9/jweixin-1.6.0.cjs.js: the script failed to load"),
        "{unreachable:?}"
    );
    let page = wx_jssdk::load_sdk(&SdkSource::CommonJsUrl("data:text/html,<!doctype html><p>index".into())).await;
    assert!(
        matches!(&page, Err(WxError::LoadFailed { detail }) if detail.starts_with("data:text/html,") && !detail.contains("could not be loaded")),
        "{page:?}"
    );

    // The first URL fails, the fallback (the real SDK as a data: URL) loads; two concurrent callers share it.
    let data_url = format!(
        "data:text/javascript,{}",
        String::from(js_sys::encode_uri_component(&wx_jssdk::commonjs_shim(JWEIXIN_NPM)))
    );
    let source = SdkSource::Urls(vec!["http://127.0.0.1:9/jweixin-1.6.0.js".into(), data_url]);
    let (a, b) = futures_join(wx_jssdk::load_sdk(&source), wx_jssdk::load_sdk(&source)).await;
    a.expect("first caller");
    b.expect("second caller");
    assert_eq!(scripts_with_src("data:text/javascript,(function"), 1, "one shared load");
    wx_jssdk::load_sdk(&source).await.expect("already loaded");
    assert_eq!(scripts_with_src("data:text/javascript,(function"), 1);

    // Not WeChat: typed, immediate refusals.
    assert_eq!(wx_jssdk::config(&config, &all_apis()).await, Err(WxError::NotInWechat));
    assert_eq!(wx_jssdk::close_window().await, Err(WxError::NotInWechat));
    // jweixin drops calls when there is no bridge; they must not wait for a callback that never comes.
    let call = wx_jssdk::image::choose_image(&Default::default()).await;
    assert!(matches!(call, Err(WxError::NotInWechat)), "{call:?}");
    let undocumented = wx_jssdk::mini_program::launch_mini_program(&Default::default()).await;
    assert_eq!(undocumented, Err(WxError::NotInWechat));
    assert_eq!(
        wx_jssdk::mini_program::get_env().await,
        Ok(false),
        "not in a mini program, and no hang"
    );
    // jweixin drops listener registrations without a bridge: no dead handle.
    assert!(matches!(
        wx_jssdk::voice::on_voice_record_end().await,
        Err(WxError::NotInWechat)
    ));
    assert!(matches!(
        wx_jssdk::share::on_menu_share_timeline(&Default::default()).await,
        Err(WxError::NotInWechat)
    ));
    assert!(!wx_jssdk::Environment::detect().in_wechat);
    // The emulator must come before the SDK, which has already read the user agent.
    assert_eq!(
        wx_jssdk::emulator::install(Default::default()).map(drop),
        Err(EmulatorError::SdkAlreadyLoaded)
    );
}

/// A config endpoint that answers HTML (a dev server not proxying `/api/`) says to check the proxy, not to
/// report a bug; an endpoint that cannot be reached is status 0.
#[wasm_bindgen_test]
async fn backend_answering_html_points_at_the_proxy() {
    let dev_server = wx_jssdk::Backend::new("data:text/html,<!doctype html><title>trunk</title>");
    let e = dev_server
        .signed_config("https://example.com/", false)
        .await
        .expect_err("HTML is not a signed config");
    assert!(
        matches!(&e, WxError::Backend { status: 200, message, .. } if message.contains("reaches wx-server")),
        "{e:?}"
    );
    assert!(e.hint().contains("reaches wx-server"), "{}", e.hint());
    assert!(!e.hint().contains("report this"));

    let down = wx_jssdk::Backend::new("http://127.0.0.1:9/api/jssdk/config");
    let e = down
        .signed_config("https://example.com/", false)
        .await
        .expect_err("refused");
    assert!(
        matches!(&e, WxError::Backend { status: 0, error, .. } if error == "unreachable"),
        "{e:?}"
    );
}

/// Polls two futures to completion together (no extra dependency for one join).
async fn futures_join<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let std::task::Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let std::task::Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.expect("a finished"), rb.expect("b finished"))
}
