//! The fake's account: followers (with the 48-hour interaction window), the menus, the templates, and what was
//! sent, per app. The clock these rules read can be moved forward (`POST /test-only/clock`) so a test can step
//! past 48 hours without waiting; credentials keep the real clock.

use super::{Reply, World, error, oauth::fake_openid};
use crate::fake::faults::Endpoint;
use serde::Deserialize;
use serde_json::{Value, json};
use std::{
    collections::{BTreeMap, HashMap},
    time::{Duration, Instant},
};

/// The openid the push simulator sends as unless told otherwise: a follower of every app.
pub(crate) const DEFAULT_FOLLOWER: &str = "o-fake-user";
/// Customer-service messages are allowed this long after a follower's last interaction (WeChat: 48 hours).
pub(crate) const SERVICE_WINDOW: Duration = Duration::from_secs(48 * 3600);

pub(crate) struct Follower {
    pub(crate) subscribed: bool,
    pub(crate) last_interaction: Option<Instant>,
    /// Customer-service messages sent since the last interaction (45047 past the limit).
    pub(crate) sent_in_window: u32,
    pub(crate) tags: Vec<u64>,
    pub(crate) remark: String,
    /// Unix seconds.
    pub(crate) subscribe_time: u64,
    pub(crate) subscribe_scene: String,
    pub(crate) qr_scene_str: String,
    /// The client's platform as a conditional menu's `client_platform_type` names it (`1` iOS, `2` Android, `3`
    /// other); `None`: unknown, so no platform rule matches.
    pub(crate) platform: Option<String>,
    /// The client's language (`zh_CN` unless told otherwise), as `user/info` and conditional menus see it.
    pub(crate) language: String,
}

impl Follower {
    fn new(subscribed: bool) -> Self {
        Self {
            subscribed,
            last_interaction: None,
            sent_in_window: 0,
            tags: Vec::new(),
            remark: String::new(),
            subscribe_time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            subscribe_scene: "ADD_SCENE_QR_CODE".into(),
            qr_scene_str: String::new(),
            platform: None,
            language: "zh_CN".into(),
        }
    }
}

pub(crate) struct ConditionalRec {
    pub(crate) menuid: u64,
    pub(crate) button: Value,
    pub(crate) matchrule: Value,
}

pub(crate) struct Account {
    pub(crate) followers: BTreeMap<String, Follower>,
    pub(crate) menu: Option<Value>,
    pub(crate) conditional: Vec<ConditionalRec>,
    pub(crate) next_menuid: u64,
    pub(crate) menu_creates: u32,
    pub(crate) custom_sent: Vec<Value>,
    pub(crate) templates: Vec<Value>,
    pub(crate) template_sent: Vec<Value>,
    pub(crate) client_msg_ids: HashMap<String, u64>,
    pub(crate) next_msgid: u64,
    /// Temporary media and permanent material by media_id.
    pub(crate) media: HashMap<String, super::media::Medium>,
    /// The account's own tags (ids from 100; 0-2 are WeChat's).
    pub(crate) tags: BTreeMap<u64, String>,
    pub(crate) next_tag_id: u64,
}

impl Account {
    pub(crate) fn new(appid: &str) -> Self {
        let followers = [DEFAULT_FOLLOWER.to_owned(), fake_openid(appid)]
            .into_iter()
            .map(|o| (o, Follower::new(true)))
            .collect();
        Self {
            followers,
            menu: None,
            conditional: Vec::new(),
            next_menuid: 208_379_533,
            menu_creates: 0,
            custom_sent: Vec::new(),
            templates: vec![json!({
                "template_id": DEMO_TEMPLATE_ID,
                "title": "订单发货通知",
                "primary_industry": "IT科技",
                "deputy_industry": "互联网|电子商务",
                "content": "订单号：{{character_string1.DATA}}\n状态：{{phrase2.DATA}}",
                "example": "订单号：42\n状态：已发货",
            })],
            template_sent: Vec::new(),
            client_msg_ids: HashMap::new(),
            next_msgid: 200_228_332,
            media: HashMap::new(),
            tags: BTreeMap::new(),
            next_tag_id: 100,
        }
    }
}

/// The template every fake app has at start.
pub const DEMO_TEMPLATE_ID: &str = "fake-tpl-order-shipped-0000000000000000000";

