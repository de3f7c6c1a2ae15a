//! The APIs jweixin carries beyond the documented list: what reaches the bridge and what comes back.

use crate::{
    common::{all_apis, configure, setup},
    support::{js, red_packet, sent},
};
use wasm_bindgen_test::wasm_bindgen_test;
use wx_jssdk::{
    JsApi, WxError,
    emulator::{Device, Reply},
};

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
