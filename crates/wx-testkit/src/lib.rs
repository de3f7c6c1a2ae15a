//! What wxkit's tests share for real processes on loopback: wx-server's integration tests, the examples' tests
//! and the end-to-end harness (`tests/`) all use it. A dev-dependency only.
//!
//! - [`free_port`]: a loopback port that was free a moment ago.
//! - [`Proc`]: a child process with its stdout and stderr captured (and logged to a file if asked), killed when
//!   dropped (with its process group if asked).
//! - [`Redis`]: a throwaway `redis-server` on loopback, without persistence.
//! - [`http`]: a reqwest client for loopback and the JSON and text requests tests make.
//! - [`eventually`]: polls until something holds, within a time limit.
//! - [`TempDir`]: a directory of the test's own, removed when dropped.
//!
//! Everything here waits a bounded time: a process that never answers fails the test rather than hanging it.
//! A test harness fails by panicking, so these helpers panic (naming what failed) where the environment lets
//! them down; only [`eventually`] returns an error, for harnesses that report errors.

pub mod http;
mod process;
mod redis;
mod temp;
mod wait;

pub use http::{client, get_json, get_text, post_json};
pub use process::{Options, Proc};
pub use redis::Redis;
pub use temp::TempDir;
pub use wait::{TimedOut, eventually, poll_until};

use std::net::{Ipv4Addr, TcpListener};

/// A loopback port that was free a moment ago (another process may take it before the caller binds it).
///
/// # Panics
/// When no port can be bound on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"))
}
