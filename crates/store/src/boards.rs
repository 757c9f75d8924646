//! 红黄黑榜 boards and appeals (issue 21, migration 0017). A draft is replaced while it is a draft;
//! a published row is frozen by database triggers, so even a bug here cannot change what was
//! published — a correction is the next version.

use crate::{Db, SqlStore, backend_err, json_of, on_pool, uuid_of};
use app::ports::{BoardAppeal, BoardRecord, BoardStore, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

const BOARD_COLS: &str =
    "period, version, status, doc, computed_at, appeal_due, published_at, published_by, reason";
const APPEAL_COLS: &str = "id, period, unit, reason, status, note, created_by, created_by_name, created_at, decided_by_name, decided_at";

fn board_from<R: Row>(r: &R) -> StoreResult<BoardRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let opt = |k: &str| r.try_get::<Option<String>, _>(k).map_err(backend_err);
    Ok(BoardRecord {
        period: text("period")?,
        version: r.try_get("version").map_err(backend_err)?,
        status: text("status")?,
        doc: json_of(&text("doc")?)?,
        computed_at: r.try_get("computed_at").map_err(backend_err)?,
        appeal_due: r.try_get("appeal_due").map_err(backend_err)?,
        published_at: r.try_get("published_at").map_err(backend_err)?,
        published_by: opt("published_by")?,
        reason: opt("reason")?,
    })
}

fn appeal_from<R: Row>(r: &R) -> StoreResult<BoardAppeal>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let opt = |k: &str| r.try_get::<Option<String>, _>(k).map_err(backend_err);
    Ok(BoardAppeal {
        id: uuid_of(&text("id")?)?,
        period: text("period")?,
        unit: text("unit")?,
        reason: text("reason")?,
        status: text("status")?,
        note: opt("note")?,
        created_by: opt("created_by")?.map(|s| uuid_of(&s)).transpose()?,
        created_by_name: text("created_by_name")?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        decided_by_name: opt("decided_by_name")?,
        decided_at: r.try_get("decided_at").map_err(backend_err)?,
    })
}

#[async_trait]
impl BoardStore for SqlStore {
    async fn boards(&self, period: Option<&str>) -> StoreResult<Vec<BoardRecord>> {
        let sql = match period {
            Some(_) => format!(
                "SELECT {BOARD_COLS} FROM boards WHERE period = $1 ORDER BY period, version"
            ),
            None => format!("SELECT {BOARD_COLS} FROM boards ORDER BY period, version"),
        };
        on_pool!(self, read, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            if let Some(period) = period {
                q = q.bind(period.to_string());
            }
            let rows = q.fetch_all(p).await.map_err(backend_err)?;
            rows.iter().map(board_from).collect()
        })
    }

    async fn put_board_draft(&self, b: &BoardRecord) -> StoreResult<bool> {
        let sql = format!(
            "INSERT INTO boards ({BOARD_COLS}) VALUES ($1, $2, 'draft', $3, $4, $5, NULL, NULL, NULL) \
             ON CONFLICT (period, version) DO UPDATE SET doc = excluded.doc, computed_at = excluded.computed_at, \
             appeal_due = excluded.appeal_due WHERE boards.status = 'draft'"
        );
        on_pool!(self, write, |p| {
            let done = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(b.period.clone())
                .bind(b.version)
                .bind(b.doc.to_string())
                .bind(b.computed_at)
                .bind(b.appeal_due)
                .execute(p)
                .await
                .map_err(backend_err)?;
            Ok(done.rows_affected() > 0)
        })
    }

    async fn publish_board(
        &self,
        period: &str,
        version: i64,
        at: i64,
        by: &str,
        reason: Option<&str>,
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let done = sqlx::query(
                "UPDATE boards SET status = 'published', published_at = $1, published_by = $2, reason = $3 \
                 WHERE period = $4 AND version = $5 AND status = 'draft'",
            )
            .bind(at)
            .bind(by.to_string())
            .bind(reason.map(str::to_string))
            .bind(period.to_string())
            .bind(version)
            .execute(p)
            .await
            .map_err(backend_err)?;
            Ok(done.rows_affected() > 0)
        })
    }

    async fn board_appeals(&self, period: &str) -> StoreResult<Vec<BoardAppeal>> {
        let sql = format!(
            "SELECT {APPEAL_COLS} FROM board_appeals WHERE period = $1 ORDER BY created_at, id"
        );
        on_pool!(self, read, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(period.to_string())
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter().map(appeal_from).collect()
        })
    }

    async fn insert_board_appeal(&self, a: &BoardAppeal) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO board_appeals ({APPEAL_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        on_pool!(self, write, |p| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(a.id.to_string())
                .bind(a.period.clone())
                .bind(a.unit.clone())
                .bind(a.reason.clone())
                .bind(a.status.clone())
                .bind(a.note.clone())
                .bind(a.created_by.map(|u| u.to_string()))
                .bind(a.created_by_name.clone())
                .bind(a.created_at)
                .bind(a.decided_by_name.clone())
                .bind(a.decided_at)
                .execute(p)
                .await
                .map_err(backend_err)?;
            Ok(())
        })
    }

    async fn decide_board_appeal(
        &self,
        id: Uuid,
        status: &str,
        note: &str,
        by_name: &str,
        at: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let done = sqlx::query(
                "UPDATE board_appeals SET status = $1, note = $2, decided_by_name = $3, decided_at = $4 \
                 WHERE id = $5 AND status = 'pending'",
            )
            .bind(status.to_string())
            .bind(note.to_string())
            .bind(by_name.to_string())
            .bind(at)
            .bind(id.to_string())
            .execute(p)
            .await
            .map_err(backend_err)?;
            Ok(done.rows_affected() > 0)
        })
    }
}
