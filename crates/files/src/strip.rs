//! The copy of an image the public may see: the same pixels without the metadata blocks that
//! carry where and when it was taken, on what phone, by whom (EXIF, XMP, IPTC, comments).
//! Done on the container, not by re-encoding, so the picture loses nothing.

pub(crate) struct Segment<'a> {
    pub marker: u8,
    pub data: &'a [u8],
    /// The whole segment (marker, length and data) as it stands in the file.
    pub raw: &'a [u8],
}

/// The segments of a JPEG before its scan data, and the offset where the scan begins (the SOS
/// segment and everything after it). `None` for a malformed file.
fn jpeg_parts(b: &[u8]) -> Option<(Vec<Segment<'_>>, usize)> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::new();
    let mut at = 2;
    loop {
        // Fill bytes (0xFF repeated) may precede a marker.
        while b.get(at) == Some(&0xFF) && b.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if *b.get(at)? != 0xFF {
            return None;
        }
        let marker = *b.get(at + 1)?;
        if marker == 0xDA || marker == 0xD9 {
            return Some((out, at));
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            at += 2;
            continue;
        }
        let len = u16::from_be_bytes([*b.get(at + 2)?, *b.get(at + 3)?]) as usize;
        if len < 2 {
            return None;
        }
        let end = at.checked_add(2 + len)?;
        let raw = b.get(at..end)?;
        out.push(Segment {
            marker,
            data: &raw[4..],
            raw,
        });
        at = end;
    }
}

pub(crate) fn jpeg_segments(b: &[u8]) -> Option<Vec<Segment<'_>>> {
    jpeg_parts(b).map(|(s, _)| s)
}

pub(crate) struct Chunk<'a> {
    pub kind: [u8; 4],
    pub data: &'a [u8],
    pub raw: &'a [u8],
}

pub(crate) fn png_chunks(b: &[u8]) -> Option<Vec<Chunk<'_>>> {
    let mut at = 8;
    let mut out = Vec::new();
    while at < b.len() {
        let len = u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = b.get(at + 4..at + 8)?.try_into().ok()?;
        let end = at.checked_add(12)?.checked_add(len)?;
        let raw = b.get(at..end)?;
        out.push(Chunk {
            kind,
            data: &raw[8..8 + len],
            raw,
        });
        at = end;
        if &kind == b"IEND" {
            break;
        }
    }
    Some(out)
}

pub(crate) fn riff_chunks(b: &[u8]) -> Option<Vec<Chunk<'_>>> {
    let mut at = 12;
    let mut out = Vec::new();
    while at + 8 <= b.len() {
        let kind: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        let len = u32::from_le_bytes(b.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        let padded = len + (len & 1);
        let end = at.checked_add(8)?.checked_add(padded)?.min(b.len());
        let raw = b.get(at..end)?;
        out.push(Chunk {
            kind,
            data: raw.get(8..8 + len.min(raw.len().saturating_sub(8)))?,
            raw,
        });
        at = end;
    }
    Some(out)
}

/// The image without its metadata blocks: JPEG APP1 (EXIF, XMP), APP13 (IPTC) and comments;
/// PNG `eXIf`, text and time chunks; WebP `EXIF` and `XMP ` chunks. GIF carries no location and
/// is returned as it is. `None` when the file cannot be walked (then nothing is served publicly).
pub fn strip_metadata(bytes: &[u8], content_type: &str) -> Option<Vec<u8>> {
    match content_type {
        "image/jpeg" => {
            let (segments, scan) = jpeg_parts(bytes)?;
            let mut out = Vec::with_capacity(bytes.len());
            out.extend_from_slice(&bytes[..2]);
            for s in segments {
                if !matches!(s.marker, 0xE1 | 0xED | 0xFE) {
                    out.extend_from_slice(s.raw);
                }
            }
            out.extend_from_slice(&bytes[scan..]);
            Some(out)
        }
        "image/png" => {
            let chunks = png_chunks(bytes)?;
            let mut out = bytes[..8].to_vec();
            for c in chunks {
                if !matches!(&c.kind, b"eXIf" | b"tEXt" | b"iTXt" | b"zTXt" | b"tIME") {
                    out.extend_from_slice(c.raw);
                }
            }
            Some(out)
        }
        "image/webp" => {
            let chunks = riff_chunks(bytes)?;
            let mut body = Vec::with_capacity(bytes.len());
            body.extend_from_slice(b"WEBP");
            for c in chunks {
                if &c.kind == b"VP8X" && c.data.len() >= 10 {
                    // Clear the EXIF and XMP flags of the extended header.
                    let mut raw = c.raw.to_vec();
                    raw[8] &= !(0x08 | 0x04);
                    body.extend_from_slice(&raw);
                } else if !matches!(&c.kind, b"EXIF" | b"XMP ") {
                    body.extend_from_slice(c.raw);
                }
            }
            let mut out = b"RIFF".to_vec();
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&body);
            Some(out)
        }
        "image/gif" => Some(bytes.to_vec()),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::exif::gps_tiff;
    use crate::gps_location;

    fn jpeg_with(segments: &[(u8, &[u8])]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        for (m, d) in segments {
            j.extend([0xFF, *m]);
            j.extend(((d.len() + 2) as u16).to_be_bytes());
            j.extend(*d);
        }
        j.extend([0xFF, 0xDA, 0, 4, 9, 9, 0xAB, 0xCD, 0xFF, 0xD9]);
        j
    }

    #[test]
    fn jpeg_loses_exif_and_comments_keeps_the_rest() {
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(gps_tiff(30.27, 120.0));
        let j = jpeg_with(&[
            (0xE0, b"JFIF\0\x01\x01"),
            (0xE1, &exif),
            (0xFE, b"taken by Zhang San"),
            (0xDB, &[0u8; 65]),
        ]);
        assert!(gps_location(&j).is_some());
        let s = strip_metadata(&j, "image/jpeg").unwrap();
        assert_eq!(gps_location(&s), None);
        assert!(!s.windows(5).any(|w| w == b"Zhang"));
        assert!(s.windows(4).any(|w| w == b"JFIF"));
        assert!(s.ends_with(&[0xFF, 0xDA, 0, 4, 9, 9, 0xAB, 0xCD, 0xFF, 0xD9]));
        assert_eq!(s.len(), j.len() - (exif.len() + 4) - (18 + 4));
    }

    #[test]
    fn png_loses_exif_and_text() {
        fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend(kind);
            c.extend(data);
            c.extend([0, 0, 0, 0]);
            c
        }
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend(chunk(b"IHDR", &[0; 13]));
        p.extend(chunk(b"eXIf", &gps_tiff(30.0, 120.0)));
        p.extend(chunk(b"tEXt", b"Author\0Li Si"));
        p.extend(chunk(b"IDAT", &[1, 2, 3]));
        p.extend(chunk(b"IEND", &[]));
        assert!(gps_location(&p).is_some());
        let s = strip_metadata(&p, "image/png").unwrap();
        assert_eq!(gps_location(&s), None);
        assert!(!s.windows(5).any(|w| w == b"Li Si"));
        assert!(s.windows(4).any(|w| w == b"IDAT"));
    }

    #[test]
    fn truncated_files_are_not_served() {
        assert_eq!(
            strip_metadata(&[0xFF, 0xD8, 0xFF, 0xE1, 0x10], "image/jpeg"),
            None
        );
        assert_eq!(strip_metadata(b"%PDF-1.4", "application/pdf"), None);
    }
}
