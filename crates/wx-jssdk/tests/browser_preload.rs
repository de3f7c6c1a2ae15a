//! `Preload`: what a page's inline script started before the wasm ran (`window.__wxkit_preload`) is adopted
//! once, for the URL it signed only, and anything missing, failed or signed for another URL is fetched again.
//! The "backend" is a `data:` URL (its `?url=…` lands in the ignored fragment), so each answer shows its source.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::disallowed_methods, reason = "test code: the size rules are for pages")]

mod common;

use common::JWEIXIN_NPM;
use js_sys::{Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wx_jssdk::{Backend, ConfigOptions, Configured, JsApi, Preload, WxError};

wasm_bindgen_test_configure!(run_in_browser);

const PRELOADED: &str = r#"{"appId":"wxPreloaded","timestamp":1700000000,"nonceStr":"n1","signature":"s1"}"#;

/// A backend answering `{"appId":"wxFetched",…}` to every request, as a `data:` URL.
fn fetched_backend() -> Backend {
    let json = r#"{"appId":"wxFetched","timestamp":1700000001,"nonceStr":"n2","signature":"s2"}"#;
    let encoded = String::from(js_sys::encode_uri_component(json));
    Backend::new(format!("data:application/json,{encoded}#"))
}

/// The backend's JSON answer, as the preload script's `r.json()` resolves.
fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("JSON")
}

/// Sets `window.__wxkit_preload = {url, config, sdk}` (each member only when given).
fn set_preload(url: Option<&str>, config: Option<Promise>, sdk: Option<Promise>) {
    let preload = js_sys::Object::new();
    if let Some(url) = url {
        Reflect::set(&preload, &"url".into(), &url.into()).expect("set url");
    }
    if let Some(config) = config {
        Reflect::set(&preload, &"config".into(), &config).expect("set config");
    }
    if let Some(sdk) = sdk {
        Reflect::set(&preload, &"sdk".into(), &sdk).expect("set sdk");
    }
    let window = web_sys::window().expect("window");
    Reflect::set(&window, &wx_jssdk::preload::PRELOAD_GLOBAL.into(), &preload).expect("set preload");
}

fn preload_global() -> JsValue {
    let window = web_sys::window().expect("window");
    Reflect::get(&window, &wx_jssdk::preload::PRELOAD_GLOBAL.into()).expect("get")
}

