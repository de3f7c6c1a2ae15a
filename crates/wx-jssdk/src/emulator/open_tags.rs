//! Open tags in a desktop browser: once a config with an `openTagList` is verified, each tag of the list in the
//! page (present or added later) is drawn as a tappable placeholder (its template in a shadow root) and fires
//! `ready`; a tap fires what WeChat fires (`launch`, `success` of `wx-open-subscribe`, `play`/`pause` of
//! `wx-open-audio`), or `error` when a required attribute is missing or a [`Reply`] scripted under the tag's
//! name says so. Each tap is recorded as a [`Call`](super::Call) named after the tag. A failed config with open
//! tags fires `WeixinOpenTagsError` on the document.

use super::{Emulator, Reply};
use crate::{OpenTag, js, open_tags::OPEN_TAGS_ERROR_EVENT};
use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};

/// Marks a tag the emulator has drawn.
const DRAWN: &str = "data-wxkit-open-tag";
/// Marks a playing `wx-open-audio`.
const PLAYING: &str = "data-wxkit-playing";

/// The listeners the emulator keeps for open tags (one of each for the page's lifetime).
pub(crate) struct Ui {
    _observer: web_sys::MutationObserver,
    _on_mutation: Closure<dyn FnMut(JsValue)>,
    tap: Closure<dyn FnMut(web_sys::Event)>,
}

/// After a config was answered: draws the verified tags (and watches for more), or reports the failure.
pub(crate) fn after_config(emulator: &Emulator, err_msg: &str, ok: bool, open_tag_list: &[String]) {
    if open_tag_list.is_empty() {
        return;
    }
    if !ok {
        let _ = dispatch_document_error(err_msg);
        return;
    }
    if emulator.state.borrow().open_tags_ui.is_none()
        && let Some(ui) = watch(emulator)
    {
        emulator.state.borrow_mut().open_tags_ui = Some(ui);
    }
    draw_all(emulator);
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn watch(emulator: &Emulator) -> Option<Ui> {
    let emu = emulator.clone();
    let on_mutation = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| draw_all(&emu));
    let observer = web_sys::MutationObserver::new(on_mutation.as_ref().unchecked_ref()).ok()?;
    let init = web_sys::MutationObserverInit::new();
    let root: web_sys::Node = document()?.document_element()?.into();
    init.set_child_list(true);
    init.set_subtree(true);
    observer.observe_with_options(&root, &init).ok()?;
    let emu = emulator.clone();
    let tap = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        if let Some(element) = event
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            tapped(&emu, &element);
        }
    });
    Some(Ui {
        _observer: observer,
        _on_mutation: on_mutation,
        tap,
    })
}

/// The tags of the verified openTagList.
fn verified_tags(emulator: &Emulator) -> Vec<OpenTag> {
    let s = emulator.state.borrow();
    let Some(verified) = &s.verified else {
        return Vec::new();
    };
    OpenTag::ALL
        .into_iter()
        .filter(|t| verified.open_tag_list.iter().any(|n| n == t.name()))
        .collect()
}

fn draw_all(emulator: &Emulator) {
    let Some(document) = document() else { return };
    for tag in verified_tags(emulator) {
        let Ok(found) = document.query_selector_all(tag.name()) else {
            continue;
        };
        for i in 0..found.length() {
            if let Some(element) = found.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                let _ = draw(emulator, tag, &element);
            }
        }
    }
}

/// The tag's own button markup: its `<script type="text/wxtag-template">` (or `<template>`) child.
fn template_html(element: &web_sys::Element, tag: OpenTag) -> String {
    let template = element
        .query_selector("script[type='text/wxtag-template'], template")
        .ok()
        .flatten();
    let html = match template {
        Some(t) if t.local_name() == "template" => t.inner_html(),
        Some(t) => t.text_content().unwrap_or_default(),
        None => String::new(),
    };
    if html.trim().is_empty() {
        format!("<button>{}</button>", tag.name())
    } else {
        html
    }
}

fn draw(emulator: &Emulator, tag: OpenTag, element: &web_sys::Element) -> Result<(), JsValue> {
    if element.has_attribute(DRAWN) {
        return Ok(());
    }
    element.set_attribute(DRAWN, "")?;
    let root = element.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?;
    root.set_inner_html(&format!(
        "<div style=\"display:inline-block;cursor:pointer;outline:1px dashed #07c160\" \
         title=\"{} (wxkit emulator)\">{}</div>",
        tag.name(),
        template_html(element, tag)
    ));
    if let Some(ui) = &emulator.state.borrow().open_tags_ui {
        element.add_event_listener_with_callback("click", ui.tap.as_ref().unchecked_ref())?;
    }
    dispatch(element, "ready", &Object::new())
}

