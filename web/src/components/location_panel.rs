use crate::{components::error_line::ErrorLine, wx::use_wx};
use wx_jssdk::{WxError, location};
use yew::{platform::spawn_local, prelude::*};

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
        Callback::from(move |e: Event| {
            gcj02.set(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value() == "gcj02")
        })
    };
    let body = match &*outcome {
        Some(Ok(here)) => {
            let open = {
                let (here, open_error) = (here.clone(), open_error.clone());
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
                        <div class="cell"><span class="cell-label">{ "Latitude" }</span><span class="cell-value mono" id="loc-lat">{ format!("{:.6}", here.latitude) }</span></div>
                        <div class="cell"><span class="cell-label">{ "Longitude" }</span><span class="cell-value mono" id="loc-lng">{ format!("{:.6}", here.longitude) }</span></div>
                        <div class="cell"><span class="cell-label">{ "Accuracy" }</span><span class="cell-value mono" id="loc-acc">{ format!("{:.0} m", here.accuracy) }</span></div>
                        <div class="cell"><span class="cell-label">{ "Speed" }</span><span class="cell-value mono">{ format!("{:.1} m/s", here.speed) }</span></div>
                    </div>
                    <div class="btn-area"><button class="btn" id="loc-open" onclick={open}>{ "Show on WeChat's map" }</button></div>
                    if let Some(e) = &*open_error { <ErrorLine error={e.clone()} /> }
                </>
            }
        }
        Some(Err(e)) => html! { <ErrorLine error={e.clone()} /> },
        None => html! {},
    };
    html! {
        <>
            <h1 class="page-title">{ "Location" }</h1>
            <p class="page-desc">{ "WGS-84 is GPS; GCJ-02 is what maps in China (and openLocation) expect." }</p>
            <div class="cells">
                <label class="cell"><span class="cell-label">{ "System" }</span>
                    <select id="loc-type" onchange={on_kind}>
                        <option value="wgs84">{ "wgs84" }</option>
                        <option value="gcj02">{ "gcj02" }</option>
                    </select></label>
            </div>
            <div class="btn-area">
                <button class="btn btn-primary" id="loc-get" disabled={!wx.is_ready()} onclick={get}>{ "Get my location" }</button>
            </div>
            { body }
        </>
    }
}
