//! Reply rules for WeChat Official Account pushes, on top of [`wx_push`]: what node-webot gives Node teams.
//!
//! | piece | type | webot |
//! |---|---|---|
//! | ordered named rules, first match wins | [`Router`], [`Rule`] | `webot.set` |
//! | matchers: type, event, event key, text, regex, predicate | [`Rule::msg_type`] … [`Rule::when`] | `pattern` |
//! | replies: static, template, random, async function | [`Rule::reply`], [`Rule::template`], [`Rule::random_texts`], [`Rule::reply_with`] | `handler`, reply lists |
//! | hooks and guarded groups | [`Router::before`], [`Router::after`], [`Group`] | `beforeReply`, `afterReply`, `domain` |
//! | per-follower sessions with a TTL | [`Context::get`]/[`Context::set`], [`SessionStore`] | `info.session` |
//! | dialogues: retry, time-out, escape word | [`WaitRule`], [`Rule::then_wait`], [`Context::wait`] | `waitRule`, `info.wait` |
//! | rule files in TOML | [`parse_rules`] (feature `toml`) | `webot.loads` |
//! | a customer-service message after the reply | [`Rule::follow_up_news`], [`Router::answer_with_follow_up`] | — |
//!
//! wx-rules does no network or file I/O of its own: sessions go through the [`SessionStore`] it is given
//! (memory by default; wx-server adds file and Redis stores).
//!
//! ```
//! use wx_push::{Message, Push, PushBody, Reply};
//! use wx_rules::{Router, Rule};
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let router = Router::new()
//!     .rule(Rule::new("help").exact("help").text("Send `weather <city>`."))
//!     .rule(Rule::new("weather").regex(r"^weather (?P<city>\w+)$")?.template("Sunny in {city}.")?);
//! let push = Push { to_user_name: "gh".into(), from_user_name: "o1".into(), create_time: 1,
//!     body: PushBody::Message(Message::Text { content: "weather Paris".into(), msg_id: 1 }) };
//! assert_eq!(router.answer(push).await, Reply::text("Sunny in Paris."));
//! # Ok::<(), wx_rules::RuleError>(()) }).unwrap();
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod context;
#[cfg(feature = "toml")]
mod file;
mod matcher;
mod random;
mod router;
mod rule;
mod session;
mod template;

pub use context::Context;
#[cfg(feature = "toml")]
pub use file::{RuleFileError, parse_rules};
pub use router::{DEFAULT_STORE_TIMEOUT, Router};
pub use rule::{DEFAULT_RETRIES, DEFAULT_WAIT_TIMEOUT, FollowUp, Group, Rule, RuleError, WaitRule};
pub use session::{DEFAULT_SESSION_TTL, MemorySessionStore, SessionFuture, SessionStore, SessionStoreError};
pub use template::{Template, TemplateError};
