//! `SdkSource::CommonJsUrl`: the npm jweixin file fetched from a URL and loaded (its own page: a page loads
//! jweixin once).
#![cfg(target_arch = "wasm32")]

mod common;

use common::JWEIXIN_NPM;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wx_jssdk::SdkSource;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn loads_the_npm_file_from_a_url() {
    // The npm file as the page would serve it (here a data: URL with JavaScript's content type).
    let url = format!(
        "data:text/javascript,{}",
        String::from(js_sys::encode_uri_component(JWEIXIN_NPM))
    );
    wx_jssdk::load_sdk(&SdkSource::CommonJsUrl(url)).await.expect("loaded");
    let window = web_sys::window().expect("window");
    let wx = js_sys::Reflect::get(&window, &"wx".into()).expect("wx");
    let config = js_sys::Reflect::get(&wx, &"config".into()).expect("wx.config");
    assert!(config.is_function(), "window.wx is jweixin");
    let jweixin = js_sys::Reflect::get(&window, &"jWeixin".into()).expect("jWeixin");
    assert!(
        js_sys::Object::is(&wx, &jweixin),
        "window.jWeixin too, as the CDN file defines it"
    );
}
