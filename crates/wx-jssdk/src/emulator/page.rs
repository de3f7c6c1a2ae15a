//! What the emulator does to the page and with the browser: the WeChat user agent, the share panel, the file
//! picker, geolocation, prompts, ticket fetches.

use super::{Device, EmulatorOptions, EmulatorRecord, FixedLocation};
use crate::js::{self, deferred};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The user agent of the emulated device. Carries `wxdebugger` (jweixin then skips its telemetry beacon, as
/// in WeChat's debugger) and `wxkit-emulator` (so a server can tell).
///
/// ```text
/// Android: Mozilla/5.0 (Linux; Android 14; Pixel 8 …) … MicroMessenger/8.0.50.2701(0x28003235) … wxdebugger wxkit-emulator
/// ```
pub(super) fn user_agent(device: Device, version: &str) -> String {
    match device {
        Device::Ios => format!(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
             Mobile/15E148 MicroMessenger/{version}(0x18003234) NetType/WIFI Language/zh_CN wxdebugger wxkit-emulator"
        ),
        Device::Android => format!(
            "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) \
             Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220099 MMWEBSDK/20240404 MMWEBID/0 \
             MicroMessenger/{version}(0x28003235) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64 \
             wxdebugger wxkit-emulator"
        ),
    }
}

fn define_value(target: &JsValue, key: &str, value: &JsValue) -> Result<(), crate::WxError> {
    let descriptor = Object::new();
    js::set(&descriptor, "value", value)?;
    js::set(&descriptor, "configurable", &JsValue::TRUE)?;
    // An own data property on the navigator instance shadows the prototype's getter.
    Reflect::define_property(&Object::from(target.clone()), &key.into(), &descriptor)?;
    Ok(())
}

/// Makes the page look like WeChat to jweixin (which reads `navigator.userAgent` and `navigator.platform`).
pub(super) fn present_wechat(options: &EmulatorOptions) -> Result<(), crate::WxError> {
    let window = js::window()?;
    let navigator: JsValue = window.navigator().into();
    define_value(
        &navigator,
        "userAgent",
        &user_agent(options.device, &options.wechat_version).into(),
    )?;
    let platform = match options.device {
        Device::Ios => "iPhone",
        Device::Android => "Linux armv8l",
    };
    define_value(&navigator, "platform", &platform.into())?;
    if options.mini_program {
        js::set(&window, "__wxjs_environment", &"miniprogram".into())?;
    }
    Ok(())
}

/// `GET {url}?appid=…` → the tickets valid now (`validTickets`, else `[ticket]`); empty when the fake WeChat
/// issued none for the appId.
pub(super) async fn fetch_ticket(url: &str, app_id: &str) -> Result<Vec<String>, String> {
    let sep = if crate::text::contains(url, "?") { '&' } else { '?' };
    let request = format!("{url}{sep}appid={}", String::from(js_sys::encode_uri_component(app_id)));
    let window = js::window().map_err(|e| e.to_string())?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&request))
        .await
        .map_err(|e| format!("GET {request}: {}", js::describe(&e)))?
        .dyn_into()
        .map_err(|_| "fetch did not return a Response".to_owned())?;
    if response.status() == 404 || response.status() == 400 {
        return Ok(Vec::new());
    }
    if !response.ok() {
        return Err(format!("GET {request} answered {}", response.status()));
    }
    let body = JsFuture::from(response.json().map_err(|e| js::describe(&e))?)
        .await
        .map_err(|e| format!("GET {request}: not JSON: {}", js::describe(&e)))?;
    let for_app = js::get_string(&body, "appid");
    // A ticket issued for another appId cannot verify this one.
    if for_app.as_deref().is_some_and(|a| a != app_id) {
        return Ok(Vec::new());
    }
    let valid = js::get(&body, "validTickets");
    let mut tickets: Vec<String> = if js_sys::Array::is_array(&valid) {
        super::list(&valid).iter().filter_map(|t| t.as_string()).collect()
    } else {
        Vec::new()
    };
    tickets.extend(js::get_string(&body, "ticket"));
    tickets.retain(|t| !t.is_empty());
    Ok(tickets)
}

