//! Scene QR codes: validation before calling WeChat, `POST /api/qrcode` behind the admin token against the
//! fake WeChat (including the 40001 passive refresh), local PNG/SVG rendering, and `wx-server qrcode`.

use crate::common::{self, TEST_APPID, inproc};
use serde_json::{Value, json};
use wx_server::{
    fake::{Endpoint, Fault},
    qrcode::{self, QrCodeError, QrCodeRequest, QrCodeSpec},
};

const ADMIN: &str = "admin-token-for-tests-5b1e9c";

fn req(v: Value) -> QrCodeRequest {
    serde_json::from_value(v).unwrap()
}

#[test]
fn limits_are_checked_before_calling_wechat() {
    let ok = [
        json!({"action_name": "QR_SCENE", "scene_id": 1, "expire_seconds": 1}),
        json!({"action_name": "QR_SCENE", "scene_id": 4_294_967_295u64, "expire_seconds": 2_592_000}),
        json!({"action_name": "QR_SCENE", "scene_id": 9}),
        json!({"action_name": "QR_STR_SCENE", "scene_str": "x".repeat(64), "expire_seconds": 30}),
        json!({"action_name": "QR_STR_SCENE", "scene_str": "场景"}),
        json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 1}),
        json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 100_000}),
        json!({"action_name": "QR_LIMIT_STR_SCENE", "scene_str": "界".repeat(64)}),
    ];
    for v in ok {
        assert!(QrCodeSpec::from_request(&req(v.clone())).is_ok(), "{v}");
    }
    let bad: [(Value, QrCodeError); 12] = [
        (
            json!({"action_name": "QR_SCENE", "scene_id": 1, "expire_seconds": 2_592_001}),
            QrCodeError::ExpireSeconds(2_592_001),
        ),
        (
            json!({"action_name": "QR_SCENE", "scene_id": 1, "expire_seconds": 0}),
            QrCodeError::ExpireSeconds(0),
        ),
        (
            json!({"action_name": "QR_SCENE", "scene_id": 0}),
            QrCodeError::SceneId {
                id: 0,
                range: "a temporary code's scene_id is 1 to 4294967295",
            },
        ),
        (
            json!({"action_name": "QR_SCENE", "scene_id": 4_294_967_296u64}),
            QrCodeError::SceneId {
                id: 4_294_967_296,
                range: "a temporary code's scene_id is 1 to 4294967295",
            },
        ),
        (
            json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 100_001}),
            QrCodeError::SceneId {
                id: 100_001,
                range: "a permanent code's scene_id is 1 to 100000",
            },
        ),
        (
            json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 0}),
            QrCodeError::SceneId {
                id: 0,
                range: "a permanent code's scene_id is 1 to 100000",
            },
        ),
        (
            json!({"action_name": "QR_LIMIT_STR_SCENE", "scene_str": "x".repeat(65)}),
            QrCodeError::SceneStr(65),
        ),
        (
            json!({"action_name": "QR_STR_SCENE", "scene_str": ""}),
            QrCodeError::SceneStr(0),
        ),
        (
            json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 5, "expire_seconds": 60}),
            QrCodeError::PermanentExpiry,
        ),
        (
            json!({"action_name": "QR_LIMIT_SCENE", "scene_str": "a"}),
            QrCodeError::Scene {
                action: "QR_LIMIT_SCENE",
                field: "scene_id",
            },
        ),
        (
            json!({"action_name": "QR_STR_SCENE", "scene_id": 3, "scene_str": "a"}),
            QrCodeError::Scene {
                action: "QR_STR_SCENE",
                field: "scene_str",
            },
        ),
        (
            json!({"action_name": "QR_FOREVER", "scene_id": 3}),
            QrCodeError::Action("QR_FOREVER".into()),
        ),
    ];
    for (v, expected) in bad {
        assert_eq!(QrCodeSpec::from_request(&req(v.clone())), Err(expected), "{v}");
    }
}

