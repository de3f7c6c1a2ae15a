//! A typed async client for the WeChat Official Account API (`{base}/cgi-bin/…?access_token=T`): custom menus,
//! customer-service and template messages, media, users and tags.
//!
//! The client does only the account API's HTTP: it caches no token. It asks a [`TokenSource`] for the
//! access_token before each call, and when WeChat rejects that token (40001 / 40014 / 42001) it reports exactly
//! that token back ([`TokenSource::token_rejected`]), asks once more and retries the call once. wx-server's
//! `CredentialService` is such a source (in-process), and so is [`CentralToken`] (a central wx-server's
//! `GET /api/token`); a source of your own is a few lines:
//!
//! ```
//! use wx_api::{AccessToken, TokenError, TokenSource};
//!
//! /// A token another system keeps fresh, read from where it puts it.
//! struct FromEnv;
//!
//! impl TokenSource for FromEnv {
//!     async fn access_token(&self) -> Result<AccessToken, TokenError> {
//!         std::env::var("MY_ACCESS_TOKEN").map(AccessToken::new).map_err(TokenError::new)
//!     }
//!     async fn token_rejected(&self, _token: &AccessToken) {
//!         // Tell the system that keeps it; here there is nothing to drop.
//!     }
//! }
//!
//! let client = wx_api::AccountClient::new("https://api.weixin.qq.com", FromEnv)?;
//! # let _ = client;
//! # Ok::<(), wx_api::ApiError>(())
//! ```
//!
//! Requests are validated before they are sent ([`InvalidRequest`] names the button or field to fix), and
//! WeChat's errcodes come back as an [`ApiError`] saying what to do.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod central;
mod client;
mod custom;
mod error;
mod media;
mod menu;
mod template;
mod token;
mod users;

pub use central::CentralToken;
pub use client::AccountClient;
pub use custom::{Article, CustomerServiceMessage, MessageBody, Typing};
pub use error::{ApiError, InvalidRequest};
pub use media::{AddedMaterial, MaterialCount, MaterialItem, MaterialPage, Media, MediaFile, MediaKind, UploadedMedia};
pub use menu::{
    ButtonAction, ConditionalMenu, CurrentMenus, MatchRule, Menu, MenuButton, MenuId, NewsInfo, NewsItem, SelfMenu,
    SelfMenuButton, SelfMenuInfo, SubButtons,
};
pub use template::{MiniProgramLink, MsgId, PrivateTemplate, TemplateMessage, TemplateValue};
pub use token::{AccessToken, TokenError, TokenSource};
pub use users::{Follower, OpenidList, OpenidPage, Tag};
