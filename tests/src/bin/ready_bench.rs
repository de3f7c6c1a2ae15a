//! Navigation → `wx.ready`, for the app and for the plain hand-written JS page (web/bench/plain.html), in the
//! same run, same server, same browser. Run by `cargo xtask bench` (which builds the pages and passes
//! WXKIT_SERVER_BIN / WXKIT_DIST like the end-to-end tests).
//!
//! Each page is opened `ROUNDS` times, alternating, and `performance.getEntriesByName("wx-ready")` is read: the
//! time from navigation start to the `wx.ready` callback, as the browser measured it.
//!
//! Twice: on bare loopback, where a request costs about nothing and the machine's CPU decides, and with a phone
//! network's latency (Chromium's network emulation, `PHONE_LATENCY_MS` per request that is not cached), where
//! a page's requests in series cost what they cost on a phone.

use anyhow::{Context, Result, bail};
use std::time::Duration;
use wxkit_e2e::{Stack, eventually};

const ROUNDS: usize = 25;
/// A good 4G connection's round trip; WeChat's pages are opened on phones, mostly on mobile networks.
const PHONE_LATENCY_MS: u32 = 40;

async fn ready_ms(s: &Stack, path: &str) -> Result<f64> {
    s.browser.goto(&s.url(path)).await?;
    let ms = eventually(Duration::from_secs(30), &format!("wx-ready on {path}"), || async {
        let v = s
            .js("const m = performance.getEntriesByName('wx-ready'); return m.length ? m[0].startTime : null;")
            .await
            .ok()?;
        v.as_f64()
    })
    .await?;
    Ok(ms)
}

fn median_p90(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9))
}

/// `ROUNDS` alternating loads of each page, after a warm-up of each (the backend's credential cache, the
/// browser's HTTP and compile caches): (app, plain) medians and 90th percentiles.
async fn alternate(s: &Stack) -> Result<((f64, f64), (f64, f64))> {
    for path in ["/?emulator=on", "/bench/plain.html"] {
        ready_ms(s, path).await.with_context(|| format!("warm-up of {path}"))?;
    }
    let (mut app, mut plain) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        app.push(ready_ms(s, &format!("/?emulator=on&round={round}")).await?);
        plain.push(ready_ms(s, &format!("/bench/plain.html?round={round}")).await?);
    }
    Ok((median_p90(app), median_p90(plain)))
}

#[tokio::main]
async fn main() -> Result<()> {
    let s = Stack::start().await?;
    let loopback = alternate(&s).await?;
    s.emulate_latency(PHONE_LATENCY_MS).await?;
    let phone = alternate(&s).await?;
    s.close().await?;
    for (network, ((app_p50, app_p90), (plain_p50, plain_p90))) in [
        ("loopback".to_owned(), loopback),
        (format!("{PHONE_LATENCY_MS} ms per request"), phone),
    ] {
        if plain_p50 <= 0.0 {
            bail!("the plain page reported no time");
        }
        println!(
            "bench navigation→wx.ready, {network} ({ROUNDS} loads each, alternating, emulator + local jweixin \
             for both): app p50 {app_p50:.1} ms p90 {app_p90:.1} ms; plain JS page p50 {plain_p50:.1} ms p90 \
             {plain_p90:.1} ms; ratio p50 {:.2}",
            app_p50 / plain_p50
        );
    }
    Ok(())
}