async fn post(client: &reqwest::Client, url: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut r = client.post(url).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn api_qrcode_creates_codes_behind_the_admin_token() {
    let (fake, server) = inproc::start_with(inproc::fake_opts(7200), |s| {
        s.admin_token = Some(ADMIN.into());
    })
    .await;
    let client = common::client();
    let url = server.url("/api/qrcode");
    let calls = || fake.control().stats()[TEST_APPID].qrcode_create;
    let body = json!({"action_name": "QR_STR_SCENE", "scene_str": "spring", "expire_seconds": 3600});

    for token in [
        None,
        Some("wrong-token-of-some-length"),
        Some(""),
        Some(&ADMIN[..ADMIN.len() - 1]),
    ] {
        let (status, v) = post(&client, &url, token, body.clone()).await;
        assert_eq!(status, 401, "{token:?}: {v}");
        assert_eq!(v["error"], "unauthorized");
    }
    assert_eq!(calls(), 0);

    let (status, v) = post(&client, &url, Some(ADMIN), body.clone()).await;
    assert_eq!(status, 200, "{v}");
    let ticket = v["ticket"].as_str().unwrap();
    assert!(
        ticket.contains('+') && ticket.contains('/') && ticket.ends_with("=="),
        "{ticket}"
    );
    assert_eq!(v["imageUrl"], qrcode::image_url(ticket));
    assert!(
        !v["imageUrl"].as_str().unwrap()["https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=".len()..]
            .contains(['+', '/', '='])
    );
    assert_eq!(v["expireSeconds"], 3600);
    assert!(v["url"].as_str().unwrap().starts_with("http://weixin.qq.com/q/"));

    let (status, v) = post(
        &client,
        &url,
        Some(ADMIN),
        json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 7}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert!(v.get("expireSeconds").is_none(), "{v}");
    assert_eq!(calls(), 2);

    // Out of WeChat's limits: 400 without spending a call.
    for bad in [
        json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 100_001}),
        json!({"action_name": "QR_SCENE", "scene_id": 1, "expire_seconds": 2_592_001}),
        json!({"action_name": "QR_SCENE", "scene": 1}),
    ] {
        let (status, v) = post(&client, &url, Some(ADMIN), bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {v}");
        assert_eq!(v["error"], "invalid_qrcode_request");
    }
    assert_eq!(calls(), 2);

    // WeChat rejects the cached token once (40001): a fresh one is fetched and the call made again.
    let tokens_before = inproc::counts(&fake).0;
    inproc::inject(fake.control(), Endpoint::QrcodeCreate, Fault::Errcode(40001), Some(1));
    let (status, v) = post(&client, &url, Some(ADMIN), body.clone()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        inproc::counts(&fake).0,
        tokens_before + 1,
        "the token was refetched once"
    );
    assert_eq!(calls(), 4);

    // A WeChat error that is not about the token: no retry, the errcode is passed on.
    inproc::inject(fake.control(), Endpoint::QrcodeCreate, Fault::Errcode(45009), Some(1));
    let (status, v) = post(&client, &url, Some(ADMIN), body).await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(v["errcode"], 45009);
    assert_eq!(calls(), 5);
    server.shutdown().await;
    fake.shutdown().await;
}

#[tokio::test]
async fn api_qrcode_is_disabled_without_an_admin_token() {
    let (fake, server) = inproc::start().await;
    let (status, v) = post(
        &common::client(),
        &server.url("/api/qrcode"),
        Some(ADMIN),
        json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 7}),
    )
    .await;
    assert_eq!(status, 404, "{v}");
    assert_eq!(v["error"], "admin_api_disabled");
    assert!(v["message"].as_str().unwrap().contains("WX_ADMIN_TOKEN"));
    assert_eq!(fake.control().stats()[TEST_APPID].qrcode_create, 0);
    server.shutdown().await;
    fake.shutdown().await;
}

