//! Scene QR codes (`/cgi-bin/qrcode/create`): a validated [`QrCodeSpec`], [`create`] through the credential
//! service, and local rendering of the code's `url` to SVG and PNG (`render`, with the `qrcode` feature).
//!
//! | action_name | scene | lifetime |
//! |---|---|---|
//! | `QR_SCENE` | `scene_id` 1–4294967295 | `expire_seconds` 1–2592000 (30 days), default 60 |
//! | `QR_STR_SCENE` | `scene_str` 1–64 characters | as above |
//! | `QR_LIMIT_SCENE` | `scene_id` 1–100000 | permanent |
//! | `QR_LIMIT_STR_SCENE` | `scene_str` 1–64 characters | permanent |

#[cfg(feature = "qrcode")]
pub mod render;

use crate::{CredentialService, WechatClient, credentials::CredentialError, wechat::UpstreamError};
use serde::{Deserialize, Serialize};

/// The longest a temporary code lives: 30 days.
pub const MAX_EXPIRE_SECONDS: u64 = 2_592_000;
/// WeChat's lifetime for a temporary code created without `expire_seconds`.
pub const DEFAULT_EXPIRE_SECONDS: u64 = 60;
/// The highest permanent `scene_id`.
pub const MAX_PERMANENT_SCENE_ID: u64 = 100_000;
/// The longest `scene_str`, in characters.
pub const MAX_SCENE_STR_CHARS: usize = 64;
/// Where WeChat serves a code's image: this plus the URL-encoded ticket.
pub const SHOWQRCODE_BASE: &str = "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=";

/// A scene value: a number or a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SceneValue {
    /// `scene_id`.
    Id(u64),
    /// `scene_str`.
    Str(String),
}

/// A QR code that passed WeChat's documented limits, ready to create.
///
/// ```
/// use wx_server::qrcode::QrCodeSpec;
/// assert!(QrCodeSpec::temporary_id(7, 604_800).is_ok());
/// assert!(QrCodeSpec::temporary_id(7, 2_592_001).is_err()); // more than 30 days
/// assert!(QrCodeSpec::permanent_id(100_001).is_err());
/// assert!(QrCodeSpec::permanent_str(&"x".repeat(65)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrCodeSpec {
    /// `QR_SCENE` / `QR_STR_SCENE`.
    Temporary {
        /// The scene.
        scene: SceneValue,
        /// Lifetime in seconds.
        expire_seconds: u64,
    },
    /// `QR_LIMIT_SCENE` / `QR_LIMIT_STR_SCENE`.
    Permanent {
        /// The scene.
        scene: SceneValue,
    },
}

/// Why a QR code request was refused before calling WeChat.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrCodeError {
    /// Not one of the four action names.
    #[error("action_name `{0}` is not QR_SCENE, QR_STR_SCENE, QR_LIMIT_SCENE or QR_LIMIT_STR_SCENE")]
    Action(String),
    /// The action needs `scene_id` (or `scene_str`) and it is missing, or both were given.
    #[error("{action} takes exactly one `{field}` (and no other scene field)")]
    Scene {
        /// The action name.
        action: &'static str,
        /// The field it takes.
        field: &'static str,
    },
    /// A temporary code's lifetime is out of range.
    #[error("expire_seconds {0} is out of range: a temporary code lives 1 to 2592000 seconds (30 days)")]
    ExpireSeconds(u64),
    /// A permanent code was given `expire_seconds`.
    #[error("permanent codes (QR_LIMIT_*) do not expire: leave out expire_seconds")]
    PermanentExpiry,
    /// A scene_id out of range.
    #[error("scene_id {id} is out of range: {range}")]
    SceneId {
        /// The id.
        id: u64,
        /// The allowed range.
        range: &'static str,
    },
    /// A scene_str of the wrong length.
    #[error("scene_str has {0} characters: it must have 1 to 64")]
    SceneStr(usize),
}

fn check_str(s: &str) -> Result<SceneValue, QrCodeError> {
    let n = s.chars().count();
    if n == 0 || n > MAX_SCENE_STR_CHARS {
        return Err(QrCodeError::SceneStr(n));
    }
    Ok(SceneValue::Str(s.to_owned()))
}

fn check_expiry(expire_seconds: u64) -> Result<u64, QrCodeError> {
    if expire_seconds == 0 || expire_seconds > MAX_EXPIRE_SECONDS {
        return Err(QrCodeError::ExpireSeconds(expire_seconds));
    }
    Ok(expire_seconds)
}

