//! The GPS position a phone writes into a photo's EXIF block (JPEG APP1, PNG `eXIf`, WebP `EXIF`).
//! Kept as data on the attachment (a handler sees where the photo was taken); never served to the
//! public (see `strip`). Every offset is checked: a hostile file yields `None`, never a panic.

use crate::strip::{jpeg_segments, png_chunks, riff_chunks};

/// `(lat, lon)` in degrees, south and west negative; `None` without a usable GPS block.
pub fn gps_location(bytes: &[u8]) -> Option<(f64, f64)> {
    tiff_of(bytes).and_then(gps_from_tiff)
}

fn tiff_of(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg_segments(bytes)?
            .into_iter()
            .find_map(|s| (s.marker == 0xE1).then_some(s.data))
            .and_then(|d| d.strip_prefix(b"Exif\0\0"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_chunks(bytes)?
            .into_iter()
            .find_map(|c| (&c.kind == b"eXIf").then_some(c.data))
    } else if bytes.starts_with(b"RIFF") {
        riff_chunks(bytes)?
            .into_iter()
            .find_map(|c| (&c.kind == b"EXIF").then_some(c.data))
            .map(|d| d.strip_prefix(b"Exif\0\0").unwrap_or(d))
    } else {
        None
    }
}

struct Tiff<'a> {
    b: &'a [u8],
    le: bool,
}

impl Tiff<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let s = self.b.get(at..at.checked_add(2)?)?;
        Some(if self.le {
            u16::from_le_bytes([s[0], s[1]])
        } else {
            u16::from_be_bytes([s[0], s[1]])
        })
    }
    fn u32(&self, at: usize) -> Option<u32> {
        let s = self.b.get(at..at.checked_add(4)?)?;
        let a = [s[0], s[1], s[2], s[3]];
        Some(if self.le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }
    /// The entries of the IFD at `at`: (tag, type, count, value-or-offset field position).
    fn entries(&self, at: usize) -> Option<Vec<(u16, u16, u32, usize)>> {
        let n = self.u16(at)? as usize;
        if n > 512 {
            return None;
        }
        (0..n)
            .map(|i| {
                let e = at + 2 + i * 12;
                Some((self.u16(e)?, self.u16(e + 2)?, self.u32(e + 4)?, e + 8))
            })
            .collect()
    }
    /// Three RATIONALs (degrees, minutes, seconds) as degrees.
    fn dms(&self, ty: u16, count: u32, field: usize) -> Option<f64> {
        if ty != 5 || count != 3 {
            return None;
        }
        let at = self.u32(field)? as usize;
        let mut deg = 0.0;
        for (i, scale) in [1.0, 60.0, 3600.0].iter().enumerate() {
            let num = self.u32(at + i * 8)? as f64;
            let den = self.u32(at + i * 8 + 4)? as f64;
            if den == 0.0 {
                if num == 0.0 {
                    continue;
                }
                return None;
            }
            deg += num / den / scale;
        }
        Some(deg)
    }
}

fn gps_from_tiff(b: &[u8]) -> Option<(f64, f64)> {
    let le = match b.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let t = Tiff { b, le };
    if t.u16(2)? != 42 {
        return None;
    }
    let ifd0 = t.u32(4)? as usize;
    let gps_at = t
        .entries(ifd0)?
        .into_iter()
        .find(|e| e.0 == 0x8825)
        .and_then(|(_, _, _, field)| t.u32(field))? as usize;
    let mut lat = None;
    let mut lon = None;
    let mut lat_ref = b'N';
    let mut lon_ref = b'E';
    for (tag, ty, count, field) in t.entries(gps_at)? {
        match tag {
            1 => lat_ref = *b.get(field)?,
            2 => lat = t.dms(ty, count, field),
            3 => lon_ref = *b.get(field)?,
            4 => lon = t.dms(ty, count, field),
            _ => {}
        }
    }
    let mut lat = lat?;
    let mut lon = lon?;
    if lat_ref == b'S' {
        lat = -lat;
    }
    if lon_ref == b'W' {
        lon = -lon;
    }
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && (lat, lon) != (0.0, 0.0))
        .then_some((lat, lon))
}

/// A minimal big-endian TIFF with a GPS IFD, as a phone writes it (for tests here and elsewhere).
#[doc(hidden)]
pub fn gps_tiff(lat: f64, lon: f64) -> Vec<u8> {
    fn dms(v: f64) -> [u32; 6] {
        let v = v.abs();
        let d = v.floor();
        let m = ((v - d) * 60.0).floor();
        let s = ((v - d) * 60.0 - m) * 60.0;
        [
            d as u32,
            1,
            m as u32,
            1,
            (s * 10_000.0).round() as u32,
            10_000,
        ]
    }
    let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0: one entry (GPS pointer) at 8; GPS IFD at 26.
    t.extend(1u16.to_be_bytes());
    t.extend(0x8825u16.to_be_bytes());
    t.extend(4u16.to_be_bytes());
    t.extend(1u32.to_be_bytes());
    t.extend(26u32.to_be_bytes());
    t.extend(0u32.to_be_bytes());
    // GPS IFD: 4 entries at 26, data at 26 + 2 + 48 + 4 = 80.
    let data = 80u32;
    t.extend(4u16.to_be_bytes());
    let refs = [
        (1u16, if lat < 0.0 { b'S' } else { b'N' }),
        (3u16, if lon < 0.0 { b'W' } else { b'E' }),
    ];
    for (tag, r) in [refs[0], (2, 0), refs[1], (4, 0)] {
        t.extend(tag.to_be_bytes());
        if tag == 1 || tag == 3 {
            t.extend(2u16.to_be_bytes());
            t.extend(2u32.to_be_bytes());
            t.extend([r, 0, 0, 0]);
        } else {
            t.extend(5u16.to_be_bytes());
            t.extend(3u32.to_be_bytes());
            t.extend((data + if tag == 2 { 0 } else { 24 }).to_be_bytes());
        }
    }
    t.extend(0u32.to_be_bytes());
    for v in dms(lat).into_iter().chain(dms(lon)) {
        t.extend(v.to_be_bytes());
    }
    t
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn jpeg_with_exif(tiff: &[u8]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8, 0xFF, 0xE1];
        let len = (tiff.len() + 8) as u16;
        j.extend(len.to_be_bytes());
        j.extend(b"Exif\0\0");
        j.extend(tiff);
        j.extend([0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
        j
    }

    #[test]
    fn reads_a_phones_position() {
        let (lat, lon) = gps_location(&jpeg_with_exif(&gps_tiff(30.2712, 120.0035))).unwrap();
        assert!((lat - 30.2712).abs() < 1e-5 && (lon - 120.0035).abs() < 1e-5);
        let (lat, lon) = gps_location(&jpeg_with_exif(&gps_tiff(-33.5, -70.25))).unwrap();
        assert!((lat + 33.5).abs() < 1e-5 && (lon + 70.25).abs() < 1e-5);
    }

    #[test]
    fn hostile_blocks_yield_nothing() {
        let good = gps_tiff(30.0, 120.0);
        for cut in 0..good.len() {
            let _ = gps_location(&jpeg_with_exif(&good[..cut]));
        }
        let mut bad = good.clone();
        bad[30..34].copy_from_slice(&u32::MAX.to_be_bytes());
        let _ = gps_location(&jpeg_with_exif(&bad));
        assert_eq!(gps_location(b"\xFF\xD8\xFF\xE1\xFF\xFF"), None);
        assert_eq!(gps_location(b"not an image"), None);
    }
}
