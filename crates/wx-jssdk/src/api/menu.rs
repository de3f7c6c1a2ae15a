//! The top-right menu and closing the page.

use crate::{WxError, call::call_unit};
use serde::Serialize;

/// A menu item id of `hideMenuItems` / `showMenuItems` (appendix 3 of WeChat's docs).
///
/// ```
/// assert_eq!(wx_jssdk::menu::MenuItem::ShareTimeline.id(), "menuItem:share:timeline");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MenuItem {
    /// Report (basic).
    ExposeArticle,
    /// Font size (basic).
    SetFont,
    /// Day mode (basic).
    DayMode,
    /// Night mode (basic).
    NightMode,
    /// Refresh (basic).
    Refresh,
    /// View the account (basic).
    Profile,
    /// Follow the account (basic).
    AddContact,
    /// Send to a friend.
    ShareAppMessage,
    /// Share to Moments.
    ShareTimeline,
    /// Share to QQ.
    ShareQq,
    /// Share to Weibo.
    ShareWeibo,
    /// Favourite.
    Favorite,
    /// Share to Facebook.
    ShareFacebook,
    /// Share to QZone.
    ShareQZone,
    /// Edit tag.
    EditTag,
    /// Delete.
    Delete,
    /// Copy link.
    CopyUrl,
    /// Original page.
    OriginPage,
    /// Reading mode.
    ReadMode,
    /// Open in QQ Browser.
    OpenWithQqBrowser,
    /// Open in Safari.
    OpenWithSafari,
    /// Email.
    ShareEmail,
    /// Some special accounts.
    ShareBrand,
}

impl MenuItem {
    /// The id WeChat expects.
    ///
    /// ```
    /// assert_eq!(wx_jssdk::menu::MenuItem::CopyUrl.id(), "menuItem:copyUrl");
    /// ```
    pub fn id(self) -> &'static str {
        match self {
            MenuItem::ExposeArticle => "menuItem:exposeArticle",
            MenuItem::SetFont => "menuItem:setFont",
            MenuItem::DayMode => "menuItem:dayMode",
            MenuItem::NightMode => "menuItem:nightMode",
            MenuItem::Refresh => "menuItem:refresh",
            MenuItem::Profile => "menuItem:profile",
            MenuItem::AddContact => "menuItem:addContact",
            MenuItem::ShareAppMessage => "menuItem:share:appMessage",
            MenuItem::ShareTimeline => "menuItem:share:timeline",
            MenuItem::ShareQq => "menuItem:share:qq",
            MenuItem::ShareWeibo => "menuItem:share:weiboApp",
            MenuItem::Favorite => "menuItem:favorite",
            MenuItem::ShareFacebook => "menuItem:share:facebook",
            MenuItem::ShareQZone => "menuItem:share:QZone",
            MenuItem::EditTag => "menuItem:editTag",
            MenuItem::Delete => "menuItem:delete",
            MenuItem::CopyUrl => "menuItem:copyUrl",
            MenuItem::OriginPage => "menuItem:originPage",
            MenuItem::ReadMode => "menuItem:readMode",
            MenuItem::OpenWithQqBrowser => "menuItem:openWithQQBrowser",
            MenuItem::OpenWithSafari => "menuItem:openWithSafari",
            MenuItem::ShareEmail => "menuItem:share:email",
            MenuItem::ShareBrand => "menuItem:share:brand",
        }
    }
}

impl Serialize for MenuItem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MenuList<'a> {
    menu_list: &'a [MenuItem],
}

/// Hides the top-right menu button.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::menu::hide_option_menu().await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn hide_option_menu() -> Result<(), WxError> {
    call_unit("hideOptionMenu", &crate::api::Empty {}).await
}

/// Shows the top-right menu button.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::menu::show_option_menu().await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn show_option_menu() -> Result<(), WxError> {
    call_unit("showOptionMenu", &crate::api::Empty {}).await
}

/// Hides menu items (only "share" and "protected" items can be hidden).
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::menu::hide_menu_items(&[wx_jssdk::menu::MenuItem::CopyUrl]).await
/// # }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn hide_menu_items(items: &[MenuItem]) -> Result<(), WxError> {
    call_unit("hideMenuItems", &MenuList { menu_list: items }).await
}

/// Shows menu items.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::menu::show_menu_items(&[wx_jssdk::menu::MenuItem::CopyUrl]).await
/// # }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn show_menu_items(items: &[MenuItem]) -> Result<(), WxError> {
    call_unit("showMenuItems", &MenuList { menu_list: items }).await
}

/// Hides every non-basic item.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::menu::hide_all_non_base_menu_item().await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn hide_all_non_base_menu_item() -> Result<(), WxError> {
    call_unit("hideAllNonBaseMenuItem", &crate::api::Empty {}).await
}

/// Shows every item.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::menu::show_all_non_base_menu_item().await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn show_all_non_base_menu_item() -> Result<(), WxError> {
    call_unit("showAllNonBaseMenuItem", &crate::api::Empty {}).await
}

/// Closes the page through `wx.closeWindow` (needs `config`; see [`crate::close_window`] for the bridge-only way).
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> { wx_jssdk::menu::close_window().await }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn close_window() -> Result<(), WxError> {
    call_unit("closeWindow", &crate::api::Empty {}).await
}
