//! wxkit's signing backend: the central credential service for a WeChat Official Account's
//! access_token and jsapi_ticket, the JS-SDK config endpoint, the server URL check and pushes (through
//! `wx-push`), scene QR codes, OAuth web sign-in, static hosting of the H5 app, and a fake WeChat to run all
//! of it without an account.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // The demo: backend + fake WeChat on one listener, no configuration.
//! let mut settings = wx_server::Settings::mock();
//! settings.listen = "127.0.0.1:0".parse()?;
//! let server = wx_server::Server::start(settings).await?;
//! // GET {server}/api/jssdk/config?url=… → {"appId","timestamp","nonceStr","signature"}
//! // GET {server}/fake-wechat/test-only/jsapi-ticket?appid=… → the ticket to verify against
//! println!("{}", server.url("/"));
//! # Ok(()) }
//! ```
//!
//! Modules: [`settings`] (configuration), [`credentials`] (the service), [`store`] (memory, file, Redis),
//! [`wechat`] (the upstream client), [`http`] (routes, and [`http::serve`]), [`qrcode`] (scene QR codes),
//! [`oauth`] (web authorisation), [`fake`] (the fake WeChat and its push simulator), [`metrics`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod credentials;
pub mod fake;
pub mod http;
pub mod metrics;
pub mod oauth;
pub mod qrcode;
mod secret;
mod server;
pub mod settings;
pub mod store;
pub mod wechat;

pub use credentials::{
    CredentialError, CredentialService, DEFAULT_REFRESH_LEASE, FORCED_REFRESH_INTERVAL, ForcedRefresh,
};
pub use http::error::ApiError;
pub use metrics::Metrics;
pub use secret::Secret;
pub use server::{App, Server, StartError, serve};
pub use settings::{
    ConfigError, DEMO_APPID, DEMO_ENCODING_AES_KEY, DEMO_SECRET, DEMO_TOKEN, JsDomain, JsPorts, ServeArgs, Settings,
    StoreSpec, mock_store_path,
};
pub use wechat::{TokenMode, UpstreamError, WechatClient};
