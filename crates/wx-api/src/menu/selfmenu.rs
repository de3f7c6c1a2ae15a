//! `GET /cgi-bin/get_current_selfmenu_info`: the menu as users see it, whether it was made with the API or in the
//! console. Its shape is not `menu/get`'s: a sub-menu is `sub_button: {list: […]}`, and a button that sends
//! material (the API's `media_id` / `view_limited`, or the console's) has `type` `img`, `voice`, `video`, `text` or
//! `news` and its `value` (a media id, a video URL or a text), a news button also `news_info: {list: […]}`.

use crate::{client::AccountClient, error::ApiError, token::TokenSource};
use serde::{Deserialize, Serialize};

/// What `get_current_selfmenu_info` returns.
///
/// ```
/// let info: wx_api::SelfMenuInfo = serde_json::from_value(serde_json::json!({
///     "is_menu_open": 1,
///     "selfmenu_info": {"button": [
///         {"type": "click", "name": "Today", "key": "V1001_TODAY"},
///         {"name": "More", "sub_button": {"list": [{"type": "text", "name": "Hours", "value": "9 to 5"}]}}
///     ]}
/// }))?;
/// assert!(info.is_open());
/// let more = &info.selfmenu_info.button[1];
/// assert_eq!(more.sub_button.as_ref().unwrap().list[0].value.as_deref(), Some("9 to 5"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelfMenuInfo {
    /// `1` when the account's menu is on, `0` when not.
    #[serde(default)]
    pub is_menu_open: u8,
    /// The buttons.
    #[serde(default)]
    pub selfmenu_info: SelfMenu,
}

impl SelfMenuInfo {
    /// True when the menu is on (`is_menu_open` 1).
    pub fn is_open(&self) -> bool {
        self.is_menu_open == 1
    }
}

/// The top-level buttons.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelfMenu {
    /// Up to three.
    #[serde(default)]
    pub button: Vec<SelfMenuButton>,
}

/// A button as `get_current_selfmenu_info` shows it: the fields its `type` has, the others `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelfMenuButton {
    /// `click`, `view`, `scancode_push`, …, `miniprogram` (as created), or `text`, `img`, `voice`, `video`,
    /// `news` (a button sending material); `None` for a sub-menu.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The label.
    pub name: String,
    /// A `click`-like button's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// A `view` (or `miniprogram` fallback) button's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A material button's value: the text, a media id (`img`, `voice`, `news`) or the video's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A `news` button's articles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub news_info: Option<NewsInfo>,
    /// A `miniprogram` button's appid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// A `miniprogram` button's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagepath: Option<String>,
    /// A top-level button's sub-menu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_button: Option<SubButtons>,
}

/// A sub-menu's buttons.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubButtons {
    /// Up to five.
    #[serde(default)]
    pub list: Vec<SelfMenuButton>,
}

/// A `news` button's articles.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewsInfo {
    /// The articles.
    #[serde(default)]
    pub list: Vec<NewsItem>,
}

/// One article of a `news` button.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewsItem {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Author.
    #[serde(default)]
    pub author: String,
    /// Summary.
    #[serde(default)]
    pub digest: String,
    /// `1` when the cover shows in the article.
    #[serde(default)]
    pub show_cover: u8,
    /// The cover's URL.
    #[serde(default)]
    pub cover_url: String,
    /// The article's URL.
    #[serde(default)]
    pub content_url: String,
    /// "Read the original" URL.
    #[serde(default)]
    pub source_url: String,
}

impl<S: TokenSource> AccountClient<S> {
    /// `GET /cgi-bin/get_current_selfmenu_info`: the menu users see, however it was made (an account without a
    /// menu answers `is_menu_open` 0).
    ///
    /// # Errors
    /// WeChat's errcodes.
    pub async fn current_selfmenu_info(&self) -> Result<SelfMenuInfo, ApiError> {
        self.get("/cgi-bin/get_current_selfmenu_info", &[]).await
    }
}
