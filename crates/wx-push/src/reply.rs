//! Passive replies: what a handler answers, its XML (To/From swapped, text in split-safe CDATA), and the news
//! article limits.

use serde::Deserialize;

use crate::message::Push;
use crate::xml::{ParseError, XmlOut, from_guarded, guard, number};

/// At most this many articles in a news reply to a user's message.
pub const MAX_ARTICLES_TO_MESSAGE: usize = 1;
/// At most this many articles in a news reply to an event.
pub const MAX_ARTICLES: usize = 8;

/// What a handler answers to a push.
///
/// ```
/// let reply = wx_push::Reply::text("hello");
/// assert_eq!(reply, wx_push::Reply::Text("hello".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// No reply: the HTTP body `success`, so WeChat neither retries nor tells the user the account failed.
    Success,
    /// A text message.
    Text(String),
    /// An image already uploaded as media.
    Image {
        /// `MediaId`.
        media_id: String,
    },
    /// A voice message already uploaded as media.
    Voice {
        /// `MediaId`.
        media_id: String,
    },
    /// A video.
    Video(Video),
    /// A music message.
    Music(Music),
    /// News articles: 1 when answering a user's message, up to 8 otherwise.
    News(Vec<Article>),
}

/// The `Video` of a video reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Video {
    /// `MediaId`.
    pub media_id: String,
    /// `Title`.
    pub title: Option<String>,
    /// `Description`.
    pub description: Option<String>,
}

/// The `Music` of a music reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Music {
    /// `Title`.
    pub title: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `MusicUrl`.
    pub music_url: Option<String>,
    /// `HQMusicUrl`, used on Wi-Fi.
    pub hq_music_url: Option<String>,
    /// `ThumbMediaId`: the cover, required by WeChat.
    pub thumb_media_id: String,
}

/// One article (`item`) of a news reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Article {
    /// `Title`.
    pub title: String,
    /// `Description`.
    pub description: String,
    /// `PicUrl`: the cover image.
    pub pic_url: String,
    /// `Url`: where a tap leads.
    pub url: String,
}

/// Why a reply cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// A news reply without articles.
    #[error("a news reply needs at least one article")]
    NoArticles,
    /// More articles than WeChat accepts in this context.
    #[error("a news reply {context} may carry at most {limit} article(s), this one has {count}")]
    TooManyArticles {
        /// Articles given.
        count: usize,
        /// The limit that applies.
        limit: usize,
        /// `to a user's message` or `to an event`.
        context: &'static str,
    },
}

/// A reply addressed to its push: `ToUserName` is the user, `FromUserName` the account.
///
/// ```
/// # let push = wx_push::Push::parse(b"<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>\
/// #   <CreateTime>7</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>")?;
/// let message = wx_push::Reply::text("a ]]> b").to_message(&push, 1700000000)?.expect("a text reply");
/// assert_eq!(message.to_user_name, "o1");
/// assert_eq!(wx_push::ReplyMessage::parse(message.to_xml().as_bytes())?, message);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyMessage {
    /// The user's openid (the push's `FromUserName`).
    pub to_user_name: String,
    /// The account's original id (the push's `ToUserName`).
    pub from_user_name: String,
    /// `CreateTime` of the reply.
    pub create_time: u64,
    /// The reply.
    pub reply: Reply,
}

impl Reply {
    /// A text reply.
    pub fn text(content: impl Into<String>) -> Self {
        Reply::Text(content.into())
    }

    /// An image reply.
    pub fn image(media_id: impl Into<String>) -> Self {
        Reply::Image {
            media_id: media_id.into(),
        }
    }

    /// A voice reply.
    pub fn voice(media_id: impl Into<String>) -> Self {
        Reply::Voice {
            media_id: media_id.into(),
        }
    }

    /// A news reply; the article limit is checked by [`to_message`](Self::to_message).
    pub fn news(articles: impl IntoIterator<Item = Article>) -> Self {
        Reply::News(articles.into_iter().collect())
    }