/// Auth schemes are case-insensitive (RFC 9110 §11.1): `bearer <token>` is as good as `Bearer <token>`; the
/// token itself is compared exactly.
#[tokio::test]
async fn the_bearer_scheme_is_matched_in_any_case() {
    let (fake, server) = inproc::start_with(inproc::fake_opts(7200), |s| {
        s.admin_token = Some(ADMIN.into());
    })
    .await;
    let client = common::client();
    let upper = ADMIN.to_uppercase();
    let cases = [
        (format!("Bearer {ADMIN}"), 200),
        (format!("bearer {ADMIN}"), 200),
        (format!("BEARER {ADMIN}"), 200),
        (format!("bEaReR {ADMIN}"), 200),
        (format!("Bearer  {ADMIN}"), 200),
        (format!("bearer {upper}"), 401),
        (format!("Basic {ADMIN}"), 401),
        (format!("Bearer{ADMIN}"), 401),
        (format!("Bearerx {ADMIN}"), 401),
        (ADMIN.to_owned(), 401),
        ("bearer ".to_owned(), 401),
    ];
    for (authorization, status) in cases {
        let r = client
            .post(server.url("/api/qrcode"))
            .header("authorization", &authorization)
            .json(&json!({"action_name": "QR_LIMIT_SCENE", "scene_id": 7}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{authorization}");
    }
    server.shutdown().await;
    fake.shutdown().await;
}

#[test]
fn a_short_admin_token_is_refused_at_start_up() {
    let args = wx_server::ServeArgs {
        mock: true,
        admin_token: Some("short".into()),
        ..Default::default()
    };
    let e = args.into_settings().unwrap_err().to_string();
    assert!(e.starts_with("WX_ADMIN_TOKEN is invalid"), "{e}");
    assert!(!e.contains("short"), "{e}");
}

/// Checks a decoded PNG against the code's modules: every module's pixel block is uniformly dark or light.
#[test]
fn the_png_and_svg_draw_the_codes_modules() {
    let text = "http://weixin.qq.com/q/02abcDEF-ghi_jkl";
    let bytes = qrcode::render::png(text).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (modules, width) = qrcode::render::modules(text).unwrap();
    let (scale, quiet) = (qrcode::render::PNG_SCALE, qrcode::render::QUIET_ZONE);
    let side = (width + 2 * quiet) * scale;
    assert_eq!((info.width as usize, info.height as usize), (side, side));
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    // Version-2+ codes are at least 25 modules; the three finder patterns are dark 7×7 rings.
    assert!(width >= 21);
    for (x, y) in [(0, 0), (width - 7, 0), (0, width - 7)] {
        for i in 0..7 {
            assert!(
                modules[y * width + x + i] && modules[(y + i) * width + x],
                "finder at {x},{y}"
            );
        }
    }
    for (i, dark) in modules.iter().enumerate() {
        let (mx, my) = (i % width + quiet, i / width + quiet);
        let want = if *dark { 0 } else { 255 };
        for (dx, dy) in [(0, 0), (scale - 1, scale - 1), (scale / 2, 1)] {
            assert_eq!(buf[(my * scale + dy) * side + mx * scale + dx], want, "module {i}");
        }
    }
    // The quiet zone is white.
    assert!(buf[..side * quiet * scale].iter().all(|p| *p == 255));

    let svg = qrcode::render::svg(text).unwrap();
    assert!(
        svg.starts_with("<?xml") && svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    let dark_rects = svg.matches("M").count();
    assert!(dark_rects > 0);
    // A URL too long for any QR code is an error, not a panic.
    assert!(qrcode::render::png(&"x".repeat(8000)).is_err());
}

#[tokio::test]
async fn the_qrcode_subcommand_creates_and_draws_a_code() {
    let fake = wx_server::fake::FakeWechat::start("127.0.0.1:0".parse().unwrap(), inproc::fake_opts(7200))
        .await
        .unwrap();
    let dir = common::TempDir::new("qrcode");
    // A dot in the name is part of it: the files are `spring.v1.png` and `.svg`.
    let out = dir.join("spring.v1");
    let base = fake.base_url();
    let run = move |args: Vec<String>| {
        let mut c = common::wx_server();
        c.env("WX_APPID", TEST_APPID)
            .env("WX_APPSECRET", common::TEST_SECRET)
            .env("WX_API_BASE", &base)
            .arg("qrcode")
            .args(args);
        c.output().unwrap()
    };
    let o = tokio::task::spawn_blocking({
        let run = run.clone();
        let out = out.clone();
        move || {
            run(vec![
                "--scene-str".into(),
                "spring".into(),
                "--expire-seconds".into(),
                "86400".into(),
                "--out".into(),
                out.display().to_string(),
            ])
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["expireSeconds"], 86400);
    let png = std::fs::read(dir.join("spring.v1.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    assert_eq!(
        png,
        qrcode::render::png(v["url"].as_str().unwrap()).unwrap(),
        "the PNG draws the code's url"
    );
    let svg = std::fs::read_to_string(dir.join("spring.v1.svg")).unwrap();
    assert!(svg.contains("<svg"));
    assert!(!format!("{stdout}{stderr}").contains(common::TEST_SECRET));

    // Out of range: refused before calling WeChat, exit 2.
    let o = tokio::task::spawn_blocking(move || run(vec!["--scene-id".into(), "100001".into(), "--permanent".into()]))
        .await
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("scene_id 100001 is out of range"));
    assert_eq!(fake.control().stats()[TEST_APPID].qrcode_create, 1);
    fake.shutdown().await;
}
