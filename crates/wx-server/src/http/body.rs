//! Reading a request body whole, under a size limit and a time limit: a client announcing a body and then
//! sending it slowly (or never) must not hold its connection and task indefinitely.

use axum::body::{Body, Bytes};
use std::{future::Future, task::Poll, time::Duration};

/// How long a request body may take to arrive in full (WeChat itself gives up on a push after 5 s).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    /// Longer than the route's limit (413).
    #[error("the body is more than the {0}-byte limit")]
    TooLarge(usize),
    /// Not complete within [`BODY_READ_TIMEOUT`] (408).
    #[error("the body did not arrive within {} s: send it with the request", BODY_READ_TIMEOUT.as_secs())]
    TimedOut,
    /// The connection broke or the framing was invalid (400).
    #[error("the body could not be read: {0}")]
    Broken(String),
}

/// The whole body, at most `limit` bytes, within [`BODY_READ_TIMEOUT`]. A body declared longer than `limit`
/// (its `Content-Length`) is refused at once, without waiting for bytes that would be refused anyway.
pub(crate) async fn read_body(body: Body, limit: usize) -> Result<Bytes, BodyError> {
    if axum::body::HttpBody::size_hint(&body).lower() > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(BodyError::TooLarge(limit));
    }
    let mut read = std::pin::pin!(axum::body::to_bytes(body, limit));
    // A body already received with its header (nearly every push) is read without a timer: making one takes a
    // counted reference to the runtime, shared by every worker thread.
    let read = match std::future::poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await {
        Poll::Ready(read) => read,
        Poll::Pending => tokio::time::timeout(BODY_READ_TIMEOUT, read)
            .await
            .map_err(|_| BodyError::TimedOut)?,
    };
    read.map_err(|error| {
        let too_large = std::error::Error::source(&error).is_some_and(|e| e.is::<http_body_util::LengthLimitError>());
        if too_large {
            BodyError::TooLarge(limit)
        } else {
            BodyError::Broken(error.to_string())
        }
    })
}

impl BodyError {
    /// The HTTP status to answer with.
    pub(crate) fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            BodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            BodyError::Broken(_) => StatusCode::BAD_REQUEST,
        }
    }
}
