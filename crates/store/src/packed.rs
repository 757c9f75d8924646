//! How the two big JSON columns are kept on disk — a case's document (`cases.doc`, the whole case
//! as JSON) and an event's data (`events.data`) — zstd-compressed against a fixed dictionary per
//! column, behind a one-byte format tag.
//!
//! Why: the document is most of a case row (about 1.3 KB of JSON, the same keys and much the same
//! phrases in every case) and an event's data most of an event row; at district scale — ten
//! million cases, fifty million events — these rows are most of the database. Compressed one by
//! one, small JSON values barely shrink (zstd alone: −30%); against a dictionary of typical values
//! the keys, codes and common phrases become back-references (−70% on the synthetic history), and
//! each value still decodes on its own, so reading one case stays one row read and a microsecond
//! or two of decompression.
//!
//! Formats, by the first byte:
//! - `{` — plain JSON text: rows written before compression existed (and what a dump holds).
//! - `1` — a case document, zstd frame (with its content size) against [`CASE_DOC_V1`].
//! - `2` — an event's data, zstd frame against [`EVENT_DATA_V1`] (rows from before migration 0008).
//! - `3` — an event's body (action, actor's name, unit, opinion and data as one JSON object, see
//!   `crate::event_row`), zstd frame against [`EVENT_BODY_V1`].
//!
//! A dictionary can never change once rows use it: a new dictionary gets a new tag, and the old
//! one is kept for reading.

use app::error::StoreError;
use app::ports::StoreResult;
use std::cell::RefCell;

/// Raw-content dictionaries (not trained zstd dictionaries): synthetic values in the shapes the
/// column holds, the commonest last, where zstd finds matches cheapest.
const CASE_DOC_V1: &[u8] = include_bytes!("case_doc_dict_v1.txt");
const EVENT_DATA_V1: &[u8] = include_bytes!("event_data_dict_v1.txt");
const EVENT_BODY_V1: &[u8] = include_bytes!("event_body_dict_v1.txt");
/// zstd's default level: ~3x faster to write than level 9 for a few bytes more per row.
const LEVEL: i32 = 3;
/// Larger claimed sizes are refused rather than allocated (a value is a few KB).
const MAX_VALUE: u64 = 16 << 20;

/// Which column a value is for (each has its dictionary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    CaseDoc,
    EventData,
    EventBody,
}

impl Kind {
    pub(crate) fn tag(self) -> u8 {
        match self {
            Kind::CaseDoc => 1,
            Kind::EventData => 2,
            Kind::EventBody => 3,
        }
    }
    fn dict(self) -> &'static [u8] {
        match self {
            Kind::CaseDoc => CASE_DOC_V1,
            Kind::EventData => EVENT_DATA_V1,
            Kind::EventBody => EVENT_BODY_V1,
        }
    }
    fn of_tag(tag: u8) -> Option<Kind> {
        [Kind::CaseDoc, Kind::EventData, Kind::EventBody]
            .into_iter()
            .find(|k| k.tag() == tag)
    }
    fn slot(self) -> usize {
        self as usize
    }
}

