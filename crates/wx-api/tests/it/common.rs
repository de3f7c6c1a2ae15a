//! A fake WeChat on loopback and an account client on wx-server's credential service.

use std::{sync::Arc, time::Duration};
use wx_api::AccountClient;
use wx_server::{
    CredentialService, DEMO_APPID, DEMO_SECRET, Metrics, Secret, TokenMode, WechatClient,
    fake::{FakeOptions, FakeWechat},
    store::MemoryStore,
};

pub struct Harness {
    pub fake: FakeWechat,
    pub client: AccountClient<CredentialService>,
    http: reqwest::Client,
}

pub async fn start() -> Harness {
    start_with(FakeOptions::default()).await
}

pub async fn start_with(opts: FakeOptions) -> Harness {
    let fake = FakeWechat::start("127.0.0.1:0".parse().unwrap(), opts).await.unwrap();
    let metrics = Arc::new(Metrics::default());
    let wechat = WechatClient::new(
        &fake.base_url(),
        DEMO_APPID,
        Secret::new(DEMO_SECRET),
        TokenMode::Stable,
        Duration::from_secs(5),
        metrics.clone(),
    )
    .unwrap();
    let service = CredentialService::new(DEMO_APPID, wechat, Arc::new(MemoryStore::default()), metrics);
    let client = AccountClient::new(&fake.base_url(), service).unwrap();
    Harness {
        fake,
        client,
        http: reqwest::Client::new(),
    }
}

impl Harness {
    /// `POST {fake}/test-only/{path}` with JSON; panics unless 200.
    pub async fn control(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let r = self
            .http
            .post(format!("{}/test-only/{path}", self.fake.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.json().await.unwrap()
    }

    /// `GET {fake}/test-only/account` for the demo app: what was sent.
    pub async fn account(&self) -> serde_json::Value {
        let url = format!("{}/test-only/account?appid={DEMO_APPID}", self.fake.base_url());
        let r = self.http.get(url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// A follower of the demo app, last interacting `ago` seconds ago (None: never).
    pub async fn follower(&self, openid: &str, subscribed: bool, ago: Option<u64>) {
        self.control(
            "followers",
            serde_json::json!({"appid": DEMO_APPID, "openid": openid, "subscribed": subscribed,
                               "interacted_secs_ago": ago}),
        )
        .await;
    }

    /// Injects `errcode` for the next `times` account API calls.
    pub async fn fail_account_api(&self, errcode: i64, times: u32) {
        self.control(
            "faults",
            serde_json::json!({"inject": [{"endpoint": "account_api", "fault": {"errcode": errcode}, "times": times}]}),
        )
        .await;
    }

    pub fn stats(&self) -> wx_server::fake::CallCounts {
        self.fake.control().stats()[DEMO_APPID]
    }
}
