//! How a case document (`cases.doc`, the whole case as JSON) is kept on disk: zstd-compressed
//! against a fixed dictionary, behind a one-byte format tag.
//!
//! Why: the document is most of a case row (about 1.3 KB of JSON, the same keys and much the same
//! phrases in every case), and at district scale — ten million cases — the rows are most of the
//! database. Compressed one by one, small JSON documents barely shrink (zstd alone: −30%); against
//! a dictionary of typical documents the keys, codes and common phrases become back-references
//! (−70% on the synthetic history), and each row still decodes on its own, so reading one case
//! stays one row read and one ~2 µs decompression.
//!
//! Formats, by the first byte:
//! - `{` — plain JSON text: rows written before compression existed (and what a dump holds).
//! - `1` — zstd frame (with its content size) against [`DICT_V1`].
//!
//! A dictionary can never change once rows use it: a new dictionary gets a new tag, and both are
//! kept for reading.

use app::error::StoreError;
use app::ports::StoreResult;
use std::cell::RefCell;

/// The version-1 dictionary: raw content (not a trained zstd dictionary), a dozen synthetic case
/// documents in the states a case goes through, the commonest (closed) last, where zstd finds
/// matches cheapest.
const DICT_V1: &[u8] = include_bytes!("case_doc_dict_v1.txt");
const TAG_V1: u8 = 1;
/// zstd's default level: ~3x faster to write than level 9 for a few bytes more per row.
const LEVEL: i32 = 3;
/// Larger claimed sizes are refused rather than allocated (a document is a few KB).
const MAX_DOC: u64 = 16 << 20;

thread_local! {
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

fn corrupt(why: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("case document unreadable: {why}"))
}

/// The stored form of a case document.
pub(crate) fn encode(json: &str) -> Vec<u8> {
    let packed = COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = zstd::bulk::Compressor::with_dictionary(LEVEL, DICT_V1).ok();
        }
        c.as_mut().and_then(|c| c.compress(json.as_bytes()).ok())
    });
    match packed {
        Some(z) => {
            let mut out = Vec::with_capacity(z.len() + 1);
            out.push(TAG_V1);
            out.extend_from_slice(&z);
            out
        }
        // Compression cannot fail on valid input with a valid dictionary; should it, the plain
        // text is a valid stored form.
        None => json.as_bytes().to_vec(),
    }
}

/// The JSON text of a stored case document.
pub(crate) fn decode(stored: &[u8]) -> StoreResult<String> {
    match stored.first() {
        Some(b'{') => String::from_utf8(stored.to_vec()).map_err(corrupt),
        Some(&TAG_V1) => {
            let frame = &stored[1..];
            let size = zstd::zstd_safe::get_frame_content_size(frame)
                .map_err(|_| corrupt("not a zstd frame"))?
                .ok_or_else(|| corrupt("zstd frame without its size"))?;
            if size > MAX_DOC {
                return Err(corrupt(format!("claims {size} bytes")));
            }
            let bytes = DECOMPRESSOR.with(|d| {
                let mut d = d.borrow_mut();
                if d.is_none() {
                    *d = Some(zstd::bulk::Decompressor::with_dictionary(DICT_V1).map_err(corrupt)?);
                }
                match d.as_mut() {
                    Some(d) => d.decompress(frame, size as usize).map_err(corrupt),
                    None => Err(corrupt("no decompressor")),
                }
            })?;
            String::from_utf8(bytes).map_err(corrupt)
        }
        Some(t) => Err(corrupt(format!("unknown format {t}"))),
        None => Err(corrupt("empty")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_and_shrink() {
        // A case like those in the dictionary, with its own ids, numbers and words.
        let first = std::str::from_utf8(DICT_V1).unwrap().lines().last().unwrap();
        let mut v: serde_json::Value = serde_json::from_str(first).unwrap();
        v["id"] = "01b00000-1111-7222-8333-944445555666".into();
        v["number"] = "2026-123456".into();
        v["title"] = "关于小区东门路灯不亮的求助".into();
        v["description"] = "市民来电：小区东门路灯连续一周不亮，夜间出行不便，要求尽快修复。".into();
        v["reported_at"] = 1_790_000_000_123i64.into();
        let doc = v.to_string();
        let stored = encode(&doc);
        assert_eq!(stored[0], TAG_V1);
        assert!(stored.len() * 2 < doc.len(), "{} of {}", stored.len(), doc.len());
        assert_eq!(decode(&stored).unwrap(), doc);
        // Short or unusual documents round-trip too.
        for doc in [r#"{}"#, r#"{"title":"\u0000\"引号\"","n":[1,2,3]}"#] {
            assert_eq!(decode(&encode(doc)).unwrap(), doc);
        }
    }

    #[test]
    fn plain_json_rows_still_read() {
        assert_eq!(decode(br#"{"id":"x"}"#).unwrap(), r#"{"id":"x"}"#);
    }

    #[test]
    fn damaged_rows_are_errors_not_panics() {
        assert!(decode(b"").is_err());
        assert!(decode(&[7, 1, 2]).is_err());
        assert!(decode(&[TAG_V1, 0x28, 0xb5, 0x2f, 0xfd]).is_err());
        let mut stored = encode(r#"{"id":"01a21b8a","title":"路灯"}"#);
        stored.truncate(stored.len() - 2);
        assert!(decode(&stored).is_err());
    }
}
