//! The whole path, as a user sees it: the release app served by a real `wx-server serve --mock`, the real
//! jweixin 1.6.0 code over wx-jssdk's emulator (which checks signatures as WeChat's servers do), in headless
//! Chromium at phone width. Screenshots of each panel go to target/e2e-screenshots/.

use anyhow::{Context, Result, ensure};
use std::time::Duration;
use wxkit_e2e::{Stack, eventually, http, http_body};

#[tokio::test]
async fn config_reaches_ready_and_the_debugger_reproduces_the_signature() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/?emulator=on").await?;
    let signature = s.text("#cfg-signature").await.context("signature shown")?;
    ensure!(signature.len() == 40, "a SHA-1 hex signature: {signature}");
    let record = s.record().await?;
    let configs = record["configs"].as_array().context("configs")?;
    ensure!(
        configs.len() == 1 && configs[0]["ok"] == true,
        "the emulator verified one config: {record}"
    );
    s.screenshot("config").await?;

    s.click("a.tab[href='/diagnostics']").await?;
    s.wait_text("#diag-env", "Emulator").await?;
    s.click("#dbg-fake-ticket").await?;
    s.wait_text("#dbg-match", "✓").await?;
    // On Android the app re-signed for /diagnostics: the debugger follows the config WeChat accepted last.
    let backend = s.text("#dbg-backend-signature").await.context("backend signature")?;
    ensure!(
        s.text("#dbg-signature").await == Some(backend.clone()),
        "debugger == backend"
    );
    let last = s.record().await?["configs"]
        .as_array()
        .and_then(|c| c.last().cloned())
        .context("configs")?;
    ensure!(
        last["ok"] == true && last["url"].as_str().is_some_and(|u| u.ends_with("/diagnostics")),
        "{last}"
    );
    let canonical = s.text("#dbg-canonical").await.context("canonical string")?;
    ensure!(
        canonical.starts_with("jsapi_ticket=") && canonical.contains("&url=http://127.0.0.1:"),
        "{canonical}"
    );
    s.click("#diag-check").await?;
    s.wait_text("#diag-checked", "scanQRCode").await?;
    s.screenshot("diagnostics").await?;
    s.close().await
}

/// A config WeChat refused after a navigation: the debugger takes its nonce and timestamp with the URL that was
/// actually signed, so that with the ticket it reproduces the backend's signature.
#[tokio::test]
async fn the_debugger_follows_a_refused_config_with_the_url_it_signed() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/?emulator=on&device=android").await?;
    s.js("window.__wxkitEmulator.script('config', {outcome: 'fail', reason: 'invalid url domain'});")
        .await?;
    s.click("a.tab[href='/diagnostics']").await?;
    s.wait_state("error").await?;
    let url = s.js("return document.querySelector('#dbg-url').value;").await?;
    ensure!(
        url.as_str().is_some_and(|u| u.ends_with("/diagnostics")),
        "the URL signed for the refused config: {url}"
    );
    s.click("#dbg-fake-ticket").await?;
    s.wait_text("#dbg-match", "✓").await?;
    s.close().await
}

#[tokio::test]
async fn a_share_edit_is_recorded_by_the_emulator() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/share?emulator=on").await?;
    s.type_into("#share-title", "Hello from the e2e test").await?;
    s.type_into("#share-desc", "描述 with <b>markup</b> & ampersands")
        .await?;
    s.click("#share-apply").await?;
    s.wait_text("#share-result", "set").await?;
    let record = s.record().await?;
    for key in ["appMessageShare", "timelineShare"] {
        ensure!(record[key]["title"] == "Hello from the e2e test", "{key}: {record}");
        ensure!(
            record[key]["link"]
                .as_str()
                .is_some_and(|l| l.starts_with(&s.url("/share"))),
            "{key} link: {record}"
        );
    }
    ensure!(
        record["appMessageShare"]["desc"] == "描述 with <b>markup</b> & ampersands",
        "{record}"
    );
    s.screenshot("share").await?;
    // The emulator's share toast leaves the Apply button uncovered (and lets taps through), at 390×844.
    let overlap = s
        .js(
            "const t = document.getElementById('wxkit-emulator-panel').getBoundingClientRect();
             const b = document.getElementById('share-apply').getBoundingClientRect();
             return t.height > 0 && t.left < b.right && b.left < t.right && t.top < b.bottom && b.top < t.bottom;",
        )
        .await?;
    ensure!(overlap == false, "the share toast covers the Apply button");
    // An edit after applying: "set ✓" no longer holds for what the form shows.
    s.type_into("#share-title", "Edited, not applied").await?;
    eventually(Duration::from_secs(10), "the stale outcome to go", || async {
        s.text("#share-result").await.is_none().then_some(())
    })
    .await?;
    s.close().await
}

