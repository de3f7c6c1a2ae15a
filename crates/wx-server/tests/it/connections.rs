//! The connection cap as an operator meets it: a real `wx-server serve --mock` process on loopback with
//! `WX_MAX_CONNECTIONS=8`, started by a shell that lowers its soft open-file limit first, and raw TCP.
//!
//! Before the cap, one host's 20,000 half-open connections ran the process out of file descriptors ("Too many
//! open files") and health checks timed out.

use crate::common::{Proc, refused_at_start_up};
use std::{
    io::{ErrorKind, Read, Write},
    net::{SocketAddr, TcpStream},
    process::Command,
    time::{Duration, Instant},
};

const CAP: usize = 8;
/// How long the server may take to answer or close; far above what it needs, below the 10 s header timeout
/// that would close idle connections on its own.
const PATIENCE: Duration = Duration::from_secs(5);

/// One response to `GET path` on `stream`, read whole (by Content-Length); `None` when the server closed the
/// connection without sending a byte.
fn get(stream: &mut TcpStream, path: &str, close: bool) -> Option<String> {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let connection = if close { "close" } else { "keep-alive" };
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: {connection}\r\n\r\n");
    // A refused connection may already be reset: the read below tells.
    let _ = stream.write_all(request.as_bytes());
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse::<usize>().ok());
            if length.is_some_and(|n| body.len() >= n) {
                return Some(text.into_owned());
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => break,
            Err(e) => panic!("no answer on {path} within {PATIENCE:?}: {e}"),
        }
    }
    assert!(
        answer.is_empty(),
        "a cut-off answer: {}",
        String::from_utf8_lossy(&answer)
    );
    None
}

/// Whether a new connection that sends nothing is closed by the server (within [`PATIENCE`]) rather than kept.
fn closed_on_arrival(addr: SocketAddr) -> bool {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => panic!("a connection that sent nothing was answered"),
        Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => true,
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
        Err(e) => panic!("{e}"),
    }
}

/// `GET path` on a new connection until answered (bounded); returns the answer and how many tries were closed
/// on arrival.
fn get_when_answered(addr: SocketAddr, path: &str) -> (String, u64) {
    let mut refused = 0;
    let answer = wx_testkit::poll_until(Duration::from_secs(10), Duration::from_millis(20), || {
        let answer = get(&mut TcpStream::connect(addr).unwrap(), path, true);
        refused += u64::from(answer.is_none());
        answer
    });
    (answer.unwrap_or_else(|| panic!("{path} unanswered for 10 s")), refused)
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

#[test]
fn connections_past_the_cap_are_closed_at_once_counted_and_logged_and_the_file_limit_is_raised() {
    // `sh` lowers the soft limit and execs the server in its place: the server must raise it to the hard one.
    let mut c = Command::new("sh");
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["-c", "ulimit -Sn 512 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_wx-server"))
        .args(["serve", "--mock", "--listen", "127.0.0.1:0"])
        .env("WX_STORE", "memory")
        .env("WX_MAX_CONNECTIONS", CAP.to_string());
    let mut server = Proc::spawn(c);
    let addr: SocketAddr = server.base_url().trim_start_matches("http://").parse().unwrap();
    let mut refused = 0;

    // The cap's worth of keep-alive connections, each known to be open: it has answered a request.
    let mut held = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while held.len() < CAP {
        let mut stream = TcpStream::connect(addr).unwrap();
        match get(&mut stream, "/healthz", false) {
            Some(answer) => {
                assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
                held.push(stream);
            }
            // An earlier connection still closing on the server's side.
            None => refused += 1,
        }
        assert!(Instant::now() < deadline, "could not open {CAP} connections in 10 s");
    }

    // Past the cap, new connections are closed on arrival, not left waiting.
    let started = Instant::now();
    for i in 0..20 {
        assert!(closed_on_arrival(addr), "connection {i} past the cap was kept open");
        refused += 1;
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "20 refusals took {took:?}");
    // The held ones are still served.
    assert!(get(&mut held[0], "/healthz", false).is_some_and(|a| a.starts_with("HTTP/1.1 200")));

    // Released, the slots serve new clients again.
    held.truncate(CAP - 3);
    let (health, tries) = get_when_answered(addr, "/healthz");
    refused += tries;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let (text, tries) = get_when_answered(addr, "/metrics");
    refused += tries;
    assert_eq!(metric(&text, "wxkit_connections_refused_total"), refused);
    assert_eq!(metric(&text, "wxkit_connections_max"), CAP as u64);
    let open = metric(&text, "wxkit_connections_open");
    assert!(open > (CAP - 3) as u64 && open <= CAP as u64, "{open} open");

    #[cfg(target_os = "linux")]
    {
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid())).unwrap();
        let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
        let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
        assert_eq!(
            numbers[0], numbers[1],
            "the soft open-file limit was not raised to the hard one: {line}"
        );
        assert_ne!(numbers[0], "512", "{line}");
    }

    server.stop();
    let output = server.output();
    assert!(output.contains("raised the open-file limit from 512 to"), "{output}");
    assert!(output.contains("accepting at most 8 connections at once"), "{output}");
    // One line per 10 s, however many were refused; each line names the cap.
    let lines = output.lines().filter(|l| l.contains("connection cap reached")).count();
    let allowed = 1 + started.elapsed().as_secs() / 10;
    assert!(
        (1..=allowed as usize).contains(&lines),
        "{lines} refusal lines:\n{output}"
    );
    assert!(
        output.contains("connection cap reached: 8 connections open"),
        "{output}"
    );
}

/// A zero cap stops start-up with a message naming the setting.
#[test]
fn a_zero_cap_is_refused_at_start_up() {
    let stderr = refused_at_start_up(&["--max-connections", "0"]);
    assert!(
        stderr.contains("error: WX_MAX_CONNECTIONS is invalid: use at least 1"),
        "{stderr}"
    );
}
