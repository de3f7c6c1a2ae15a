//! Custom menus: every button type round-trips, the rules are checked before the call (naming the button) and
//! by the fake (WeChat's errcodes), conditional menus, the creation quota.

use crate::common::{self, Harness};
use serde_json::json;
use wx_api::{ApiError, ButtonAction, ConditionalMenu, InvalidRequest, MatchRule, Menu, MenuButton, TokenSource};

fn key(k: &str) -> String {
    k.to_owned()
}

/// Every button type WeChat documents, across three top-level buttons.
fn every_type() -> Menu {
    let a = |name: &str, action| MenuButton::action(name, action);
    Menu {
        button: vec![
            a(
                "打开页面",
                ButtonAction::View {
                    url: "https://h5.example.com/?from=menu".into(),
                },
            ),
            MenuButton::menu(
                "Tools",
                vec![
                    a("Click", ButtonAction::Click { key: key("CLICK") }),
                    a("Scan", ButtonAction::ScancodePush { key: key("SCAN_PUSH") }),
                    a("Scan & wait", ButtonAction::ScancodeWaitmsg { key: key("SCAN_WAIT") }),
                    a("Camera", ButtonAction::PicSysphoto { key: key("PHOTO") }),
                    a("Location", ButtonAction::LocationSelect { key: key("LOC") }),
                ],
            ),
            MenuButton::menu(
                "More",
                vec![
                    a("Album", ButtonAction::PicPhotoOrAlbum { key: key("ALBUM") }),
                    a("WeChat album", ButtonAction::PicWeixin { key: key("WXALBUM") }),
                    a(
                        "Material",
                        ButtonAction::MediaId {
                            media_id: "MEDIA_ID_1".into(),
                        },
                    ),
                    a(
                        "Article",
                        ButtonAction::ArticleId {
                            article_id: "ARTICLE_1".into(),
                        },
                    ),
                    a(
                        "Mini program",
                        ButtonAction::Miniprogram {
                            url: "https://h5.example.com/fallback".into(),
                            appid: "wx286b93c14bbf93aa".into(),
                            pagepath: "pages/lunar/index".into(),
                        },
                    ),
                ],
            ),
        ],
    }
}

#[tokio::test]
async fn every_button_type_round_trips_and_the_fake_stores_what_was_sent() {
    let h = common::start().await;
    assert!(matches!(h.client.menus().await, Err(ApiError::NoMenu)));
    let menu = every_type();
    h.client.create_menu(&menu).await.unwrap();
    let current = h.client.menus().await.unwrap();
    assert_eq!(current.menu, menu);
    assert!(current.conditionalmenu.is_empty());
    let sent = h.account().await;
    assert_eq!(sent["menu"], serde_json::to_value(&menu).unwrap());
    assert_eq!(sent["menu_creates"], 1);

    // article_view_limited is the twelfth type: in a menu of its own.
    let limited = Menu {
        button: vec![MenuButton::action(
            "Limited",
            ButtonAction::ArticleViewLimited {
                article_id: "A2".into(),
            },
        )],
    };
    h.client.create_menu(&limited).await.unwrap();
    assert_eq!(h.client.menus().await.unwrap().menu, limited);

    h.client.delete_menu().await.unwrap();
    assert!(matches!(h.client.menus().await, Err(ApiError::NoMenu)));
}

fn top(name: &str) -> MenuButton {
    MenuButton::action(name, ButtonAction::Click { key: key("K") })
}

