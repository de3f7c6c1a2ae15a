//! A plain `web-sys` page using wx-jssdk, with no UI framework.
//!
//! It loads jweixin, signs the page through the wxkit backend (`/api/jssdk/config`, self-healing once),
//! sets the share content, and offers a "choose photos" button that shows the chosen images. Outside WeChat
//! it installs the emulator when the URL has `?emulate` (the backend's fake WeChat must be reachable at
//! `/fake-wechat/`, as with `wx-server serve --mock`).
//!
//! Without the `jssdk` feature it builds the same page without wx-jssdk: the baseline of the size figure in
//! `cargo xtask bench`.

use wasm_bindgen::{JsCast, JsValue, closure::Closure, prelude::wasm_bindgen};
use web_sys::{Document, Element};

/// Runs when the module loads.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let body = document.body().ok_or("no body")?;
    let title = document.create_element("h1")?;
    title.set_text_content(Some("wx-jssdk plain page"));
    let status = document.create_element("p")?;
    status.set_id("status");
    let button = document.create_element("button")?;
    button.set_text_content(Some("Choose photos"));
    let gallery = document.create_element("div")?;
    gallery.set_id("gallery");
    for el in [&title, &status, &button, &gallery] {
        body.append_child(el)?;
    }
    let on_click = {
        let document = document.clone();
        Closure::<dyn FnMut()>::new(move || {
            let document = document.clone();
            wasm_bindgen_futures::spawn_local(async move { choose(&document).await });
        })
    };
    button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    // The button lives as long as the page.
    on_click.forget();
    wasm_bindgen_futures::spawn_local(async move { set_up(&document).await });
    Ok(())
}

fn show(document: &Document, text: &str) {
    if let Some(status) = document.get_element_by_id("status") {
        status.set_text_content(Some(text));
    }
}

fn add_image(document: &Document, src: &str) -> Result<(), JsValue> {
    let img: Element = document.create_element("img")?;
    img.set_attribute("src", src)?;
    img.set_attribute("style", "max-width:30%;margin:4px")?;
    if let Some(gallery) = document.get_element_by_id("gallery") {
        gallery.append_child(&img)?;
    }
    Ok(())
}

#[cfg(feature = "jssdk")]
async fn set_up(document: &Document) {
    use wx_jssdk::{Backend, ConfigOptions, JsApi, SdkSource, share};
    #[cfg(feature = "emulator")]
    {
        if !wx_jssdk::Environment::detect().in_wechat
            && query_has("emulate")
            && let Err(e) = wx_jssdk::emulator::install(Default::default())
        {
            show(document, &format!("emulator: {e}"));
            return;
        }
    }
    let result = async {
        // `?sdk=<url>` loads jweixin from there first (a self-hosted copy), then WeChat's CDN.
        let mut source = SdkSource::default();
        if let (SdkSource::Urls(urls), Some(own)) = (&mut source, query_value("sdk")) {
            urls.insert(0, own);
        }
        wx_jssdk::load_sdk(&source).await?;
        let options = ConfigOptions::new([
            JsApi::UpdateAppMessageShareData,
            JsApi::UpdateTimelineShareData,
            JsApi::ChooseImage,
        ]);
        wx_jssdk::configure_from_backend(&Backend::default(), &options).await?;
        share::update_app_message_share_data(&share::AppMessageShare {
            title: "wx-jssdk plain page".into(),
            desc: "A web-sys page using the WeChat JS-SDK from Rust".into(),
            link: wx_jssdk::url_to_sign(),
            img_url: "https://res.wx.qq.com/a/wx_fed/assets/res/NTI4MWU5.ico".into(),
        })
        .await
    }
    .await;
    match result {
        Ok(()) => show(document, "ready: share content set"),
        Err(e) => show(document, &format!("{e} — {}", e.hint())),
    }
}

/// The value of `name` in the page's query string, percent-decoded.
#[cfg(feature = "jssdk")]
fn query_value(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|pair| {
        // `splitn`, not `split_once`: see ../../clippy.toml.
        let mut kv = pair.splitn(2, '=');
        let (k, v) = (kv.next()?, kv.next()?);
        (k == name).then(|| js_sys_decode(v))
    })
}

/// Whether the page's query string names `name`, with or without a value (`?emulate`).
#[cfg(feature = "emulator")]
fn query_has(name: &str) -> bool {
    let search = web_sys::window().and_then(|w| w.location().search().ok());
    search.is_some_and(|q| {
        q.trim_start_matches('?')
            .split('&')
            .any(|pair| pair.split('=').next() == Some(name))
    })
}

#[cfg(feature = "jssdk")]
fn js_sys_decode(v: &str) -> String {
    js_sys::decode_uri_component(v)
        .map(String::from)
        .unwrap_or_else(|_| v.to_owned())
}

#[cfg(feature = "jssdk")]
async fn choose(document: &Document) {
    match wx_jssdk::image::choose_image(&Default::default()).await {
        Ok(chosen) => {
            for id in &chosen.local_ids {
                if let Err(e) = add_image(document, id) {
                    show(document, &format!("{e:?}"));
                }
            }
        }
        Err(wx_jssdk::WxError::Cancelled { .. }) => show(document, "cancelled"),
        Err(e) => show(document, &format!("{e} — {}", e.hint())),
    }
}

#[cfg(not(feature = "jssdk"))]
async fn set_up(document: &Document) {
    show(document, "ready (no JS-SDK in this build)");
}

#[cfg(not(feature = "jssdk"))]
async fn choose(document: &Document) {
    if let Err(e) = add_image(document, "data:image/gif;base64,R0lGODlhAQABAAAAACw=") {
        show(document, &format!("{e:?}"));
    }
}
