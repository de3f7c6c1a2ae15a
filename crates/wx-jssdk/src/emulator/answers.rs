//! The emulator's answer to each bridge call, in WeChat's native format (`err_msg`, native field names,
//! per-device encodings), so that jweixin's own conversion code runs as on a phone.

use super::{
    Device, Emulator, LegacyShare, OpenedLocation, Payment, Preview, Reply, ShareContent, TicketSource,
    bridge::sdk_name, page,
};
use crate::js;
use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

/// `{err_msg: "<name>:<outcome>"}`.
pub(super) fn native(name: &str, outcome: &str) -> Object {
    let o = Object::new();
    let _ = js::set(&o, "err_msg", &JsValue::from_str(&format!("{name}:{outcome}")));
    o
}

fn with(o: Object, key: &str, value: impl Into<JsValue>) -> Object {
    let _ = js::set(&o, key, &value.into());
    o
}

fn text(args: &JsValue, key: &str) -> String {
    js::get_string(args, key).unwrap_or_default()
}

fn share_content(args: &JsValue, img_key: &str) -> ShareContent {
    ShareContent {
        title: text(args, "title"),
        desc: text(args, "desc"),
        link: text(args, "link"),
        img_url: text(args, img_key),
    }
}

fn legacy_share_api(name: &str) -> bool {
    matches!(
        name,
        "shareTimeline" | "sendAppMessage" | "shareQQ" | "shareWeiboApp" | "shareQZone"
    )
}

/// Answers one (allowed) bridge call: a scripted reply if one is queued, else the default behaviour.
pub(super) async fn answer(emulator: &Emulator, name: &str, args: &JsValue) -> JsValue {
    let scripted = emulator
        .state
        .borrow_mut()
        .scripts
        .get_mut(&sdk_name(name))
        .and_then(|q| q.pop_front());
    let result = match scripted {
        Some(Reply::Cancel) => native(name, "cancel"),
        Some(Reply::Fail(reason)) if reason.is_empty() => native(name, "fail"),
        Some(Reply::Fail(reason)) => native(name, &format!("fail {reason}")),
        // WeChat's own text for a refused permission; jweixin turns it into "<api>:permission denied".
        Some(Reply::PermissionDenied) => with(Object::new(), "err_msg", "system:access_denied"),
        Some(Reply::OkWith(extra)) => {
            let o = native(name, "ok");
            Object::assign(&o, &Object::from(extra));
            o
        }
        // NoAnswer is taken by the bridge before it gets here.
        Some(Reply::Ok) => default_answer(emulator, name, args, true).await,
        Some(Reply::NoAnswer) | None => default_answer(emulator, name, args, false).await,
    };
    if legacy_share_api(name) {
        let outcome = js::get_string(&result, "err_msg")
            .and_then(|m| crate::text::split_once(&m, ":").map(|(_, o)| o.to_owned()))
            .unwrap_or_default();
        let outcome = if outcome == "ok" || outcome == "cancel" {
            outcome
        } else {
            "fail".into()
        };
        let mut s = emulator.state.borrow_mut();
        s.record.legacy_shares.push(LegacyShare {
            api: name.to_owned(),
            content: share_content(args, "img_url"),
            outcome,
        });
    }
    result.into()
}

