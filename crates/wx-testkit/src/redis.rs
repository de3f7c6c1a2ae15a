//! A redis-server of the test's own.

use crate::{free_port, poll_until};
use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    process::{Child, Command, Stdio},
    time::Duration,
};

/// A `redis-server` on a loopback port, without persistence; killed when dropped.
#[derive(Debug)]
pub struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    /// On a free port; a port taken by someone else between picking and binding it is replaced by another.
    ///
    /// # Panics
    /// When redis-server is not installed (`cargo xtask setup` installs it) or found no port in 5 tries.
    pub fn start() -> Self {
        for _ in 0..5 {
            if let Some(redis) = Self::try_start_on(free_port()) {
                return redis;
            }
        }
        panic!("redis-server found no free port in 5 tries");
    }

    /// On `port`, which must be free (a test of a Redis that comes back where it was expected).
    ///
    /// # Panics
    /// When it could not listen there.
    pub fn start_on(port: u16) -> Self {
        Self::try_start_on(port).unwrap_or_else(|| panic!("redis-server could not listen on {port}: in use?"))
    }

    /// `None` when the server on `port` is not this one (it exited: the port was taken meanwhile, perhaps by
    /// another test's Redis, which must not be mistaken for ours).
    fn try_start_on(port: u16) -> Option<Self> {
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start redis-server (cargo xtask setup installs it): {e}"));
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let answer = poll_until(Duration::from_secs(10), Duration::from_millis(20), || {
            if let Ok(Some(_)) = child.try_wait() {
                return Some(None);
            }
            redis_pid(addr).map(Some)
        });
        match answer {
            Some(Some(pid)) if pid == child.id() => Some(Self { child, port }),
            Some(None) => None,
            Some(Some(_)) => {
                let _ = child.kill();
                let _ = child.wait();
                None
            }
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("redis-server did not start on {port} within 10 s");
            }
        }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills it now (a test of a Redis outage).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The process id of the Redis answering on `addr` (`INFO server`), if one answers.
fn redis_pid(addr: SocketAddr) -> Option<u32> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n").ok()?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("process_id:") || !answer.ends_with(b"\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&answer);
    text.lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .and_then(|pid| pid.trim().parse().ok())
}
