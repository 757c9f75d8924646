//! Attachments as data, without I/O: what a file is (by its content, never by its name), the
//! location a phone wrote into a photo, the copy of a photo the public may see (without that
//! location), and the thumbnail every list shows.
//!
//! Why by content: a citizen's `photo.jpg` may be an HTML page, and a clerk's `scan.pdf` may be a
//! Windows program; the name is only used to tell apart formats whose content is the same kind of
//! container (an OLE file is a `.doc`, an `.xls` or a WPS document).

mod exif;
mod sniff;
mod strip;
mod thumb;

pub use exif::gps_location;
pub use sniff::{Kind, Sniffed, sniff};
pub use strip::strip_metadata;
pub use thumb::{ThumbError, thumbnail};

use sha2::{Digest, Sha256};

/// Real small files for tests of this crate and of the server.
#[doc(hidden)]
pub mod samples {
    pub use crate::exif::gps_tiff;
    pub use crate::thumb::{sample_jpeg, sample_png};

    /// A street scene for the demo district's cases (no photographs are shipped): sky, buildings
    /// with windows, a road; `litter` adds the heap a citizen reports, absent in the photo taken
    /// after the work. Deterministic in `seed`.
    pub fn street_scene(seed: u64, litter: bool) -> Vec<u8> {
        let (w, h) = (800u32, 600u32);
        let mut rng = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let horizon = 330u32;
        let mut buildings = Vec::new();
        let mut x = 0u32;
        while x < w {
            let bw = 80 + (next() % 90) as u32;
            let top = 90 + (next() % 170) as u32;
            let shade = 150 + (next() % 70) as u8;
            buildings.push((x, x + bw, top, [shade, shade - 10, shade - 25]));
            x += bw + 4;
        }
        let heap_x = 120 + (next() % 420) as u32;
        let img = image::RgbImage::from_fn(w, h, |px, py| {
            if py < horizon {
                for &(x0, x1, top, c) in &buildings {
                    if px >= x0 && px < x1 && py >= top {
                        let window = (px - x0) % 22 > 6 && (py - top) % 30 > 10 && px + 8 < x1;
                        return if window {
                            image::Rgb([90, 110, 130])
                        } else {
                            image::Rgb(c)
                        };
                    }
                }
                let t = py as f32 / horizon as f32;
                image::Rgb([(150.0 + 60.0 * t) as u8, (185.0 + 40.0 * t) as u8, 235])
            } else {
                let depth = (py - horizon) as f32 / (h - horizon) as f32;
                let half = 60.0 + 340.0 * depth;
                let cx = w as f32 / 2.0;
                let on_road = (px as f32 - cx).abs() < half;
                if litter {
                    let dx = px as f32 - heap_x as f32;
                    let dy = (py as f32 - 470.0) * 1.8;
                    if dx * dx + dy * dy < 55.0 * 55.0 {
                        return image::Rgb([120 + ((px * 7 + py * 3) % 40) as u8, 95, 60]);
                    }
                }
                if on_road {
                    let line = (px as f32 - cx).abs() < 3.0 + 4.0 * depth && (py / 24) % 2 == 0;
                    if line {
                        image::Rgb([235, 235, 225])
                    } else {
                        image::Rgb([105, 105, 110])
                    }
                } else {
                    image::Rgb([170, 160, 140])
                }
            }
        });
        let mut out = Vec::new();
        let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 78).encode_image(&img);
        out
    }

    /// A real JPEG carrying an EXIF GPS position, as a phone writes it.
    pub fn jpeg_with_gps(w: u32, h: u32, lat: f64, lon: f64) -> Vec<u8> {
        let jpeg = sample_jpeg(w, h);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(gps_tiff(lat, lon));
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }
}

/// Limits of what one upload and one case may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_bytes: usize,
    /// Most files on one case (all steps together).
    pub max_per_case: usize,
    /// Largest image to decode for a thumbnail, in pixels (width × height); a larger one is
    /// refused rather than decoded (a 100,000 × 100,000 PNG of a few kilobytes would take 40 GB).
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 10 * 1024 * 1024,
            max_per_case: 30,
            max_pixels: 50_000_000,
        }
    }
}

/// The storage key of a content: its SHA-256 in hex. Equal files are stored once.
pub fn content_key(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A file name fit to keep and to send back in `Content-Disposition`: the last path component,
/// without control characters, quotes or backslashes, at most 120 characters; `fallback` when
/// nothing is left.
pub fn clean_name(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | ';'))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        fallback.to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\a\\照片 1.jpg", "f"), "照片 1.jpg");
        assert_eq!(clean_name("../../etc/passwd", "f"), "passwd");
        assert_eq!(clean_name("a\"b\r\n.pdf", "f"), "ab.pdf");
        assert_eq!(clean_name("", "附件"), "附件");
        assert_eq!(clean_name(".hidden", "f"), "hidden");
        assert_eq!(clean_name(&"长".repeat(300), "f").chars().count(), 120);
    }

    #[test]
    fn equal_contents_share_a_key() {
        assert_eq!(content_key(b"abc"), content_key(b"abc"));
        assert_ne!(content_key(b"abc"), content_key(b"abd"));
        assert_eq!(content_key(b"").len(), 64);
    }

    #[test]
    fn a_phone_photo_keeps_its_position_for_staff_and_loses_it_for_the_public() {
        let photo = samples::jpeg_with_gps(64, 48, 30.2712, 120.0035);
        let t = sniff(&photo, "IMG_0001.JPG").unwrap();
        assert_eq!(t.content_type, "image/jpeg");
        let (lat, lon) = gps_location(&photo).unwrap();
        assert!((lat - 30.2712).abs() < 1e-5 && (lon - 120.0035).abs() < 1e-5);
        let public = strip_metadata(&photo, t.content_type).unwrap();
        assert_eq!(gps_location(&public), None);
        assert!(thumbnail(&public, 320, 1_000_000).is_ok());
        assert!(thumbnail(&photo, 320, 1_000_000).is_ok());
    }
}
