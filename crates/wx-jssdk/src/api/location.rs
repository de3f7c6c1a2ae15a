//! Location: getLocation and openLocation.

use crate::{WxError, call::call};
use serde::{Deserialize, Deserializer, Serialize};

/// Coordinate system of `getLocation`.
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
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Location {
    /// Latitude, −90…90.
    #[serde(deserialize_with = "lenient_f64")]
    pub latitude: f64,
    /// Longitude, −180…180.
    #[serde(deserialize_with = "lenient_f64")]
    pub longitude: f64,
    /// Speed in m/s (some clients send −1 when unknown).
    #[serde(default, deserialize_with = "lenient_f64")]
    pub speed: f64,
    /// Accuracy in metres.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub accuracy: f64,
}

/// Some WeChat clients send coordinates as strings.
fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        F(f64),
        S(String),
    }
    match Num::deserialize(d)? {
        Num::F(f) => Ok(f),
        Num::S(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
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
    call("getLocation", &GetLocationArgs { kind }).await
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