/// Opens a file picker for up to `count` images; `Ok(None)` when the user cancelled.
pub(super) async fn pick_files(count: usize) -> Result<Option<Vec<String>>, String> {
    let window = js::window().map_err(|e| e.to_string())?;
    // Outside a user gesture the browser drops `click()` on a file input without any event, which would leave
    // the call unanswered forever. Browsers without `navigator.userActivation` get the picker and its events.
    let activation = js::get(&window.navigator().into(), "userActivation");
    if activation.is_object() && js::get(&activation, "isActive").as_bool() == Some(false) {
        // jweixin lowercases the reason: no API names in it.
        return Err(
            "no user activation: browsers open a file picker only during a user gesture \
                    (call chooseImage from a tap or click, or queue images in the emulator first)"
                .into(),
        );
    }
    let document = window.document().ok_or("no document")?;
    let input: web_sys::HtmlInputElement = document
        .create_element("input")
        .map_err(|e| js::describe(&e))?
        .dyn_into()
        .map_err(|_| "not an input")?;
    input.set_type("file");
    input.set_accept("image/*");
    input.set_multiple(count > 1);
    let done = deferred().map_err(|e| e.to_string())?;
    input.set_onchange(Some(&done.resolve));
    // Chrome fires `cancel` when the picker is closed without a choice.
    input
        .add_event_listener_with_callback("cancel", &done.reject)
        .map_err(|e| js::describe(&e))?;
    input.click();
    if JsFuture::from(done.promise).await.is_err() {
        return Ok(None);
    }
    let Some(files) = input.files() else { return Ok(None) };
    let mut ids = Vec::new();
    for i in 0..files.length().min(u32::try_from(count).unwrap_or(9)) {
        if let Some(file) = files.get(i) {
            ids.push(web_sys::Url::create_object_url_with_blob(&file).map_err(|e| js::describe(&e))?);
        }
    }
    Ok(Some(ids))
}

/// Why the browser gave no position.
pub(super) enum GeoFailure {
    /// The user refused.
    Denied,
    /// Unavailable, timeout, or no geolocation at all.
    Other(String),
}

/// The browser's position (bounded by a 15 s timeout).
pub(super) async fn geolocate() -> Result<FixedLocation, GeoFailure> {
    let window = js::window().map_err(|e| GeoFailure::Other(e.to_string()))?;
    let geo = window
        .navigator()
        .geolocation()
        .map_err(|e| GeoFailure::Other(js::describe(&e)))?;
    let done = deferred().map_err(|e| GeoFailure::Other(e.to_string()))?;
    let options = web_sys::PositionOptions::new();
    options.set_timeout(15_000);
    geo.get_current_position_with_error_callback_and_options(&done.resolve, Some(&done.reject), &options)
        .map_err(|e| GeoFailure::Other(js::describe(&e)))?;
    match JsFuture::from(done.promise).await {
        Ok(position) => {
            let coords = js::get(&position, "coords");
            let num = |k| js::get(&coords, k).as_f64().unwrap_or(0.0);
            Ok(FixedLocation {
                latitude: num("latitude"),
                longitude: num("longitude"),
                accuracy: num("accuracy"),
            })
        }
        Err(error) => match js::get(&error, "code").as_f64() {
            Some(1.0) => Err(GeoFailure::Denied),
            _ => Err(GeoFailure::Other(
                js::get_string(&error, "message").unwrap_or_else(|| "no position".into()),
            )),
        },
    }
}

/// `window.prompt`; `None` when dismissed or unavailable.
pub(super) fn prompt(message: &str) -> Option<String> {
    js::window().ok()?.prompt_with_message(message).ok().flatten()
}

/// The image at `local_id` (an object URL or any URL) fetched, with its content type (JPEG when it gives none).
async fn local_image(local_id: &str) -> Result<(web_sys::Response, String), String> {
    let window = js::window().map_err(|e| e.to_string())?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(local_id))
        .await
        .map_err(|e| format!("reading {local_id}: {}", js::describe(&e)))?
        .dyn_into()
        .map_err(|_| "fetch did not return a Response".to_owned())?;
    let mime = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_else(|| "image/jpeg".into());
    Ok((response, mime))
}