    /// Addresses the reply to `push` (swapping To and From) or returns `None` for [`Reply::Success`].
    ///
    /// # Errors
    /// [`ReplyError::NoArticles`] for empty news; [`ReplyError::TooManyArticles`] for more than
    /// [`MAX_ARTICLES_TO_MESSAGE`] articles answering a user's message, or more than [`MAX_ARTICLES`] otherwise.
    pub fn to_message(&self, push: &Push, create_time: u64) -> Result<Option<ReplyMessage>, ReplyError> {
        self.clone().addressed(Addressee::of(push), create_time)
    }

    /// [`to_message`](Self::to_message) without copying the reply or the push: the service takes the addressee
    /// before the push moves into the handler.
    pub(crate) fn addressed(self, to: Addressee, create_time: u64) -> Result<Option<ReplyMessage>, ReplyError> {
        if let Reply::News(articles) = &self {
            let (limit, context) = if to.user_message {
                (MAX_ARTICLES_TO_MESSAGE, "to a user's message")
            } else {
                (MAX_ARTICLES, "to an event")
            };
            if articles.is_empty() {
                return Err(ReplyError::NoArticles);
            }
            if articles.len() > limit {
                return Err(ReplyError::TooManyArticles {
                    count: articles.len(),
                    limit,
                    context,
                });
            }
        }
        if self == Reply::Success {
            return Ok(None);
        }
        Ok(Some(ReplyMessage {
            to_user_name: to.to_user_name,
            from_user_name: to.from_user_name,
            create_time,
            reply: self,
        }))
    }
}

/// Who a reply to a push goes to, and whether the push was a user's message (which limits news to one article).
pub(crate) struct Addressee {
    to_user_name: String,
    from_user_name: String,
    user_message: bool,
}

impl Addressee {
    /// The push's sender, from the account it was sent to.
    pub(crate) fn of(push: &Push) -> Self {
        Self {
            to_user_name: push.from_user_name.clone(),
            from_user_name: push.to_user_name.clone(),
            user_message: push.is_user_message(),
        }
    }
}

impl ReplyMessage {
    /// The reply's XML as WeChat expects it (for [`Reply::Success`], the body `success`).
    pub fn to_xml(&self) -> String {
        let mut out = XmlOut::new();
        out.cdata("ToUserName", &self.to_user_name);
        out.cdata("FromUserName", &self.from_user_name);
        out.bare("CreateTime", self.create_time);
        match &self.reply {
            Reply::Success => return "success".to_owned(),
            Reply::Text(content) => {
                out.cdata("MsgType", "text");
                out.cdata("Content", content);
            }
            Reply::Image { media_id } => media(&mut out, "image", "Image", media_id),
            Reply::Voice { media_id } => media(&mut out, "voice", "Voice", media_id),
            Reply::Video(video) => {
                out.cdata("MsgType", "video");
                out.start("Video");
                out.cdata("MediaId", &video.media_id);
                optional(&mut out, "Title", &video.title);
                optional(&mut out, "Description", &video.description);
                out.end("Video");
            }
            Reply::Music(music) => {
                out.cdata("MsgType", "music");
                out.start("Music");
                optional(&mut out, "Title", &music.title);
                optional(&mut out, "Description", &music.description);
                optional(&mut out, "MusicUrl", &music.music_url);
                optional(&mut out, "HQMusicUrl", &music.hq_music_url);
                out.cdata("ThumbMediaId", &music.thumb_media_id);
                out.end("Music");
            }
            Reply::News(articles) => {
                out.cdata("MsgType", "news");
                out.bare("ArticleCount", articles.len());
                out.start("Articles");
                for article in articles {
                    out.start("item");
                    out.cdata("Title", &article.title);
                    out.cdata("Description", &article.description);
                    out.cdata("PicUrl", &article.pic_url);
                    out.cdata("Url", &article.url);
                    out.end("item");
                }
                out.end("Articles");
            }
        }
        out.finish()
    }

