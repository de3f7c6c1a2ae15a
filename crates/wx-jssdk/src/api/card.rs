//! Cards: addCard, chooseCard, openCard, consumeAndShareCard.

use crate::{WxError, call::call, call::call_unit, js, read};
use serde::Serialize;

/// A card to add: its id and the `cardExt` JSON string (signed with [`wx_sign::card_signature`] server-side).
///
/// ```
/// let c = wx_jssdk::card::CardToAdd { card_id: "p1".into(), card_ext: "{\"timestamp\":\"1\"}".into() };
/// assert_eq!(c.card_id, "p1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardToAdd {
    /// The card id.
    pub card_id: String,
    /// The cardExt JSON string.
    pub card_ext: String,
}

/// One card of `addCard`'s result.
///
/// ```
/// let c = wx_jssdk::card::AddedCard { card_id: "p1".into(), card_ext: String::new(), is_success: true };
/// assert!(c.is_success);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedCard {
    /// The card id.
    pub card_id: String,
    /// The cardExt sent.
    pub card_ext: String,
    /// Whether it was added.
    pub is_success: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CardList<'a, T> {
    card_list: &'a [T],
}

/// Adds cards to the user's card wallet.
///
/// ```no_run
/// # async fn demo(cards: Vec<wx_jssdk::card::CardToAdd>) -> Result<(), wx_jssdk::WxError> {
/// let added = wx_jssdk::card::add_card(&cards).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel and failures, typed.
pub async fn add_card(cards: &[CardToAdd]) -> Result<Vec<AddedCard>, WxError> {
    let res = call("addCard", &CardList { card_list: cards }).await?;
    // jweixin has parsed WeChat's card_list JSON into `cardList` with renamed fields.
    let list = js::get(&res, "cardList");
    if list.is_undefined() {
        return Ok(Vec::new());
    }
    js_sys::Array::from(&list)
        .iter()
        .map(|card| {
            Ok(AddedCard {
                card_id: read::string("addCard", &card, "cardId")?,
                card_ext: read::string_or_empty(&card, "cardExt"),
                is_success: js::get(&card, "isSuccess").is_truthy(),
            })
        })
        .collect()
}

/// Options of `chooseCard` (signed server-side with [`wx_sign::card_signature`]).
///
/// ```
/// let c = wx_jssdk::card::ChooseCard { card_sign: "s".into(), ..Default::default() };
/// assert!(c.shop_id.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChooseCard {
    /// Shop (location) id, or empty.
    pub shop_id: String,
    /// Card type, or empty.
    pub card_type: String,
    /// Card id, or empty.
    pub card_id: String,
    /// Signature timestamp.
    pub timestamp: u64,
    /// Signature nonce.
    pub nonce_str: String,
    /// `SHA1`.
    pub sign_type: String,
    /// The card signature.
    pub card_sign: String,
}

/// Lets the user choose a card; returns the `cardList` JSON text (`[{"card_id","encrypt_code"}]`) to send to
/// your backend for decryption.
///
/// ```no_run
/// # async fn demo(opts: wx_jssdk::card::ChooseCard) -> Result<(), wx_jssdk::WxError> {
/// let json = wx_jssdk::card::choose_card(&opts).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel and failures, typed.
pub async fn choose_card(options: &ChooseCard) -> Result<String, WxError> {
    let res = call("chooseCard", options).await?;
    // jweixin moves WeChat's `choose_card_info` (a JSON string) to `cardList`.
    Ok(read::string_or_empty(&res, "cardList"))
}

/// A card to open in the wallet.
///
/// ```
/// let c = wx_jssdk::card::CardToOpen { card_id: "p1".into(), code: "123".into() };
/// assert_eq!(c.code, "123");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardToOpen {
    /// The card id.
    pub card_id: String,
    /// The user's card code (decrypted).
    pub code: String,
}

/// Opens cards in the user's wallet.
///
/// ```no_run
/// # async fn demo(cards: Vec<wx_jssdk::card::CardToOpen>) -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::card::open_card(&cards).await
/// # }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn open_card(cards: &[CardToOpen]) -> Result<(), WxError> {
    call_unit("openCard", &CardList { card_list: cards }).await
}

/// Consumes a card and offers to share it again (`consumeAndShareCard`).
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::card::consume_and_share_card(&wx_jssdk::card::CardToOpen { card_id: "p1".into(), code: "1".into() }).await
/// # }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn consume_and_share_card(card: &CardToOpen) -> Result<(), WxError> {
    call_unit("consumeAndShareCard", card).await
}
