use crate::{
    components::{
        button::{Kind, button_area},
        cell::{Look, cell},
        error_line::error_line,
        page_head::page_head,
        select_field::select_field,
    },
    task::spawn,
    updater::Updater,
    wx::WxContext,
};
use wx_jssdk::{WxError, location};
use yew::prelude::*;

const SYSTEMS: &[(&str, &str)] = &[("gcj02", "gcj02"), ("wgs84", "wgs84")];

/// `x` with `digits` decimals, by JS `Number.prototype.toFixed` rather than Rust's float formatting
/// (ARCHITECTURE.md, "Size rules").
fn fixed(x: f64, digits: u8) -> String {
    js_sys::Number::from(x)
        .to_fixed(digits)
        .map(String::from)
        .unwrap_or_else(|_| "—".to_owned())
}

/// A measurement with its unit, or "unknown" where WeChat reports −1 (speed, accuracy: any negative value, which
/// none of them can really be).
fn reading(x: f64, digits: u8, unit: &str) -> String {
    if x < 0.0 || x.is_nan() {
        "unknown".to_owned()
    } else {
        fixed(x, digits) + unit
    }
}

/// What the location panel keeps while it is shown.
#[derive(Clone, Default)]
pub struct LocationState {
    /// GPS coordinates asked for; GCJ-02 by default, the system openLocation (the map button) expects.
    wgs84: bool,
    outcome: Option<Result<location::Location, WxError>>,
    open_error: Option<WxError>,
}

/// getLocation in either coordinate system, and openLocation for the point.
pub fn location_panel<R: 'static>(wx: &WxContext, state: &LocationState, up: &Updater<R, LocationState>) -> Html {
    let get = {
        let (wgs84, up) = (state.wgs84, up.clone());
        Callback::from(move |_: MouseEvent| {
            let kind = if wgs84 {
                location::CoordinateType::Wgs84
            } else {
                location::CoordinateType::Gcj02
            };
            let up = up.clone();
            spawn(async move {
                let here = location::get_location(kind).await;
                up.update(|s| {
                    s.outcome = Some(here);
                    // The map button's error was about the previous point.
                    s.open_error = None;
                });
            });
        })
    };
    let on_kind = up.setter(|s, v| s.wgs84 = v == "wgs84");
    let body = match &state.outcome {
        Some(Ok(here)) => {
            let open = {
                let (here, up) = (*here, up.clone());
                Callback::from(move |_: MouseEvent| {
                    let options = location::OpenLocation {
                        latitude: here.latitude,
                        longitude: here.longitude,
                        name: "You are here".into(),
                        ..Default::default()
                    };
                    let up = up.clone();
                    spawn(async move {
                        let error = location::open_location(&options).await.err();
                        up.update(|s| s.open_error = error);
                    });
                })
            };
            html! {
                <>
                    <div class="cells">
                        { cell("Latitude", Some("loc-lat"), Look::Code, fixed(here.latitude, 6)) }
                        { cell("Longitude", Some("loc-lng"), Look::Code, fixed(here.longitude, 6)) }
                        { cell("Accuracy", Some("loc-acc"), Look::Code, reading(here.accuracy, 0, " m")) }
                        { cell("Speed", None, Look::Code, reading(here.speed, 1, " m/s")) }
                    </div>
                    { button_area(Kind::Plain, "loc-open", "Show on WeChat's map", false, open) }
                    if let Some(e) = &state.open_error { { error_line(e) } }
                </>
            }
        }
        Some(Err(e)) => error_line(e),
        None => html! {},
    };
    html! {
        <>
            { page_head("Location", "WGS-84 is GPS; GCJ-02 is what maps in China (and openLocation) expect.") }
            <div class="cells">
                { select_field("loc-type", "System", SYSTEMS, if state.wgs84 { "wgs84" } else { "gcj02" }, on_kind) }
            </div>
            { button_area(Kind::Primary, "loc-get", "Get my location", !wx.is_ready(), get) }
            { body }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::reading;

    #[test]
    fn minus_one_reads_unknown() {
        for unknown in [-1.0, -0.5, f64::NAN] {
            assert_eq!(reading(unknown, 1, " m/s"), "unknown");
            assert_eq!(reading(unknown, 0, " m"), "unknown");
        }
    }
}
