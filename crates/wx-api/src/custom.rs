//! Customer-service messages (`message/custom/send`) and the typing indicator (`message/custom/typing`).

use crate::{
    client::{AccountClient, Ok},
    error::{ApiError, InvalidRequest},
    token::TokenSource,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The one article of a `news` message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Article {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where a tap leads (the H5 page).
    pub url: String,
    /// The picture's URL.
    pub picurl: String,
}

/// What a customer-service message carries (WeChat's `msgtype` and its object).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageBody {
    /// `text {content}`.
    Text {
        /// The text.
        content: String,
    },
    /// `image {media_id}`.
    Image {
        /// An uploaded image.
        media_id: String,
    },
    /// `voice {media_id}`.
    Voice {
        /// An uploaded voice.
        media_id: String,
    },
    /// `video {media_id, thumb_media_id, title, description}`.
    Video {
        /// An uploaded video.
        media_id: String,
        /// An uploaded thumb.
        thumb_media_id: String,
        /// Title.
        title: String,
        /// Description.
        description: String,
    },
    /// `music {title, description, musicurl, hqmusicurl, thumb_media_id}`.
    Music {
        /// Title.
        title: String,
        /// Description.
        description: String,
        /// The music's URL.
        musicurl: String,
        /// The high-quality URL (Wi-Fi).
        hqmusicurl: String,
        /// An uploaded thumb.
        thumb_media_id: String,
    },
    /// `news {articles: [one]}`: a card linking to a page.
    News(Article),
    /// `mpnewsarticle {article_id}`: a published article.
    MpNewsArticle {
        /// The article_id.
        article_id: String,
    },
    /// `miniprogrampage {title, appid, pagepath, thumb_media_id}`.
    MiniProgramPage {
        /// Title.
        title: String,
        /// The mini program's appid.
        appid: String,
        /// The page.
        pagepath: String,
        /// An uploaded thumb.
        thumb_media_id: String,
    },
}

impl MessageBody {
    /// WeChat's `msgtype`.
    pub fn msgtype(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Image { .. } => "image",
            Self::Voice { .. } => "voice",
            Self::Video { .. } => "video",
            Self::Music { .. } => "music",
            Self::News(_) => "news",
            Self::MpNewsArticle { .. } => "mpnewsarticle",
            Self::MiniProgramPage { .. } => "miniprogrampage",
        }
    }

    fn object(&self) -> Value {
        match self {
            Self::Text { content } => json!({"content": content}),
            Self::Image { media_id } | Self::Voice { media_id } => json!({"media_id": media_id}),
            Self::Video {
                media_id,
                thumb_media_id,
                title,
                description,
            } => {
                json!({"media_id": media_id, "thumb_media_id": thumb_media_id, "title": title, "description": description})
            }
            Self::Music {
                title,
                description,
                musicurl,
                hqmusicurl,
                thumb_media_id,
            } => json!({"title": title, "description": description, "musicurl": musicurl,
                        "hqmusicurl": hqmusicurl, "thumb_media_id": thumb_media_id}),
            Self::News(article) => json!({"articles": [article]}),
            Self::MpNewsArticle { article_id } => json!({"article_id": article_id}),
            Self::MiniProgramPage {
                title,
                appid,
                pagepath,
                thumb_media_id,
            } => json!({"title": title, "appid": appid, "pagepath": pagepath, "thumb_media_id": thumb_media_id}),
        }
    }
}

/// A customer-service message to one follower, allowed within 48 hours of their last interaction.
///
/// ```
/// let m = wx_api::CustomerServiceMessage::text("oOPENID", "hello");
/// assert_eq!(m.to_json(), serde_json::json!({"touser": "oOPENID", "msgtype": "text", "text": {"content": "hello"}}));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerServiceMessage {
    /// The follower's openid.
    pub touser: String,
    /// What it says.
    pub body: MessageBody,
    /// Send as this customer-service account (`customservice.kf_account`).
    pub kf_account: Option<String>,
}

impl CustomerServiceMessage {
    /// `body` to `touser`.
    pub fn new(touser: impl Into<String>, body: MessageBody) -> Self {
        Self {
            touser: touser.into(),
            body,
            kf_account: None,
        }
    }

    /// A text message.
    pub fn text(touser: impl Into<String>, content: impl Into<String>) -> Self {
        Self::new(
            touser,
            MessageBody::Text {
                content: content.into(),
            },
        )
    }

    /// The request body WeChat documents.
    pub fn to_json(&self) -> Value {
        let msgtype = self.body.msgtype();
        let mut v = json!({"touser": self.touser, "msgtype": msgtype});
        v[msgtype] = self.body.object();
        if let Some(kf) = &self.kf_account {
            v["customservice"] = json!({"kf_account": kf});
        }
        v
    }
}

/// The typing indicator's command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    /// "Typing…" (shown up to 15 s).
    Start,
    /// Hide it.
    Cancel,
}

pub(crate) fn openid(touser: &str) -> Result<(), InvalidRequest> {
    if touser.is_empty() {
        return Err(InvalidRequest::Field {
            field: "touser",
            problem: "empty: give the follower's openid".into(),
        });
    }
    Ok(())
}

impl<S: TokenSource> AccountClient<S> {
    /// `POST /cgi-bin/message/custom/send`.
    ///
    /// # Errors
    /// [`ApiError::OutsideWindow`] (45015) when the follower has not interacted for 48 hours,
    /// [`ApiError::NotFollower`] (43004), [`ApiError::InvalidOpenid`] (40003), [`ApiError::InvalidMedia`] (40007),
    /// [`ApiError::MessageLimit`] (45047).
    pub async fn send_custom(&self, message: &CustomerServiceMessage) -> Result<(), ApiError> {
        openid(&message.touser)?;
        let _: Ok = self.post("/cgi-bin/message/custom/send", &message.to_json()).await?;
        Ok(())
    }

    /// `POST /cgi-bin/message/custom/typing`: shows or hides "typing…" to a follower (same window rule).
    ///
    /// # Errors
    /// As [`send_custom`](Self::send_custom).
    pub async fn typing(&self, touser: &str, command: Typing) -> Result<(), ApiError> {
        openid(touser)?;
        let command = match command {
            Typing::Start => "Typing",
            Typing::Cancel => "CancelTyping",
        };
        let _: Ok = self
            .post(
                "/cgi-bin/message/custom/typing",
                &json!({"touser": touser, "command": command}),
            )
            .await?;
        Ok(())
    }
}