type Compressors = [Option<zstd::bulk::Compressor<'static>>; 3];
type Decompressors = [Option<zstd::bulk::Decompressor<'static>>; 3];

thread_local! {
    // Loading a dictionary costs more than compressing a value: each thread keeps its own.
    static COMPRESSORS: RefCell<Compressors> = const { RefCell::new([None, None, None]) };
    static DECOMPRESSORS: RefCell<Decompressors> = const { RefCell::new([None, None, None]) };
}

fn corrupt(why: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("stored JSON value unreadable: {why}"))
}

/// The stored form of a JSON value of the given column.
pub(crate) fn encode(kind: Kind, json: &str) -> Vec<u8> {
    let packed = COMPRESSORS.with(|c| {
        let slot = &mut c.borrow_mut()[kind.slot()];
        if slot.is_none() {
            *slot = zstd::bulk::Compressor::with_dictionary(LEVEL, kind.dict()).ok();
        }
        slot.as_mut().and_then(|c| c.compress(json.as_bytes()).ok())
    });
    match packed {
        Some(z) => {
            let mut out = Vec::with_capacity(z.len() + 1);
            out.push(kind.tag());
            out.extend_from_slice(&z);
            out
        }
        // Compression cannot fail on valid input with a valid dictionary; should it, the plain
        // text is a valid stored form.
        None => json.as_bytes().to_vec(),
    }
}

/// The JSON text of a stored value.
pub(crate) fn decode(stored: &[u8]) -> StoreResult<String> {
    let Some(&tag) = stored.first() else {
        return Err(corrupt("empty"));
    };
    if tag == b'{' {
        return String::from_utf8(stored.to_vec()).map_err(corrupt);
    }
    let kind = Kind::of_tag(tag).ok_or_else(|| corrupt(format!("unknown format {tag}")))?;
    decode_frame(kind, &stored[1..])
}

/// The text of a zstd frame compressed against `kind`'s dictionary.
pub(crate) fn decode_frame(kind: Kind, frame: &[u8]) -> StoreResult<String> {
    let size = zstd::zstd_safe::get_frame_content_size(frame)
        .map_err(|_| corrupt("not a zstd frame"))?
        .ok_or_else(|| corrupt("zstd frame without its size"))?;
    if size > MAX_VALUE {
        return Err(corrupt(format!("claims {size} bytes")));
    }
    let bytes = DECOMPRESSORS.with(|d| {
        let slot = &mut d.borrow_mut()[kind.slot()];
        if slot.is_none() {
            *slot = Some(zstd::bulk::Decompressor::with_dictionary(kind.dict()).map_err(corrupt)?);
        }
        match slot.as_mut() {
            Some(d) => d.decompress(frame, size as usize).map_err(corrupt),
            None => Err(corrupt("no decompressor")),
        }
    })?;
    String::from_utf8(bytes).map_err(corrupt)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_and_shrink() {
        // A case like those in the dictionary, with its own ids, numbers and words.
        let first = std::str::from_utf8(CASE_DOC_V1)
            .unwrap()
            .lines()
            .last()
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_str(first).unwrap();
        v["id"] = "01b00000-1111-7222-8333-944445555666".into();
        v["number"] = "2026-123456".into();
        v["title"] = "关于小区东门路灯不亮的求助".into();
        v["description"] =
            "市民来电：小区东门路灯连续一周不亮，夜间出行不便，要求尽快修复。".into();
        v["reported_at"] = 1_790_000_000_123i64.into();
        let doc = v.to_string();
        let stored = encode(Kind::CaseDoc, &doc);
        assert_eq!(stored[0], 1);
        assert!(
            stored.len() * 2 < doc.len(),
            "{} of {}",
            stored.len(),
            doc.len()
        );
        assert_eq!(decode(&stored).unwrap(), doc);
        // Short or unusual documents round-trip too.
        for doc in [r#"{}"#, r#"{"title":"\u0000\"引号\"","n":[1,2,3]}"#] {
            assert_eq!(decode(&encode(Kind::CaseDoc, doc)).unwrap(), doc);
            assert_eq!(decode(&encode(Kind::EventData, doc)).unwrap(), doc);
        }
    }

    #[test]
    fn event_data_shrinks_and_round_trips() {
        let data = r#"{"co_units":["330188002"],"state":{"handle_due":null,"sign_due":1790000000000,"status":"dispatched","unit":"cgj"},"unit":"cgj"}"#;
        let stored = encode(Kind::EventData, data);
        assert_eq!(stored[0], 2);
        assert!(
            stored.len() * 2 < data.len(),
            "{} of {}",
            stored.len(),
            data.len()
        );
        assert_eq!(decode(&stored).unwrap(), data);
    }

    #[test]
    fn plain_json_rows_still_read() {
        assert_eq!(decode(br#"{"id":"x"}"#).unwrap(), r#"{"id":"x"}"#);
    }

    #[test]
    fn damaged_rows_are_errors_not_panics() {
        assert!(decode(b"").is_err());
        assert!(decode(&[7, 1, 2]).is_err());
        assert!(decode(&[1, 0x28, 0xb5, 0x2f, 0xfd]).is_err());
        let mut stored = encode(Kind::CaseDoc, r#"{"id":"01a21b8a","title":"路灯"}"#);
        stored.truncate(stored.len() - 2);
        assert!(decode(&stored).is_err());
    }
}