/// The attribute a tap needs, and the errMsg prefix of the tag's failures.
fn requirement(tag: OpenTag) -> (&'static str, &'static str) {
    match tag {
        OpenTag::LaunchWeapp => ("username", "launch"),
        OpenTag::LaunchApp => ("appid", "launch"),
        OpenTag::Subscribe => ("template", "subscribe"),
        OpenTag::Audio => ("src", "audio"),
    }
}

fn tapped(emulator: &Emulator, element: &web_sys::Element) {
    let name = element.local_name();
    let Some(tag) = OpenTag::ALL.into_iter().find(|t| t.name() == name) else {
        return;
    };
    let (required, prefix) = requirement(tag);
    let scripted = emulator
        .state
        .borrow_mut()
        .scripts
        .get_mut(tag.name())
        .and_then(|q| q.pop_front());
    let failure = match scripted {
        Some(Reply::NoAnswer) => return,
        Some(Reply::Fail(reason)) => Some(format!("{prefix}:fail {reason}")),
        Some(Reply::PermissionDenied) => Some(format!("{prefix}:fail permission denied")),
        Some(Reply::Cancel) => Some(format!("{prefix}:cancel")),
        Some(Reply::Ok | Reply::OkWith(_)) | None => match element.get_attribute(required) {
            Some(v) if !v.trim().is_empty() => None,
            _ => Some(format!("{prefix}:fail the {required} attribute is missing")),
        },
    };
    let (event, detail, err_msg) = match failure {
        Some(err_msg) => {
            let detail = Object::new();
            let _ = js::set(&detail, "errMsg", &JsValue::from_str(&err_msg));
            ("error", detail, err_msg)
        }
        None => success(tag, element),
    };
    let _ = dispatch(element, event, &detail);
    let args = attributes(element);
    emulator.state.borrow_mut().record.calls.push(super::Call {
        api: tag.name().to_owned(),
        err_msg,
        args: super::bridge::recorded_args(&args),
    });
}

/// What a successful tap fires: the event, its detail, the recorded errMsg.
fn success(tag: OpenTag, element: &web_sys::Element) -> (&'static str, Object, String) {
    let detail = Object::new();
    match tag {
        OpenTag::LaunchWeapp | OpenTag::LaunchApp => ("launch", detail, "launch:ok".into()),
        OpenTag::Subscribe => {
            // Every template accepted, in WeChat's shape: JSON text whose values are JSON text.
            let details = Object::new();
            let accepted = JsValue::from_str("{\"status\":\"accept\"}");
            for id in element.get_attribute("template").unwrap_or_default().split(',') {
                let _ = js::set(&details, id.trim(), &accepted);
            }
            let text = js_sys::JSON::stringify(&details).map(String::from).unwrap_or_default();
            let _ = js::set(&detail, "subscribeDetails", &JsValue::from_str(&text));
            ("success", detail, "subscribe:ok".into())
        }
        OpenTag::Audio => {
            let playing = element.has_attribute(PLAYING);
            let _ = if playing {
                element.remove_attribute(PLAYING)
            } else {
                element.set_attribute(PLAYING, "")
            };
            let event = if playing { "pause" } else { "play" };
            (event, detail, format!("audio:{event}"))
        }
    }
}

/// The tag's attributes (not the emulator's marks), as the call's recorded arguments.
fn attributes(element: &web_sys::Element) -> JsValue {
    let args = Object::new();
    let names = element.get_attribute_names();
    for name in names.iter().filter_map(|n| n.as_string()) {
        if !name.starts_with("data-wxkit-")
            && let Some(value) = element.get_attribute(&name)
        {
            let _ = js::set(&args, &name, &JsValue::from_str(&value));
        }
    }
    args.into()
}

fn dispatch(target: &web_sys::EventTarget, name: &str, detail: &JsValue) -> Result<(), JsValue> {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(detail);
    let event = web_sys::CustomEvent::new_with_event_init_dict(name, &init)?;
    target.dispatch_event(&event)?;
    Ok(())
}

fn dispatch_document_error(err_msg: &str) -> Result<(), JsValue> {
    let detail = Object::new();
    let _ = js::set(&detail, "errMsg", &JsValue::from_str(err_msg));
    let document = document().ok_or_else(|| JsValue::from_str("no document"))?;
    dispatch(&document, OPEN_TAGS_ERROR_EVENT, &detail.into())
}