/// `scripted_ok`: the test asked for success, so environment checks (mini-program web-view) are waived.
async fn default_answer(emulator: &Emulator, name: &str, args: &JsValue, scripted_ok: bool) -> Object {
    let device = emulator.state.borrow().options.device;
    let ok = || native(name, "ok");
    match name {
        "updateAppMessageShareData" => {
            let content = share_content(args, "imgUrl");
            emulator.state.borrow_mut().record.app_message_share = Some(content);
            page::render_panel(&emulator.state.borrow().record);
            ok()
        }
        "updateTimelineShareData" => {
            let content = ShareContent {
                desc: String::new(),
                ..share_content(args, "imgUrl")
            };
            emulator.state.borrow_mut().record.timeline_share = Some(content);
            page::render_panel(&emulator.state.borrow().record);
            ok()
        }
        n if legacy_share_api(n) => ok(),
        "imagePreview" => {
            let urls = super::list(&js::get(args, "urls"))
                .iter()
                .filter_map(|v| v.as_string())
                .collect();
            emulator.state.borrow_mut().record.previews.push(Preview {
                current: text(args, "current"),
                urls,
            });
            ok()
        }
        "openLocation" => {
            let num = |k| js::get(args, k).as_f64().unwrap_or(f64::NAN);
            emulator
                .state
                .borrow_mut()
                .record
                .opened_locations
                .push(OpenedLocation {
                    latitude: num("latitude"),
                    longitude: num("longitude"),
                    name: text(args, "name"),
                    address: text(args, "address"),
                });
            ok()
        }
        "hideMenuItems" | "showMenuItems" => {
            let items: Vec<String> = super::list(&js::get(args, "menuList"))
                .iter()
                .filter_map(|v| v.as_string())
                .collect();
            let mut s = emulator.state.borrow_mut();
            let hidden = &mut s.record.hidden_menu_items;
            hidden.retain(|h| !items.contains(h));
            if name == "hideMenuItems" {
                hidden.extend(items);
            }
            drop(s);
            ok()
        }
        "hideOptionMenu" | "showOptionMenu" => {
            emulator.state.borrow_mut().record.option_menu_hidden = name == "hideOptionMenu";
            ok()
        }
        "hideAllNonBaseMenuItem" | "showAllNonBaseMenuItem" => {
            emulator.state.borrow_mut().record.non_base_menu_hidden = name == "hideAllNonBaseMenuItem";
            ok()
        }
        "closeWindow" => {
            emulator.state.borrow_mut().record.closed = true;
            ok()
        }
        "getBrandWCPayRequest" => {
            emulator.state.borrow_mut().record.payments.push(Payment {
                package: text(args, "package"),
                sign_type: text(args, "signType"),
            });
            // WeChat Pay's own result text.
            native("get_brand_wcpay_request", "ok")
        }
        "chooseImage" => choose_image(emulator, name, args, device).await,
        "uploadImage" => upload_image(emulator, name, args).await,
        "uploadVoice" => {
            let mut s = emulator.state.borrow_mut();
            s.counter += 1;
            let server_id = format!("wxkit-emulated-media-{}", s.counter);
            s.media.insert(server_id.clone(), text(args, "localId"));
            with(ok(), "serverId", server_id)
        }
        "downloadImage" | "downloadVoice" => {
            let local = emulator.state.borrow().media.get(&text(args, "serverId")).cloned();
            match local {
                Some(local_id) => with(ok(), "localId", local_id),
                None => native(name, "fail media not found (upload it with this emulator first)"),
            }
        }
        "getLocalImgData" => match page::data_url(&text(args, "localId")).await {
            Ok(data) => with(ok(), "localData", data),
            Err(e) => native(name, &format!("fail {e}")),
        },
        "geoLocation" => locate(emulator, name, args).await,
        "scanQRCode" => scan(emulator, name, args, device),
        "getNetworkType" => {
            let net = emulator.state.borrow().options.network_type.clone();
            match net.as_str() {
                // The native answer carries the type in err_msg; cellular generations come as a subtype.
                "wifi" | "edge" | "wwan" => native("network_type", &net),
                _ => with(native("network_type", "wwan"), "subtype", net),
            }
        }
        "checkJsApi" => {
            let result = Object::new();
            for api in super::list(&js::get(args, "jsApiList"))
                .iter()
                .filter_map(|v| v.as_string())
            {
                let known = crate::JsApi::from_any_name(&api).is_some();
                let _ = js::set(&result, &api, &JsValue::from_bool(known));
            }
            let encoded: JsValue = match device {
                // Android's WeChat sends checkResult as a JSON string; jweixin parses it.
                Device::Android => js_sys::JSON::stringify(&result)
                    .map(JsValue::from)
                    .unwrap_or(JsValue::NULL),
                Device::Ios => result.into(),
            };
            with(ok(), "checkResult", encoded)
        }
        "stopRecord" => {
            let mut s = emulator.state.borrow_mut();
            s.counter += 1;
            with(ok(), "localId", format!("wxkit-emulated-voice-{}", s.counter))
        }
        "translateVoice" => with(ok(), "translateResult", "(wxkit emulator: no speech recognition)"),
        "editAddress" => {
            let o = ok();
            for (k, v) in [
                ("userName", "wxkit"),
                ("addressPostalCode", "200000"),
                ("proviceFirstStageName", "Shanghai"),
                ("addressCitySecondStageName", "Shanghai"),
                ("addressCountiesThirdStageName", "Huangpu"),
                ("addressDetailInfo", "1 Emulator Road"),
                ("nationalCode", "310101"),
                ("telNumber", "10000000000"),
            ] {
                let _ = js::set(&o, k, &JsValue::from_str(v));
            }
            o
        }
        "batchAddCard" => {
            let cards = super::list(&js::get(args, "card_list"));
            let added = Array::new();
            for card in cards.iter() {
                let a = Object::new();
                let _ = js::set(&a, "card_id", &js::get(&card, "card_id"));
                let _ = js::set(&a, "card_ext", &js::get(&card, "card_ext"));
                let _ = js::set(&a, "is_succ", &JsValue::from_f64(1.0));
                added.push(&a);
            }
            let json = js_sys::JSON::stringify(&added)
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL);
            with(ok(), "card_list", json)
        }
        "chooseCard" => choose_card(emulator, name, args, device),
        // jweixin copies `err_code` to `errCode` for these two; WeChat Pay's docs give iOS's as a number and
        // Android's as a string, and openBusinessView's `extraData` as an object or (Android) JSON text.
        "openEnterpriseChat" => with(ok(), "err_code", 0),
        "openBusinessView" => match device {
            Device::Android => with(with(ok(), "err_code", "0"), "extraData", "{}"),
            Device::Ios => with(with(ok(), "err_code", 0), "extraData", Object::new()),
        },
        "invokeMiniProgramAPI" => {
            if scripted_ok || emulator.state.borrow().options.mini_program {
                ok()
            } else {
                native(name, "fail not inside a mini program web-view")
            }
        }
        "startRecord"
        | "playVoice"
        | "pauseVoice"
        | "stopVoice"
        | "batchViewCard"
        | "openProductViewWithPid"
        | "consumedShareCard"
        | "startMonitoringBeacons"
        | "stopMonitoringBeacons"
        | "launchMiniProgram"
        | "getRecevieBizHongBaoRequest" => ok(),
        // jweixin turns `fail_function_not_exist` into "<api>:function not exist".
        _ => native(name, "fail_function_not_exist"),
    }
}

