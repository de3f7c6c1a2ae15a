//! The backend and the fake WeChat started in-process through the library API.

use super::TEST_APPID;
use std::time::Duration;
use wx_server::{
    Secret, Server, Settings, StoreSpec,
    fake::{FakeOptions, FakeWechat},
};

pub const SECRET: &str = "svc-test-secret-9f8e7d";

pub fn fake_opts(expires_in: u64) -> FakeOptions {
    FakeOptions {
        credentials: vec![(TEST_APPID.into(), Secret::new(SECRET))],
        expires_in: Duration::from_secs(expires_in),
        ..FakeOptions::default()
    }
}

pub async fn start_with(opts: FakeOptions, tweak: impl FnOnce(&mut Settings)) -> (FakeWechat, Server) {
    let fake = FakeWechat::start("127.0.0.1:0".parse().unwrap(), opts).await.unwrap();
    let server = start_server(&fake, tweak).await;
    (fake, server)
}

/// A backend on `fake` (several of them make instances sharing one WeChat).
pub async fn start_server(fake: &FakeWechat, tweak: impl FnOnce(&mut Settings)) -> Server {
    let mut s = Settings::mock();
    s.mock = None;
    s.appid = TEST_APPID.into();
    s.secret = Secret::new(SECRET);
    s.api_base = fake.base_url();
    s.listen = "127.0.0.1:0".parse().unwrap();
    s.store = StoreSpec::Memory;
    // Generous: a fake stalled by a busy machine must not look like a timeout (a retry would change the call
    // counts tests assert). Tests of the timeout itself set their own.
    s.upstream_timeout = Duration::from_secs(10);
    // Likewise: a request must not give up on a fake stalled by a busy machine. Tests of the deadline set their own.
    s.refresh_deadline = Duration::from_secs(30);
    tweak(&mut s);
    Server::start(s).await.unwrap()
}

pub async fn start() -> (FakeWechat, Server) {
    start_with(fake_opts(7200), |_| {}).await
}

pub fn counts(fake: &FakeWechat) -> (u64, u64, u64) {
    let c = fake.control().stats()[TEST_APPID];
    (c.stable_token, c.token, c.getticket)
}

/// Minimal join_all over spawned tasks (no extra dependency).
pub mod futures_like {
    pub async fn join_all<T: Send + 'static>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }
}

pub use futures_like::join_all;
