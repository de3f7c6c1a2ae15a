//! `window.WeixinJSBridge`: `invoke(name, args, callback)`, `on(event, callback)`, the ready event, and the
//! permission gate in front of every API.

use super::{
    ConfigAttempt, Device, Emulator, TicketSource, Verified, answers, page,
    verify::{self, PreVerify},
};
use crate::{JsApi, WxError, js};
use js_sys::{Function, Object};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};

/// Installs the bridge object. Its two closures live as long as the page (the bridge is never removed).
pub(super) fn install(emulator: &Emulator) -> Result<(), WxError> {
    let bridge = Object::new();
    let emu = emulator.clone();
    let invoke =
        Closure::<dyn FnMut(JsValue, JsValue, JsValue)>::new(move |name: JsValue, args: JsValue, cb: JsValue| {
            invoke(
                &emu,
                name.as_string().unwrap_or_default(),
                args,
                cb.dyn_into::<Function>().ok(),
            );
        });
    let emu = emulator.clone();
    let on = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |event: JsValue, cb: JsValue| {
        if let (Some(event), Ok(cb)) = (event.as_string(), cb.dyn_into::<Function>()) {
            // Like WeChat's bridge: one callback per event, the latest registration's.
            emu.state.borrow_mut().listeners.insert(event, cb);
        }
    });
    js::set(&bridge, "invoke", invoke.as_ref())?;
    // Old pages use `call` for fire-and-forget invokes.
    js::set(&bridge, "call", invoke.as_ref())?;
    js::set(&bridge, "on", on.as_ref())?;
    js::set(&bridge, "wxkitEmulator", &JsValue::TRUE)?;
    invoke.forget();
    on.forget();
    js::set(&js::window()?.into(), "WeixinJSBridge", &bridge)
}

/// Fires `WeixinJSBridgeReady` on the document, as WeChat does once the bridge exists.
pub(super) fn fire_ready() -> Result<(), WxError> {
    let document = js::window()?
        .document()
        .ok_or_else(|| WxError::Js("no document".into()))?;
    let event = web_sys::Event::new("WeixinJSBridgeReady")?;
    document.dispatch_event(&event)?;
    Ok(())
}

/// The SDK name of a bridge call, for the record (`geoLocation` → `getLocation`).
pub(super) fn sdk_name(bridge_name: &str) -> String {
    match bridge_name {
        "preVerifyJSAPI" => "config".into(),
        other => JsApi::from_any_name(other).map_or_else(|| other.to_owned(), |a| a.name().to_owned()),
    }
}

/// The `jsApiList` entry (bridge name) that allows a bridge call, or `None` when the call needs no entry.
fn required_entry(bridge_name: &str) -> Option<&str> {
    match bridge_name {
        "preVerifyJSAPI" | "closeWindow" | "checkJsApi" | "invokeMiniProgramAPI" => None,
        // Legacy shares run after the user tapped the menu item registered by `onMenuShare*`.
        "shareTimeline" => Some("menu:share:timeline"),
        "sendAppMessage" => Some("menu:share:appmessage"),
        "shareQQ" => Some("menu:share:qq"),
        "shareWeiboApp" => Some("menu:share:weiboApp"),
        "shareQZone" => Some("menu:share:QZone"),
        other => Some(other),
    }
}

/// WeChat's answer for calls it does not (yet) allow: before config finished, or not in the verified list.
fn gate(emulator: &Emulator, bridge_name: &str) -> Option<JsValue> {
    let s = emulator.state.borrow();
    let offline = || Some(answers::native(bridge_name, "the permission value is offline verifying").into());
    if bridge_name == "preVerifyJSAPI" || bridge_name == "closeWindow" || bridge_name == "invokeMiniProgramAPI" {
        return None;
    }
    if s.verifying {
        return offline();
    }
    let entry = required_entry(bridge_name)?;
    match &s.verified {
        Some(v) if v.js_api_list.iter().any(|a| a == entry) => None,
        _ => offline(),
    }
}

/// Takes a queued [`Reply::NoAnswer`](super::Reply::NoAnswer) for `sdk_name`, if it is next.
fn take_no_answer(emulator: &Emulator, sdk_name: &str) -> bool {
    let mut s = emulator.state.borrow_mut();
    match s.scripts.get_mut(sdk_name) {
        Some(queue) if matches!(queue.front(), Some(super::Reply::NoAnswer)) => queue.pop_front().is_some(),
        _ => false,
    }
}

