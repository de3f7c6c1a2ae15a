//! What the load benches share: reading a response off a keep-alive HTTP/1.1 connection (the benches speak HTTP
//! by hand, so the client costs next to nothing beside the server measured), and a child server's CPU time.

use std::process::Command;
use tokio::{io::AsyncReadExt, net::TcpStream};

/// Reads one HTTP/1.1 response off a keep-alive connection into `buf`: `Some((status is 200, body length))`, or
/// `None` on EOF or a response larger than `buf`.
pub async fn read_response(stream: &mut TcpStream, buf: &mut [u8]) -> Option<(bool, usize)> {
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await.ok()?;
        if n == 0 {
            return None;
        }
        filled += n;
        if let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).ok()?;
            let ok = head.starts_with("HTTP/1.1 200");
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            let total = end + 4 + len;
            while filled < total {
                let n = stream.read(&mut buf[filled..]).await.ok()?;
                if n == 0 {
                    return None;
                }
                filled += n;
            }
            return Some((ok, len));
        }
        if filled == buf.len() {
            return None;
        }
    }
}

/// utime + stime of a process, in clock ticks, from /proc (0 where unavailable).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let get = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    get(11) + get(12)
}

pub fn clock_ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