/// One card from the wallet: the asked-for card id (or a made-up one) and a fresh "encrypted" code.
fn choose_card(emulator: &Emulator, name: &str, args: &JsValue, device: Device) -> Object {
    let code = {
        let mut s = emulator.state.borrow_mut();
        s.counter += 1;
        format!("wxkit-emulated-encrypt-code-{}", s.counter)
    };
    let asked = text(args, "card_id");
    let card = Object::new();
    let card_id = if asked.is_empty() {
        "wxkit-emulated-card"
    } else {
        &asked
    };
    let _ = js::set(&card, "card_id", &JsValue::from_str(card_id));
    let _ = js::set(&card, "encrypt_code", &JsValue::from_str(&code));
    let cards = Array::of1(&card);
    let info: JsValue = match device {
        // Which client sends which form is not documented: the emulator gives Android JSON text (as
        // `choose_card_info` is documented) and iOS an array, so pages meet both.
        Device::Android => js_sys::JSON::stringify(&cards)
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL),
        Device::Ios => cards.into(),
    };
    with(native(name, "ok"), "choose_card_info", info)
}

/// `uploadImage`: as a phone sends the photo to WeChat's servers, the emulator sends it to the fake WeChat its
/// tickets come from (`…/test-only/client-media` beside `…/test-only/jsapi-ticket`), so a server that downloads
/// the `serverId` with `media/get` finds it there. With a fixed ticket there is no fake WeChat: the id is
/// local to the emulator (`downloadImage` still finds it).
async fn upload_image(emulator: &Emulator, name: &str, args: &JsValue) -> Object {
    let local_id = text(args, "localId");
    let (source, app_id) = {
        let s = emulator.state.borrow();
        (s.options.ticket.clone(), s.verified.as_ref().map(|v| v.app_id.clone()))
    };
    let server_id = match (source, app_id) {
        (TicketSource::FakeWechat { url }, Some(app_id)) => {
            let media_url = match url.strip_suffix("jsapi-ticket") {
                Some(base) => base.to_owned() + "client-media",
                None => url + "/../client-media",
            };
            match page::upload_media(&media_url, &app_id, &local_id).await {
                Ok(id) => id,
                Err(e) => return native(name, &format!("fail {e}")),
            }
        }
        _ => {
            let mut s = emulator.state.borrow_mut();
            s.counter += 1;
            format!("wxkit-emulated-media-{}", s.counter)
        }
    };
    emulator.state.borrow_mut().media.insert(server_id.clone(), local_id);
    with(native(name, "ok"), "serverId", server_id)
}

