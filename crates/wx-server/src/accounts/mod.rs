//! The accounts one server serves, at run time: each with its own credential service (its store keys are
//! `wxkit:<appid>:…`), WeChat client, JS safe domains and push service (its own verifier, replay memory and
//! de-duplication), built from [`AccountSettings`](crate::settings::AccountSettings) by [`App`](crate::App).
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | `Account`, `Accounts`: the set and its lookups by name and by path |
//! | `choose.rs` | which account signs a page's config: `account=` or the page's domain |
//! | `handler.rs` | [`AnyHandler`]: a push handler of any type, for choosing one per account |

mod choose;
mod handler;

pub use handler::AnyHandler;
pub(crate) use handler::SharedHandler;

use crate::{CredentialService, WechatClient, settings::JsDomain};
use std::sync::Arc;

/// One account as the routes use it.
pub(crate) struct Account {
    /// `default`, or the name of its `[accounts.<name>]` table.
    pub name: Arc<str>,
    pub appid: Arc<str>,
    pub service: CredentialService,
    /// The WeChat client (for APIs beyond the credentials: QR codes, OAuth).
    pub client: WechatClient,
    /// The account API client on `service` (media downloads, customer-service messages).
    pub api: wx_api::AccountClient<CredentialService>,
    pub domains: Arc<[JsDomain]>,
    /// `None` without a Token (its path answers 503).
    pub push: Option<wx_push::PushService>,
}

/// Every account served, the default one first.
pub(crate) struct Accounts {
    list: Vec<Account>,
}

impl Accounts {
    /// The set; `list` must start with the default account (the `App` builds it so).
    pub(crate) fn new(list: Vec<Account>) -> Option<Self> {
        (!list.is_empty()).then_some(Self { list })
    }

    /// The default account (`/wechat`, the top-level settings).
    pub(crate) fn default_account(&self) -> &Account {
        &self.list[0]
    }

    /// The account called `name` (`default` included).
    pub(crate) fn named(&self, name: &str) -> Option<&Account> {
        self.list.iter().find(|a| &*a.name == name)
    }

    /// The account whose push path is `/wechat/<name>` (the default account's is `/wechat` alone).
    pub(crate) fn at_path(&self, name: &str) -> Option<&Account> {
        self.list[1..].iter().find(|a| &*a.name == name)
    }

    /// The accounts' push paths, for a person who used another: `/wechat (default), /wechat/a, /wechat/b`.
    pub(crate) fn paths(&self) -> String {
        let mut paths = vec!["/wechat (default)".to_owned()];
        paths.extend(self.list[1..].iter().map(|a| format!("/wechat/{}", a.name)));
        paths.join(", ")
    }

    /// The accounts' names, for an `account=` that names none: `default, a, b`.
    pub(crate) fn names(&self) -> String {
        self.list.iter().map(|a| &*a.name).collect::<Vec<_>>().join(", ")
    }
}
