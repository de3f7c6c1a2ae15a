//! The token rule: a rejected token is dropped (only that one), fetched again once and the call retried once;
//! errcodes are classified by what to do.

use crate::common;
use serde_json::json;
use wx_api::{ApiError, TokenSource};
use wx_server::DEMO_APPID;

/// Whether an error is the expected variant.
type Is = fn(&ApiError) -> bool;

#[tokio::test]
async fn a_revoked_token_is_dropped_refetched_once_and_the_call_retried_once() {
    let h = common::start().await;
    let before = TokenSource::access_token(h.client.tokens()).await.unwrap();
    assert_eq!(h.stats().stable_token, 1);
    // Someone else forces a new stable token: WeChat revokes the one the service has cached.
    let forced: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/cgi-bin/stable_token", h.fake.base_url()))
        .json(&json!({"grant_type": "client_credential", "appid": DEMO_APPID,
                      "secret": wx_server::DEMO_SECRET, "force_refresh": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(forced["access_token"].is_string());
    // The call gets 40001 with the cached token, which is dropped; one fetch, one retry.
    h.client.templates().await.unwrap();
    assert_eq!(h.stats().stable_token, 3);
    let after = TokenSource::access_token(h.client.tokens()).await.unwrap();
    assert_ne!(before, after);
    assert_eq!(after.expose(), forced["access_token"].as_str().unwrap());
}

#[tokio::test]
async fn a_token_rejected_twice_is_an_error_after_exactly_one_retry() {
    let h = common::start().await;
    h.client.templates().await.unwrap(); // warm
    h.fail_account_api(42001, 2).await;
    let err = h.client.templates().await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidToken(42001)), "{err:?}");
    // Both faults were used by the call and its one retry: the next call goes through.
    h.client.templates().await.unwrap();
    // The token was refetched once for the retry, not in a loop.
    assert_eq!(h.stats().stable_token, 2);
}

#[tokio::test]
async fn errcodes_are_classified_by_what_to_do() {
    let h = common::start().await;
    let cases: Vec<(i64, Is, &str)> = vec![
        (48001, |e| matches!(e, ApiError::MissingPermission), "verification"),
        (40164, |e| matches!(e, ApiError::IpNotWhitelisted), "whitelist"),
        (45009, |e| matches!(e, ApiError::Quota(45009)), "quota"),
        (45011, |e| matches!(e, ApiError::Quota(45011)), "quota"),
        (-1, |e| matches!(e, ApiError::Busy), "retry later"),
        (89503, |e| matches!(e, ApiError::RiskyIp), "administrator"),
        (40007, |e| matches!(e, ApiError::InvalidMedia), "3 days"),
        (
            12345,
            |e| matches!(e, ApiError::Other { errcode: 12345, errmsg } if errmsg == "fake error"),
            "12345",
        ),
    ];
    for (errcode, is, says) in cases {
        h.fail_account_api(errcode, 1).await;
        let err = h.client.templates().await.unwrap_err();
        assert!(is(&err), "{errcode}: {err:?}");
        assert_eq!(err.errcode(), Some(errcode));
        assert!(err.to_string().contains(says), "{errcode}: {err}");
        assert_eq!(err.is_transient(), errcode == -1, "{errcode}");
    }
    h.control(
        "faults",
        json!({"inject": [{"endpoint": "account_api", "fault": {"http_status": 503}, "times": 1}]}),
    )
    .await;
    let err = h.client.templates().await.unwrap_err();
    assert!(matches!(err, ApiError::Http(503)) && err.is_transient(), "{err:?}");
}

#[tokio::test]
async fn the_token_stays_out_of_errors_and_debug() {
    let h = common::start().await;
    let token = TokenSource::access_token(h.client.tokens()).await.unwrap();
    h.fail_account_api(40001, 2).await;
    let err = h.client.templates().await.unwrap_err();
    for shown in [
        format!("{err}"),
        format!("{err:?}"),
        format!("{:?}", h.client),
        format!("{token:?}"),
    ] {
        assert!(!shown.contains(token.expose()), "{shown}");
    }
    // Unreachable: the network error does not quote the URL (which carries the token).
    let gone = wx_api::AccountClient::new("http://127.0.0.1:9", h.client.tokens().clone()).unwrap();
    let err = gone.templates().await.unwrap_err();
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(token.expose()));
}
