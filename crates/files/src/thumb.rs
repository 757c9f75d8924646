//! Thumbnails: the photo turned upright (phones store it sideways with an orientation tag),
//! scaled to fit a box, as a JPEG without any metadata.

use image::{DynamicImage, ImageDecoder, ImageReader};
use std::io::Cursor;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThumbError {
    /// Larger than `max_pixels` (refused before decoding).
    TooLarge { width: u32, height: u32 },
    /// Not a decodable image.
    Undecodable(String),
}

impl std::fmt::Display for ThumbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThumbError::TooLarge { width, height } => {
                write!(f, "image of {width}×{height} pixels is too large")
            }
            ThumbError::Undecodable(e) => write!(f, "image cannot be decoded: {e}"),
        }
    }
}

/// A JPEG thumbnail fitting `side`×`side`, or why there is none. The dimensions are read from the
/// header first, so a small file claiming a huge picture is refused without allocating it.
pub fn thumbnail(bytes: &[u8], side: u32, max_pixels: u64) -> Result<Vec<u8>, ThumbError> {
    let bad = |e: image::ImageError| ThumbError::Undecodable(e.to_string());
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ThumbError::Undecodable(e.to_string()))?;
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels || width == 0 || height == 0 {
        return Err(ThumbError::TooLarge { width, height });
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    decoder.set_limits(limits).map_err(bad)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(bad)?;
    img.apply_orientation(orientation);
    // Never enlarged: a small picture is its own thumbnail.
    let small = if img.width() <= side && img.height() <= side {
        img.to_rgb8()
    } else {
        img.thumbnail(side, side).to_rgb8()
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
        .encode_image(&small)
        .map_err(bad)?;
    Ok(out)
}

/// A small real PNG of `w`×`h` (for tests here and elsewhere).
#[doc(hidden)]
pub fn sample_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    let _ = DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

/// A small real JPEG of `w`×`h` (for tests here and elsewhere).
#[doc(hidden)]
pub fn sample_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([90, (x * 3) as u8, (y * 9) as u8]));
    let mut out = Vec::new();
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn scales_into_the_box_keeping_the_shape() {
        let t = thumbnail(&sample_png(800, 400), 320, 50_000_000).unwrap();
        assert!(t.starts_with(&[0xFF, 0xD8]));
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (320, 160));
        let t = thumbnail(&sample_jpeg(100, 60), 320, 50_000_000).unwrap();
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (100, 60));
    }

    #[test]
    fn a_huge_picture_is_refused_before_decoding() {
        // A PNG header claiming 60,000 × 60,000 pixels.
        let mut png = sample_png(2, 2);
        png[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(matches!(
            thumbnail(&png, 320, 50_000_000),
            Err(ThumbError::TooLarge { .. }) | Err(ThumbError::Undecodable(_))
        ));
        assert!(matches!(
            thumbnail(&sample_png(100, 100), 320, 5_000),
            Err(ThumbError::TooLarge {
                width: 100,
                height: 100
            })
        ));
    }

    #[test]
    fn garbage_is_undecodable() {
        assert!(matches!(
            thumbnail(b"\xFF\xD8\xFF\xE0garbage", 320, 50_000_000),
            Err(ThumbError::Undecodable(_))
        ));
        let png = sample_png(50, 50);
        assert!(thumbnail(&png[..png.len() / 2], 320, 50_000_000).is_err());
    }
}