impl QrCodeSpec {
    /// `QR_SCENE`: `scene_id` is a non-zero 32-bit number.
    ///
    /// # Errors
    /// [`QrCodeError`] for a value out of range.
    pub fn temporary_id(scene_id: u64, expire_seconds: u64) -> Result<Self, QrCodeError> {
        if scene_id == 0 || scene_id > u64::from(u32::MAX) {
            return Err(QrCodeError::SceneId {
                id: scene_id,
                range: "a temporary code's scene_id is 1 to 4294967295",
            });
        }
        Ok(Self::Temporary {
            scene: SceneValue::Id(scene_id),
            expire_seconds: check_expiry(expire_seconds)?,
        })
    }

    /// `QR_STR_SCENE`.
    ///
    /// # Errors
    /// [`QrCodeError`] for a value out of range.
    pub fn temporary_str(scene_str: &str, expire_seconds: u64) -> Result<Self, QrCodeError> {
        Ok(Self::Temporary {
            scene: check_str(scene_str)?,
            expire_seconds: check_expiry(expire_seconds)?,
        })
    }

    /// `QR_LIMIT_SCENE`: `scene_id` 1–100000.
    ///
    /// # Errors
    /// [`QrCodeError`] for a value out of range.
    pub fn permanent_id(scene_id: u64) -> Result<Self, QrCodeError> {
        if scene_id == 0 || scene_id > MAX_PERMANENT_SCENE_ID {
            return Err(QrCodeError::SceneId {
                id: scene_id,
                range: "a permanent code's scene_id is 1 to 100000",
            });
        }
        Ok(Self::Permanent {
            scene: SceneValue::Id(scene_id),
        })
    }

    /// `QR_LIMIT_STR_SCENE`: `scene_str` 1–64 characters.
    ///
    /// # Errors
    /// [`QrCodeError`] for a value out of range.
    pub fn permanent_str(scene_str: &str) -> Result<Self, QrCodeError> {
        Ok(Self::Permanent {
            scene: check_str(scene_str)?,
        })
    }

    /// From the flat request `POST /api/qrcode` takes (see [`QrCodeRequest`]).
    ///
    /// # Errors
    /// [`QrCodeError`] naming what to fix.
    pub fn from_request(r: &QrCodeRequest) -> Result<Self, QrCodeError> {
        let scene = |action: &'static str, field: &'static str| QrCodeError::Scene { action, field };
        match (r.action_name.as_str(), r.scene_id, r.scene_str.as_deref()) {
            ("QR_SCENE", Some(id), None) => Self::temporary_id(id, r.expire_seconds.unwrap_or(DEFAULT_EXPIRE_SECONDS)),
            ("QR_SCENE", ..) => Err(scene("QR_SCENE", "scene_id")),
            ("QR_STR_SCENE", None, Some(s)) => {
                Self::temporary_str(s, r.expire_seconds.unwrap_or(DEFAULT_EXPIRE_SECONDS))
            }
            ("QR_STR_SCENE", ..) => Err(scene("QR_STR_SCENE", "scene_str")),
            ("QR_LIMIT_SCENE" | "QR_LIMIT_STR_SCENE", ..) if r.expire_seconds.is_some() => {
                Err(QrCodeError::PermanentExpiry)
            }
            ("QR_LIMIT_SCENE", Some(id), None) => Self::permanent_id(id),
            ("QR_LIMIT_SCENE", ..) => Err(scene("QR_LIMIT_SCENE", "scene_id")),
            ("QR_LIMIT_STR_SCENE", None, Some(s)) => Self::permanent_str(s),
            ("QR_LIMIT_STR_SCENE", ..) => Err(scene("QR_LIMIT_STR_SCENE", "scene_str")),
            (other, ..) => Err(QrCodeError::Action(other.chars().take(40).collect())),
        }
    }

    /// WeChat's `action_name`.
    pub fn action_name(&self) -> &'static str {
        match self {
            Self::Temporary {
                scene: SceneValue::Id(_),
                ..
            } => "QR_SCENE",
            Self::Temporary {
                scene: SceneValue::Str(_),
                ..
            } => "QR_STR_SCENE",
            Self::Permanent {
                scene: SceneValue::Id(_),
            } => "QR_LIMIT_SCENE",
            Self::Permanent {
                scene: SceneValue::Str(_),
            } => "QR_LIMIT_STR_SCENE",
        }
    }

    /// The body of `/cgi-bin/qrcode/create`.
    ///
    /// ```
    /// let spec = wx_server::qrcode::QrCodeSpec::temporary_id(123, 604_800)?;
    /// assert_eq!(spec.to_wechat_json(), serde_json::json!({
    ///     "expire_seconds": 604800, "action_name": "QR_SCENE", "action_info": {"scene": {"scene_id": 123}}}));
    /// # Ok::<(), wx_server::qrcode::QrCodeError>(())
    /// ```
    pub fn to_wechat_json(&self) -> serde_json::Value {
        let (scene, expire) = match self {
            Self::Temporary { scene, expire_seconds } => (scene, Some(*expire_seconds)),
            Self::Permanent { scene } => (scene, None),
        };
        let scene = match scene {
            SceneValue::Id(id) => serde_json::json!({ "scene_id": id }),
            SceneValue::Str(s) => serde_json::json!({ "scene_str": s }),
        };
        let mut body = serde_json::json!({"action_name": self.action_name(), "action_info": {"scene": scene}});
        if let Some(e) = expire {
            body["expire_seconds"] = e.into();
        }
        body
    }
}

