//! Cards: addCard, chooseCard, openCard, consumeAndShareCard.

use crate::{WxError, call::call, call::call_unit, js, read};
use serde::Serialize;
use wasm_bindgen::JsValue;

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

/// One card the user chose in `chooseCard`: send `encrypt_code` to your backend, which decrypts it into the
/// card's code (`card/code/decrypt`).
///
/// ```
/// let c = wx_jssdk::card::ChosenCard { card_id: "p1".into(), encrypt_code: "XXIz".into() };
/// assert_eq!(c.card_id, "p1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChosenCard {
    /// The card id.
    pub card_id: String,
    /// The card's code, encrypted.
    pub encrypt_code: String,
}

/// Lets the user choose cards.
///
/// WeChat's `choose_card_info` (which jweixin moves to `cardList`) comes as JSON text on some clients and as an
/// array on others, whose items may themselves be JSON text: every form is read into the same list.
///
/// ```no_run
/// # async fn demo(opts: wx_jssdk::card::ChooseCard) -> Result<(), wx_jssdk::WxError> {
/// for card in wx_jssdk::card::choose_card(&opts).await? {
///     /* send card.card_id and card.encrypt_code to your backend */
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel and failures, typed; [`WxError::BadResult`] when `cardList` is not a list of cards.
pub async fn choose_card(options: &ChooseCard) -> Result<Vec<ChosenCard>, WxError> {
    let res = call("chooseCard", options).await?;
    chosen_cards(&js::get(&res, "cardList"))
}

/// Reads `cardList` in any of the forms WeChat sends; absent means none chosen.
fn chosen_cards(list: &JsValue) -> Result<Vec<ChosenCard>, WxError> {
    let bad = |detail: &str| WxError::BadResult {
        api: "chooseCard".into(),
        detail: detail.into(),
    };
    let list = match list.as_string() {
        Some(text) => js_sys::JSON::parse(&text).map_err(|_| bad("`cardList` is text but not JSON"))?,
        None => list.clone(),
    };
    if list.is_undefined() || list.is_null() {
        return Ok(Vec::new());
    }
    if !js_sys::Array::is_array(&list) {
        return Err(bad("`cardList` is not a list"));
    }
    js_sys::Array::from(&list)
        .iter()
        .map(|item| {
            let card = match item.as_string() {
                Some(text) => js_sys::JSON::parse(&text).map_err(|_| bad("a card is text but not JSON"))?,
                None => item,
            };
            // WeChat's own names; the camelCase ones in case a client (or a later jweixin) renames them.
            let field = |snake: &str, camel: &str| {
                read::opt_string(&card, snake)
                    .or_else(|| read::opt_string(&card, camel))
                    .ok_or_else(|| bad(&format!("a card has no `{snake}`")))
            };
            Ok(ChosenCard {
                card_id: field("card_id", "cardId")?,
                encrypt_code: field("encrypt_code", "encryptCode")?,
            })
        })
        .collect()
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
