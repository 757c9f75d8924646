//! How a case and its events are kept in their rows: a case's document (JSON without its number,
//! compressed) read back with the number from its column, an event's packed body, and a new case
//! encoded ahead of the writer. Shared by the reads, the write path, the dump and the upgrade.

use crate::{backend_err, event_row, json_err, packed};
use app::ports::{CaseWrite, StoreResult};
use domain::{Case, Event};
use sqlx::Row;
use uuid::Uuid;

pub(crate) fn event_from<R: Row>(r: &R) -> StoreResult<Event>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Vec<u8>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let body: Vec<u8> = r.try_get("body").map_err(backend_err)?;
    event_row::decode(
        r.try_get("case_id").map_err(backend_err)?,
        r.try_get("at").map_err(backend_err)?,
        r.try_get("id").map_err(backend_err)?,
        &body,
    )
}

/// The case of a stored row: its document, with the number from the `number` column.
pub(crate) fn case_of_row(number: String, stored: &[u8]) -> StoreResult<Case> {
    let mut c: Case = serde_json::from_str(&packed::decode(stored)?).map_err(json_err)?;
    c.number = number;
    Ok(c)
}

/// The stored document of a case: its JSON without the number, compressed. The number lives in
/// its own column, so a document can be compressed before the number is handed out (intake
/// compresses in the request's task, bulk loads on every core, and the writer only writes).
/// Documents written before kept their number inside; the column wins either way.
pub(crate) fn encode_doc(case: &mut Case) -> StoreResult<Vec<u8>> {
    let number = std::mem::take(&mut case.number);
    let json = serde_json::to_string(case);
    case.number = number;
    Ok(packed::encode(
        packed::Kind::CaseDoc,
        &json.map_err(json_err)?,
    ))
}

/// A new case ready to be written: its row's values, its document and its events' bodies
/// already encoded (see [`encode_doc`]).
pub(crate) struct NewRow {
    pub write: CaseWrite,
    pub year: i32,
    pub doc: Vec<u8>,
    pub bodies: Vec<Vec<u8>>,
}

impl NewRow {
    pub(crate) fn encode(mut write: CaseWrite, year: i32) -> StoreResult<NewRow> {
        let doc = encode_doc(&mut write.case)?;
        let bodies = write
            .events
            .iter()
            .map(event_row::encode_body)
            .collect::<StoreResult<_>>()?;
        Ok(NewRow {
            write,
            year,
            doc,
            bodies,
        })
    }
}

pub(crate) const INSERT_EVENT_HEAD: &str = "INSERT INTO events (case_id, at, id, body) VALUES ";
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO events (case_id, at, id, body) VALUES ($1, $2, $3, $4)";
pub(crate) const EVENT_COLS: &str = "case_id, at, id, body";

/// Binds the 4 event columns in the order of INSERT_EVENT (`?` for a body that cannot be packed).
macro_rules! bind_event {
    ($q:expr, $e:expr) => {{
        let e = $e;
        $q.bind(e.case_id)
            .bind(e.at)
            .bind(e.id)
            .bind($crate::event_row::encode_body(e)?)
    }};
}
pub(crate) use bind_event;
