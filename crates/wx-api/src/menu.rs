//! Custom menus: `menu/create`, `menu/get`, `menu/delete` and the conditional menus
//! (`addconditional`, `delconditional`, `trymatch`).

mod selfmenu;
mod validate;

pub use selfmenu::{NewsInfo, NewsItem, SelfMenu, SelfMenuButton, SelfMenuInfo, SubButtons};

use crate::{
    client::{AccountClient, Ok},
    error::ApiError,
    token::TokenSource,
};
use serde::{Deserialize, Serialize};

/// What a button does, with the field its type needs (WeChat's `type` and `key` / `url` / `media_id` /
/// `article_id` / `appid`+`pagepath`).
///
/// ```
/// let view = wx_api::ButtonAction::View { url: "https://h5.example.com/".into() };
/// assert_eq!(serde_json::to_value(&view)?, serde_json::json!({"type": "view", "url": "https://h5.example.com/"}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ButtonAction {
    /// Pushes a CLICK event with `key`.
    Click {
        /// The event key (≤ 128 bytes).
        key: String,
    },
    /// Opens `url` (the H5 page).
    View {
        /// The page (≤ 1024 bytes).
        url: String,
    },
    /// Opens the scanner and handles the result itself, pushing an event.
    ScancodePush {
        /// The event key.
        key: String,
    },
    /// Opens the scanner and waits for the account's reply.
    ScancodeWaitmsg {
        /// The event key.
        key: String,
    },
    /// Takes a photo.
    PicSysphoto {
        /// The event key.
        key: String,
    },
    /// Takes a photo or picks one from the album.
    PicPhotoOrAlbum {
        /// The event key.
        key: String,
    },
    /// Picks a photo from WeChat's album.
    PicWeixin {
        /// The event key.
        key: String,
    },
    /// Sends a location.
    LocationSelect {
        /// The event key.
        key: String,
    },
    /// Sends a permanent material.
    MediaId {
        /// The permanent material's media_id.
        media_id: String,
    },
    /// Opens a published article.
    ArticleId {
        /// The article_id.
        article_id: String,
    },
    /// Opens a published article, restricted view.
    ArticleViewLimited {
        /// The article_id.
        article_id: String,
    },
    /// Opens a mini program (`url` where mini programs are not supported).
    Miniprogram {
        /// The fallback page (≤ 1024 bytes).
        url: String,
        /// The mini program's appid.
        appid: String,
        /// The page in it.
        pagepath: String,
    },
}

impl ButtonAction {
    /// WeChat's name of the type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Click { .. } => "click",
            Self::View { .. } => "view",
            Self::ScancodePush { .. } => "scancode_push",
            Self::ScancodeWaitmsg { .. } => "scancode_waitmsg",
            Self::PicSysphoto { .. } => "pic_sysphoto",
            Self::PicPhotoOrAlbum { .. } => "pic_photo_or_album",
            Self::PicWeixin { .. } => "pic_weixin",
            Self::LocationSelect { .. } => "location_select",
            Self::MediaId { .. } => "media_id",
            Self::ArticleId { .. } => "article_id",
            Self::ArticleViewLimited { .. } => "article_view_limited",
            Self::Miniprogram { .. } => "miniprogram",
        }
    }
}

/// One menu button: an action, or a sub-menu of up to five buttons.
///
/// ```
/// use wx_api::{ButtonAction, MenuButton};
/// let b = MenuButton::menu("More", vec![MenuButton::action("Help", ButtonAction::Click { key: "HELP".into() })]);
/// assert_eq!(serde_json::to_value(&b)?, serde_json::json!(
///     {"name": "More", "sub_button": [{"type": "click", "name": "Help", "key": "HELP"}]}));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuButton {
    /// The label (≤ 16 bytes at the top level, ≤ 60 in a sub-menu; UTF-8 bytes, so 5 Chinese characters top level).
    pub name: String,
    /// What it does.
    #[serde(flatten)]
    pub kind: ButtonKind,
}

/// An action or a sub-menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ButtonKind {
    /// A button that does something (WeChat's `menu/get` adds an empty `sub_button` to these; it is ignored).
    Action(ButtonAction),
    /// A top-level button opening a sub-menu.
    SubMenu {
        /// Its buttons (1 to 5).
        sub_button: Vec<MenuButton>,
    },
}

impl MenuButton {
    /// A button doing `action`.
    pub fn action(name: impl Into<String>, action: ButtonAction) -> Self {
        Self {
            name: name.into(),
            kind: ButtonKind::Action(action),
        }
    }

