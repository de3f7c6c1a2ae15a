//! openProductSpecificView, openAddress and the undocumented openEnterpriseChat.

use crate::{WxError, call::call, call::call_unit, read};
use serde::Serialize;

/// Which product page `openProductSpecificView` opens. jweixin passes `viewType` through to WeChat, which
/// (like the npm typings, `"0" | "1" | "2"`) takes it as a string.
///
/// ```
/// assert_eq!(wx_jssdk::misc::ProductViewType::default(), wx_jssdk::misc::ProductViewType::Normal);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum ProductViewType {
    /// `"0"`: the ordinary product page (WeChat's default).
    #[default]
    #[serde(rename = "0")]
    Normal,
    /// `"1"`: the product page of the scanner ("scan a product").
    #[serde(rename = "1")]
    Scan,
    /// `"2"`: the WeChat shop's product page.
    #[serde(rename = "2")]
    Shop,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProductArgs<'a> {
    product_id: &'a str,
    view_type: ProductViewType,
}

/// Opens a WeChat shop product page.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::misc::{ProductViewType, open_product_specific_view};
/// open_product_specific_view("pid123", ProductViewType::Normal).await
/// # }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn open_product_specific_view(product_id: &str, view_type: ProductViewType) -> Result<(), WxError> {
    call_unit("openProductSpecificView", &ProductArgs { product_id, view_type }).await
}

/// Who joins the chat `openEnterpriseChat` opens.
///
/// ```
/// let chat = wx_jssdk::misc::EnterpriseChat { user_ids: vec!["zhangsan".into()], group_name: String::new() };
/// assert_eq!(chat.user_ids.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnterpriseChat {
    /// WeCom user ids of the colleagues to chat with (sent as WeCom's `id1;id2;…`).
    pub user_ids: Vec<String>,
    /// The group chat's name; empty for a one-to-one chat.
    pub group_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnterpriseChatArgs<'a> {
    user_ids: String,
    group_name: &'a str,
}

/// What `openEnterpriseChat` answered.
///
/// ```
/// let opened = wx_jssdk::misc::EnterpriseChatOpened { err_code: Some(0), chat_id: None };
/// assert_eq!(opened.err_code, Some(0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnterpriseChatOpened {
    /// WeChat's `err_code` (jweixin keeps it for this API as `errCode`), when it sent one.
    pub err_code: Option<i64>,
    /// The chat's id, which newer WeCom clients return.
    pub chat_id: Option<String>,
}

/// Opens a WeCom chat with colleagues (`wx.openEnterpriseChat`).
///
/// **Undocumented** in WeChat's JS-SDK (see [`JsApi::UNDOCUMENTED`](crate::JsApi::UNDOCUMENTED)): it is a WeCom
/// interface, which WeChat answers with `permission denied` or `function not exist` for an ordinary Official
/// Account. jweixin 1.6.0 sends only the members and the name (not WeCom's later `externalUserIds`/`chatId`).
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// use wx_jssdk::misc::{EnterpriseChat, open_enterprise_chat};
/// let chat = EnterpriseChat { user_ids: vec!["zhangsan".into(), "lisi".into()], group_name: "Release".into() };
/// let opened = open_enterprise_chat(&chat).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel and failures, typed; [`WxError::BadResult`] if `err_code` is not an integer.
pub async fn open_enterprise_chat(chat: &EnterpriseChat) -> Result<EnterpriseChatOpened, WxError> {
    let args = EnterpriseChatArgs {
        // WeCom's format for the member list: ids separated by semicolons.
        user_ids: chat.user_ids.join(";"),
        group_name: &chat.group_name,
    };
    let res = call("openEnterpriseChat", &args).await?;
    Ok(EnterpriseChatOpened {
        err_code: read::opt_integer("openEnterpriseChat", &res, "errCode")?,
        chat_id: read::opt_string(&res, "chatId"),
    })
}

/// A shipping address from `openAddress` (jweixin renames WeChat's fields to these).
///
/// ```
/// let a = wx_jssdk::misc::Address { user_name: "Li".into(), ..Default::default() };
/// assert_eq!(a.user_name, "Li");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// Recipient.
    pub user_name: String,
    /// Postal code.
    pub postal_code: String,
    /// Province.
    pub province_name: String,
    /// City.
    pub city_name: String,
    /// County / district (jweixin calls it `countryName`).
    pub country_name: String,
    /// Street address.
    pub detail_info: String,
    /// National area code.
    pub national_code: String,
    /// Phone number.
    pub tel_number: String,
}

/// Lets the user pick a shipping address.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let address = wx_jssdk::misc::open_address().await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel and failures, typed.
pub async fn open_address() -> Result<Address, WxError> {
    let res = call("openAddress", &crate::api::Empty {}).await?;
    let field = |key| read::string_or_empty(&res, key);
    Ok(Address {
        user_name: field("userName"),
        postal_code: field("postalCode"),
        province_name: field("provinceName"),
        city_name: field("cityName"),
        country_name: field("countryName"),
        detail_info: field("detailInfo"),
        national_code: field("nationalCode"),
        tel_number: field("telNumber"),
    })
}
