//! Static hosting of the built app, with `index.html` for client-side routes (so reloading `/share` works).

use super::error::ApiError;
use axum::{
    Router,
    extract::State,
    http::{HeaderValue, Method, Uri, header},
    response::{Html, IntoResponse, Response},
    routing::any,
};
use std::path::PathBuf;
use tower_http::services::ServeDir;

/// The fallback service for every path no API route took.
pub(super) fn service(dir: Option<PathBuf>) -> Router {
    match dir {
        Some(dir) => {
            let spa = any(spa_index).with_state(dir.clone());
            Router::new().fallback_service(ServeDir::new(dir).append_index_html_on_directories(true).fallback(spa))
        }
        None => Router::new().fallback(|| async {
            ApiError::not_found("no such route; static files are not served because WX_STATIC_DIR is not set")
        }),
    }
}

/// A path that is not a file: `index.html` if it looks like a client-side route (no extension in the
/// last segment, not under `/api/`), else a 404, so a missing asset is not silently replaced by HTML.
async fn spa_index(State(dir): State<PathBuf>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let last = path.rsplit('/').next().unwrap_or("");
    if !(method == Method::GET || method == Method::HEAD) || path.starts_with("/api/") || last.contains('.') {
        return ApiError::not_found(format!("{path} does not exist")).into_response();
    }
    match tokio::fs::read_to_string(dir.join("index.html")).await {
        Ok(html) => {
            let mut r = Html(html).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
        Err(_) => ApiError::not_found("index.html is missing from WX_STATIC_DIR: build the app first").into_response(),
    }
}
