//! WGS-84 → GCJ-02, the offset coordinates Chinese maps (and WeChat's `getLocation({type: "gcj02"})`) use. The
//! emulator's positions (a fixed one or the browser's) are WGS-84; WeChat converts them when a page asks for
//! `gcj02`, so the emulator does too, with the widely published conversion formula. Outside mainland China the
//! two coincide.

use std::f64::consts::PI;

/// Krasovsky 1940's semi-major axis and eccentricity squared, which the conversion is defined with.
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

/// `(latitude, longitude)` in GCJ-02 for a WGS-84 point; unchanged outside mainland China's bounding box.
pub(crate) fn from_wgs84(latitude: f64, longitude: f64) -> (f64, f64) {
    if !(72.004..=137.8347).contains(&longitude) || !(0.8293..=55.8271).contains(&latitude) {
        return (latitude, longitude);
    }
    let (x, y) = (longitude - 105.0, latitude - 35.0);
    let rad = latitude / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = lat_offset(x, y) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = lon_offset(x, y) * 180.0 / (A / sqrt_magic * rad.cos() * PI);
    (latitude + d_lat, longitude + d_lon)
}

/// The shared periodic term of both offsets.
fn ripple(x: f64) -> f64 {
    (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
}

fn lat_offset(x: f64, y: f64) -> f64 {
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + ripple(x)
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0
}

fn lon_offset(x: f64, y: f64) -> f64 {
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + ripple(x)
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_published_reference_points() {
        // (WGS-84, GCJ-02) pairs published with the open eviltransform implementations' tests.
        let cases = [
            ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)), // Shanghai
            ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)), // Shenzhen
            ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)), // Beijing
            ((35.6895, 139.6917), (35.6895, 139.6917)),                         // Tokyo: outside China
            ((48.8566, 2.3522), (48.8566, 2.3522)),                             // Paris
        ];
        for ((lat, lon), (want_lat, want_lon)) in cases {
            let (got_lat, got_lon) = super::from_wgs84(lat, lon);
            assert!(
                (got_lat - want_lat).abs() < 1e-9 && (got_lon - want_lon).abs() < 1e-9,
                "({lat}, {lon}) → ({got_lat}, {got_lon}), want ({want_lat}, {want_lon})"
            );
        }
    }
}