/// The fields jweixin adds to every call's arguments (the config's appId and signature): the same on each
/// call, so the record leaves them out.
const ADDED_TO_EVERY_CALL: [&str; 6] = [
    "appId",
    "verifyAppId",
    "verifySignType",
    "verifyTimestamp",
    "verifyNonceStr",
    "verifySignature",
];

/// What the page sent, as JSON text for the record (see [`super::Call::args`]).
pub(super) fn recorded_args(args: &JsValue) -> String {
    if !args.is_object() {
        return String::new();
    }
    // A copy: the object is the page's (through `wx.invoke`) or jweixin's, not the record's to change.
    let copy = Object::assign(&Object::new(), &Object::from(args.clone()));
    for key in ADDED_TO_EVERY_CALL {
        let _ = js_sys::Reflect::delete_property(&copy, &JsValue::from_str(key));
    }
    // A page can pass anything through `wx.invoke`; what JSON cannot hold (cycles, BigInt) is left out.
    let mut text = js_sys::JSON::stringify(&copy)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    if text.len() > super::MAX_RECORDED_ARGS {
        let mut cut = super::MAX_RECORDED_ARGS;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn invoke(emulator: &Emulator, name: String, args: JsValue, cb: Option<Function>) {
    let gated = gate(emulator, &name);
    let verify_id = (name == "preVerifyJSAPI").then(|| {
        // A new config supersedes an unanswered one; APIs wait until the latest is answered.
        let mut s = emulator.state.borrow_mut();
        s.latest_verify += 1;
        s.verifying = true;
        s.latest_verify
    });
    if take_no_answer(emulator, &sdk_name(&name)) {
        // WeChat took the call and never answered (for config: its verification hangs).
        return;
    }
    let emu = emulator.clone();
    // WeChat answers asynchronously; so does the emulator (after the SDK's call returns).
    wasm_bindgen_futures::spawn_local(async move {
        let result = match gated {
            Some(refusal) => refusal,
            None if name == "preVerifyJSAPI" => pre_verify(&emu, &args, verify_id.unwrap_or_default()).await,
            None => answers::answer(&emu, &name, &args).await,
        };
        if let Some(cb) = cb {
            // jweixin converts the native result in place (err_msg → errMsg) and runs the page's callbacks.
            let _ = cb.call1(&JsValue::NULL, &result);
        }
        // Read before the state is borrowed: serialising runs the page's getters and `toJSON`, which may call
        // `wx.*` again (re-entering the emulator) or throw.
        let recorded = (name != "preVerifyJSAPI").then(|| recorded_args(&args));
        let mut s = emu.state.borrow_mut();
        if name == "preVerifyJSAPI" {
            // The record already holds what jweixin reports (`reported`): wx-jssdk hands the answer to jweixin
            // only after this callback, and only for its latest config.
        } else {
            let err_msg = js::get_string(&result, "errMsg")
                .or_else(|| js::get_string(&result, "err_msg"))
                .unwrap_or_default();
            // Bounded, so a long manual session does not grow without end.
            if s.record.calls.len() >= super::MAX_RECORDED_CALLS {
                s.record.calls.remove(0);
            }
            s.record.calls.push(super::Call {
                api: sdk_name(&name),
                err_msg,
                args: recorded.unwrap_or_default(),
            });
        }
    });
}

fn strings(value: &JsValue) -> Vec<String> {
    super::list(value).iter().filter_map(|v| v.as_string()).collect()
}

async fn pre_verify(emulator: &Emulator, args: &JsValue, verify_id: u64) -> JsValue {
    let js_api_list = strings(&js::get(args, "verifyJsApiList"));
    let request = PreVerify {
        app_id: js::get_string(args, "verifyAppId").unwrap_or_default(),
        timestamp: js::get_string(args, "verifyTimestamp").unwrap_or_default(),
        nonce_str: js::get_string(args, "verifyNonceStr").unwrap_or_default(),
        signature: js::get_string(args, "verifySignature").unwrap_or_default(),
        has_js_api_list: !js_api_list.is_empty(),
    };
    let open_tag_list = strings(&js::get(args, "verifyOpenTagList"));
    let (source, device, landing, domains) = {
        let s = emulator.state.borrow();
        (
            s.options.ticket.clone(),
            s.options.device,
            s.landing_url.clone(),
            s.options.allowed_domains.clone(),
        )
    };
    // WeChat on iOS checks the landing URL; Android the current one.
    let page_url = match device {
        Device::Ios => landing,
        Device::Android => js::window()
            .ok()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default(),
    };
    let ticket = match source {
        TicketSource::Fixed { app_id, ticket } => Ok(if app_id == request.app_id {
            vec![ticket]
        } else {
            Vec::new()
        }),
        TicketSource::FakeWechat { url } => page::fetch_ticket(&url, &request.app_id).await,
    };
    let scripted = emulator
        .state
        .borrow_mut()
        .scripts
        .get_mut("config")
        .and_then(|q| q.pop_front());
    let outcome = match (scripted, ticket) {
        (Some(super::Reply::Ok | super::Reply::OkWith(_)), _) => Ok(()),
        (Some(super::Reply::Fail(reason)), _) => Err(format!("fail_{reason}")),
        (Some(super::Reply::PermissionDenied), _) => Err("access_denied".into()),
        (Some(super::Reply::Cancel), _) => Err("cancel".into()),
        (Some(super::Reply::NoAnswer) | None, Ok(tickets)) => {
            let tickets: Vec<&str> = tickets.iter().map(String::as_str).collect();
            verify::check_config(&request, &tickets, &page_url, domains.as_deref())
                .map_err(|r| r.bridge_text().to_owned())
        }
        (Some(super::Reply::NoAnswer) | None, Err(detail)) => {
            Err(format!("fail_wxkit emulator could not get the jsapi ticket: {detail}"))
        }
    };
    let native_outcome = match &outcome {
        Ok(()) => "ok".to_owned(),
        Err(text) => text.clone(),
    };
    let result = answers::native("preVerifyJSAPI", &native_outcome);
    let err_msg = format!("config:{}", reported(&native_outcome));
    let mut s = emulator.state.borrow_mut();
    // Only the latest config decides what is allowed (an older answer arriving late changes nothing).
    let latest = s.latest_verify == verify_id;
    if latest {
        s.verifying = false;
        s.verified = outcome.is_ok().then(|| Verified {
            app_id: request.app_id.clone(),
            js_api_list: js_api_list.clone(),
            open_tag_list: open_tag_list.clone(),
        });
    }
    s.record.configs.push(ConfigAttempt {
        app_id: request.app_id,
        url: wx_sign::url_for_signing(&page_url).to_owned(),
        ok: outcome.is_ok(),
        err_msg: err_msg.clone(),
        js_api_list: js_api_list.iter().map(|n| sdk_name(n)).collect(),
        open_tag_list: open_tag_list.clone(),
    });
    drop(s);
    if latest {
        super::open_tags::after_config(emulator, &err_msg, outcome.is_ok(), &open_tag_list);
    }
    result.into()
}

/// What jweixin makes of a config answer's outcome (the text after `preVerifyJSAPI:`): `fail_x` → `x`,
/// `access_denied` → `permission denied`, `function not exist` → `ok`, nothing → `fail`.
fn reported(native: &str) -> String {
    let text = match native {
        "confirm" => "ok",
        "failed" => "fail",
        _ => native
            .strip_prefix("failed_")
            .or_else(|| native.strip_prefix("fail_"))
            .unwrap_or(native),
    };
    // ASCII only, as WeChat's native outcomes are (ARCHITECTURE.md, "Size rules").
    let text = text.replace('_', " ").to_ascii_lowercase();
    match text.as_str() {
        "access denied" | "no permission to execute" => "permission denied".into(),
        "function not exist" => "ok".into(),
        "" => "fail".into(),
        _ => text,
    }
}

/// Calls the `on(event)` callback, if any, with a copy of `result`; returns how many were called (0 or 1).
pub(super) fn emit(emulator: &Emulator, event: &str, result: &JsValue) -> usize {
    let callback = emulator.state.borrow().listeners.get(event).cloned();
    let Some(cb) = callback else {
        return 0;
    };
    let copy = Object::assign(&Object::new(), &Object::from(result.clone()));
    let _ = cb.call1(&JsValue::NULL, &copy);
    1
}

#[cfg(test)]
mod tests {
    #[test]
    fn config_outcomes_read_as_jweixin_reports_them() {
        for (native, reported) in [
            ("ok", "ok"),
            ("fail_invalid signature", "invalid signature"),
            ("fail_require subscribe", "require subscribe"),
            ("access_denied", "permission denied"),
            ("fail", "fail"),
            ("cancel", "cancel"),
            ("function_not_exist", "ok"),
            ("", "fail"),
        ] {
            assert_eq!(super::reported(native), reported, "{native}");
        }
    }
}
