//! A Leptos 0.8 client-side-rendered page using wx-jssdk.
//!
//! wx-jssdk's futures hold JS values, so they are `!Send`: Leptos's `Resource` and `Action::new` (which need
//! `Send` futures) do not accept them, `LocalResource` and `Action::new_local` do. The page loads a local copy
//! of jweixin (the npm CommonJS build Trunk copies to `/vendor/`), signs itself through the wxkit backend
//! (`/api/jssdk/config`, proxied by Trunk.toml), and sets the share content from a text box. Outside WeChat,
//! `?emulate` installs wx-jssdk's emulator first (it reads tickets from the backend's fake WeChat at
//! `/fake-wechat/`, also proxied). index.html requests jweixin and the signed config before the wasm runs;
//! `wx_jssdk::Preload` adopts them.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wx_jssdk::{Backend, ConfigOptions, Configured, JsApi, Preload, SdkSource, WxError, share};

/// Where Trunk puts the npm `weixin-js-sdk` file (see index.html): CommonJS, so it is fetched as text.
const LOCAL_JWEIXIN: &str = "/vendor/jweixin-1.6.0.cjs.js";

fn main() {
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    // `!Send` future: a LocalResource, run once on mount.
    let config = LocalResource::new(set_up);
    // `!Send` future again: Action::new_local (Action::new would not compile).
    let share = Action::new_local(|title: &String| {
        let title = title.clone();
        async move {
            share::update_app_message_share_data(&share::AppMessageShare {
                title,
                desc: "A Leptos page using the WeChat JS-SDK from Rust".into(),
                link: wx_jssdk::url_to_sign(),
                img_url: "https://res.wx.qq.com/a/wx_fed/assets/res/NTI4MWU5.ico".into(),
            })
            .await
        }
    });
    let title = RwSignal::new(String::from("wx-jssdk on Leptos"));
    let status = move || match config.get() {
        None => "loading".to_owned(),
        Some(Ok(done)) => format!("ready: signed {}", done.url),
        Some(Err(e)) => format!("{e} — {}", e.hint()),
    };
    let shared = move || match share.value().get() {
        None => String::new(),
        Some(Ok(())) => "share content set".to_owned(),
        Some(Err(e)) => format!("{e} — {}", e.hint()),
    };
    let ready = move || matches!(config.get(), Some(Ok(_)));
    view! {
        <h1>"wx-jssdk Leptos page"</h1>
        <p id="status">{status}</p>
        <input id="title" bind:value=title />
        <button id="share" disabled=move || !ready() on:click=move |_| { share.dispatch(title.get()); }>
            "Set share content"
        </button>
        <p id="shared">{shared}</p>
    }
}

/// Emulator (outside WeChat, with `?emulate`) → jweixin → signed config → `wx.config`, starting from what
/// index.html's preload script requested while the wasm downloaded.
async fn set_up() -> Result<Configured, WxError> {
    let mut preload = Preload::adopt();
    let in_wechat = wx_jssdk::Environment::detect().in_wechat;
    if !in_wechat && query_has("emulate") {
        wx_jssdk::emulator::install(Default::default()).map_err(|e| WxError::Js(e.to_string()))?;
    }
    // The preloaded jweixin; without one (or if it failed): in WeChat, WeChat's CDN; elsewhere the local copy
    // (the emulator has no CDN to reach).
    if preload.load_preloaded_sdk().await.is_none_or(|loaded| loaded.is_err()) {
        let source = if in_wechat {
            SdkSource::default()
        } else {
            SdkSource::CommonJs(fetch_text(LOCAL_JWEIXIN).await?)
        };
        wx_jssdk::load_sdk(&source).await?;
    }
    let options = ConfigOptions::new([JsApi::UpdateAppMessageShareData, JsApi::UpdateTimelineShareData]);
    // The preloaded signature when it covers this URL; fetched (and self-healed once) otherwise.
    preload.configure(&Backend::default(), &options).await
}

/// The body of `GET url` as text.
async fn fetch_text(url: &str) -> Result<String, WxError> {
    let failed = |detail: String| WxError::LoadFailed {
        detail: format!("GET {url}: {detail}"),
    };
    let window = web_sys::window().ok_or_else(|| failed("no window".into()))?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| failed(format!("{e:?}")))?
        .dyn_into::<web_sys::Response>()
        .map_err(|_| failed("not a response".into()))?;
    if !response.ok() {
        return Err(failed(format!("answered {}", response.status())));
    }
    let text = response.text().map_err(|e| failed(format!("{e:?}")))?;
    let text = wasm_bindgen_futures::JsFuture::from(text)
        .await
        .map_err(|e| failed(format!("{e:?}")))?;
    text.as_string().ok_or_else(|| failed("the body is not text".into()))
}

/// Whether the page's query string names `name`, with or without a value (`?emulate`).
fn query_has(name: &str) -> bool {
    let search = web_sys::window().and_then(|w| w.location().search().ok());
    search.is_some_and(|q| {
        q.trim_start_matches('?')
            .split('&')
            .any(|pair| pair.split('=').next() == Some(name))
    })
}
