//! Location: getLocation and openLocation.

use crate::{WxError, call::call, read};
use serde::Serialize;

/// Coordinate system of `getLocation`.
///
/// ```
/// assert_eq!(wx_jssdk::location::CoordinateType::default(), wx_jssdk::location::CoordinateType::Wgs84);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CoordinateType {
    /// GPS coordinates (the default).
    #[default]
    Wgs84,
    /// China's "Mars" coordinates, what [`open_location`] expects.
    Gcj02,
}

/// A position from `getLocation`.
///
/// ```
/// let l = wx_jssdk::location::Location { latitude: 39.9, longitude: 116.4, speed: 0.0, accuracy: 65.0 };
/// assert!(l.latitude > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Location {
    /// Latitude, −90…90.
    pub latitude: f64,
    /// Longitude, −180…180.
    pub longitude: f64,
    /// Speed in m/s (some clients send −1 when unknown).
    pub speed: f64,
    /// Accuracy in metres.
    pub accuracy: f64,
}

#[derive(Serialize)]
struct GetLocationArgs {
    #[serde(rename = "type")]
    kind: CoordinateType,
}

/// The device's position (WeChat asks the user for permission the first time).
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// let here = wx_jssdk::location::get_location(wx_jssdk::location::CoordinateType::Gcj02).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Cancel (the user refused), permission and failure, typed.
pub async fn get_location(kind: CoordinateType) -> Result<Location, WxError> {
    let res = call("getLocation", &GetLocationArgs { kind }).await?;
    // Some WeChat clients send the numbers as strings; read::number accepts both.
    Ok(Location {
        latitude: read::number("getLocation", &res, "latitude")?,
        longitude: read::number("getLocation", &res, "longitude")?,
        speed: read::number_or("getLocation", &res, "speed", -1.0)?,
        accuracy: read::number_or("getLocation", &res, "accuracy", 0.0)?,
    })
}

/// Options of `openLocation` (GCJ-02 coordinates).
///
/// ```
/// let o = wx_jssdk::location::OpenLocation { latitude: 39.9, longitude: 116.4, name: "Here".into(), ..Default::default() };
/// assert_eq!(o.scale, 28);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenLocation {
    /// Latitude (GCJ-02).
    pub latitude: f64,
    /// Longitude (GCJ-02).
    pub longitude: f64,
    /// Place name.
    pub name: String,
    /// Address line.
    pub address: String,
    /// Zoom 1–28 (default 28, the closest).
    pub scale: u8,
    /// A link shown at the bottom of the map view.
    pub info_url: String,
}

impl Default for OpenLocation {
    fn default() -> Self {
        OpenLocation {
            latitude: 0.0,
            longitude: 0.0,
            name: String::new(),
            address: String::new(),
            scale: 28,
            info_url: String::new(),
        }
    }
}

/// Shows a place in WeChat's map.
///
/// ```no_run
/// # async fn demo() -> Result<(), wx_jssdk::WxError> {
/// wx_jssdk::location::open_location(&wx_jssdk::location::OpenLocation {
///     latitude: 39.908, longitude: 116.397, name: "Tian'anmen".into(), ..Default::default()
/// }).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// Typed failures.
pub async fn open_location(options: &OpenLocation) -> Result<(), WxError> {
    crate::call::call_unit("openLocation", options).await
}
