//! The backend and the fake WeChat started in-process through the library API: on a fake of the test account's
//! own ([`start`], [`start_with`], [`start_server`]) or on the demo account's fake that `--mock` mounts
//! ([`start_mock`], [`start_mock_with_handler`]).

use super::{TEST_APPID, TEST_SECRET};
use std::time::Duration;
use wx_server::{
    Secret, Server, Settings, StoreSpec, TokenMode, WechatClient,
    fake::{Endpoint, FakeControl, FakeOptions, FakeWechat, Fault, FaultRequest, FaultRule},
};

pub fn fake_opts(expires_in: u64) -> FakeOptions {
    FakeOptions {
        credentials: vec![(TEST_APPID.into(), Secret::new(TEST_SECRET))],
        expires_in: Duration::from_secs(expires_in),
        ..FakeOptions::default()
    }
}

pub async fn start_with(opts: FakeOptions, tweak: impl FnOnce(&mut Settings)) -> (FakeWechat, Server) {
    let fake = FakeWechat::start("127.0.0.1:0".parse().unwrap(), opts).await.unwrap();
    let server = start_server(&fake, tweak).await;
    (fake, server)
}

/// The settings of a backend on `fake` (several of them make instances sharing one WeChat).
pub fn settings_for(fake: &FakeWechat) -> Settings {
    let mut s = Settings::mock();
    s.mock = false;
    s.appid = TEST_APPID.into();
    s.secret = Secret::new(TEST_SECRET);
    s.api_base = fake.base_url();
    s.listen = "127.0.0.1:0".parse().unwrap();
    s.store = StoreSpec::Memory;
    // Generous: a fake stalled by a busy machine must not look like a timeout (a retry would change the call
    // counts tests assert). Tests of the timeout itself set their own.
    s.upstream_timeout = Duration::from_secs(10);
    // Likewise: a request must not give up on a fake stalled by a busy machine. Tests of the deadline set their own.
    s.refresh_deadline = Duration::from_secs(30);
    s
}

/// A backend on `fake`, with [`settings_for`] changed by `tweak`.
pub async fn start_server(fake: &FakeWechat, tweak: impl FnOnce(&mut Settings)) -> Server {
    let mut s = settings_for(fake);
    tweak(&mut s);
    Server::start(s).await.unwrap()
}

pub async fn start() -> (FakeWechat, Server) {
    start_with(fake_opts(7200), |_| {}).await
}

/// `Settings::mock()` (the demo account, the fake mounted under `/fake-wechat`) on a free loopback port with the
/// memory store, changed by `tweak`.
pub fn mock_settings(tweak: impl FnOnce(&mut Settings)) -> Settings {
    let mut s = Settings::mock();
    s.listen = "127.0.0.1:0".parse().unwrap();
    s.store = StoreSpec::Memory;
    tweak(&mut s);
    s
}

/// A `--mock` backend with [`mock_settings`], answering pushes with the demo handler.
pub async fn start_mock(tweak: impl FnOnce(&mut Settings)) -> Server {
    Server::start(mock_settings(tweak)).await.unwrap()
}

/// As [`start_mock`], answering pushes with `handler`.
pub async fn start_mock_with_handler(tweak: impl FnOnce(&mut Settings), handler: impl wx_push::PushHandler) -> Server {
    let s = mock_settings(tweak);
    let listener = tokio::net::TcpListener::bind(s.listen).await.unwrap();
    Server::start_with_handler(listener, s, handler).await.unwrap()
}

/// A client for the WeChat (or whatever answers) at `base`, in stable-token mode, as the account `appid`.
pub fn wechat_client(base: &str, appid: &str, secret: &str, timeout: Duration) -> WechatClient {
    let metrics = std::sync::Arc::new(wx_server::Metrics::default());
    WechatClient::new(base, appid, Secret::new(secret), TokenMode::Stable, timeout, metrics).unwrap()
}

/// (stable_token, token, getticket) calls the fake has answered for the test account.
pub fn counts(fake: &FakeWechat) -> (u64, u64, u64) {
    let c = fake.control().stats()[TEST_APPID];
    (c.stable_token, c.token, c.getticket)
}

/// Makes the fake answer `endpoint` with `fault`, `times` times (`None`: until cleared), for any account.
pub fn inject(fake: &FakeControl, endpoint: Endpoint, fault: Fault, times: Option<u32>) {
    fake.apply(FaultRequest {
        inject: vec![FaultRule {
            endpoint,
            fault,
            times,
            appid: None,
        }],
        ..FaultRequest::default()
    });
}

/// WeChat is back: no more faults, and the start-up latency and lifetimes.
pub fn clear_faults(fake: &FakeControl) {
    fake.apply(FaultRequest {
        clear: true,
        ..FaultRequest::default()
    });
}

/// The results of spawned tasks, in order (no extra dependency for futures' join_all).
pub async fn join_all<T: Send + 'static>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