#[tokio::test]
async fn a_scripted_scan_shows_and_a_cancel_is_not_an_error() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/scan?emulator=on").await?;
    s.js("window.__wxkitEmulator.nextScanResult('https://example.com/item/42');")
        .await?;
    s.click("#scan-start").await?;
    s.wait_text("#scan-result", "https://example.com/item/42").await?;
    ensure!(
        s.text("#scan-link").await.is_some(),
        "a URL result is offered as a link"
    );
    s.screenshot("scan").await?;

    s.js("window.__wxkitEmulator.script('scanQRCode', {outcome: 'cancel'});")
        .await?;
    s.click("#scan-start").await?;
    s.wait_text("[data-outcome='cancel']", "Cancelled").await?;
    s.js("window.__wxkitEmulator.script('scanQRCode', {outcome: 'fail', reason: 'camera busy'});")
        .await?;
    s.click("#scan-start").await?;
    s.wait_text("[data-outcome='fail']", "camera busy").await?;
    s.close().await
}

#[tokio::test]
async fn a_chosen_file_shows_as_a_thumbnail_and_uploads() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/photos?emulator=on").await?;
    // A real image file, as a file picker would hand it over: a File object behind an object URL.
    s.js(r#"
        const canvas = document.createElement('canvas');
        canvas.width = 64; canvas.height = 48;
        const g = canvas.getContext('2d'); g.fillStyle = '#07c160'; g.fillRect(0, 0, 64, 48);
        const bytes = atob(canvas.toDataURL('image/png').split(',')[1]);
        const file = new File([Uint8Array.from(bytes, c => c.charCodeAt(0))], 'photo.png', {type: 'image/png'});
        window.__wxkitEmulator.nextImages([URL.createObjectURL(file)]);
    "#)
        .await?;
    s.click("#photos-choose").await?;
    let loaded = eventually(Duration::from_secs(20), "the thumbnail to load", || async {
        let v = s
            .js("const i = document.querySelector('#photos-thumbs img'); return i ? i.naturalWidth : 0;")
            .await
            .ok()?;
        (v.as_u64()? == 64).then_some(())
    })
    .await;
    loaded?;
    s.screenshot("photos").await?;
    // A failed upload shows its error; a later success clears it.
    s.js("window.__wxkitEmulator.script('uploadImage', {outcome: 'fail', reason: 'network down'});")
        .await?;
    s.click("#photos-upload").await?;
    s.wait_text("[data-outcome='fail']", "network down").await?;
    s.click("#photos-upload").await?;
    s.wait_text(".server-id", "").await?;
    ensure!(
        s.text("[data-outcome='fail']").await.is_none(),
        "the old upload error is gone after a success"
    );
    let record = s.record().await?;
    ensure!(record["calls"].to_string().contains("uploadImage"), "{record}");
    // The emulator sent the photo to the fake WeChat as a phone sends it to WeChat; wx-server downloaded it with
    // media/get into its media directory, and the panel shows that copy: the same 64×48 image.
    let copy = eventually(Duration::from_secs(20), "the server's copy to load", || async {
        let v = s
            .js("const i = document.querySelector('#photos-server img'); \
                 return i && i.complete ? [i.naturalWidth, i.naturalHeight, i.currentSrc] : null;")
            .await
            .ok()?;
        (v[0].as_u64()? == 64 && v[1].as_u64()? == 48).then(|| v[2].as_str().map(str::to_owned))?
    })
    .await?;
    // The img asks wx-server for the serverId, which redirects to the file it saved in its media directory.
    let server_id = s.text(".server-id").await.context("the serverId")?;
    ensure!(copy == s.url(&format!("/api/photos/{server_id}")), "{copy}");
    let (status, _) = http("GET", &copy).await?;
    ensure!(status == 200, "the copy is served: {status}");
    s.screenshot("photos-server-copy").await?;
    s.close().await
}