#[wasm_bindgen_test]
async fn the_preloaded_config_is_used_once_and_only_for_the_url_it_signed() {
    let backend = fetched_backend();
    let url = wx_jssdk::url_to_sign();

    // No script: nothing adopted, the backend signs.
    let mut none = Preload::adopt();
    assert!(none.is_empty());
    assert_eq!(
        none.signed_config(&backend, &url, false).await.expect("fetched").app_id,
        "wxFetched"
    );

    // Signed for this URL: adopted, once; the global is gone, so another adopter fetches for itself.
    set_preload(Some(&url), Some(Promise::resolve(&json(PRELOADED))), None);
    let mut preload = Preload::adopt();
    assert!(!preload.is_empty());
    assert!(preload_global().is_undefined(), "adopt removes window.__wxkit_preload");
    assert!(Preload::adopt().is_empty());
    let first = preload.signed_config(&backend, &url, false).await.expect("preloaded");
    assert_eq!((first.app_id.as_str(), first.signature.as_str()), ("wxPreloaded", "s1"));
    let second = preload.signed_config(&backend, &url, false).await.expect("fetched");
    assert_eq!(second.app_id, "wxFetched");

    // Signed for another URL (a single-page app that navigated before configuring): signed again.
    set_preload(
        Some("https://example.com/landing"),
        Some(Promise::resolve(&json(PRELOADED))),
        None,
    );
    let mut moved = Preload::adopt();
    assert_eq!(
        moved
            .signed_config(&backend, &url, false)
            .await
            .expect("re-signed")
            .app_id,
        "wxFetched"
    );

    // A refresh (the self-heal after `invalid signature`) never takes the preloaded answer.
    set_preload(Some(&url), Some(Promise::resolve(&json(PRELOADED))), None);
    let mut refresh = Preload::adopt();
    assert_eq!(
        refresh
            .signed_config(&backend, &url, true)
            .await
            .expect("refreshed")
            .app_id,
        "wxFetched"
    );

    // A preloaded request that failed (the script rejects on a network error or an error status), or an answer
    // that is not a signed config: asked again.
    set_preload(Some(&url), Some(Promise::reject(&"offline".into())), None);
    let mut failed = Preload::adopt();
    assert_eq!(
        failed
            .signed_config(&backend, &url, false)
            .await
            .expect("re-fetched")
            .app_id,
        "wxFetched"
    );
    let odd = json(r#"{"error":"wechat_timeout","message":"try again"}"#);
    set_preload(Some(&url), Some(Promise::resolve(&odd)), None);
    let mut odd = Preload::adopt();
    assert_eq!(
        odd.signed_config(&backend, &url, false)
            .await
            .expect("re-fetched")
            .app_id,
        "wxFetched"
    );

    // Without a URL the config cannot be matched to one: not adopted.
    set_preload(None, Some(Promise::resolve(&json(PRELOADED))), None);
    assert!(Preload::adopt().is_empty());
}

#[wasm_bindgen_test]
async fn the_preloaded_sdk_is_run_or_its_failure_reported() {
    // No preloaded SDK: the page loads it its own way.
    assert!(Preload::default().load_preloaded_sdk().await.is_none());

    // A request that failed, and one the server refused: errors naming the preload; a script that loaded but
    // did not define `wx` likewise.
    set_preload(None, None, Some(Promise::reject(&"net::ERR_FAILED".into())));
    let failed = Preload::adopt().load_preloaded_sdk().await;
    assert!(
        matches!(&failed, Some(Err(WxError::LoadFailed { detail })) if detail.contains("preloaded") && detail.contains("ERR_FAILED")),
        "{failed:?}"
    );
    set_preload(None, None, Some(Promise::reject(&JsValue::from(404))));
    let missing = Preload::adopt().load_preloaded_sdk().await;
    assert!(
        matches!(&missing, Some(Err(WxError::LoadFailed { detail })) if detail.contains("404")),
        "{missing:?}"
    );
    set_preload(None, None, Some(Promise::resolve(&JsValue::TRUE)));
    let no_wx = Preload::adopt().load_preloaded_sdk().await;
    assert!(matches!(&no_wx, Some(Err(WxError::LoadFailed { .. }))), "{no_wx:?}");

    // A function that runs the npm (CommonJS) file through the shim, as the script's: called, `window.wx`
    // defined; used once.
    let run = js_sys::Function::new_no_args(&wx_jssdk::commonjs_shim(JWEIXIN_NPM));
    set_preload(None, None, Some(Promise::resolve(&JsValue::from(run))));
    let mut preload = Preload::adopt();
    let loaded = preload.load_preloaded_sdk().await;
    assert!(matches!(loaded, Some(Ok(()))), "{loaded:?}");
    let wx = Reflect::get(&web_sys::window().expect("window"), &"wx".into()).expect("wx");
    assert!(Reflect::get(&wx, &"config".into()).expect("config").is_function());
    assert!(preload.load_preloaded_sdk().await.is_none());
}

/// Sets `window.__wxkit_preload` as a script that runs `wx.config` itself leaves it: the config it signed
/// for `url`, the APIs it listed, WeChat's answer, and the user agent before its emulator.
fn set_started(url: &str, apis: &[&str], configured: Promise, user_agent: Option<&str>) {
    set_preload(Some(url), Some(Promise::resolve(&json(PRELOADED))), None);
    let preload = preload_global();
    let list: js_sys::Array = apis.iter().map(|a| JsValue::from_str(a)).collect();
    Reflect::set(&preload, &"jsApiList".into(), &list).expect("set jsApiList");
    Reflect::set(&preload, &"configured".into(), &configured).expect("set configured");
    if let Some(ua) = user_agent {
        Reflect::set(&preload, &"userAgent".into(), &ua.into()).expect("set userAgent");
    }
}

fn answer(err_msg: &str) -> Promise {
    Promise::resolve(&json(&format!(r#"{{"errMsg":"{err_msg}"}}"#)))
}

/// Configures from `preload` with a signer that counts its calls (and signs like the `fetched_backend`).
async fn configure_counting(
    preload: &mut Preload,
    options: &ConfigOptions,
) -> (Result<Configured, WxError>, Vec<bool>) {
    let backend = fetched_backend();
    let mut calls = Vec::new();
    let result = preload
        .configure_with(options, async |url: &str, refresh: bool| {
            calls.push(refresh);
            backend.signed_config(url, refresh).await
        })
        .await;
    (result, calls)
}

#[wasm_bindgen_test]
async fn the_scripts_own_wx_config_is_adopted_only_for_this_url_and_these_apis() {
    let url = wx_jssdk::url_to_sign();
    let options = ConfigOptions::new([JsApi::UpdateAppMessageShareData, JsApi::ChooseImage]);
    let apis = ["updateAppMessageShareData", "chooseImage"];

    // Accepted: the page is configured with the script's config; nothing is signed again.
    set_started(&url, &apis, answer("config:ok"), None);
    let mut preload = Preload::adopt();
    assert!(preload.runs_config());
    let (done, calls) = configure_counting(&mut preload, &options).await;
    let done = done.expect("adopted");
    assert_eq!(
        (done.signed.app_id.as_str(), done.url.as_str(), done.healed),
        ("wxPreloaded", url.as_str(), false)
    );
    assert!(calls.is_empty(), "no signing: {calls:?}");
    assert!(!preload.runs_config(), "adopted once");

    // Refused for another reason than the signature: that error, typed, and nothing signed again.
    set_started(&url, &apis, answer("config:invalid url domain"), None);
    let (refused, calls) = configure_counting(&mut Preload::adopt(), &options).await;
    assert!(matches!(refused, Err(WxError::InvalidUrlDomain { .. })), "{refused:?}");
    assert!(calls.is_empty(), "{calls:?}");

    // Another API list, or another URL: not adopted; the page signs and configures itself (which, outside
    // WeChat, ends in NotInWechat).
    for (signed_url, listed) in [(url.as_str(), &apis[..1]), ("https://example.com/landing", &apis[..])] {
        set_started(signed_url, listed, answer("config:ok"), None);
        let (own, calls) = configure_counting(&mut Preload::adopt(), &options).await;
        assert!(matches!(own, Err(WxError::NotInWechat)), "{own:?}");
        assert_eq!(calls, [false], "signed once, not refreshed");
    }

    // The script could not run wx.config: without jweixin, the page says why.
    let _ = Reflect::delete_property(&web_sys::window().expect("window").into(), &"wx".into());
    set_started(&url, &apis, Promise::reject(&JsValue::from(404)), None);
    let (failed, calls) = configure_counting(&mut Preload::adopt(), &options).await;
    assert!(
        matches!(&failed, Err(WxError::LoadFailed { detail }) if detail.contains("preloaded") && detail.contains("404")),
        "{failed:?}"
    );
    assert!(calls.is_empty(), "{calls:?}");

    // WeChat never answers: a timeout after `timeout_ms`, as for the page's own wx.config.
    set_started(&url, &apis, Promise::new(&mut |_, _| {}), None);
    let (late, _) = configure_counting(&mut Preload::adopt(), &options.clone().with_timeout_ms(50)).await;
    assert!(matches!(late, Err(WxError::Timeout { after_ms: 50, .. })), "{late:?}");
}

#[wasm_bindgen_test]
fn the_environment_is_the_one_before_the_scripts_emulator() {
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";
    set_started("https://example.com/", &[], answer("config:ok"), Some(iphone));
    let env = Preload::adopt().environment();
    assert_eq!((env.in_wechat, env.platform), (false, wx_jssdk::Platform::Ios));
    // No script: what the page's user agent says now.
    assert_eq!(Preload::adopt().environment(), wx_jssdk::Environment::detect());
    assert!(!Preload::adopt().runs_config());
}
