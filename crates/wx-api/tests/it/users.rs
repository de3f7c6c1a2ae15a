//! Users and tags: user info (single, batch, unionid), the follower list as a stream crossing pages, remarks, tag
//! CRUD, tagging, a user's tags, and a conditional menu matched by tag.

use crate::common;
use futures::TryStreamExt;
use wx_api::{ApiError, ButtonAction, ConditionalMenu, InvalidRequest, MatchRule, Menu, MenuButton};
use wx_server::{DEMO_APPID, fake::FakeOptions};

const USER: &str = "o-fake-user";

#[tokio::test]
async fn the_follower_list_streams_across_pages_and_skips_unfollowers() {
    let h = common::start_with(FakeOptions {
        follower_page_size: 2,
        ..FakeOptions::default()
    })
    .await;
    for o in ["o-a", "o-b", "o-c", "o-d", "o-e"] {
        h.follower(o, true, None).await;
    }
    h.follower("o-gone", false, None).await;
    let all: Vec<String> = h.client.followers().try_collect().await.unwrap();
    let mut expected = vec![
        "o-a",
        "o-b",
        "o-c",
        "o-d",
        "o-e",
        USER,
        &format!("oFake-{DEMO_APPID}-user"),
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    expected.sort();
    assert_eq!(all, expected);
    let first = h.client.follower_page("").await.unwrap();
    assert_eq!((first.total, first.count, first.data.openid.len()), (7, 2, 2));
    assert_eq!(first.next_openid, first.data.openid[1]);

    // A failing page ends the stream with its error.
    h.fail_account_api(45009, 1).await;
    let err = h.client.followers().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(matches!(err, ApiError::Quota(45009)), "{err:?}");
}

#[tokio::test]
async fn user_info_single_and_batch_with_unionid_and_remarks() {
    let h = common::start().await;
    h.follower("o-gone", false, None).await;
    let me = h.client.user_info(USER).await.unwrap();
    assert!(me.follows());
    assert_eq!(me.openid, USER);
    assert!(me.unionid.is_some());
    assert!(me.subscribe_time > 1_700_000_000);
    let gone = h.client.user_info("o-gone").await.unwrap();
    assert!(!gone.follows());
    assert!(matches!(
        h.client.user_info("o-stranger").await,
        Err(ApiError::InvalidOpenid)
    ));

    let batch = h.client.user_info_batch(&[USER, "o-gone"]).await.unwrap();
    assert_eq!(batch.iter().map(|u| u.follows()).collect::<Vec<_>>(), [true, false]);
    assert!(matches!(
        h.client.user_info_batch(&[USER, "o-stranger"]).await,
        Err(ApiError::InvalidOpenid)
    ));
    let too_many: Vec<&str> = std::iter::repeat_n(USER, 101).collect();
    assert!(matches!(
        h.client.user_info_batch(&too_many).await,
        Err(ApiError::Invalid(InvalidRequest::Field {
            field: "openid_list",
            ..
        }))
    ));

    h.client.update_remark(USER, "老客户 regular").await.unwrap();
    assert_eq!(h.client.user_info(USER).await.unwrap().remark, "老客户 regular");
    assert!(matches!(
        h.client.update_remark(USER, &"x".repeat(31)).await,
        Err(ApiError::Invalid(InvalidRequest::Field { field: "remark", .. }))
    ));
    assert!(matches!(
        h.client.update_remark("o-stranger", "x").await,
        Err(ApiError::InvalidOpenid)
    ));
}

#[tokio::test]
async fn tags_are_created_assigned_listed_renamed_and_deleted() {
    let h = common::start().await;
    let vip = h.client.create_tag("VIP").await.unwrap();
    assert!(vip.id >= 100);
    let err = h.client.create_tag("VIP").await.unwrap_err();
    assert_eq!(err.errcode(), Some(45157), "{err:?}");
    assert!(matches!(
        h.client.create_tag(&"标".repeat(11)).await, // 33 bytes
        Err(ApiError::Invalid(InvalidRequest::Field { field: "tag.name", .. }))
    ));

    h.client.tag_users(vip.id, &[USER]).await.unwrap();
    assert_eq!(h.client.user_tags(USER).await.unwrap(), [vip.id]);
    assert_eq!(h.client.user_info(USER).await.unwrap().tagid_list, [vip.id]);
    assert_eq!(h.client.tags().await.unwrap()[0].count, 1);
    assert_eq!(h.client.tag_members(vip.id, "").await.unwrap().data.openid, [USER]);
    assert!(matches!(
        h.client.tag_users(vip.id, &["o-stranger"]).await,
        Err(ApiError::InvalidOpenid)
    ));
    let fifty_one: Vec<&str> = std::iter::repeat_n(USER, 51).collect();
    assert!(matches!(
        h.client.tag_users(vip.id, &fifty_one).await,
        Err(ApiError::Invalid(InvalidRequest::Field {
            field: "openid_list",
            ..
        }))
    ));

    // The tag decides which conditional menu trymatch shows.
    let click = |name: &str| MenuButton::action(name, ButtonAction::Click { key: "K".into() });
    h.client
        .create_menu(&Menu {
            button: vec![click("Default")],
        })
        .await
        .unwrap();
    let rule = MatchRule {
        tag_id: Some(vip.id.to_string()),
        ..MatchRule::default()
    };
    h.client
        .add_conditional_menu(&ConditionalMenu {
            button: vec![click("VIP only")],
            matchrule: rule,
            menuid: None,
        })
        .await
        .unwrap();
    assert_eq!(h.client.try_match_menu(USER).await.unwrap()[0].name, "VIP only");
    h.client.untag_users(vip.id, &[USER]).await.unwrap();
    assert!(h.client.user_tags(USER).await.unwrap().is_empty());
    assert_eq!(h.client.try_match_menu(USER).await.unwrap()[0].name, "Default");

    h.client.update_tag(vip.id, "VIP+").await.unwrap();
    assert_eq!(h.client.tags().await.unwrap()[0].name, "VIP+");
    assert_eq!(h.client.update_tag(2, "mine").await.unwrap_err().errcode(), Some(45058));
    h.client.tag_users(vip.id, &[USER]).await.unwrap();
    h.client.delete_tag(vip.id).await.unwrap();
    assert!(h.client.tags().await.unwrap().is_empty());
    assert!(
        h.client.user_tags(USER).await.unwrap().is_empty(),
        "deleting a tag untags its users"
    );
    assert_eq!(h.client.delete_tag(vip.id).await.unwrap_err().errcode(), Some(45159));
}
