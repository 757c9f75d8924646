//! In-app notifications: written inside the transaction of the case change (or alert) they
//! report, so a notification exists exactly when its change does; digests merged in place.

use crate::{Db, SqlStore, backend_err, on_pool};
use app::error::StoreError;
use app::ports::{Notification, StoreResult};
use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

/// Most entries a digest lists (its newest); its `counts` keep counting beyond them.
const DIGEST_KEEP: usize = 200;

pub(crate) const INSERT: &str = "INSERT INTO notifications (id, user_id, case_id, kind, title, body, created_at, read_at, data, digest_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
/// A digest's first notification of the day; a later one finds the row and is merged into it.
pub(crate) const INSERT_DIGEST: &str = "INSERT INTO notifications (id, user_id, case_id, kind, title, body, created_at, read_at, data, digest_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (user_id, digest_key) WHERE digest_key IS NOT NULL DO NOTHING";

/// The data of a digest after `new` is added to `old`: `items` appended (an item already there
/// for the same case and warning is replaced, not counted again), the newest
/// [`DIGEST_KEEP`] listed; `counts` (per `warning`) add up every item ever added, listed or not;
/// everything else from `new`. `old: None` is the digest's first notification.
pub(crate) fn merge_digest(old: Option<&str>, new: &Value) -> Value {
    let mut merged = new.clone();
    let old: Value = old
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null);
    let mut items: Vec<Value> = old
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut counts = old
        .get("counts")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let key = |v: &Value| (v.get("case_id").cloned(), v.get("warning").cloned());
    for item in new
        .get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let before = items.len();
        items.retain(|i| key(i) != key(item));
        if items.len() == before {
            let w = item
                .get("warning")
                .and_then(Value::as_str)
                .unwrap_or("other")
                .to_string();
            let n = counts.get(&w).and_then(Value::as_i64).unwrap_or(0);
            counts.insert(w, Value::from(n + 1));
        }
        items.push(item.clone());
    }
    if items.len() > DIGEST_KEEP {
        items.drain(..items.len() - DIGEST_KEEP);
    }
    merged["items"] = Value::Array(items);
    merged["counts"] = Value::Object(counts);
    merged
}

/// Writes notifications inside an open transaction; `$pg` says whether it is PostgreSQL (a
/// digest row is locked before it is merged).
macro_rules! write_notifications {
    ($tx:expr, $notifications:expr, $pg:expr) => {{
        for n in $notifications {
            // A digest is stored counted from its first entry on (see `merge_digest`).
            let data = match (&n.digest_key, &n.data) {
                (Some(_), Some(d)) => Some($crate::notifications::merge_digest(None, d).to_string()),
                (_, d) => d.as_ref().map(|d| d.to_string()),
            };
            let insert = if n.digest_key.is_some() {
                $crate::notifications::INSERT_DIGEST
            } else {
                $crate::notifications::INSERT
            };
            let done = sqlx::query(insert)
                .bind(n.id.to_string())
                .bind(n.user_id.to_string())
                .bind(n.case_id)
                .bind(n.kind.clone())
                .bind(n.title.clone())
                .bind(n.body.clone())
                .bind(n.created_at)
                .bind(n.read_at)
                .bind(data)
                .bind(n.digest_key.clone())
                .execute(&mut *$tx)
                .await
                .map_err($crate::backend_err)?;
            if let (0, Some(key)) = (done.rows_affected(), &n.digest_key) {
                let lock = if $pg { " FOR UPDATE" } else { "" };
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT id, data FROM notifications WHERE user_id = $1 AND digest_key = $2{lock}"
                )))
                .bind(n.user_id.to_string())
                .bind(key.clone())
                .fetch_one(&mut *$tx)
                .await
                .map_err($crate::backend_err)?;
                let id: String = sqlx::Row::try_get(&row, "id").map_err($crate::backend_err)?;
                let old: Option<String> =
                    sqlx::Row::try_get(&row, "data").map_err($crate::backend_err)?;
                let merged = $crate::notifications::merge_digest(
                    old.as_deref(),
                    n.data.as_ref().unwrap_or(&serde_json::Value::Null),
                );
                sqlx::query("UPDATE notifications SET data = $2, title = $3, body = $4, created_at = $5, read_at = NULL WHERE id = $1")
                    .bind(id)
                    .bind(merged.to_string())
                    .bind(n.title.clone())
                    .bind(n.body.clone())
                    .bind(n.created_at)
                    .execute(&mut *$tx)
                    .await
                    .map_err($crate::backend_err)?;
            }
        }
    }};
}
pub(crate) use write_notifications;

fn uuid(s: String) -> StoreResult<Uuid> {
    Uuid::parse_str(&s).map_err(|e| StoreError::Backend(e.to_string()))
}

fn row_of<R: Row>(r: &R) -> StoreResult<Notification>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<Uuid>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let data: Option<String> = r.try_get("data").map_err(backend_err)?;
    Ok(Notification {
        id: uuid(r.try_get("id").map_err(backend_err)?)?,
        user_id: uuid(r.try_get("user_id").map_err(backend_err)?)?,
        case_id: r.try_get("case_id").map_err(backend_err)?,
        case_number: r.try_get("case_number").map_err(backend_err)?,
        kind: r.try_get("kind").map_err(backend_err)?,
        title: r.try_get("title").map_err(backend_err)?,
        body: r.try_get("body").map_err(backend_err)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        read_at: r.try_get("read_at").map_err(backend_err)?,
        data: data.and_then(|d| serde_json::from_str(&d).ok()),
        digest_key: r.try_get("digest_key").map_err(backend_err)?,
    })
}

