//! Data moves that SQL migrations cannot do alone, run by [`SqlStore::migrate`] after them.
//!
//! Migration 0008 packs each event's fields into one compressed body (`event_row`), which takes
//! Rust: it renames the old table to `events_v1`, and this moves its rows into `events` a batch
//! at a time. Each batch reads, writes and deletes its rows in one transaction, so a killed
//! upgrade resumes where it stopped; on PostgreSQL an advisory lock keeps two replicas that start
//! together from moving the same batch.

use crate::{Backend, Db, SqlStore, backend_err, event_row, on_pool, packed};
use app::error::StoreError;
use app::ports::StoreResult;
use domain::Event;
use sqlx::Row;
use uuid::Uuid;

/// Old event rows moved per transaction.
const BATCH: i64 = 5000;
/// Any fixed number: the advisory lock of the event upgrade.
const LOCK_KEY: i64 = 0x6f77_0008;

fn bad(why: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("upgrading events: {why}"))
}

impl SqlStore {
    async fn has_table(&self, name: &str) -> StoreResult<bool> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1"
            }
        };
        on_pool!(self, read, |p| sqlx::query(sql)
            .bind(name.to_string())
            .fetch_one(p)
            .await
            .and_then(|r| r.try_get::<i64, _>("n"))
            .map(|n| n > 0)
            .map_err(backend_err))
    }

    /// Moves the events of a database from before 0008 into the packed table; returns how many.
    pub(crate) async fn upgrade_events(&self) -> StoreResult<u64> {
        if !self.has_table("events_v1").await? {
            return Ok(0);
        }
        let numbered = self.backend() == Backend::Postgres;
        let mut moved = 0u64;
        loop {
            let n = on_pool!(self, write, |p| {
                let mut tx = p.begin().await.map_err(backend_err)?;
                if numbered {
                    sqlx::query("SELECT pg_advisory_xact_lock($1)")
                        .bind(LOCK_KEY)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    // Another replica may have finished and dropped the table meanwhile.
                    let left: i64 = sqlx::query(
                        "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'events_v1'",
                    )
                    .fetch_one(&mut *tx)
                    .await
                    .and_then(|r| r.try_get("n"))
                    .map_err(backend_err)?;
                    if left == 0 {
                        return Ok(moved);
                    }
                }
                let rows = sqlx::query(
                    "SELECT id, case_id, at, actor, actor_name, unit, action, opinion, data FROM events_v1 ORDER BY case_id, at, id LIMIT $1",
                )
                .bind(BATCH)
                .fetch_all(&mut *tx)
                .await
                .map_err(backend_err)?;
                let mut events = Vec::with_capacity(rows.len());
                let mut last: Option<(String, i64, String)> = None;
                for r in &rows {
                    let id: String = r.try_get("id").map_err(backend_err)?;
                    let case_id: String = r.try_get("case_id").map_err(backend_err)?;
                    let at: i64 = r.try_get("at").map_err(backend_err)?;
                    let actor: Option<String> = r.try_get("actor").map_err(backend_err)?;
                    let data: Vec<u8> = r.try_get("data").map_err(backend_err)?;
                    events.push(Event {
                        id: Uuid::parse_str(&id).map_err(bad)?,
                        case_id: Uuid::parse_str(&case_id).map_err(bad)?,
                        at,
                        actor: actor
                            .as_deref()
                            .map(Uuid::parse_str)
                            .transpose()
                            .map_err(bad)?,
                        actor_name: r.try_get("actor_name").map_err(backend_err)?,
                        unit: r.try_get("unit").map_err(backend_err)?,
                        action: r.try_get("action").map_err(backend_err)?,
                        opinion: r.try_get("opinion").map_err(backend_err)?,
                        data: serde_json::from_str(&packed::decode(&data)?).map_err(bad)?,
                    });
                    last = Some((case_id, at, id));
                }
                let Some((lc, la, li)) = last else {
                    sqlx::query("DROP TABLE events_v1")
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    tx.commit().await.map_err(backend_err)?;
                    return Ok(moved);
                };
                for chunk in events.chunks(crate::bulk::ROWS) {
                    let mut sql = crate::bulk::rows_sql(
                        crate::codec::INSERT_EVENT_HEAD,
                        &["$"; 4],
                        chunk.len(),
                        numbered,
                    );
                    sql.push_str(" ON CONFLICT (case_id, at, id) DO NOTHING");
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for e in chunk {
                        q = q
                            .bind(e.case_id)
                            .bind(e.at)
                            .bind(e.id)
                            .bind(event_row::encode_body(e)?);
                    }
                    q.execute(&mut *tx).await.map_err(backend_err)?;
                }
                sqlx::query("DELETE FROM events_v1 WHERE (case_id, at, id) <= ($1, $2, $3)")
                    .bind(lc)
                    .bind(la)
                    .bind(li)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
                tx.commit().await.map_err(backend_err)?;
                rows.len() as u64
            });
            moved += n;
            tracing::info!(moved, "upgrading events to packed bodies");
        }
    }
}