#[tokio::test]
async fn rules_are_checked_before_the_call_and_name_the_button() {
    let h = common::start().await;
    let sub = |n: usize| (0..n).map(|i| top(&format!("s{i}"))).collect::<Vec<_>>();
    let cases: Vec<(&str, Vec<MenuButton>, &str, &str)> = vec![
        ("no buttons", vec![], "menu", "0 top-level buttons"),
        (
            "four top-level",
            vec![top("a"), top("b"), top("c"), top("d")],
            "menu",
            "4 top-level",
        ),
        (
            "17-byte top name",
            vec![top("abcdefghijklmnopq")],
            "button[0] \"abcdefghijklmnopq\"",
            "17 bytes",
        ),
        // Six Chinese characters are 18 bytes, over 16, though only 6 characters.
        (
            "6 CJK chars",
            vec![top("一二三四五六")],
            "button[0] \"一二三四五六\"",
            "18 bytes",
        ),
        (
            "six sub-buttons",
            vec![MenuButton::menu("m", sub(6))],
            "button[0] \"m\"",
            "6 sub-buttons",
        ),
        (
            "empty sub-menu",
            vec![MenuButton::menu("m", vec![])],
            "button[0] \"m\"",
            "0 sub-buttons",
        ),
        (
            "nested sub-menu",
            vec![MenuButton::menu("m", vec![MenuButton::menu("inner", sub(1))])],
            "button[0].sub_button[0] \"inner\"",
            "another sub-menu",
        ),
        (
            "129-byte key",
            vec![
                top("ok"),
                MenuButton::action("k", ButtonAction::Click { key: "k".repeat(129) }),
            ],
            "button[1] \"k\"",
            "key is 129 bytes",
        ),
        (
            "relative url",
            vec![MenuButton::action("v", ButtonAction::View { url: "/page".into() })],
            "button[0] \"v\"",
            "http://",
        ),
        (
            "1025-byte url",
            vec![MenuButton::action(
                "v",
                ButtonAction::View {
                    url: format!("https://{}", "a".repeat(1017)),
                },
            )],
            "button[0] \"v\"",
            "url is 1025 bytes",
        ),
        (
            "61-byte sub name",
            vec![MenuButton::menu("m", vec![top(&"x".repeat(61))])],
            "button[0].sub_button[0]",
            "61 bytes",
        ),
    ];
    for (what, buttons, at, problem) in cases {
        let err = h.client.create_menu(&Menu { button: buttons }).await.unwrap_err();
        match err {
            ApiError::Invalid(InvalidRequest::Button { button, problem: p }) => {
                assert!(button.starts_with(at), "{what}: {button}");
                assert!(p.contains(problem), "{what}: {p}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    // A 60-byte sub-button name is fine: the limits are inclusive.
    let ok = Menu {
        button: vec![MenuButton::menu("m", vec![top(&"x".repeat(60))])],
    };
    h.client.create_menu(&ok).await.unwrap();
    // Nothing refused was sent.
    assert_eq!(h.account().await["menu_creates"], 1);
}

#[tokio::test]
async fn the_fake_answers_wechats_errcodes_to_a_client_that_does_not_check() {
    let h = common::start().await;
    let token = TokenSource::access_token(h.client.tokens()).await.unwrap();
    let url = format!(
        "{}/cgi-bin/menu/create?access_token={}",
        h.fake.base_url(),
        token.expose()
    );
    let b = |v| json!({"button": v});
    let click = json!({"type": "click", "name": "c", "key": "K"});
    let cases = vec![
        (b(json!([])), 40016),
        (b(json!([click, click, click, click])), 40016),
        (b(json!([{"type": "nonsense", "name": "x", "key": "K"}])), 40017),
        (b(json!([{"type": "click", "name": "一二三四五六", "key": "K"}])), 40018),
        (
            b(json!([{"type": "click", "name": "c", "key": "k".repeat(129)}])),
            40019,
        ),
        (
            b(json!([{"type": "view", "name": "v", "url": format!("https://{}", "a".repeat(1017))}])),
            40020,
        ),
        (b(json!([{"type": "view", "name": "v", "url": "ftp://x"}])), 40055),
        (
            b(json!([{"name": "m", "sub_button": [{"name": "n", "sub_button": [click]}]}])),
            40022,
        ),
        (
            b(json!([{"name": "m", "sub_button": [click, click, click, click, click, click]}])),
            40023,
        ),
        (
            b(json!([{"name": "m", "sub_button": [{"type": "bad", "name": "x"}]}])),
            40024,
        ),
        (
            b(json!([{"name": "m", "sub_button": [{"type": "click", "name": "x".repeat(61), "key": "K"}]}])),
            40025,
        ),
        (
            b(json!([{"name": "m", "sub_button": [{"type": "click", "name": "x", "key": ""}]}])),
            40026,
        ),
        (
            b(json!([{"name": "m", "sub_button": [{"type": "view", "name": "x", "url": ""}]}])),
            40027,
        ),
        (b(json!([{"type": "media_id", "name": "m"}])), 40007),
    ];
    let http = reqwest::Client::new();
    for (body, errcode) in cases {
        let answer: serde_json::Value = http.post(&url).json(&body).send().await.unwrap().json().await.unwrap();
        assert_eq!(answer["errcode"], errcode, "{body}");
        assert!(answer["errmsg"].is_string());
    }
    let not_json: serde_json::Value = http.post(&url).body("{").send().await.unwrap().json().await.unwrap();
    assert_eq!(not_json["errcode"], 47001);
    assert!(h.account().await["menu"].is_null());
}

#[tokio::test]
async fn conditional_menus_need_a_default_menu_match_by_tag_and_can_be_deleted() {
    let h = common::start().await;
    let rule = MatchRule {
        tag_id: Some("2".into()),
        ..MatchRule::default()
    };
    let conditional = ConditionalMenu {
        button: vec![top("VIP")],
        matchrule: rule,
        menuid: None,
    };
    let err = h.client.add_conditional_menu(&conditional).await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidMenu { errcode: 65303, .. }), "{err:?}");

    h.client
        .create_menu(&Menu {
            button: vec![top("Default")],
        })
        .await
        .unwrap();
    let id = h.client.add_conditional_menu(&conditional).await.unwrap();
    let current = h.client.menus().await.unwrap();
    assert_eq!(current.conditionalmenu.len(), 1);
    assert_eq!(current.conditionalmenu[0].menuid.as_ref(), Some(&id));
    assert_eq!(current.conditionalmenu[0].button, conditional.button);

    // o-fake-user has no tag 2: the default menu.
    let seen = h.client.try_match_menu("o-fake-user").await.unwrap();
    assert_eq!(seen[0].name, "Default");
    let err = h.client.try_match_menu("o-nobody").await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidMenu { errcode: 65302, .. }), "{err:?}");

    let empty = ConditionalMenu {
        matchrule: MatchRule::default(),
        ..conditional.clone()
    };
    let err = h.client.add_conditional_menu(&empty).await.unwrap_err();
    assert!(
        matches!(err, ApiError::Invalid(InvalidRequest::Field { field: "matchrule", .. })),
        "{err:?}"
    );

    h.client.delete_conditional_menu(&id).await.unwrap();
    let err = h.client.delete_conditional_menu(&id).await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidMenu { errcode: 65301, .. }), "{err:?}");
    assert!(h.client.menus().await.unwrap().conditionalmenu.is_empty());
}

