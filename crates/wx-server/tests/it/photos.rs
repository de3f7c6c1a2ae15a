//! `POST /api/photos` and `GET /media/<name>` on loopback against the fake WeChat `--mock` mounts: the phone's
//! `uploadImage` stood in for by the fake's `POST /test-only/client-media`, the download through the account
//! client's `media/get`, the file served back; and every refusal with its status and code.

use crate::{
    common::{inproc::start_mock, no_redirects},
    oauth::signed_in,
};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use std::num::NonZeroU32;
use wx_server::{DEMO_APPID, Server, Settings};
use wx_testkit::TempDir;

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00 a small jpeg";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR a small png";
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00 a small gif";
const WEBP: &[u8] = b"RIFF\x20\x00\x00\x00WEBPVP8 a small webp";

async fn start(media: &TempDir, tweak: impl FnOnce(&mut Settings)) -> Server {
    let dir = media.join("media");
    start_mock(|s| {
        s.media_dir = Some(dir);
        tweak(s);
    })
    .await
}

/// What a phone's WeChat does for `wx.uploadImage`: the fake keeps the bytes and answers `media/upload`'s shape.
async fn client_upload(server: &Server, content_type: &str, bytes: &[u8]) -> String {
    let r = no_redirects()
        .post(server.url(&format!("/fake-wechat/test-only/client-media?appid={DEMO_APPID}")))
        .header(header::CONTENT_TYPE, content_type)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["type"], "image", "{v}");
    assert!(v["created_at"].as_u64().unwrap() > 0, "{v}");
    v["media_id"].as_str().unwrap().to_owned()
}

async fn photos(
    server: &Server,
    body: &Value,
    cookie: Option<&str>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut request = no_redirects().post(server.url("/api/photos")).json(body);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let r = request.send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    (status, r.json().await.unwrap(), headers)
}