async fn choose_image(emulator: &Emulator, name: &str, args: &JsValue, device: Device) -> Object {
    let count = js::get(args, "count").as_f64().unwrap_or(9.0).clamp(1.0, 9.0) as usize;
    let queued = emulator.state.borrow_mut().next_images.pop_front();
    let picked = match queued {
        Some(ids) => Ok(Some(ids)),
        None => page::pick_files(count).await,
    };
    let ids = match picked {
        Ok(Some(ids)) if !ids.is_empty() => ids.into_iter().take(count).collect::<Vec<_>>(),
        Ok(_) => return native(name, "cancel"),
        Err(e) => return native(name, &format!("fail {e}")),
    };
    let array: Array = ids.iter().map(|s| JsValue::from_str(s)).collect();
    let local_ids: JsValue = match device {
        // Android's WeChat sends localIds as a JSON string; jweixin parses it.
        Device::Android => js_sys::JSON::stringify(&array)
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL),
        Device::Ios => array.into(),
    };
    with(with(native(name, "ok"), "localIds", local_ids), "sourceType", "album")
}

async fn locate(emulator: &Emulator, name: &str, args: &JsValue) -> Object {
    let fixed = emulator.state.borrow().options.location;
    let located = match fixed {
        Some(l) => Ok(l),
        None => page::geolocate().await,
    };
    match located {
        Ok(l) => {
            // jweixin sends `wgs84` unless the page asked otherwise; WeChat answers `gcj02` in China's offset frame.
            let (latitude, longitude) = if text(args, "type") == "gcj02" {
                super::gcj02::from_wgs84(l.latitude, l.longitude)
            } else {
                (l.latitude, l.longitude)
            };
            let o = native(name, "ok");
            let _ = js::set(&o, "latitude", &latitude.into());
            let _ = js::set(&o, "longitude", &longitude.into());
            let _ = js::set(&o, "accuracy", &l.accuracy.into());
            let _ = js::set(&o, "speed", &JsValue::from_f64(-1.0));
            o
        }
        // The user refused the location permission: WeChat reports a cancel.
        Err(page::GeoFailure::Denied) => native(name, "cancel"),
        Err(page::GeoFailure::Other(e)) => native(name, &format!("fail {e}")),
    }
}

fn scan(emulator: &Emulator, name: &str, args: &JsValue, device: Device) -> Object {
    let need_result = js::get(args, "needResult").as_f64() == Some(1.0);
    let queued = emulator.state.borrow_mut().next_scans.pop_front();
    let text = match queued {
        Some(t) => t,
        None => match page::prompt("wxkit emulator — scanQRCode: the text the code contains") {
            Some(t) => t,
            None => return native(name, "cancel"),
        },
    };
    if !need_result {
        return native(name, "ok");
    }
    let result_str = match device {
        // iOS WeChat wraps the result; jweixin unwraps scan_code.scan_result.
        Device::Ios => {
            let inner = Object::new();
            let _ = js::set(&inner, "scan_result", &JsValue::from_str(&text));
            let outer = Object::new();
            let _ = js::set(&outer, "scan_code", &inner);
            js_sys::JSON::stringify(&outer).map(String::from).unwrap_or_default()
        }
        Device::Android => text,
    };
    with(native(name, "ok"), "resultStr", result_str)
}