const COLS: &str = "n.id, n.user_id, n.case_id, c.number AS case_number, n.kind, n.title, n.body, n.created_at, n.read_at, n.data, n.digest_key";

impl SqlStore {
    pub(crate) async fn notifications_of(
        &self,
        user: Uuid,
        unread_only: bool,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        let filter = if unread_only {
            " AND n.read_at IS NULL"
        } else {
            ""
        };
        let offset = offset.min(i64::MAX as u64);
        let sql = format!(
            "SELECT {COLS} FROM notifications n LEFT JOIN cases c ON c.id = n.case_id WHERE n.user_id = $1{filter} ORDER BY n.created_at DESC, n.id DESC LIMIT {limit} OFFSET {offset}"
        );
        let count =
            format!("SELECT COUNT(*) AS n FROM notifications n WHERE n.user_id = $1{filter}");
        on_pool!(self, read, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(user.to_string())
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            let total: i64 = sqlx::query(sqlx::AssertSqlSafe(count))
                .bind(user.to_string())
                .fetch_one(p)
                .await
                .and_then(|r| r.try_get("n"))
                .map_err(backend_err)?;
            let items = rows.iter().map(row_of).collect::<StoreResult<Vec<_>>>()?;
            Ok((items, u64::try_from(total).unwrap_or(0)))
        })
    }

    pub(crate) async fn unread_count_impl(&self, user: Uuid) -> StoreResult<i64> {
        on_pool!(self, read, |p| sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL"
        )
        .bind(user.to_string())
        .fetch_one(p)
        .await
        .and_then(|r| r.try_get::<i64, _>("n")))
        .map_err(backend_err)
    }

    pub(crate) async fn mark_read_impl(
        &self,
        user: Uuid,
        id: Option<Uuid>,
        now: i64,
    ) -> StoreResult<u64> {
        on_pool!(self, write, |p| {
            let done = match id {
                Some(id) => sqlx::query("UPDATE notifications SET read_at = $3 WHERE user_id = $1 AND id = $2 AND read_at IS NULL")
                    .bind(user.to_string())
                    .bind(id.to_string())
                    .bind(now)
                    .execute(p)
                    .await,
                None => sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL").bind(user.to_string()).bind(now).execute(p).await,
            };
            done.map(|d| d.rows_affected()).map_err(backend_err)
        })
    }
}

/// One notification row without a digest (a red alert, a mediation's deadline: told at once, one
/// row per person), bound for `execute` inside a transaction.
macro_rules! bind_notice {
    ($n:expr) => {
        sqlx::query(crate::notifications::INSERT)
            .bind($n.id.to_string())
            .bind($n.user_id.to_string())
            .bind($n.case_id)
            .bind($n.kind.clone())
            .bind($n.title.clone())
            .bind($n.body.clone())
            .bind($n.created_at)
            .bind($n.read_at)
            .bind($n.data.as_ref().map(ToString::to_string))
            .bind($n.digest_key.clone())
    };
}
pub(crate) use bind_notice;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_digest_gathers_items_and_replaces_a_repeat() {
        let first = json!({ "unit": "cgj", "items": [{ "case_id": "a", "warning": "near" }] });
        let second = json!({ "unit": "cgj", "items": [{ "case_id": "b", "warning": "near" }] });
        let stored = merge_digest(None, &first);
        let m = merge_digest(Some(&stored.to_string()), &second);
        assert_eq!(m["items"].as_array().map(Vec::len), Some(2));
        // The same case turning overdue is a second entry; a repeat replaces the first.
        let over = json!({ "items": [{ "case_id": "a", "warning": "overdue" }] });
        let m = merge_digest(Some(&m.to_string()), &over);
        assert_eq!(m["items"].as_array().map(Vec::len), Some(3));
        let again = merge_digest(Some(&m.to_string()), &over);
        assert_eq!(again["items"].as_array().map(Vec::len), Some(3));
        assert_eq!(again["items"][2]["warning"], "overdue");
        assert_eq!(again["counts"]["near"], 2);
        assert_eq!(
            again["counts"]["overdue"], 1,
            "a repeat is not counted twice"
        );
        // Nothing stored before: the new data, counted.
        assert_eq!(merge_digest(None, &first)["counts"]["near"], 1);
        // Beyond what it lists, a digest keeps counting.
        let mut d = merge_digest(None, &first);
        for k in 0..(DIGEST_KEEP + 50) {
            let next = json!({ "items": [{ "case_id": format!("c{k}"), "warning": "overdue" }] });
            d = merge_digest(Some(&d.to_string()), &next);
        }
        assert_eq!(d["items"].as_array().map(Vec::len), Some(DIGEST_KEEP));
        assert_eq!(d["counts"]["overdue"], DIGEST_KEEP as i64 + 50);
    }
}