#[tokio::test]
async fn an_uploaded_photo_is_downloaded_kept_and_served_by_its_own_type() {
    let media = TempDir::new("photos-happy");
    let server = start(&media, |_| {}).await;
    let c = no_redirects();
    // The type comes from the bytes, not from what the client (or WeChat) claimed.
    for (bytes, claimed, expected) in [
        (JPEG, "image/jpeg", "image/jpeg"),
        (PNG, "image/png", "image/png"),
        (GIF, "image/jpeg", "image/gif"),
        (WEBP, "application/octet-stream", "image/webp"),
    ] {
        let id = client_upload(&server, claimed, bytes).await;
        let (status, v, _) = photos(&server, &json!({"serverId": id}), None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["contentType"], expected);
        assert_eq!(v["bytes"], bytes.len());
        let url = v["url"].as_str().unwrap();
        assert!(url.starts_with("/media/"), "{url}");
        let r = c.get(server.url(url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], expected);
        assert_eq!(r.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            r.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(r.bytes().await.unwrap().as_ref(), bytes);
        // The same photo again is the same name (a content hash), on disk once.
        let (_, again, _) = photos(&server, &json!({"serverId": id, "account": "default"}), None).await;
        assert_eq!(again["url"], v["url"]);
    }
    let files = std::fs::read_dir(media.join("media")).unwrap().count();
    assert_eq!(files, 4, "one file per photo, no temporary file left");
    server.shutdown().await;
}

#[tokio::test]
async fn what_is_not_an_image_too_big_unknown_or_expired_is_refused_clearly() {
    let media = TempDir::new("photos-refused");
    let server = start(&media, |s| s.photo_max_bytes = 1000).await;
    let svg = client_upload(&server, "image/jpeg", b"<svg xmlns='http://www.w3.org/2000/svg'/>").await;
    let mut big = JPEG.to_vec();
    big.resize(5000, b'x');
    let big = client_upload(&server, "image/jpeg", &big).await;
    let cases = [
        (
            json!({"serverId": svg}),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not_an_image",
        ),
        (
            json!({"serverId": big}),
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
        ),
        (
            json!({"serverId": "no-such-media"}),
            StatusCode::NOT_FOUND,
            "invalid_media_id",
        ),
        (json!({"serverId": ""}), StatusCode::BAD_REQUEST, "invalid_server_id"),
        (
            json!({"serverId": "has space"}),
            StatusCode::BAD_REQUEST,
            "invalid_server_id",
        ),
        (json!({"media": "x"}), StatusCode::BAD_REQUEST, "invalid_body"),
        (
            json!({"serverId": svg, "account": "shop"}),
            StatusCode::BAD_REQUEST,
            "unknown_account",
        ),
    ];
    for (body, status, code) in cases {
        let (got, v, _) = photos(&server, &body, None).await;
        assert_eq!((got, v["error"].as_str()), (status, Some(code)), "{body}: {v}");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    let (_, v, _) = photos(&server, &json!({"serverId": "no-such-media"}), None).await;
    assert_eq!(v["errcode"], 40007);
    assert!(v["message"].as_str().unwrap().contains("uploadImage"), "{v}");
    assert!(!media.join("media").exists(), "nothing refused was kept");

    // Temporary media live 3 days on WeChat's clock: then the serverId is unknown.
    let fresh = client_upload(&server, "image/png", PNG).await;
    let fake = server.app().fake().unwrap();
    fake.advance_clock(std::time::Duration::from_secs(3 * 24 * 3600 + 1));
    let (status, v, _) = photos(&server, &json!({"serverId": fresh}), None).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("invalid_media_id")),
        "{v}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn downloads_are_limited_per_client_unless_signed_in() {
    let media = TempDir::new("photos-limit");
    let server = start(&media, |s| s.photo_downloads_per_minute = NonZeroU32::new(2).unwrap()).await;
    let id = client_upload(&server, "image/jpeg", JPEG).await;
    for _ in 0..2 {
        let (status, v, _) = photos(&server, &json!({"serverId": id}), None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    let (status, v, headers) = photos(&server, &json!({"serverId": id}), None).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("photo_rate_limited"))
    );
    assert!(headers[header::RETRY_AFTER].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    // A signed-in browser from the same address is not limited.
    let c = no_redirects();
    let jar = signed_in(&server, &c, "base").await;
    for _ in 0..3 {
        let (status, v, _) = photos(&server, &json!({"serverId": id}), Some(&jar.header())).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    // A forged session cookie is no session.
    let (status, _, _) = photos(&server, &json!({"serverId": id}), Some("wx_session=forged.cookie")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_media_dir_the_answer_says_what_to_set_and_media_paths_never_escape() {
    let server = start_mock(|s| s.media_dir = None).await;
    let id = client_upload(&server, "image/jpeg", JPEG).await;
    let (status, v, _) = photos(&server, &json!({"serverId": id}), None).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("no_media_dir"))
    );
    assert!(v["message"].as_str().unwrap().contains("WX_MEDIA_DIR"), "{v}");
    server.shutdown().await;

    let media = TempDir::new("photos-paths");
    let server = start(&media, |_| {}).await;
    let (_, v, _) = photos(
        &server,
        &json!({"serverId": client_upload(&server, "image/png", PNG).await}),
        None,
    )
    .await;
    let name = v["url"].as_str().unwrap().trim_start_matches("/media/").to_owned();
    std::fs::write(media.join("secret.txt"), "not for the web").unwrap();
    let hash = name.split('.').next().unwrap();
    let c = no_redirects();
    for path in [
        "/media/..%2fsecret.txt".to_owned(),
        "/media/%2e%2e%2fsecret.txt".to_owned(),
        "/media/secret.txt".to_owned(),
        format!("/media/{hash}.svg"),
        format!("/media/{}.png", "0".repeat(64)),
        format!("/media/{}", name.to_uppercase()),
    ] {
        let r = c.get(server.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_ne!(r.text().await.unwrap(), "not for the web");
    }
    server.shutdown().await;
}

/// `GET /api/photos/{serverId}` (what the app's `<img src>` asks): a redirect to the copy, downloaded once;
/// refusals are the POST's, with their status.
#[tokio::test]
async fn an_img_src_gets_a_redirect_to_the_copy_downloaded_once() {
    let media = TempDir::new("photos-img");
    let server = start(&media, |s| s.photo_downloads_per_minute = NonZeroU32::MIN).await;
    let c = no_redirects();
    let id = client_upload(&server, "image/png", PNG).await;
    let mut locations = Vec::new();
    // The limit is one download a minute: the second GET is answered from what the first saved.
    for _ in 0..2 {
        let r = c.get(server.url(&format!("/api/photos/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        locations.push(r.headers()[header::LOCATION].to_str().unwrap().to_owned());
    }
    assert_eq!(locations[0], locations[1]);
    let r = c.get(server.url(&locations[0])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    // Another id over the limit, and an unknown account, are refused as the POST refuses them.
    let other = client_upload(&server, "image/png", JPEG).await;
    for (path, status, code) in [
        (
            format!("/api/photos/{other}"),
            StatusCode::TOO_MANY_REQUESTS,
            "photo_rate_limited",
        ),
        (
            format!("/api/photos/{id}?account=nope"),
            StatusCode::BAD_REQUEST,
            "unknown_account",
        ),
    ] {
        let r = c.get(server.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], code, "{path}: {v}");
    }
}
