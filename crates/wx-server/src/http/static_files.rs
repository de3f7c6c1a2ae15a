//! Static hosting of the built app, with `index.html` for client-side routes (so reloading `/share` works).
//!
//! Nothing outside the static directory is ever served: every path is resolved (symbolic links, `.`, `..`)
//! before it is opened, and one that leads outside the directory is answered like a missing file.

use super::error::ApiError;
use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, Method, Uri, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
    routing::any,
};
use std::{
    future::Future,
    io,
    path::{Path, PathBuf},
    pin::Pin,
    sync::Arc,
};
use tower_http::services::{
    ServeDir,
    fs::{Backend, TokioBackend, TokioFile},
};

/// The fallback service for every path no API route took.
pub(super) fn service(dir: Option<PathBuf>) -> Router {
    match dir {
        Some(dir) => {
            let dir: Arc<Path> = dir.into();
            let spa = any(spa_index).with_state(dir.clone());
            Router::new()
                .fallback_service(
                    // `cargo xtask dist` writes `<file>.gz` beside the JS, wasm and CSS.
                    ServeDir::with_backend(&*dir, Confined { dir: dir.clone() })
                        .append_index_html_on_directories(true)
                        .precompressed_gzip()
                        .fallback(spa),
                )
                .layer(axum::middleware::from_fn(cache_and_paths))
        }
        None => Router::new().fallback(|| async {
            ApiError::not_found("no such route; static files are not served because WX_STATIC_DIR is not set")
        }),
    }
}

/// Caching for what the app is made of, and no redirect off-site.
///
/// Trunk names the app's JS, wasm and CSS with a hash of their content, so those never change under one name:
/// cached for a year. Everything else (index.html first: after a deploy it must name the new files, or the page
/// loads files that are gone) is revalidated on every use, cheaply by its ETag.
///
/// A path starting with `//` is refused: a directory there (`//emulator`) would be redirected to
/// `//emulator/`, which a browser reads as another host.
async fn cache_and_paths(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("//") {
        return ApiError::not_found(format!("{path} does not exist")).into_response();
    }
    let policy = if is_content_hashed(path.rsplit('/').next().unwrap_or("")) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = next.run(request).await;
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// `wxkit-web-af0c046c920c0fd6.js`, `wxkit-web-af0c046c920c0fd6_bg.wasm`, `styles-10ca7bac501d00e9.css`: a name
/// ending in `-` and the hex digits of Trunk's 64-bit hash, which it writes without leading zeros (so sometimes
/// fewer than 16; 12 or more, unless the hash starts with four zero digits, one build in 65,536).
fn is_content_hashed(file: &str) -> bool {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A path that is not a file: `index.html` if it looks like a client-side route (no extension in the
/// last segment, not under `/api/`), else a 404, so a missing asset is not silently replaced by HTML.
async fn spa_index(State(dir): State<Arc<Path>>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let last = path.rsplit('/').next().unwrap_or("");
    let api = path == "/api" || path.starts_with("/api/");
    if !(method == Method::GET || method == Method::HEAD) || api || last.contains('.') {
        return ApiError::not_found(format!("{path} does not exist")).into_response();
    }
    // Confined like the files ServeDir opens: an `index.html` linking outside the directory counts as missing.
    let html = match confine(&dir, &dir.join("index.html")).await {
        Ok(index) => tokio::fs::read_to_string(index).await,
        Err(error) => Err(error),
    };
    match html {
        // `no-cache` comes from `cache_and_paths`, like index.html's own.
        Ok(html) => Html(html).into_response(),
        Err(_) => ApiError::not_found("index.html is missing from WX_STATIC_DIR: build the app first").into_response(),
    }
}

/// `ServeDir`'s file system, confined to the static directory.
///
/// ServeDir follows symbolic links, so a link in the directory (`passwd -> /etc/passwd`, `data -> /var/lib/wxkit`)
/// would serve whatever it points to. Every path ServeDir looks at or opens (the requested file, a directory's
/// `index.html`, the `<file>.gz` it prefers for browsers that accept gzip) goes through [`confine`] first; one
/// refused there is "not found", so ServeDir answers as for a missing file (the SPA fallback, or a 404) and falls
/// back from a refused `.gz` to the file itself, which is checked in turn. Decoding the URI and refusing `..` stay
/// ServeDir's own.
#[derive(Clone, Debug)]
struct Confined {
    dir: Arc<Path>,
}

type BoxIo<T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send>>;

impl Backend for Confined {
    type File = TokioFile;
    type Metadata = std::fs::Metadata;
    type OpenFuture = BoxIo<TokioFile>;
    type MetadataFuture = BoxIo<std::fs::Metadata>;

    fn open(&self, path: PathBuf) -> Self::OpenFuture {
        let dir = self.dir.clone();
        // The resolved path is what gets opened: what was checked is what is read.
        Box::pin(async move { TokioBackend.open(confine(&dir, &path).await?).await })
    }

    fn metadata(&self, path: PathBuf) -> Self::MetadataFuture {
        let dir = self.dir.clone();
        Box::pin(async move { TokioBackend.metadata(confine(&dir, &path).await?).await })
    }
}

/// `path` with its symbolic links, `.` and `..` resolved, if that lies inside `dir` (resolved too); otherwise,
/// or when either cannot be resolved (missing, a link loop), a `NotFound` error.
///
/// The directory is resolved on each call rather than once at start-up, so that a deploy switching a symlinked
/// `WX_STATIC_DIR` to a new release is followed.
async fn confine(dir: &Path, path: &Path) -> io::Result<PathBuf> {
    let (dir, path) = (dir.to_owned(), path.to_owned());
    // One trip to the blocking pool for both (each `tokio::fs::canonicalize` would be one).
    let resolved = tokio::task::spawn_blocking(move || -> io::Result<PathBuf> {
        let dir = dir.canonicalize()?;
        let resolved = path.canonicalize()?;
        if resolved.starts_with(&dir) {
            Ok(resolved)
        } else {
            tracing::warn!(
                path = %path.display(),
                resolves_to = %resolved.display(),
                "not served: it leads outside WX_STATIC_DIR (a symbolic link?)"
            );
            Err(io::ErrorKind::NotFound.into())
        }
    })
    .await;
    match resolved {
        Ok(Ok(resolved)) => Ok(resolved),
        // Whatever the reason, the answer is the one for a missing file.
        Ok(Err(_)) | Err(_) => Err(io::ErrorKind::NotFound.into()),
    }
}