#[tokio::test]
async fn menu_creation_has_a_quota() {
    let h: Harness = common::start_with(wx_server::fake::FakeOptions {
        menu_create_quota: 2,
        ..Default::default()
    })
    .await;
    let menu = Menu { button: vec![top("a")] };
    h.client.create_menu(&menu).await.unwrap();
    h.client.create_menu(&menu).await.unwrap();
    let err = h.client.create_menu(&menu).await.unwrap_err();
    assert!(matches!(err, ApiError::Quota(45009)), "{err:?}");
    assert!(err.to_string().contains("quota"));
}

#[tokio::test]
async fn the_selfmenu_info_shows_the_menu_as_users_see_it() {
    let h = common::start().await;
    let none = h.client.current_selfmenu_info().await.unwrap();
    assert!(!none.is_open());
    assert!(none.selfmenu_info.button.is_empty());

    let image = wx_api::MediaFile {
        filename: "cover.jpg".into(),
        bytes: vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3],
    };
    let material = h
        .client
        .add_material(wx_api::MediaKind::Image, &image, None)
        .await
        .unwrap()
        .media_id;
    let a = |name: &str, action| MenuButton::action(name, action);
    let menu = Menu {
        button: vec![
            a(
                "Today",
                ButtonAction::Click {
                    key: key("V1001_TODAY"),
                },
            ),
            MenuButton::menu(
                "More",
                vec![
                    a(
                        "Page",
                        ButtonAction::View {
                            url: "https://h5.example.com/".into(),
                        },
                    ),
                    a(
                        "Cover",
                        ButtonAction::MediaId {
                            media_id: material.clone(),
                        },
                    ),
                    a(
                        "Old news",
                        ButtonAction::MediaId {
                            media_id: "NEWS_MEDIA_1".into(),
                        },
                    ),
                ],
            ),
        ],
    };
    h.client.create_menu(&menu).await.unwrap();
    let info = h.client.current_selfmenu_info().await.unwrap();
    assert!(info.is_open());
    let wire = serde_json::to_value(&info).unwrap();
    assert_eq!(
        wire,
        json!({"is_menu_open": 1, "selfmenu_info": {"button": [
            {"type": "click", "name": "Today", "key": "V1001_TODAY"},
            {"name": "More", "sub_button": {"list": [
                {"type": "view", "name": "Page", "url": "https://h5.example.com/"},
                {"type": "img", "name": "Cover", "value": material},
                {"type": "news", "name": "Old news", "value": "NEWS_MEDIA_1", "news_info": {"list": []}},
            ]}},
        ]}})
    );
}

#[tokio::test]
async fn trymatch_honours_platform_and_language_rules() {
    let h = common::start().await;
    h.client
        .create_menu(&Menu {
            button: vec![top("Default")],
        })
        .await
        .unwrap();
    let rule = |platform: Option<&str>, language: Option<&str>| MatchRule {
        client_platform_type: platform.map(str::to_owned),
        language: language.map(str::to_owned),
        ..MatchRule::default()
    };
    for (name, matchrule) in [
        ("Android", rule(Some("2"), None)),
        ("English iOS", rule(Some("1"), Some("en"))),
    ] {
        let menu = ConditionalMenu {
            button: vec![top(name)],
            matchrule,
            menuid: None,
        };
        h.client.add_conditional_menu(&menu).await.unwrap();
    }
    let users = [
        ("o-android", json!({"client_platform_type": "2"}), "Android"),
        (
            "o-ios-en",
            json!({"client_platform_type": "1", "language": "en"}),
            "English iOS",
        ),
        ("o-ios-zh", json!({"client_platform_type": "1"}), "Default"),
        ("o-unknown", json!({}), "Default"),
    ];
    for (openid, client, expected) in users {
        let mut body = json!({"appid": wx_server::DEMO_APPID, "openid": openid});
        body.as_object_mut()
            .unwrap()
            .extend(client.as_object().unwrap().clone());
        h.control("followers", body).await;
        let seen = h.client.try_match_menu(openid).await.unwrap();
        assert_eq!(seen[0].name, expected, "{openid}");
    }
    assert_eq!(h.client.user_info("o-ios-en").await.unwrap().language, "en");
}
