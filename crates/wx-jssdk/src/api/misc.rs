//! openProductSpecificView and openAddress.

use crate::{WxError, call::call, call::call_unit, read};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProductArgs<'a> {
    product_id: &'a str,
    view_type: u8,
}

/// Opens a WeChat shop product page. `view_type`: 0 normal, 1 scan, 2 shop.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::misc::open_product_specific_view("pid123", 0).await
/// # }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn open_product_specific_view(product_id: &str, view_type: u8) -> Result<(), WxError> {
    call_unit("openProductSpecificView", &ProductArgs { product_id, view_type }).await
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
