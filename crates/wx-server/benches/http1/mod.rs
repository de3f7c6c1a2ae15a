//! What the load benches share: reading a response off a keep-alive HTTP/1.1 connection (the benches speak HTTP
//! by hand, so the client costs next to nothing beside the server measured).

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
