//! Shared by the browser tests: the real jweixin code, the emulator set-up, and a signer playing the backend.
#![allow(dead_code)]

use wx_jssdk::{
    ConfigOptions, JsApi, SdkSource, SignedConfig, WxError,
    emulator::{Device, Emulator, EmulatorOptions, TicketSource},
};

/// The official jweixin 1.6.0 code from npm `weixin-js-sdk@1.6.5`, installed by `cargo xtask setup` into
/// target/tools (never committed).
pub const JWEIXIN_NPM: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../target/tools/node_modules/weixin-js-sdk/index.js"
));

pub const APP_ID: &str = "wxkit-test-app";
pub const TICKET: &str = "wxkit-test-ticket-1";

/// Installs the emulator (once per page) and loads the real SDK through the CommonJS shim.
pub async fn setup(device: Device) -> Emulator {
    let emulator = match Emulator::current() {
        Some(e) => e,
        None => wx_jssdk::emulator::install(EmulatorOptions {
            device,
            ticket: TicketSource::Fixed {
                app_id: APP_ID.into(),
                ticket: TICKET.into(),
            },
            show_panel: false,
            ..EmulatorOptions::default()
        })
        .expect("install the emulator"),
    };
    wx_jssdk::load_sdk(&SdkSource::CommonJs(JWEIXIN_NPM.into()))
        .await
        .expect("load jweixin");
    emulator
}

/// What the backend would answer for `url`, signed with `ticket`.
pub fn signed(ticket: &str, app_id: &str, url: &str) -> SignedConfig {
    let nonce = wx_sign::nonce().expect("nonce");
    let timestamp = wx_sign::unix_timestamp();
    let s = wx_sign::sign_config(ticket, &nonce, timestamp, wx_sign::url_for_signing(url)).expect("sign");
    SignedConfig {
        app_id: app_id.into(),
        timestamp,
        nonce_str: nonce,
        signature: s.signature,
    }
}

/// Every 1.6.0 API plus the extras this crate binds.
pub fn all_apis() -> ConfigOptions {
    ConfigOptions::new(JsApi::ALL.iter().copied()).with_timeout_ms(5_000)
}

/// Configures the page with a correct signature for `apis`.
pub async fn configure(apis: ConfigOptions) -> Result<(), WxError> {
    wx_jssdk::config(&signed(TICKET, APP_ID, &wx_jssdk::url_to_sign()), &apis).await
}