/// The body of `POST /test-only/followers`: adds or changes a user of `appid`.
///
/// ```
/// let f: wx_server::fake::FollowerUpdate =
///     serde_json::from_str(r#"{"appid":"wx0000000000demo","openid":"o-new","interacted_secs_ago":60}"#).unwrap();
/// assert!(f.subscribed);
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowerUpdate {
    /// The app.
    pub appid: String,
    /// The user.
    pub openid: String,
    /// Follows the account [default: true].
    #[serde(default = "yes")]
    pub subscribed: bool,
    /// Last interaction this many seconds ago (of the fake's account clock); absent: none.
    #[serde(default)]
    pub interacted_secs_ago: Option<u64>,
    /// The user's client: `"1"` iOS, `"2"` Android, `"3"` other (conditional menus' `client_platform_type`);
    /// absent: unchanged (unknown for a new user).
    #[serde(default)]
    pub client_platform_type: Option<String>,
    /// The client's language (`zh_CN`, `en`, …); absent: unchanged (`zh_CN` for a new user).
    #[serde(default)]
    pub language: Option<String>,
}

fn yes() -> bool {
    true
}

impl World {
    /// The account clock: real time plus the shift of `POST /test-only/clock`.
    pub(crate) fn account_now(&self) -> Instant {
        Instant::now() + self.shift
    }

    pub(crate) fn advance_clock(&mut self, by: Duration) -> Duration {
        self.shift = self.shift.saturating_add(by);
        self.shift
    }

    /// The app behind a valid access_token and its account, after any injected `account_api` fault; else the
    /// answer to give.
    pub(crate) fn account_call(&mut self, access_token: &str) -> Result<String, Reply> {
        if let Some(appid) = self.tokens.get(access_token).map(|r| r.appid.clone())
            && let Some(f) = self.take_fault(Endpoint::AccountApi, &appid)
        {
            return Err(self.fault_reply(f, "errmsg"));
        }
        let appid = self.token_app(access_token).map_err(error)?;
        if !self.accounts.contains_key(&appid) {
            return Err(error(40013));
        }
        Ok(appid)
    }

    pub(crate) fn account_mut(&mut self, appid: &str) -> Option<&mut Account> {
        self.accounts.get_mut(appid)
    }

    /// A user interacted (message, click, follow, scan): opens their 48-hour window. An unfollow closes it.
    pub(crate) fn interacted(&mut self, appid: &str, openid: &str, unsubscribed: bool) {
        let now = self.account_now();
        let Some(account) = self.accounts.get_mut(appid) else {
            return;
        };
        let follower = account
            .followers
            .entry(openid.to_owned())
            .or_insert_with(|| Follower::new(true));
        if unsubscribed {
            follower.subscribed = false;
            follower.last_interaction = None;
        } else {
            follower.subscribed = true;
            follower.last_interaction = Some(now);
            follower.sent_in_window = 0;
        }
    }

    /// `POST /test-only/followers`.
    pub(crate) fn update_follower(&mut self, update: &FollowerUpdate) -> Result<(), &'static str> {
        let now = self.account_now();
        let account = self
            .accounts
            .get_mut(&update.appid)
            .ok_or("the fake does not know this appid")?;
        let follower = account
            .followers
            .entry(update.openid.clone())
            .or_insert_with(|| Follower::new(update.subscribed));
        follower.subscribed = update.subscribed;
        follower.last_interaction = update
            .interacted_secs_ago
            .map(|s| now.checked_sub(Duration::from_secs(s)).unwrap_or(now));
        follower.sent_in_window = 0;
        if let Some(p) = &update.client_platform_type {
            follower.platform = Some(p.clone());
        }
        if let Some(l) = &update.language {
            follower.language.clone_from(l);
        }
        Ok(())
    }

    /// `GET /test-only/account`: what the account holds and what was sent, or None for an unknown app.
    pub(crate) fn account_record(&self, appid: &str) -> Option<Value> {
        let now = self.account_now();
        let a = self.accounts.get(appid)?;
        let followers: BTreeMap<&str, Value> = a
            .followers
            .iter()
            .map(|(openid, f)| {
                let window_left = f.last_interaction.map(|at| {
                    SERVICE_WINDOW
                        .saturating_sub(now.saturating_duration_since(at))
                        .as_secs()
                });
                (
                    openid.as_str(),
                    json!({"subscribed": f.subscribed, "window_left_secs": window_left, "tags": f.tags}),
                )
            })
            .collect();
        let conditional: Vec<Value> = a
            .conditional
            .iter()
            .map(|c| json!({"button": c.button, "matchrule": c.matchrule, "menuid": c.menuid}))
            .collect();
        let media: BTreeMap<&str, Value> = a
            .media
            .iter()
            .map(|(id, m)| {
                let kind = if m.expires.is_some() { "temporary" } else { "permanent" };
                (
                    id.as_str(),
                    json!({"type": m.kind, "bytes": m.bytes.len(), "kept": kind, "filename": m.filename}),
                )
            })
            .collect();
        Some(json!({
            "appid": appid,
            "media": media,
            "menu": a.menu.as_ref().map(|b| json!({"button": b})),
            "conditionalmenu": conditional,
            "menu_creates": a.menu_creates,
            "custom_messages": a.custom_sent,
            "template_messages": a.template_sent,
            "templates": a.templates,
            "followers": followers,
        }))
    }
}
