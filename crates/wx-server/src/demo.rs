//! The demo account: what `serve --mock` runs as and what the fake WeChat knows and pushes for, without
//! configuration. Neither a setting nor part of the fake, so both can use it without depending on each other.
//!
//! ```
//! // The fake knows the demo app, and `Settings::mock()` is that app.
//! assert_eq!(wx_server::fake::FakeOptions::default().credentials[0].0, wx_server::demo::DEMO_APPID);
//! assert_eq!(wx_server::Settings::mock().appid, wx_server::DEMO_APPID);
//! ```

/// The demo AppID used by `--mock` (the built-in fake WeChat knows it).
pub const DEMO_APPID: &str = "wx0000000000demo";
/// The demo AppSecret used by `--mock`.
pub const DEMO_SECRET: &str = "demo-appsecret-for-the-fake-wechat";
/// The demo server URL Token used by `--mock`.
pub const DEMO_TOKEN: &str = "demo-token";
/// The demo EncodingAESKey used by `--mock` (the fake WeChat's push simulator encrypts with it).
pub const DEMO_ENCODING_AES_KEY: &str = "demoEncodingAesKeyForTheFakeWechat000000000";