/// On iOS a thumbnail is read with getLocalImgData: its failure shows in the panel, not as a silent broken image.
#[tokio::test]
async fn a_failed_local_image_read_shows_on_ios() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/photos?emulator=on&device=ios").await?;
    s.js(
        "window.__wxkitEmulator.nextImages(['data:image/png;base64,iVBORw0KGgo=']);\
          window.__wxkitEmulator.script('getLocalImgData', {outcome: 'fail', reason: 'image gone'});",
    )
    .await?;
    s.click("#photos-choose").await?;
    s.wait_text("[data-outcome='fail']", "image gone").await?;
    ensure!(
        s.text("#photos-thumbs").await.is_some(),
        "the chosen photo is still listed"
    );
    s.close().await
}

#[tokio::test]
async fn a_fixed_geolocation_shows() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/location?emulator=on").await?;
    // GCJ-02 by default: the system openLocation (the map button below) expects.
    let system = s.js("return document.querySelector('#loc-type').value;").await?;
    ensure!(system == "gcj02", "coordinate system by default: {system}");
    // A WGS-84 point (as GPS gives it), shown in GCJ-02 as WeChat converts it: the published reference pair.
    s.js("window.__wxkitEmulator.setLocation(31.1774276, 121.5272106, 25);")
        .await?;
    s.click("#loc-get").await?;
    s.wait_text("#loc-lat", "31.175304").await?;
    s.wait_text("#loc-lng", "121.531542").await?;
    s.wait_text("#loc-acc", "25 m").await?;
    s.screenshot("location").await?;
    s.click("#loc-open").await?;
    eventually(Duration::from_secs(10), "openLocation recorded", || async {
        let r = s.record().await.ok()?;
        (r["openedLocations"].as_array()?.len() == 1).then_some(())
    })
    .await?;
    // The map button's error belongs to its point: a new fix clears it.
    s.js("window.__wxkitEmulator.script('openLocation', {outcome: 'fail', reason: 'no map app'});")
        .await?;
    s.click("#loc-open").await?;
    s.wait_text("[data-outcome='fail']", "no map app").await?;
    s.click("#loc-get").await?;
    eventually(Duration::from_secs(10), "the old map error to go", || async {
        s.text("[data-outcome='fail']").await.is_none().then_some(())
    })
    .await?;
    s.close().await
}

/// Outside WeChat with `?emulator=off` in the URL, ticking "Run on the emulator" runs the page on it: the URL's
/// switch would otherwise override the choice on the reload.
#[tokio::test]
async fn the_emulator_checkbox_overrides_the_url_switch() -> Result<()> {
    let s = Stack::start().await?;
    s.browser.goto(&s.url("/share?emulator=off")).await?;
    s.wait_text("#not-in-wechat", "emulator").await?;
    s.click("#emulator-toggle").await?;
    s.wait_ready().await?;
    let current = s.browser.current_url().await?;
    ensure!(
        current.path() == "/share" && current.query().is_none_or(|q| !q.contains("emulator")),
        "the same page without the switch: {current}"
    );
    // Switched off earlier (remembered, nothing in the URL), on a URL with a fragment: setting the same
    // `search` there would only move to the fragment, so the page must be reloaded instead.
    s.js("localStorage.setItem('wxkit.emulator', 'off');").await?;
    s.browser.goto(&s.url("/share?from=timeline#top")).await?;
    s.wait_text("#not-in-wechat", "emulator").await?;
    s.click("#emulator-toggle").await?;
    s.wait_ready().await?;
    s.close().await
}

/// pushState between panels: Android checks the current URL (the app re-signs after each navigation), iOS
/// the landing URL (no re-signing needed). Either way every panel's API keeps working.
#[tokio::test]
async fn push_state_navigation_keeps_the_sdk_configured() -> Result<()> {
    for (device, expect_reconfig) in [("android", true), ("ios", false)] {
        let s = Stack::start().await?;
        s.open_ready(&format!("/?emulator=on&device={device}")).await?;
        for tab in ["/share", "/scan", "/photos", "/location", "/diagnostics", "/scan"] {
            s.click(&format!("a.tab[href='{tab}']")).await?;
            let current = s.browser.current_url().await?;
            ensure!(current.path() == tab, "pushState changed the URL to {current}");
            s.wait_ready().await?;
        }
        s.js("window.__wxkitEmulator.nextScanResult('after-navigation');")
            .await?;
        s.click("#scan-start").await?;
        s.wait_text("#scan-result", "after-navigation").await?;
        let record = s.record().await?;
        let configs = record["configs"].as_array().context("configs")?;
        ensure!(
            configs.iter().all(|c| c["ok"] == true),
            "{device}: every config verified: {record}"
        );
        if expect_reconfig {
            ensure!(configs.len() > 1, "{device}: re-signed after navigation: {record}");
        } else {
            ensure!(
                configs.len() == 1,
                "{device}: the landing-URL config stays valid: {record}"
            );
        }
        s.close().await?;
    }
    Ok(())
}