/// The image at `local_id` (an object URL or any URL) as a `data:` URL, like `getLocalImgData`.
pub(super) async fn data_url(local_id: &str) -> Result<String, String> {
    if local_id.starts_with("data:") {
        return Ok(local_id.to_owned());
    }
    let (response, mime) = local_image(local_id).await?;
    let buffer = JsFuture::from(response.array_buffer().map_err(|e| js::describe(&e))?)
        .await
        .map_err(|e| js::describe(&e))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    Ok(format!("data:{mime};base64,{}", base64(&bytes)))
}

/// POSTs the image at `local_id` to the fake WeChat's stand-in for the client's own upload
/// (`{url}?appid=…`, answered like `media/upload`) and returns its `media_id`.
pub(super) async fn upload_media(url: &str, app_id: &str, local_id: &str) -> Result<String, String> {
    let window = js::window().map_err(|e| e.to_string())?;
    let (image, mime) = local_image(local_id).await?;
    let blob = JsFuture::from(image.blob().map_err(|e| js::describe(&e))?)
        .await
        .map_err(|e| js::describe(&e))?;
    let request = format!("{url}?appid={}", String::from(js_sys::encode_uri_component(app_id)));
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&blob);
    let headers = web_sys::Headers::new().map_err(|e| js::describe(&e))?;
    headers.set("content-type", &mime).map_err(|e| js::describe(&e))?;
    init.set_headers(&headers);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(&request, &init))
        .await
        .map_err(|e| format!("POST {request}: {}", js::describe(&e)))?
        .dyn_into()
        .map_err(|_| "fetch did not return a Response".to_owned())?;
    let body = JsFuture::from(response.json().map_err(|e| js::describe(&e))?)
        .await
        .map_err(|_| format!("POST {request} answered {} without JSON", response.status()))?;
    js::get_string(&body, "media_id").ok_or_else(|| {
        format!(
            "the fake WeChat refused the upload: {}",
            js::get_string(&body, "errmsg").unwrap_or_else(|| response.status().to_string())
        )
    })
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

const PANEL_ID: &str = "wxkit-emulator-panel";

/// Shows what the share APIs set, in a small fixed panel (when `show_panel`), so a person testing in a
/// desktop browser sees what WeChat would share. Built with text nodes only (share data is page input). At the
/// top right, where a phone-sized page keeps its header rather than its buttons, and taps pass through it.
pub(super) fn render_panel(record: &EmulatorRecord) {
    let Some(state) = super::Emulator::current() else {
        return;
    };
    if !state.state.try_borrow().map(|s| s.options.show_panel).unwrap_or(false) {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else { return };
    let panel = match document.get_element_by_id(PANEL_ID) {
        Some(p) => p,
        None => {
            let Ok(p) = document.create_element("aside") else {
                return;
            };
            p.set_id(PANEL_ID);
            let _ = p.set_attribute(
                "style",
                "position:fixed;right:8px;top:8px;max-width:320px;z-index:2147483647;background:#f7f7f7;\
                 border:1px solid #07c160;border-radius:6px;padding:8px;font:12px/1.4 sans-serif;color:#111;\
                 white-space:pre-wrap;word-break:break-all;opacity:.92;pointer-events:none",
            );
            let _ = body.append_child(&p);
            p
        }
    };
    let mut text = String::from("wxkit emulator — what WeChat would share\n");
    if let Some(s) = &record.app_message_share {
        text.push_str(&format!(
            "friend: {} | {} | {} | {}\n",
            s.title, s.desc, s.link, s.img_url
        ));
    }
    if let Some(s) = &record.timeline_share {
        text.push_str(&format!("moments: {} | {} | {}\n", s.title, s.link, s.img_url));
    }
    panel.set_text_content(Some(&text));
}

#[cfg(test)]
mod tests {
    use super::{Device, base64, user_agent};
    use crate::{Environment, Platform};

    #[test]
    fn user_agents_parse_as_the_device() {
        for (device, platform) in [(Device::Ios, Platform::Ios), (Device::Android, Platform::Android)] {
            let env = Environment::from_user_agent(&user_agent(device, "8.0.50"), false);
            assert!(env.in_wechat);
            assert_eq!(env.platform, platform);
            assert_eq!(env.wechat_version.as_deref(), Some("8.0.50"));
        }
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }
}
