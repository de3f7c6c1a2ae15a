//! Receiving WeChat Official Account pushes on the account's server URL (`POST /wechat`).
//!
//! | step | source | entry point |
//! |---|---|---|
//! | check the sender (`signature` / `msg_signature`) | `verify.rs` | [`PushVerifier::verify`] |
//! | safe mode: AES-256-CBC, 32-byte PKCS#7, appid check | `crypto.rs` | [`PushCipher`] |
//! | XML → typed message or event (no DOCTYPE, no entities, 64 KiB) | `parse.rs`, `xml.rs` | [`Push::parse`] |
//! | passive replies (text … news, `success`) | `reply.rs` | [`Reply`], [`ReplyMessage`] |
//! | once per push, retries share the reply, 4 s deadline | `service.rs`, `dedupe.rs` | [`PushService::handle`] |
//! | the account's mode, fresh timestamps, each signed request once | `verify.rs`, `replay.rs` | [`PushVerifier::with_account_mode`], [`ReplayStore`] |
//! | once per push across instances, retries anywhere share the reply | `claims.rs` | [`PushService::with_claim_store`], [`ClaimStore`] |
//! | signed pushes for tests and the fake WeChat | `simulate.rs` | [`PushSigner`] |
//!
//! A server mounts a [`PushService`] with a [`PushHandler`] (a type or an async closure):
//!
//! ```
//! use wx_push::{Message, PushBody, PushService, PushVerifier, Reply};
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let service = PushService::new(PushVerifier::new("token", None), |push: wx_push::Push| async move {
//!     match push.body {
//!         PushBody::Message(Message::Text { content, .. }) => Reply::text(format!("you said {content}")),
//!         _ => Reply::Success,
//!     }
//! });
//! // In the route: status, content type and body straight from the service.
//! let (raw_query, body) = ("signature=0&timestamp=1&nonce=n", b"<xml/>");
//! let response = service.handle(raw_query, body).await;
//! assert_eq!(response.status, 403);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod claims;
mod crypto;
mod dedupe;
mod demo;
mod detach;
mod envelope;
mod handler;
mod message;
mod parse;
mod random;
mod replay;
mod reply;
mod service;
mod shards;
mod simulate;
mod verify;
mod write;
mod xml;

pub use claims::{ClaimFuture, ClaimStore, ClaimStoreError, Claimed, claim_key};
pub use crypto::{CryptoError, ENCODING_AES_KEY_LEN, EncodingAesKey, PushCipher};
pub use demo::DemoHandler;
pub use handler::PushHandler;
pub use message::{DedupeKey, Event, Message, Push, PushBody, ScanCodeInfo, Scene, SendLocationInfo, SendPicsInfo};
pub use replay::{DEFAULT_REPLAY_MEMORY, ReplayFuture, ReplayStore, ReplayStoreError};
pub use reply::{Article, MAX_ARTICLES, MAX_ARTICLES_TO_MESSAGE, Music, Reply, ReplyError, ReplyMessage, Video};
pub use service::{
    AdmittedPush, DEFAULT_DEADLINE, DEFAULT_DEDUPE_CAPACITY, DEFAULT_DEDUPE_TTL, PushError, PushResponse, PushService,
};
pub use simulate::{PushSigner, SignedPush, SimulateError, WECHAT_ATTEMPTS, WECHAT_REPLY_TIMEOUT};
pub use verify::{
    DEFAULT_MAX_CLOCK_SKEW, MAX_ECHOSTR_LEN, Mode, PushQuery, PushVerifier, UnknownMode, VerifiedPush, VerifyError,
};
pub use xml::{MAX_BODY_BYTES, ParseError};

/// For the fuzz targets (feature `oracle`), not a stable API: the XML fast path checked against quick-xml.
#[cfg(feature = "oracle")]
#[doc(hidden)]
pub mod oracle {
    /// `Ok(true)` when the plain-shape fast path reads `xml` and shows the same elements and text as quick-xml's
    /// reader, `Ok(false)` when it leaves `xml` to quick-xml, `Err` with both readings when they differ.
    pub fn fast_path_agrees(xml: &str) -> Result<bool, String> {
        crate::xml::fast_path_agrees(xml)
    }
}
