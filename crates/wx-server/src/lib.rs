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
//! Running it: [`Server::start`] / [`Server::start_on`] (or [`Server::start_with_handler`]) for the whole backend;
//! [`App::build`] + [`App::router`] + [`serve`] for the backend's routes inside a router of your own.
//!
//! Modules: [`settings`] (configuration), [`accounts`] (several accounts in one server), [`credentials`] (the service), [`store`] (memory, file, Redis),
//! [`wechat`] (the upstream client), [`http`] (routes), [`connections`] (the serve loop: [`serve`]),
//! [`qrcode`] (scene QR codes), [`oauth`] (web authorisation), [`fake`] (the fake WeChat and its push simulator),
//! [`demo`] (the demo account of `--mock`), [`metrics`]. `App` (in `server.rs`) is the one place that puts them
//! together.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod accounts;
pub mod connections;
pub mod credentials;
pub mod demo;
pub mod fake;
pub mod http;
pub mod metrics;
pub mod oauth;
pub mod qrcode;
mod rules;
mod secret;
mod server;
pub mod settings;
pub mod store;
pub mod wechat;

pub use connections::{ServeOptions, serve};
pub use credentials::{
    CredentialError, CredentialService, DEFAULT_REFRESH_LEASE, FORCED_REFRESH_INTERVAL, ForcedRefresh,
};
pub use demo::{DEMO_APPID, DEMO_ENCODING_AES_KEY, DEMO_SECRET, DEMO_TOKEN};
pub use http::error::ApiError;
pub use metrics::Metrics;
pub use rules::DEMO_RULES;
pub use secret::Secret;
pub use server::{App, Server, StartError};
pub use settings::{
    AccountSettings, ConfigError, JsDomain, JsPorts, ServeArgs, Settings, StoreSpec, mock_media_dir, mock_store_path,
};
pub use wechat::{TokenMode, UpstreamError, WechatClient};
/// The account API client (menus, customer-service and template messages); [`CredentialService`] is its token
/// source.
pub use wx_api;
