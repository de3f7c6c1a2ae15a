//! `cargo bench -p wx-server --bench rules_load` (run by `cargo xtask bench`): `POST /wechat` throughput with the
//! reply rules of the demo rule file (`crates/wx-server/rules/demo.toml`, what `serve --mock` answers with: a
//! `wx_rules::Router` and a session lookup per push) against the plain echo handler (`wx_push::DemoHandler`), in the
//! same run, as a ratio (target >= 0.80).
//!
//! Both servers are this executable re-run as a child (`WXKIT_BENCH_ROLE=rules|echo`): the same `wx_server::Server`
//! with `Settings::mock()` and the memory store, differing only in the handler. The pushes are signed plain-mode
//! texts (`echo <n>`, each with its own MsgId, nonce and sender among 97), which the demo rules answer with their
//! last rule: every rule before it is tried and fails, the most work a text costs them. Rounds alternate between
//! the two servers (`WXKIT_BENCH_SECS` each, default 2 s, 7 rounds, at most 2 M requests per run); the ratio is
//! the median of per-round ratios, so a burst of outside load does not land on one side only.

mod load;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::{io::AsyncWriteExt, net::TcpStream};

const ROUNDS: usize = 7;
const CONNS: usize = 64;
const MAX_REQUESTS: usize = 2_000_000;

fn main() {
    match std::env::var("WXKIT_BENCH_ROLE").as_deref() {
        Ok("rules") => return serve(false),
        Ok("echo") => return serve(true),
        _ => {}
    }
    let is_bench = std::env::args().any(|a| a == "--bench");
    let secs: u64 = std::env::var("WXKIT_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let (secs, rounds) = if is_bench { (secs, ROUNDS) } else { (1, 1) };
    let mut rules = Target::spawn("rules");
    let mut echo = Target::spawn("echo");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut size = if is_bench { 60_000 } else { 2_000 };
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut cpu_us: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let tck = load::clock_ticks_per_sec();
    for round in 0..=rounds {
        // Round 0 warms both up and is not counted; then the order alternates.
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let target = [&rules, &echo][i];
            let pool = push_pool(&target.addr, size);
            let duration = if round == 0 {
                Duration::from_millis(300)
            } else {
                Duration::from_secs(secs)
            };
            let before = load::cpu_ticks(target.child.id());
            let (count, errors, elapsed) = rt.block_on(load(&target.addr, pool.clone(), CONNS, duration));
            let ticks = load::cpu_ticks(target.child.id()).saturating_sub(before);
            assert!(
                count > 0 && errors == 0,
                "{}: {count} answered, {errors} errors",
                target.role
            );
            size = size.max(pool.taken() * 3 / 2);
            if round > 0 {
                rates[i].push(count as f64 / elapsed);
                cpu_us[i].push(ticks as f64 / tck * 1e6 / count as f64);
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let mut ratios: Vec<f64> = rates[0].iter().zip(&rates[1]).map(|(r, e)| r / e).collect();
    let ratio = median(&mut ratios);
    let (low, high) = (
        ratios.first().copied().unwrap_or(0.0),
        ratios.last().copied().unwrap_or(0.0),
    );
    let (r, e) = (median(&mut rates[0]), median(&mut rates[1]));
    // Server CPU per request is steadier than throughput on a shared machine; as a ratio echo/rules, so that
    // like the throughput ratio, 1.0 is "the rules cost nothing" and lower is worse.
    let mut cpu_ratios: Vec<f64> = cpu_us[1].iter().zip(&cpu_us[0]).map(|(e, r)| e / r).collect();
    let cpu_ratio = median(&mut cpu_ratios);
    let (rc, ec) = (median(&mut cpu_us[0]), median(&mut cpu_us[1]));
    println!(
        "bench wx-rules: POST /wechat plain text at {CONNS} conns: demo rule file {r:.0} req/s; baseline echo handler \
         {e:.0} req/s; throughput ratio {ratio:.2} (target >= 0.80{}; per-round {low:.2}..{high:.2}); server CPU \
         {rc:.1} vs {ec:.1} µs/req, ratio {cpu_ratio:.2}",
        if ratio >= 0.8 { "" } else { ", MISSED" }
    );
    rules.stop();
    echo.stop();
}

/// A child server: `Settings::mock()` on a free port with the memory store, answering with the demo rules or the
/// echo handler.
fn serve(echo: bool) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mut settings = wx_server::Settings::mock();
        settings.listen = "127.0.0.1:0".parse().expect("address");
        settings.store = wx_server::StoreSpec::Memory;
        let listener = tokio::net::TcpListener::bind(settings.listen).await.expect("bind");
        let server = if echo {
            wx_server::Server::start_with_handler(listener, settings, wx_push::DemoHandler).await
        } else {
            wx_server::Server::start_on(listener, settings).await
        }
        .expect("start");
        println!("listening on {}", server.url(""));
        std::future::pending::<()>().await;
    });
}