/// Two quick navigations on Android overlap their re-configurations. The first one's config is never answered
/// and the second one's fails; once the second is answered, the first sees verification over, and its late
/// "ready" must not hide the failure.
#[tokio::test]
async fn overlapping_reconfigurations_report_the_latest_one() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/?emulator=on&device=android").await?;
    s.js("window.__wxkitEmulator.script('config', {outcome: 'none'});\
          window.__wxkitEmulator.script('config', {outcome: 'fail', reason: 'invalid url domain'});")
        .await?;
    s.click("a.tab[href='/share']").await?;
    // The first one is under way: its config unanswered.
    config_under_way(&s, "the first re-configuration").await?;
    s.click("a.tab[href='/scan']").await?;
    // (Not `invalid signature`, which the app heals by signing again with a fresh ticket.)
    recorded(&s, "configs", "the second config's answer", |c| {
        c["errMsg"] == "config:invalid url domain"
    })
    .await?;
    // The second config's failure shows; then give the first, still unanswered, time to (wrongly) replace it.
    s.wait_state("error").await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let state = s
        .js("return document.querySelector('#wx-status').dataset.state;")
        .await?;
    ensure!(
        state == "error",
        "the first config's late outcome replaced the second's failure: {state}"
    );
    s.close().await
}

/// A navigation while a boot's config is under way (here "Configure again", which boots as the first load
/// does, with its config unanswered): the page must configure for the URL it ends on, not wait on the old one.
#[tokio::test]
async fn a_navigation_during_the_boot_config_configures_the_new_url() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/?emulator=on&device=android").await?;
    s.js("window.__wxkitEmulator.reset(); window.__wxkitEmulator.script('config', {outcome: 'none'});")
        .await?;
    s.click("#reconfigure").await?;
    config_under_way(&s, "the boot's config under way").await?;
    s.click("a.tab[href='/share']").await?;
    s.wait_ready().await?;
    s.click("#share-apply").await?;
    s.wait_text("#share-result", "set").await?;
    let last = s.record().await?["configs"]
        .as_array()
        .and_then(|c| c.last().cloned())
        .context("configs")?;
    ensure!(
        last["ok"] == true && last["url"].as_str().is_some_and(|u| u.ends_with("/share")),
        "the page configured for the URL it ended on: {last}"
    );
    s.close().await
}

/// A → B → A on Android while B's config is under way (unanswered): A needs a config again, or WeChat is left
/// verifying B's URL while the page is on A.
#[tokio::test]
async fn going_back_during_a_reconfiguration_configures_again() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/scan?emulator=on&device=android").await?;
    s.js("window.__wxkitEmulator.script('config', {outcome: 'none'});")
        .await?;
    s.click("a.tab[href='/share']").await?;
    config_under_way(&s, "B's config under way").await?;
    s.click("a.tab[href='/scan']").await?;
    // The landing config and A's again (B's, unanswered, is not recorded).
    eventually(Duration::from_secs(10), "a config for A again", || async {
        let record = s.record().await.ok()?;
        let configs = record["configs"].as_array()?;
        let for_a = |c: &serde_json::Value| c["ok"] == true && c["url"].as_str().is_some_and(|u| u.contains("/scan"));
        (configs.iter().filter(|c| for_a(c)).count() == 2).then_some(())
    })
    .await?;
    s.wait_ready().await?;
    s.js("window.__wxkitEmulator.nextScanResult('back-on-a');").await?;
    s.click("#scan-start").await?;
    s.wait_text("#scan-result", "back-on-a").await?;
    s.close().await
}

/// A revoked ticket shows up only as `invalid signature`. With one forced ticket refresh allowed per 5 minutes:
/// the first time the page heals itself; the second time it shows the error with its hint; once the backend
/// has a fresh ticket (its refresh-ahead, here after a few seconds), trying again succeeds.
#[tokio::test]
async fn invalid_signature_shows_its_hint_and_self_heal_recovers() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/?emulator=on").await?;
    let appid = s.text("#cfg-appid").await.context("appid")?;
    step_issue_tickets_that_live_20_seconds(&s).await?;
    step_revoke_the_ticket_and_see_the_page_heal(&s, &appid).await?;
    step_revoke_it_again_and_see_the_error_and_its_hint(&s, &appid).await?;
    step_retry_after_the_backends_refresh_ahead(&s, &appid).await?;
    s.close().await
}