/// The JSON `POST /api/qrcode` takes: WeChat's fields, flat.
///
/// ```
/// let r: wx_server::qrcode::QrCodeRequest =
///     serde_json::from_str(r#"{"action_name":"QR_STR_SCENE","scene_str":"spring","expire_seconds":3600}"#).unwrap();
/// assert!(wx_server::qrcode::QrCodeSpec::from_request(&r).is_ok());
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrCodeRequest {
    /// `QR_SCENE`, `QR_STR_SCENE`, `QR_LIMIT_SCENE` or `QR_LIMIT_STR_SCENE`.
    pub action_name: String,
    /// For `QR_SCENE` and `QR_LIMIT_SCENE`.
    #[serde(default)]
    pub scene_id: Option<u64>,
    /// For `QR_STR_SCENE` and `QR_LIMIT_STR_SCENE`.
    #[serde(default)]
    pub scene_str: Option<String>,
    /// For temporary codes [default: 60].
    #[serde(default)]
    pub expire_seconds: Option<u64>,
}

/// A created code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedQrCode {
    /// The ticket (exchange it for the image at [`image_url`](Self::image_url)).
    pub ticket: String,
    /// The URL the QR code encodes: render it yourself (`render`, with the `qrcode` feature) instead of downloading
    /// the image.
    pub url: String,
    /// Lifetime in seconds (temporary codes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_seconds: Option<u64>,
    /// `showqrcode?ticket=<URL-encoded ticket>`.
    pub image_url: String,
}

/// The showqrcode image URL of `ticket` (URL-encoded: tickets are base64 with `+`, `/` and `=`).
///
/// ```
/// assert_eq!(wx_server::qrcode::image_url("gQ+a/b=="),
///            "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQ%2Ba%2Fb%3D%3D");
/// ```
pub fn image_url(ticket: &str) -> String {
    let enc = percent_encoding::utf8_percent_encode(ticket, percent_encoding::NON_ALPHANUMERIC);
    format!("{SHOWQRCODE_BASE}{enc}")
}

/// Creates the code with the service's access_token (refetched once if WeChat rejects it with 40001).
///
/// ```no_run
/// # async fn demo(service: wx_server::CredentialService, client: wx_server::WechatClient) -> Result<(), Box<dyn std::error::Error>> {
/// use wx_server::qrcode::{QrCodeSpec, create};
/// let code = create(&service, &client, &QrCodeSpec::temporary_str("spring-sale", 7 * 86_400)?).await?;
/// println!("{} → {}", code.url, code.image_url);
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`CredentialError`]: the token could not be had, or WeChat refused the code.
pub async fn create(
    service: &CredentialService,
    client: &WechatClient,
    spec: &QrCodeSpec,
) -> Result<CreatedQrCode, CredentialError> {
    let body = spec.to_wechat_json();
    let answer = service
        .with_access_token("scene QR code", |token| {
            let body = &body;
            async move { client.post_with_token("/cgi-bin/qrcode/create", &token, body).await }
        })
        .await?;
    let malformed = |what: &str| CredentialError {
        credential: "scene QR code",
        source: UpstreamError::Malformed(format!("qrcode/create answered without {what}")),
    };
    let field = |k: &str| answer.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty());
    let ticket = field("ticket").ok_or_else(|| malformed("a ticket"))?.to_owned();
    let url = field("url").ok_or_else(|| malformed("a url"))?.to_owned();
    let expire_seconds = match spec {
        QrCodeSpec::Temporary { .. } => answer.get("expire_seconds").and_then(serde_json::Value::as_u64),
        QrCodeSpec::Permanent { .. } => None,
    };
    Ok(CreatedQrCode {
        image_url: image_url(&ticket),
        ticket,
        url,
        expire_seconds,
    })
}