    /// A top-level button opening `buttons`.
    pub fn menu(name: impl Into<String>, buttons: Vec<MenuButton>) -> Self {
        Self {
            name: name.into(),
            kind: ButtonKind::SubMenu { sub_button: buttons },
        }
    }
}

/// The default menu: up to three top-level buttons.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Menu {
    /// The top-level buttons.
    pub button: Vec<MenuButton>,
}

/// Who sees a conditional menu. WeChat takes every field as a string; at least one must be set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MatchRule {
    /// A user tag's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_id: Option<String>,
    /// `1` iOS, `2` Android, `3` other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_platform_type: Option<String>,
    /// The client's language (`zh_CN`, `en`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// A conditional (personalised) menu: buttons plus who sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionalMenu {
    /// The top-level buttons.
    pub button: Vec<MenuButton>,
    /// Who sees them.
    pub matchrule: MatchRule,
    /// The id WeChat gave it (in `menu/get`; absent when creating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menuid: Option<MenuId>,
}

/// The id of a conditional menu, as WeChat gives it (a number, sent as a string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MenuId(#[serde(deserialize_with = "string_or_number")] pub String);

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    // `addconditional` answers `"menuid":"208379533"`, `menu/get` `"menuid":208379533`.
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "menuid must be a string or number, not {other}"
        ))),
    }
}

/// What `menu/get` returns: the default menu and the conditional ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentMenus {
    /// The default menu.
    pub menu: Menu,
    /// The conditional menus.
    #[serde(default)]
    pub conditionalmenu: Vec<ConditionalMenu>,
}

#[derive(Deserialize)]
struct Added {
    menuid: MenuId,
}

#[derive(Deserialize)]
struct Matched {
    button: Vec<MenuButton>,
}

impl<S: TokenSource> AccountClient<S> {
    /// `POST /cgi-bin/menu/create`: replaces the default menu. Checked first against WeChat's limits.
    ///
    /// # Errors
    /// [`ApiError::Invalid`] naming the button that breaks a rule (nothing sent); WeChat's errcodes (quota 45009,
    /// [`ApiError::InvalidMenu`]).
    pub async fn create_menu(&self, menu: &Menu) -> Result<(), ApiError> {
        validate::buttons(&menu.button)?;
        let _: Ok = self.post("/cgi-bin/menu/create", menu).await?;
        Ok(())
    }

    /// `GET /cgi-bin/menu/get`: the default and conditional menus.
    ///
    /// # Errors
    /// [`ApiError::NoMenu`] when there is none.
    pub async fn menus(&self) -> Result<CurrentMenus, ApiError> {
        self.get("/cgi-bin/menu/get", &[]).await
    }

    /// `GET /cgi-bin/menu/delete`: deletes the default menu and every conditional one.
    ///
    /// # Errors
    /// WeChat's errcodes.
    pub async fn delete_menu(&self) -> Result<(), ApiError> {
        let _: Ok = self.get("/cgi-bin/menu/delete", &[]).await?;
        Ok(())
    }

    /// `POST /cgi-bin/menu/addconditional`: a default menu must exist first.
    ///
    /// # Errors
    /// [`ApiError::Invalid`] for a button or an empty match rule; WeChat's (65303 no default menu, …).
    pub async fn add_conditional_menu(&self, menu: &ConditionalMenu) -> Result<MenuId, ApiError> {
        validate::buttons(&menu.button)?;
        validate::match_rule(&menu.matchrule)?;
        let added: Added = self.post("/cgi-bin/menu/addconditional", menu).await?;
        Ok(added.menuid)
    }

    /// `POST /cgi-bin/menu/delconditional`.
    ///
    /// # Errors
    /// WeChat's (65301 no such menu).
    pub async fn delete_conditional_menu(&self, menuid: &MenuId) -> Result<(), ApiError> {
        let _: Ok = self
            .post("/cgi-bin/menu/delconditional", &serde_json::json!({"menuid": menuid.0}))
            .await?;
        Ok(())
    }

    /// `POST /cgi-bin/menu/trymatch`: the buttons `user_id` (an openid or WeChat id) would see.
    ///
    /// # Errors
    /// WeChat's (65302 no such user, 46003 no menu).
    pub async fn try_match_menu(&self, user_id: &str) -> Result<Vec<MenuButton>, ApiError> {
        let matched: Matched = self
            .post("/cgi-bin/menu/trymatch", &serde_json::json!({"user_id": user_id}))
            .await?;
        Ok(matched.button)
    }
}
