//! Template messages: `message/template/send`, `template/get_all_private_template`,
//! `template/del_private_template`.

use crate::{
    client::{AccountClient, Ok},
    custom::openid,
    error::{ApiError, InvalidRequest},
    token::TokenSource,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A mini program page a template message opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiniProgramLink {
    /// The mini program's appid.
    pub appid: String,
    /// The page (`index?foo=bar`).
    pub pagepath: String,
}

/// One keyword's value (since 2023 WeChat ignores colours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateValue {
    /// The text.
    pub value: String,
}

/// A template message (allowed outside the 48-hour window, to followers).
///
/// ```
/// let mut m = wx_api::TemplateMessage::new("oOPENID", "TEMPLATE_ID");
/// m.url = Some("https://h5.example.com/order/42".into());
/// m.data.insert("keyword1".into(), wx_api::TemplateValue { value: "shipped".into() });
/// m.client_msg_id = Some("order-42-shipped".into()); // the same id again sends nothing twice
/// assert_eq!(serde_json::to_value(&m)?["data"]["keyword1"]["value"], "shipped");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateMessage {
    /// The follower's openid.
    pub touser: String,
    /// One of the account's templates.
    pub template_id: String,
    /// The H5 page a tap opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A mini program page a tap opens (preferred over `url` where supported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miniprogram: Option<MiniProgramLink>,
    /// The keywords' values.
    pub data: BTreeMap<String, TemplateValue>,
    /// An id making the send idempotent: WeChat sends a message once per id (and answers the same msgid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
}

impl TemplateMessage {
    /// A message of `template_id` to `touser`, without data yet.
    pub fn new(touser: impl Into<String>, template_id: impl Into<String>) -> Self {
        Self {
            touser: touser.into(),
            template_id: template_id.into(),
            url: None,
            miniprogram: None,
            data: BTreeMap::new(),
            client_msg_id: None,
        }
    }
}

/// The id WeChat gives a sent template message (its `TEMPLATESENDJOBFINISH` event carries it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MsgId(pub u64);

/// One of the account's templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateTemplate {
    /// Its id.
    pub template_id: String,
    /// Its title.
    pub title: String,
    /// The industries.
    #[serde(default)]
    pub primary_industry: String,
    /// The industries.
    #[serde(default)]
    pub deputy_industry: String,
    /// The content with `{{keyword1.DATA}}` placeholders.
    #[serde(default)]
    pub content: String,
    /// An example.
    #[serde(default)]
    pub example: String,
}

#[derive(Deserialize)]
struct Sent {
    msgid: MsgId,
}

#[derive(Deserialize)]
struct TemplateList {
    template_list: Vec<PrivateTemplate>,
}

impl<S: TokenSource> AccountClient<S> {
    /// `POST /cgi-bin/message/template/send`.
    ///
    /// # Errors
    /// [`ApiError::InvalidTemplate`] (40037), [`ApiError::NotFollower`] (43004), [`ApiError::InvalidOpenid`] (40003).
    pub async fn send_template(&self, message: &TemplateMessage) -> Result<MsgId, ApiError> {
        openid(&message.touser)?;
        if message.template_id.is_empty() {
            return Err(InvalidRequest::Field {
                field: "template_id",
                problem: "empty: give one of the account's template ids".into(),
            }
            .into());
        }
        let sent: Sent = self.post("/cgi-bin/message/template/send", message).await?;
        Ok(sent.msgid)
    }

    /// `GET /cgi-bin/template/get_all_private_template`.
    ///
    /// # Errors
    /// WeChat's errcodes.
    pub async fn templates(&self) -> Result<Vec<PrivateTemplate>, ApiError> {
        let list: TemplateList = self.get("/cgi-bin/template/get_all_private_template", &[]).await?;
        Ok(list.template_list)
    }

    /// `POST /cgi-bin/template/del_private_template`.
    ///
    /// # Errors
    /// [`ApiError::InvalidTemplate`] for an id the account does not have.
    pub async fn delete_template(&self, template_id: &str) -> Result<(), ApiError> {
        let _: Ok = self
            .post(
                "/cgi-bin/template/del_private_template",
                &serde_json::json!({"template_id": template_id}),
            )
            .await?;
        Ok(())
    }
}
