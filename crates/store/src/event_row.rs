//! How a timeline event is stored: its key (case, instant, id) as columns, everything else as one
//! packed body.
//!
//! Why one body: an event is read only with its case's timeline, never searched by actor or
//! action, so its other fields need no columns of their own; packed together they compress as one
//! value (about 200 bytes of JSON to about 40 against the dictionary) instead of six columns with
//! their own headers. The actor's id is kept outside the compressed part, as its 16 bytes, because
//! ids do not compress.
//!
//! Body layout: the format tag of `packed` (3), then `0` (no actor) or `1` followed by the actor's
//! 16 bytes, then the zstd frame of the JSON object `{"action","actor_name","unit"?,"opinion"?,
//! "data"}`.

use crate::packed::{self, Kind};
use app::error::StoreError;
use app::ports::StoreResult;
use domain::Event;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

#[derive(Serialize)]
struct BodyOut<'a> {
    action: &'a str,
    actor_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opinion: Option<&'a str>,
    data: &'a Value,
}

#[derive(Deserialize)]
struct BodyIn {
    action: String,
    actor_name: String,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    opinion: Option<String>,
    data: Value,
}

fn corrupt(why: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("stored event unreadable: {why}"))
}

/// The stored body of an event.
pub(crate) fn encode_body(e: &Event) -> StoreResult<Vec<u8>> {
    let json = serde_json::to_string(&BodyOut {
        action: &e.action,
        actor_name: &e.actor_name,
        unit: e.unit.as_deref(),
        opinion: e.opinion.as_deref(),
        data: &e.data,
    })
    .map_err(corrupt)?;
    let frame = packed::encode(Kind::EventBody, &json);
    if frame.first() != Some(&Kind::EventBody.tag()) {
        return Err(corrupt("could not compress"));
    }
    let mut out = Vec::with_capacity(frame.len() + 17);
    out.push(Kind::EventBody.tag());
    match e.actor {
        Some(a) => {
            out.push(1);
            out.extend_from_slice(a.as_bytes());
        }
        None => out.push(0),
    }
    // `packed::encode` put its own tag first; the body's tag already says which dictionary.
    out.extend_from_slice(&frame[1..]);
    Ok(out)
}

/// The event of a stored row.
pub(crate) fn decode(case_id: Uuid, at: i64, id: Uuid, body: &[u8]) -> StoreResult<Event> {
    let (&tag, rest) = body.split_first().ok_or_else(|| corrupt("empty body"))?;
    if tag != Kind::EventBody.tag() {
        return Err(corrupt(format!("unknown body format {tag}")));
    }
    let (&has_actor, rest) = rest.split_first().ok_or_else(|| corrupt("truncated"))?;
    let (actor, frame) = match has_actor {
        0 => (None, rest),
        1 if rest.len() >= 16 => {
            let (a, f) = rest.split_at(16);
            (Some(Uuid::from_slice(a).map_err(corrupt)?), f)
        }
        _ => return Err(corrupt("bad actor")),
    };
    let json = packed::decode_frame(Kind::EventBody, frame)?;
    let b: BodyIn = serde_json::from_str(&json).map_err(corrupt)?;
    Ok(Event {
        id,
        case_id,
        at,
        actor,
        actor_name: b.actor_name,
        unit: b.unit,
        action: b.action,
        opinion: b.opinion,
        data: b.data,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(actor: Option<Uuid>, unit: Option<&str>, opinion: Option<&str>) -> Event {
        Event {
            id: Uuid::now_v7(),
            case_id: Uuid::now_v7(),
            at: 1_790_000_000_123,
            actor,
            actor_name: "城管局承办人 张伟".into(),
            unit: unit.map(str::to_string),
            action: "resolve".into(),
            opinion: opinion.map(str::to_string),
            data: json!({ "reply": "已安排工作人员上门查看并处理", "state": { "status": "resolved", "unit": "cgj", "sign_due": 1_790_000_000_000i64, "handle_due": null } }),
        }
    }

    #[test]
    fn every_field_round_trips() {
        for e in [
            event(Some(Uuid::now_v7()), Some("cgj"), Some("请按时答复")),
            event(None, None, None),
            event(Some(Uuid::now_v7()), None, Some("")),
        ] {
            let body = encode_body(&e).unwrap();
            assert_eq!(decode(e.case_id, e.at, e.id, &body).unwrap(), e);
        }
    }

    #[test]
    fn a_typical_event_body_is_small() {
        // The commonest kind of event, as the dictionary has it, for another case and instant.
        let dict = include_str!("event_body_dict_v1.txt");
        let line: Value = serde_json::from_str(dict.lines().last().unwrap()).unwrap();
        let e = Event {
            id: Uuid::now_v7(),
            case_id: Uuid::now_v7(),
            at: 1_790_000_000_123,
            actor: Some(Uuid::now_v7()),
            actor_name: line["actor_name"].as_str().unwrap().into(),
            unit: line["unit"].as_str().map(str::to_string),
            action: line["action"].as_str().unwrap().into(),
            opinion: None,
            data: line["data"].clone(),
        };
        let json_len = line.to_string().len() + 36;
        let body = encode_body(&e).unwrap();
        assert!(body.len() * 3 < json_len, "{} of {json_len}", body.len());
    }

    #[test]
    fn damaged_bodies_are_errors() {
        let id = Uuid::now_v7();
        assert!(decode(id, 0, id, b"").is_err());
        assert!(decode(id, 0, id, &[3]).is_err());
        assert!(decode(id, 0, id, &[3, 1, 2, 3]).is_err());
        assert!(decode(id, 0, id, &[2, 0, 1]).is_err());
        let mut body = encode_body(&event(None, None, None)).unwrap();
        body.truncate(body.len() - 3);
        assert!(decode(id, 0, id, &body).is_err());
    }
}
