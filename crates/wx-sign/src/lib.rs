//! The signature algorithms a WeChat Official Account needs, as pure functions.
//!
//! Every algorithm WeChat uses in an H5 page and its backend is SHA-1 over sorted fields:
//!
//! | what | function | canonical input |
//! |---|---|---|
//! | JS-SDK `wx.config` signature | [`sign_config`] | `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` |
//! | server URL check (`GET /wechat`) | [`server_signature`], [`verify_server_signature`] | sorted `token`, `timestamp`, `nonce`, concatenated |
//! | encrypted push `msg_signature` | [`msg_signature`], [`verify_msg_signature`] | sorted `token`, `timestamp`, `nonce`, `Encrypt` |
//! | card `signature` (cardExt) and `cardSign` | [`card_signature`] | sorted values, concatenated |
//!
//! Each signer exposes the canonical string it hashed, so a user who sees `invalid signature` can compare it
//! with what WeChat expects. Randomness and the clock ([`nonce`], [`unix_timestamp`]) are kept apart from the
//! signing, which is deterministic.
//!
//! This crate does no I/O and compiles for the host and for `wasm32-unknown-unknown`.
//!
//! ```
//! let signed = wx_sign::sign_config(
//!     "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
//!     "Wm3WZYTPz0wzccnW",
//!     1414587457,
//!     "http://mp.weixin.qq.com?params=value",
//! )?;
//! assert_eq!(signed.signature, "0f9de62fce790f9a083d5c99e95740ceb90c27ed");
//! # Ok::<(), wx_sign::SignError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod card;
mod digest;
mod error;
mod jsapi;
mod random;
mod server;

pub use card::card_signature;
pub use error::SignError;
pub use jsapi::{ConfigSignature, canonical_config_string, sign_config, url_for_signing};
pub use random::{NONCE_LEN, nonce, unix_timestamp};
pub use server::{msg_signature, server_signature, verify_msg_signature, verify_server_signature};
