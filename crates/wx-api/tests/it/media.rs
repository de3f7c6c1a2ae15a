//! Media: temporary uploads and downloads (3-day expiry), the JS-SDK voice, permanent material; limits checked
//! before upload by the client and by the fake.

use crate::common;
use wx_api::{ApiError, InvalidRequest, Media, MediaFile, MediaKind, TokenSource};

fn file(name: &str, len: usize) -> MediaFile {
    MediaFile {
        filename: name.into(),
        bytes: (0..len).map(|i| (i % 251) as u8).collect(),
    }
}

fn media_count(v: &serde_json::Value) -> usize {
    v["media"].as_object().unwrap().len()
}

#[tokio::test]
async fn a_temporary_medium_comes_back_byte_for_byte_until_it_expires_after_3_days() {
    let h = common::start().await;
    let photo = file("photo.png", 300_000);
    let up = h.client.upload_media(MediaKind::Image, &photo).await.unwrap();
    assert_eq!(up.kind, MediaKind::Image);
    assert!(up.created_at > 1_700_000_000);
    match h.client.get_media(&up.media_id).await.unwrap() {
        Media::File {
            content_type,
            filename,
            bytes,
        } => {
            assert_eq!(content_type, "image/png");
            assert_eq!(filename.as_deref(), Some("photo.png"));
            assert_eq!(bytes, photo.bytes);
        }
        other => panic!("{other:?}"),
    }
    let video = h
        .client
        .upload_media(MediaKind::Video, &file("clip.mp4", 1000))
        .await
        .unwrap();
    assert!(matches!(h.client.get_media(&video.media_id).await.unwrap(), Media::VideoUrl(u) if u.starts_with("http")));

    // The page's uploadVoice serverId: high-quality voice through media/get/jssdk; not for an image.
    let voice = h
        .client
        .upload_media(MediaKind::Voice, &file("say.amr", 5000))
        .await
        .unwrap();
    match h.client.get_jssdk_voice(&voice.media_id).await.unwrap() {
        Media::File { content_type, .. } => assert_eq!(content_type, "voice/speex"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        h.client.get_jssdk_voice(&up.media_id).await,
        Err(ApiError::InvalidMedia)
    ));
    assert!(matches!(
        h.client.get_media("no-such-media").await,
        Err(ApiError::InvalidMedia)
    ));

    h.control("clock", serde_json::json!({"advance_secs": 3 * 24 * 3600 - 60}))
        .await;
    assert!(h.client.get_media(&up.media_id).await.is_ok(), "still inside 3 days");
    h.control("clock", serde_json::json!({"advance_secs": 60})).await;
    let err = h.client.get_media(&up.media_id).await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidMedia), "{err:?}");
    assert!(err.to_string().contains("3 days"));
}

#[tokio::test]
async fn limits_are_checked_before_upload() {
    let h = common::start().await;
    let cases = [
        (MediaKind::Thumb, file("t.jpg", 64 * 1024 + 1), "65537 bytes"),
        (MediaKind::Thumb, file("t.png", 10), "one of jpg"),
        (MediaKind::Image, file("p.bmp", 10), "png, jpeg, jpg, gif"),
        (MediaKind::Image, file("p.jpg", 0), "0 bytes"),
        (MediaKind::Voice, file("v.amr", 2 * 1024 * 1024 + 1), "2097153 bytes"),
        (MediaKind::Video, file("v.mov", 10), "mp4"),
        (MediaKind::Image, file("noextension", 10), "png"),
    ];
    for (kind, f, says) in cases {
        let err = h.client.upload_media(kind, &f).await.unwrap_err();
        match &err {
            ApiError::Invalid(InvalidRequest::Field {
                field: "media",
                problem,
            }) => {
                assert!(problem.contains(says), "{problem}")
            }
            other => panic!("{}: {other:?}", f.filename),
        }
    }
    // The limits are inclusive: a 64 KB thumb goes.
    h.client
        .upload_media(MediaKind::Thumb, &file("T.JPG", 64 * 1024))
        .await
        .unwrap();
    assert_eq!(media_count(&h.account().await), 1);
}