    /// Parses a passive reply's XML: what the fake WeChat and tests use to read a server's answer.
    ///
    /// # Errors
    /// A [`ParseError`] for malformed XML, a missing field or an unknown `MsgType`.
    pub fn parse(xml: &[u8]) -> Result<ReplyMessage, ParseError> {
        let raw: RawReply = from_guarded(guard(xml)?)?;
        let msg_type = raw.msg_type.unwrap_or_default();
        let missing = |field: &'static str| ParseError::MissingField {
            msg_type: format!("reply/{msg_type}"),
            field,
        };
        let reply = match msg_type.as_str() {
            "text" => Reply::Text(raw.content.ok_or_else(|| missing("Content"))?),
            "image" => Reply::image(
                raw.image
                    .and_then(|m| m.media_id)
                    .ok_or_else(|| missing("Image/MediaId"))?,
            ),
            "voice" => Reply::voice(
                raw.voice
                    .and_then(|m| m.media_id)
                    .ok_or_else(|| missing("Voice/MediaId"))?,
            ),
            "video" => {
                let video = raw.video.ok_or_else(|| missing("Video"))?;
                Reply::Video(Video {
                    media_id: video.media_id.ok_or_else(|| missing("Video/MediaId"))?,
                    title: video.title,
                    description: video.description,
                })
            }
            "music" => {
                let music = raw.music.ok_or_else(|| missing("Music"))?;
                Reply::Music(Music {
                    thumb_media_id: music.thumb_media_id.ok_or_else(|| missing("Music/ThumbMediaId"))?,
                    title: music.title,
                    description: music.description,
                    music_url: music.music_url,
                    hq_music_url: music.hq_music_url,
                })
            }
            "news" => {
                let items = raw.articles.map(|a| a.item).unwrap_or_default();
                let count: usize = number(
                    "ArticleCount",
                    &raw.article_count.ok_or_else(|| missing("ArticleCount"))?,
                )?;
                if count != items.len() {
                    return Err(ParseError::Malformed(format!(
                        "ArticleCount {count} but {} items",
                        items.len()
                    )));
                }
                Reply::News(items.into_iter().map(RawArticle::into_article).collect())
            }
            _ => return Err(missing("MsgType")),
        };
        Ok(ReplyMessage {
            to_user_name: raw.to_user_name.ok_or_else(|| missing("ToUserName"))?,
            from_user_name: raw.from_user_name.ok_or_else(|| missing("FromUserName"))?,
            create_time: number("CreateTime", &raw.create_time.ok_or_else(|| missing("CreateTime"))?)?,
            reply,
        })
    }
}

fn media(out: &mut XmlOut, msg_type: &str, element: &str, media_id: &str) {
    out.cdata("MsgType", msg_type);
    out.start(element);
    out.cdata("MediaId", media_id);
    out.end(element);
}

fn optional(out: &mut XmlOut, name: &str, value: &Option<String>) {
    if let Some(value) = value {
        out.cdata(name, value);
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawReply {
    to_user_name: Option<String>,
    from_user_name: Option<String>,
    create_time: Option<String>,
    msg_type: Option<String>,
    content: Option<String>,
    image: Option<RawMedia>,
    voice: Option<RawMedia>,
    video: Option<RawMedia>,
    music: Option<RawMusic>,
    article_count: Option<String>,
    articles: Option<RawArticles>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawMedia {
    media_id: Option<String>,
    title: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawMusic {
    title: Option<String>,
    description: Option<String>,
    music_url: Option<String>,
    #[serde(rename = "HQMusicUrl")]
    hq_music_url: Option<String>,
    thumb_media_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawArticles {
    item: Vec<RawArticle>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RawArticle {
    title: Option<String>,
    description: Option<String>,
    pic_url: Option<String>,
    url: Option<String>,
}

impl RawArticle {
    fn into_article(self) -> Article {
        Article {
            title: self.title.unwrap_or_default(),
            description: self.description.unwrap_or_default(),
            pic_url: self.pic_url.unwrap_or_default(),
            url: self.url.unwrap_or_default(),
        }
    }
}
