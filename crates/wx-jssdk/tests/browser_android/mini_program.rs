//! Inside and outside a mini program's web-view, and open tags.

use crate::common::{all_apis, configure, setup};
use wasm_bindgen_test::wasm_bindgen_test;
use wx_jssdk::{
    WxError,
    emulator::{Device, Reply},
};

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
    assert_eq!(tag.tag_name().to_ascii_lowercase(), "wx-open-launch-weapp");
    assert_eq!(tag.get_attribute("username").as_deref(), Some("gh_123"));
    let template = tag.first_element_child().expect("template child");
    assert_eq!(template.get_attribute("type").as_deref(), Some("text/wxtag-template"));
    assert_eq!(template.inner_html(), "<button>Open</button>");
}
