//! A code's `url` drawn locally: SVG with the `qrcode` crate, PNG with the `png` crate (an 8-bit grayscale
//! bitmap; qrcode's own PNG path would pull in the whole `image` crate).

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module in the PNG.
pub const PNG_SCALE: usize = 8;
/// The white border WeChat's scanner (and the standard) wants, in modules.
pub const QUIET_ZONE: usize = 4;

/// The text could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// Too long for a QR code.
    #[error("cannot encode the URL as a QR code: {0}")]
    Encode(String),
    /// PNG encoding failed.
    #[error("cannot write the PNG: {0}")]
    Png(String),
}

fn code(text: &str) -> Result<QrCode, RenderError> {
    // M: WeChat's own codes use medium error correction.
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| RenderError::Encode(e.to_string()))
}

/// An SVG document of `text`'s QR code (with the quiet zone).
///
/// ```
/// let svg = wx_server::qrcode::render::svg("http://weixin.qq.com/q/abc")?;
/// assert!(svg.contains("<svg"));
/// # Ok::<(), wx_server::qrcode::render::RenderError>(())
/// ```
///
/// # Errors
/// [`RenderError::Encode`] for text too long for a QR code.
pub fn svg(text: &str) -> Result<String, RenderError> {
    Ok(code(text)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// The modules of `text`'s QR code, row by row (`true` = dark), and the width in modules, without quiet zone.
///
/// # Errors
/// [`RenderError::Encode`].
pub fn modules(text: &str) -> Result<(Vec<bool>, usize), RenderError> {
    let code = code(text)?;
    let width = code.width();
    Ok((code.to_colors().into_iter().map(|c| c == Color::Dark).collect(), width))
}

/// A grayscale PNG of `text`'s QR code: [`PNG_SCALE`] pixels per module, [`QUIET_ZONE`] modules of border.
///
/// ```
/// let png = wx_server::qrcode::render::png("http://weixin.qq.com/q/abc")?;
/// assert!(png.starts_with(b"\x89PNG"));
/// # Ok::<(), wx_server::qrcode::render::RenderError>(())
/// ```
///
/// # Errors
/// [`RenderError`].
pub fn png(text: &str) -> Result<Vec<u8>, RenderError> {
    let (dark, width) = modules(text)?;
    let side = (width + 2 * QUIET_ZONE) * PNG_SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let (mx, my) = (i % width + QUIET_ZONE, i / width + QUIET_ZONE);
        for y in my * PNG_SCALE..(my + 1) * PNG_SCALE {
            pixels[y * side + mx * PNG_SCALE..y * side + (mx + 1) * PNG_SCALE].fill(0);
        }
    }
    let side32 = u32::try_from(side).map_err(|e| RenderError::Png(e.to_string()))?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side32, side32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| RenderError::Png(e.to_string()))?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| RenderError::Png(e.to_string()))?;
    writer.finish().map_err(|e| RenderError::Png(e.to_string()))?;
    Ok(out)
}
