use crate::{
    components::{
        cell::{Look, cell},
        error_line::error_line,
        select_field::select_field,
    },
    wx::use_wx,
};
use wx_jssdk::{WxError, location};
use yew::{platform::spawn_local, prelude::*};

const SYSTEMS: &[(&str, &str)] = &[("wgs84", "wgs84"), ("gcj02", "gcj02")];

/// `x` with `digits` decimals, by JS `Number.prototype.toFixed`: Rust's float formatting (`{:.6}`) would add
/// about 10 KB to the wasm for four numbers.
fn fixed(x: f64, digits: u8) -> String {
    js_sys::Number::from(x)
        .to_fixed(digits)
        .map(String::from)
        .unwrap_or_else(|_| "—".to_owned())
}

/// getLocation in either coordinate system, and openLocation for the point.
#[function_component(LocationPanel)]
pub fn location_panel() -> Html {
    let wx = use_wx();
    let gcj02 = use_state(|| false);
    let outcome = use_state(|| None::<Result<location::Location, WxError>>);
    let open_error = use_state(|| None::<WxError>);
    let get = {
        let (gcj02, outcome) = (gcj02.clone(), outcome.clone());
        Callback::from(move |_: MouseEvent| {
            let kind = if *gcj02 {
                location::CoordinateType::Gcj02
            } else {
                location::CoordinateType::Wgs84
            };
            let outcome = outcome.clone();
            spawn_local(async move { outcome.set(Some(location::get_location(kind).await)) });
        })
    };
    let on_kind = {
        let gcj02 = gcj02.clone();
        Callback::from(move |v: String| gcj02.set(v == "gcj02"))
    };
    let body = match &*outcome {
        Some(Ok(here)) => {
            let open = {
                let (here, open_error) = (*here, open_error.clone());
                Callback::from(move |_: MouseEvent| {
                    let options = location::OpenLocation {
                        latitude: here.latitude,
                        longitude: here.longitude,
                        name: "You are here".into(),
                        ..Default::default()
                    };
                    let open_error = open_error.clone();
                    spawn_local(async move { open_error.set(location::open_location(&options).await.err()) });
                })
            };
            html! {
                <>
                    <div class="cells">
                        { cell("Latitude", Some("loc-lat"), Look::Code, fixed(here.latitude, 6)) }
                        { cell("Longitude", Some("loc-lng"), Look::Code, fixed(here.longitude, 6)) }
                        { cell("Accuracy", Some("loc-acc"), Look::Code, fixed(here.accuracy, 0) + " m") }
                        { cell("Speed", None, Look::Code, fixed(here.speed, 1) + " m/s") }
                    </div>
                    <div class="btn-area"><button class="btn" id="loc-open" onclick={open}>{ "Show on WeChat's map" }</button></div>
                    if let Some(e) = &*open_error { { error_line(e) } }
                </>
            }
        }
        Some(Err(e)) => error_line(e),
        None => html! {},
    };
    html! {
        <>
            <h1 class="page-title">{ "Location" }</h1>
            <p class="page-desc">{ "WGS-84 is GPS; GCJ-02 is what maps in China (and openLocation) expect." }</p>
            <div class="cells">
                { select_field("loc-type", "System", SYSTEMS, if *gcj02 { "gcj02" } else { "wgs84" }, on_kind) }
            </div>
            <div class="btn-area">
                <button class="btn btn-primary" id="loc-get" disabled={!wx.is_ready()} onclick={get}>{ "Get my location" }</button>
            </div>
            { body }
        </>
    }
}
