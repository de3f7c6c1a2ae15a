//! What went wrong, grouped by what the caller should do about it.

use crate::token::TokenError;

/// A request the client refused before calling WeChat: it names the button or field to fix.
///
/// ```
/// let e = wx_api::InvalidRequest::Button { button: "button[0] \"Shop\"".into(), problem: "name is 17 bytes; at most 16".into() };
/// assert_eq!(e.to_string(), "menu button button[0] \"Shop\": name is 17 bytes; at most 16");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidRequest {
    /// A menu button breaks one of WeChat's menu rules.
    #[error("menu button {button}: {problem}")]
    Button {
        /// Where it is (`button[1].sub_button[2] "Help"`), or `menu` for the whole menu.
        button: String,
        /// What is wrong and the limit.
        problem: String,
    },
    /// Any other field.
    #[error("{field}: {problem}")]
    Field {
        /// The field as WeChat names it (`touser`, `template_id`, …).
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// Why an account API call failed. Each variant says what to do; WeChat's errcode is [`ApiError::errcode`].
///
/// ```
/// use wx_api::ApiError;
/// let e = ApiError::from_errcode(45015, "response out of time limit");
/// assert!(matches!(e, ApiError::OutsideWindow));
/// assert_eq!(e.errcode(), Some(45015));
/// assert!(e.to_string().contains("48 hours"));
/// let unknown = ApiError::from_errcode(12345, "something new");
/// assert_eq!(unknown.to_string(), "WeChat answered errcode 12345: something new");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request was refused before calling WeChat.
    #[error("invalid request, not sent: {0}")]
    Invalid(#[from] InvalidRequest),
    /// The token source could not give an access_token.
    #[error("could not obtain an access_token: {0}")]
    Token(#[source] TokenError),
    /// Connection refused, reset or timed out.
    #[error("could not reach WeChat ({0}); check the API base and the network")]
    Network(String),
    /// A non-2xx HTTP status.
    #[error("WeChat answered HTTP {0}")]
    Http(u16),
    /// The body was not the JSON WeChat documents.
    #[error("WeChat's answer was not the expected JSON ({0})")]
    Malformed(String),
    /// The answer was longer than the caller's bound (a bounded download): nothing past the bound was read.
    #[error("the answer is more than the {limit}-byte limit: it was not read past it")]
    TooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// errcode -1: system busy.
    #[error("WeChat is busy (errcode -1); retry later with backoff")]
    Busy,
    /// 40001 / 40014 / 42001 even after one fresh token: the token source keeps giving a rejected token.
    #[error(
        "WeChat rejected the access_token (errcode {0}) again after a fresh one was fetched: check that one service owns the token (a central wx-server) and the app secret"
    )]
    InvalidToken(i64),
    /// 45009 / 45011: the API's daily or per-minute quota is reached.
    #[error("WeChat's quota for this API is reached (errcode {0}); wait for it to reset or reset it in the console")]
    Quota(i64),
    /// 48001: the account has no permission for this API (unverified account, or the API is not granted).
    #[error(
        "the account is not authorised for this API (errcode 48001): it needs verification or the permission in the console"
    )]
    MissingPermission,
    /// 40164: the caller's IP is not in the account's whitelist.
    #[error(
        "this server's IP is not in the account's IP whitelist (errcode 40164): add it under Settings > Basic configuration > IP whitelist"
    )]
    IpNotWhitelisted,
    /// 89503: WeChat flagged the caller's IP as risky.
    #[error("WeChat flagged this IP as risky (errcode 89503): an administrator must confirm the call")]
    RiskyIp,
    /// 40003: the openid is not one of this account's users.
    #[error("invalid openid (errcode 40003): the openid must be a user of this account (openids differ per account)")]
    InvalidOpenid,
    /// 43004: the user does not follow the account.
    #[error("the user does not follow the account (errcode 43004): messages go to followers only")]
    NotFollower,
    /// 45015: the follower has not interacted within the last 48 hours.
    #[error(
        "outside the 48-hour window (errcode 45015): customer-service messages are allowed only within 48 hours of the follower's last message, click, follow or scan; use a template message"
    )]
    OutsideWindow,
    /// 45047: too many customer-service messages in the window.
    #[error("customer-service message limit reached (errcode 45047): wait for the follower to interact again")]
    MessageLimit,
    /// 40007: the media_id is unknown or expired (temporary media live 3 days).
    #[error("invalid media_id (errcode 40007): upload the media again (temporary media expire after 3 days)")]
    InvalidMedia,
    /// 40037: the template_id is not one of the account's templates.
    #[error("invalid template_id (errcode 40037): use an id listed by get_all_private_template")]
    InvalidTemplate,
    /// 46003: the account has no menu.
    #[error("the account has no menu (errcode 46003): create one first")]
    NoMenu,
    /// 40016–40027, 40054 / 40055, 65301–65316: WeChat refused a menu.
    #[error("WeChat refused the menu (errcode {errcode}: {errmsg})")]
    InvalidMenu {
        /// WeChat's errcode.
        errcode: i64,
        /// WeChat's errmsg.
        errmsg: String,
    },
    /// Any other errcode, kept as WeChat gave it.
    #[error("WeChat answered errcode {errcode}: {errmsg}")]
    Other {
        /// WeChat's errcode.
        errcode: i64,
        /// WeChat's errmsg.
        errmsg: String,
    },
}

impl ApiError {
    /// The error for a non-zero errcode.
    pub fn from_errcode(errcode: i64, errmsg: &str) -> Self {
        let errmsg: String = errmsg.chars().take(200).collect();
        match errcode {
            -1 => Self::Busy,
            40001 | 40014 | 42001 => Self::InvalidToken(errcode),
            45009 | 45011 => Self::Quota(errcode),
            48001 => Self::MissingPermission,
            40164 => Self::IpNotWhitelisted,
            89503 => Self::RiskyIp,
            40003 => Self::InvalidOpenid,
            43004 => Self::NotFollower,
            45015 => Self::OutsideWindow,
            45047 => Self::MessageLimit,
            40007 => Self::InvalidMedia,
            40037 => Self::InvalidTemplate,
            46003 => Self::NoMenu,
            40016..=40027 | 40054 | 40055 | 65301..=65316 => Self::InvalidMenu { errcode, errmsg },
            _ => Self::Other { errcode, errmsg },
        }
    }

    /// WeChat's errcode, when WeChat gave one.
    pub fn errcode(&self) -> Option<i64> {
        Some(match self {
            Self::Busy => -1,
            Self::InvalidToken(c) | Self::Quota(c) => *c,
            Self::MissingPermission => 48001,
            Self::IpNotWhitelisted => 40164,
            Self::RiskyIp => 89503,
            Self::InvalidOpenid => 40003,
            Self::NotFollower => 43004,
            Self::OutsideWindow => 45015,
            Self::MessageLimit => 45047,
            Self::InvalidMedia => 40007,
            Self::InvalidTemplate => 40037,
            Self::NoMenu => 46003,
            Self::InvalidMenu { errcode, .. } | Self::Other { errcode, .. } => *errcode,
            _ => return None,
        })
    }

    /// True for failures worth a later retry (busy, network, 5xx, 429); never for a request or account problem.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Busy | Self::Network(_) | Self::Malformed(_) => true,
            Self::Http(status) => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}