#[tokio::test]
async fn the_fake_refuses_what_wechat_refuses_from_a_client_that_does_not_check() {
    let h = common::start().await;
    let token = TokenSource::access_token(h.client.tokens()).await.unwrap();
    let http = reqwest::Client::new();
    let upload = |kind: &str, part: Option<(&str, usize)>| {
        let url = format!(
            "{}/cgi-bin/media/upload?access_token={}&type={kind}",
            h.fake.base_url(),
            token.expose()
        );
        let mut form = reqwest::multipart::Form::new().text("other", "x");
        if let Some((name, len)) = part {
            form = form.part(
                "media",
                reqwest::multipart::Part::bytes(vec![7u8; len]).file_name(name.to_owned()),
            );
        }
        http.post(url).multipart(form).send()
    };
    let cases = [
        ("thumb", Some(("t.jpg", 64 * 1024 + 1)), 40012),
        ("voice", Some(("v.mp3", 2 * 1024 * 1024 + 1)), 40010),
        ("image", Some(("p.bmp", 10)), 40005),
        ("image", Some(("p.jpg", 0)), 40006),
        ("image", None, 41005),
        ("sticker", Some(("p.jpg", 10)), 40004),
    ];
    for (kind, part, errcode) in cases {
        let v: serde_json::Value = upload(kind, part).await.unwrap().json().await.unwrap();
        assert_eq!(v["errcode"], errcode, "{kind} {part:?}");
    }
    assert_eq!(media_count(&h.account().await), 0);
}

#[tokio::test]
async fn permanent_material_is_added_read_counted_listed_and_deleted() {
    let h = common::start().await;
    let image = file("cover.jpg", 2000);
    let added = h.client.add_material(MediaKind::Image, &image, None).await.unwrap();
    assert!(added.url.as_deref().is_some_and(|u| u.starts_with("http")));
    let err = h
        .client
        .add_material(MediaKind::Video, &file("v.mp4", 10), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Invalid(InvalidRequest::Field {
                field: "description",
                ..
            })
        ),
        "{err:?}"
    );
    let video = h
        .client
        .add_material(
            MediaKind::Video,
            &file("v.mp4", 10),
            Some(("Launch", "the launch video")),
        )
        .await
        .unwrap();
    assert!(video.url.is_none());

    match h.client.get_material(&added.media_id).await.unwrap() {
        Media::File { bytes, .. } => assert_eq!(bytes, image.bytes),
        other => panic!("{other:?}"),
    }
    match h.client.get_material(&video.media_id).await.unwrap() {
        Media::Json(v) => {
            assert_eq!(v["title"], "Launch");
            assert_eq!(v["description"], "the launch video");
            assert!(v["down_url"].is_string());
        }
        other => panic!("{other:?}"),
    }
    let count = h.client.material_count().await.unwrap();
    assert_eq!((count.image_count, count.video_count, count.voice_count), (1, 1, 0));
    let page = h.client.batchget_material(MediaKind::Image, 0, 20).await.unwrap();
    assert_eq!((page.total_count, page.item_count), (1, 1));
    assert_eq!(page.item[0].media_id, added.media_id);
    assert_eq!(page.item[0].name, "cover.jpg");
    let err = h.client.batchget_material(MediaKind::Image, 0, 21).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Invalid(InvalidRequest::Field { field: "count", .. })),
        "{err:?}"
    );

    // A temporary id is not a permanent one.
    let temp = h.client.upload_media(MediaKind::Image, &image).await.unwrap();
    assert!(matches!(
        h.client.get_material(&temp.media_id).await,
        Err(ApiError::InvalidMedia)
    ));
    assert!(matches!(
        h.client.delete_material(&temp.media_id).await,
        Err(ApiError::InvalidMedia)
    ));

    h.client.delete_material(&added.media_id).await.unwrap();
    assert!(matches!(
        h.client.delete_material(&added.media_id).await,
        Err(ApiError::InvalidMedia)
    ));
    assert!(matches!(
        h.client.get_material(&added.media_id).await,
        Err(ApiError::InvalidMedia)
    ));
    assert_eq!(h.client.material_count().await.unwrap().image_count, 0);
}

#[tokio::test]
async fn a_bounded_download_stops_at_its_bound() {
    let h = common::start().await;
    let image = file("photo.jpg", 4096);
    let id = h.client.upload_media(MediaKind::Image, &image).await.unwrap().media_id;
    let err = h.client.get_media_limited(&id, 1000).await.unwrap_err();
    assert!(matches!(err, ApiError::TooLarge { limit: 1000 }), "{err:?}");
    assert_eq!(err.errcode(), None);
    let Media::File { bytes, .. } = h.client.get_media_limited(&id, 4096).await.unwrap() else {
        panic!("a file")
    };
    assert_eq!(bytes, image.bytes);
    let err = h.client.get_media_limited("no-such-media", 4096).await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidMedia), "{err:?}");
}
