//! The JSON error every `/api/*` endpoint answers: `{"error": "<stable_code>", "message": "<what to fix>"}`,
//! plus `"errcode"` when WeChat gave one.

use crate::{credentials::CredentialError, wechat::UpstreamError};
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// An HTTP error with a stable machine-readable code and a human message naming the fix.
///
/// ```
/// let e = wx_server::ApiError::bad_request("missing_url", "pass ?url=<the page URL>");
/// assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    /// The HTTP status.
    #[serde(skip)]
    pub status: StatusCode,
    /// A stable code (`missing_url`, `domain_not_allowed`, `wechat_unavailable`, …).
    pub error: &'static str,
    /// What happened and what to fix.
    pub message: String,
    /// WeChat's errcode when WeChat gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errcode: Option<i64>,
}

impl ApiError {
    /// A 400.
    pub fn bad_request(error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            message: message.into(),
            errcode: None,
        }
    }

    /// A 403.
    pub fn forbidden(error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            error,
            message: message.into(),
            errcode: None,
        }
    }

    /// A 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            error: "not_found",
            message: message.into(),
            errcode: None,
        }
    }
}

impl From<CredentialError> for ApiError {
    fn from(e: CredentialError) -> Self {
        use UpstreamError as U;
        let (status, error) = match &e.source {
            U::Network(_) | U::Http(_) | U::Malformed(_) | U::Busy | U::OutOfTime(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "wechat_unavailable")
            }
            U::NoAnswerInTime(_) => (StatusCode::SERVICE_UNAVAILABLE, "wechat_timeout"),
            U::EmptyCredential(_) => (StatusCode::BAD_GATEWAY, "wechat_empty_credential"),
            U::InvalidToken(_) => (StatusCode::BAD_GATEWAY, "wechat_invalid_token"),
            U::Quota(_) => (StatusCode::BAD_GATEWAY, "wechat_quota_exceeded"),
            U::IpNotWhitelisted => (StatusCode::BAD_GATEWAY, "wechat_ip_not_whitelisted"),
            U::RiskyIp => (StatusCode::BAD_GATEWAY, "wechat_risky_ip"),
            U::BadCredentials(_) => (StatusCode::BAD_GATEWAY, "wechat_bad_credentials"),
            _ => (StatusCode::BAD_GATEWAY, "wechat_error"),
        };
        Self {
            status,
            error,
            message: e.to_string(),
            errcode: e.source.errcode(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = (status, Json(self)).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