/// Tickets issued from now on live 20 s, so that the backend refreshes ahead of expiry during the test.
async fn step_issue_tickets_that_live_20_seconds(s: &Stack) -> Result<()> {
    let faults = s.url("/fake-wechat/test-only/faults");
    let (status, _) = http_body("POST", &faults, r#"{"expires_in": 20}"#).await?;
    ensure!(status == 200, "faults accepted");
    Ok(())
}

/// The ticket is revoked behind the backend's back: after a reload the page heals with one refresh.
async fn step_revoke_the_ticket_and_see_the_page_heal(s: &Stack, appid: &str) -> Result<()> {
    let (status, _) = http("POST", &rotate_ticket_url(s, appid)).await?;
    ensure!(status == 200, "rotated");
    s.browser.refresh().await?;
    s.wait_text("#wx-status", "re-signed with a fresh ticket").await?;
    Ok(())
}

/// Revoked again within 5 minutes: the backend will not force another refresh, so the error shows, with a hint
/// saying what to fix and the canonical string without the ticket.
async fn step_revoke_it_again_and_see_the_error_and_its_hint(s: &Stack, appid: &str) -> Result<()> {
    http("POST", &rotate_ticket_url(s, appid)).await?;
    s.browser.refresh().await?;
    s.wait_state("error").await?;
    s.wait_text("#wx-status", "invalid signature").await?;
    let hint = s.text("#wx-hint").await.context("hint")?;
    ensure!(hint.contains("location.href"), "the hint says what to fix: {hint}");
    let canonical = s.text("#wx-canonical").await.context("canonical string shown")?;
    ensure!(
        canonical.starts_with("jsapi_ticket=<jsapi_ticket>&noncestr="),
        "the ticket is never shown: {canonical}"
    );
    s.screenshot("invalid-signature").await?;
    Ok(())
}

/// The backend refreshes its 20 s ticket ahead of expiry and gets the current one; trying again works.
async fn step_retry_after_the_backends_refresh_ahead(s: &Stack, appid: &str) -> Result<()> {
    let before = getticket_calls(s, appid).await?;
    eventually(Duration::from_secs(40), "the backend's refresh-ahead", || async {
        getticket_calls(s, appid).await.ok().filter(|n| *n > before)
    })
    .await?;
    s.click("#wx-retry").await?;
    s.wait_ready().await
}

fn rotate_ticket_url(s: &Stack, appid: &str) -> String {
    s.url(&format!("/fake-wechat/test-only/rotate-ticket?appid={appid}"))
}

/// Waits until a config is under way: sent and not yet answered, which is when WeChat answers any API
/// "offline verifying". The test asks itself (`checkJsApi`, allowed without a jsApiList entry) until it does.
async fn config_under_way(s: &Stack, what: &str) -> Result<()> {
    eventually(Duration::from_secs(10), what, || async {
        s.js("wx.checkJsApi({jsApiList: ['getNetworkType']});").await.ok()?;
        let record = s.record().await.ok()?;
        let verifying = |c: &serde_json::Value| {
            c["api"] == "checkJsApi" && c["errMsg"].as_str().is_some_and(|m| m.ends_with("offline verifying"))
        };
        record["calls"].as_array()?.iter().any(verifying).then_some(())
    })
    .await?;
    Ok(())
}

/// Waits until an entry of the emulator's record list `list` (`calls`, `configs`, …) matches.
async fn recorded(s: &Stack, list: &str, what: &str, matches: impl Fn(&serde_json::Value) -> bool) -> Result<()> {
    eventually(Duration::from_secs(10), what, || async {
        let record = s.record().await.ok()?;
        record[list].as_array()?.iter().any(&matches).then_some(())
    })
    .await?;
    Ok(())
}

async fn getticket_calls(s: &Stack, appid: &str) -> Result<u64> {
    let (_, body) = http("GET", &s.url("/fake-wechat/test-only/stats")).await?;
    let v: serde_json::Value = serde_json::from_str(&body)?;
    v[appid]["getticket"].as_u64().context("getticket count")
}

/// index.html's boot script installs the emulator, loads jweixin, fetches the signed config and runs
/// `wx.config` while the wasm downloads; the app adopts that configuration (wx_jssdk::Preload): one config
/// signed, each file fetched once, and one `wx.config` verified for the load.
#[tokio::test]
async fn the_app_adopts_the_wx_config_that_index_html_ran() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/?emulator=on").await?;
    let (status, metrics) = http("GET", &s.url("/metrics")).await?;
    ensure!(status == 200, "{metrics}");
    ensure!(
        metrics.contains("wxkit_config_requests_total{status=\"200\"} 1\n"),
        "one config request for one load: {metrics}"
    );
    let started = s
        .js("return performance.getEntriesByType('resource')
                .filter((e) => /\\/api\\/jssdk\\/config|\\/vendor\\/jweixin|wxkit-emulator_bg\\.wasm/.test(e.name))
                .length;")
        .await?;
    ensure!(
        started == 3,
        "config, jweixin and the emulator's wasm each fetched once: {started}"
    );
    let record = s.record().await?;
    let configs = record["configs"].as_array().context("configs")?;
    ensure!(
        configs.len() == 1 && configs[0]["ok"] == true,
        "the script's wx.config, adopted, is the only one: {record}"
    );
    ensure!(
        s.js("return window.__wxkit_preload === undefined;").await? == true,
        "the app took the script's boot"
    );
    s.close().await
}

/// Sign-in from the "Me" panel: WeChat's web authorisation (the fake's authorize page answers at once, as
/// WeChat does for a follower who consented), back to /me, which shows who signed in.
#[tokio::test]
async fn the_me_panel_signs_in_and_shows_the_profile() -> Result<()> {
    let s = Stack::start().await?;
    s.open_ready("/me?emulator=on").await?;
    s.wait_text("#me-sign-in", "Sign in").await?;
    ensure!(s.text("#me-session").await.is_none(), "nobody is signed in yet");
    s.click("#me-sign-in-profile").await?;
    let openid = s.wait_text("#me-openid", "").await?;
    ensure!(!openid.is_empty(), "an openid after signing in");
    ensure!(s.wait_text("#me-scope", "userinfo").await.is_ok(), "the profile scope");
    ensure!(
        !s.wait_text("#me-nickname", "").await?.is_empty(),
        "a nickname with snsapi_userinfo"
    );
    ensure!(!s.wait_text("#me-unionid", "").await?.is_empty(), "the fake's unionid");
    eventually(Duration::from_secs(10), "the avatar to load", || async {
        let w = s
            .js("const i = document.querySelector('#me-avatar'); return i && i.complete ? i.naturalWidth : 0;")
            .await
            .ok()?;
        (w.as_u64()? > 0).then_some(())
    })
    .await?;
    let back = s.js("return location.pathname;").await?;
    ensure!(back == "/me", "back on the Me panel: {back}");
    s.screenshot("me").await?;
    s.close().await
}

/// Seed 001's drainage flow: a follow through a scene QR code is answered, afterwards, with a customer-service
/// news message linking to the page with the scene; the page opens from that link and shares it.
#[tokio::test]
async fn a_scene_follow_gets_a_news_link_that_opens_the_page_and_shares() -> Result<()> {
    let s = Stack::start().await?;
    let push = format!(
        r#"{{"url":"{}","push":{{"type":"subscribe","scene":"poster 7"}},"openid":"o-e2e-scene","attempts":1}}"#,
        s.url("/wechat")
    );
    let (status, body) = http_body("POST", &s.url("/fake-wechat/test-only/push"), &push).await?;
    ensure!(status == 200, "the fake pushed the follow: {status} {body}");
    let appid = "wx0000000000demo";
    let link = eventually(Duration::from_secs(10), "the news message", || async {
        let (_, body) = http("GET", &s.url(&format!("/fake-wechat/test-only/account?appid={appid}")))
            .await
            .ok()?;
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        let sent = v["custom_messages"]
            .as_array()?
            .iter()
            .find(|m| m["touser"] == "o-e2e-scene")?
            .clone();
        (sent["msgtype"] == "news").then_some(())?;
        sent["news"]["articles"][0]["url"].as_str().map(str::to_owned)
    })
    .await?;
    ensure!(
        link == s.url("/share?scene=poster%207"),
        "the Share panel, carrying the scene: {link}"
    );
    // Opened from the chat, as WeChat's browser would (plus the desktop emulator switch), and shared as it is.
    s.open_ready(&(link[s.url("").len()..].to_owned() + "&emulator=on"))
        .await?;
    s.click("#share-apply").await?;
    s.wait_text("#share-result", "set").await?;
    let record = s.record().await?;
    let shared = record["appMessageShare"]["link"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ensure!(
        shared.contains("scene=poster%207"),
        "the shared link keeps the scene: {record}"
    );
    s.close().await
}