struct Target {
    role: &'static str,
    child: Child,
    addr: String,
}

impl Target {
    fn spawn(role: &'static str) -> Self {
        let exe = std::env::current_exe().expect("own path");
        let mut child = Command::new(exe)
            .env("WXKIT_BENCH_ROLE", role)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn server");
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
        let addr = line.trim().rsplit("http://").next().unwrap_or("").to_owned();
        assert!(!addr.is_empty(), "{role} printed no address: {line}");
        Self { role, child, addr }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pre-built requests, each sent once (a push sent again would be a replay or a de-duplicated retry).
struct Requests {
    requests: Vec<Vec<u8>>,
    next: AtomicUsize,
}

impl Requests {
    fn take(&self) -> Option<&[u8]> {
        self.requests
            .get(self.next.fetch_add(1, Ordering::Relaxed))
            .map(Vec::as_slice)
    }

    fn taken(&self) -> usize {
        self.next.load(Ordering::Relaxed).min(self.requests.len())
    }
}

static NEXT_PUSH: AtomicUsize = AtomicUsize::new(0);

/// `n` plain-mode text pushes for the demo account, signed now, unique across the run.
fn push_pool(addr: &str, n: usize) -> Arc<Requests> {
    let signer = wx_push::PushSigner::plain(wx_server::DEMO_TOKEN);
    let ts = wx_sign::unix_timestamp();
    let first = NEXT_PUSH.fetch_add(n, Ordering::Relaxed);
    let requests = (first..first + n)
        .map(|i| {
            let xml = format!(
                "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o-bench-{}]]></FromUserName>\
                 <CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[echo {i}]]></Content>\
                 <MsgId>{}</MsgId></xml>",
                i % 97,
                ts * 1_000_000 + i as u64
            );
            let push = signer.sign_xml(&xml, ts, &format!("r{i}"), "o-bench").expect("sign");
            format!(
                "POST /wechat?{} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{}",
                push.query,
                push.body.len(),
                push.body
            )
            .into_bytes()
        })
        .collect();
    Arc::new(Requests {
        requests,
        next: AtomicUsize::new(0),
    })
}

/// `conns` keep-alive connections sending back to back until `duration` or the pool ends: (answered, errors,
/// seconds).
async fn load(addr: &str, pool: Arc<Requests>, conns: usize, duration: Duration) -> (usize, usize, f64) {
    let start = Instant::now();
    let deadline = start + duration;
    let per_conn = MAX_REQUESTS / conns;
    let tasks: Vec<_> = (0..conns)
        .map(|_| {
            let (addr, pool) = (addr.to_owned(), pool.clone());
            tokio::spawn(async move { connection(&addr, &pool, deadline, per_conn).await })
        })
        .collect();
    let (mut answered, mut errors) = (0, 0);
    for t in tasks {
        let (a, e) = t.await.unwrap_or((0, 1));
        answered += a;
        errors += e;
    }
    (answered, errors, start.elapsed().as_secs_f64())
}

async fn connection(addr: &str, pool: &Requests, deadline: Instant, max: usize) -> (usize, usize) {
    let (mut answered, mut errors) = (0, 0);
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return (0, 1);
    };
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; 16 * 1024];
    while Instant::now() < deadline && answered < max {
        let Some(request) = pool.take() else {
            break;
        };
        if stream.write_all(request).await.is_err() {
            errors += 1;
            break;
        }
        // Both handlers echo the text: a `success` body would mean a rule answered nothing.
        let echoed = |(ok, len): (bool, usize)| ok && len > "success".len();
        match load::read_response(&mut stream, &mut buf).await.map(echoed) {
            Some(true) => answered += 1,
            Some(false) => errors += 1,
            None => {
                errors += 1;
                break;
            }
        }
    }
    (answered, errors)
}
