//! Reading cases: one by id or number, a filtered page with its count (the full-text index
//! driving it when a search has words), the ids in key order, and their timelines.

use crate::codec::{EVENT_COLS, case_of_row, event_from};
use crate::{Backend, Db, SqlStore, backend_err, on_pool, query};
use app::ports::{CaseQuery, StoreResult};
use domain::{Case, Event};
use sqlx::Row;
use uuid::Uuid;

impl SqlStore {
    /// How many cases there are (for the CLI and tests).
    pub async fn count_cases(&self) -> StoreResult<i64> {
        on_pool!(self, read, |p| sqlx::query(
            "SELECT COUNT(*) AS n FROM cases"
        )
        .fetch_one(p)
        .await
        .and_then(|r| r.try_get::<i64, _>("n")))
        .map_err(backend_err)
    }

    pub(crate) async fn get_case_impl(&self, id: Uuid) -> StoreResult<Option<Case>> {
        let row = on_pool!(self, read, |p| sqlx::query(
            "SELECT number, doc FROM cases WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
        .and_then(|r| r
            .map(|r| Ok((
                r.try_get::<String, _>("number")?,
                r.try_get::<Vec<u8>, _>("doc")?
            )))
            .transpose()))
        .map_err(backend_err)?;
        row.map(|(n, d)| case_of_row(n, &d)).transpose()
    }

    pub(crate) async fn get_case_by_number_impl(&self, number: &str) -> StoreResult<Option<Case>> {
        let doc = on_pool!(self, read, |p| sqlx::query(
            "SELECT doc FROM cases WHERE number = $1"
        )
        .bind(number.to_string())
        .fetch_optional(p)
        .await
        .and_then(|r| r.map(|r| r.try_get::<Vec<u8>, _>("doc")).transpose()))
        .map_err(backend_err)?;
        doc.as_deref()
            .map(|d| case_of_row(number.to_string(), d))
            .transpose()
    }

    pub(crate) async fn list_cases_impl(&self, q: &CaseQuery) -> StoreResult<(Vec<Case>, u64)> {
        let fts = query::fts_driven(q);
        let text_only = fts && query::text_only(q);
        let (where_sql, args) = query::case_filter_with(q, self.backend(), fts);
        let walk = query::fts_walk(self.backend());
        // A search with nothing else to check (the district's own staff, no filters) counts
        // in the index alone: joining each match to its case row reads a page per match, most
        // of such a search's cost. Every indexed row is a case (cases are never deleted).
        let count_from = if text_only {
            "case_search".to_string()
        } else if fts {
            format!(
                "case_search JOIN cases c ON {} = {}",
                walk.case_col, walk.key
            )
        } else {
            "cases c".to_string()
        };
        let count_sql = match q.count_limit {
            Some(cap) => format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {count_from} WHERE {where_sql} LIMIT {}) t",
                cap.saturating_add(1)
            ),
            None => format!("SELECT COUNT(*) AS n FROM {count_from} WHERE {where_sql}"),
        };
        // PostgreSQL: the page of a text-only search from the newest entries first, and from
        // every match only if those do not fill it (see `FtsWalk::recent_page_sql`).
        let fallback_sql = (text_only && self.backend() == Backend::Postgres)
            .then(|| walk.all_matches_page_sql(&where_sql, q.limit, q.offset));
        let list_sql = if fallback_sql.is_some() {
            walk.recent_page_sql(&where_sql, q.limit, q.offset)
        } else if text_only {
            walk.text_page_sql(&where_sql, q.limit, q.offset)
        } else if fts {
            walk.page_sql(&where_sql, q.limit, q.offset)
        } else {
            format!(
                "SELECT c.number, c.doc FROM cases c WHERE {where_sql} ORDER BY {} LIMIT {} OFFSET {}",
                query::order_by(q.sort),
                q.limit,
                q.offset
            )
        };
        // PostgreSQL plans these per request, from the values: a prepared statement falls back to
        // a generic plan after five runs, and the generic plan of "status = $1, newest first"
        // walks the whole time index filtering on status (290 ms instead of 0.4 ms for 办理中 at
        // 1M, where the newest cases are mostly 待受理), and that of "tsv @@ $1" cannot tell a
        // common word from a rare one. SQLite keeps its statements: its plans do not look at the
        // values.
        let prepared = self.backend() != Backend::Postgres;
        on_pool!(self, read, |p| {
            let mut cq = sqlx::query(sqlx::AssertSqlSafe(count_sql)).persistent(prepared);
            for a in &args {
                cq = a.bind_to(cq);
            }
            let total: i64 = cq
                .fetch_one(p)
                .await
                .and_then(|r| r.try_get("n"))
                .map_err(backend_err)?;
            let mut lq = sqlx::query(sqlx::AssertSqlSafe(list_sql)).persistent(prepared);
            for a in &args {
                lq = a.bind_to(lq);
            }
            let mut rows = lq.fetch_all(p).await.map_err(backend_err)?;
            if let Some(sql) = fallback_sql
                && rows.len() < q.limit as usize
            {
                let mut fq = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(prepared);
                for a in &args {
                    fq = a.bind_to(fq);
                }
                rows = fq.fetch_all(p).await.map_err(backend_err)?;
            }
            let cases = rows
                .iter()
                .map(|r| {
                    let number: String = r.try_get("number").map_err(backend_err)?;
                    r.try_get::<Vec<u8>, _>("doc")
                        .map_err(backend_err)
                        .and_then(|d| case_of_row(number, &d))
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok((cases, u64::try_from(total).unwrap_or(0)))
        })
    }

    pub(crate) async fn case_ids_after_impl(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Uuid>> {
        let sql = format!(
            "SELECT id FROM cases WHERE id > $1 ORDER BY id LIMIT {}",
            limit.max(1)
        );
        on_pool!(self, read, |p| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(after.unwrap_or(Uuid::nil()))
                .fetch_all(p)
                .await
                .map_err(backend_err)?
                .iter()
                .map(|r| r.try_get::<Uuid, _>("id").map_err(backend_err))
                .collect()
        })
    }

    pub(crate) async fn events_of_cases_impl(&self, ids: &[Uuid]) -> StoreResult<Vec<Event>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {EVENT_COLS} FROM events WHERE case_id IN ({marks}) ORDER BY case_id, at, id"
        );
        on_pool!(self, read, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(p)
                .await
                .map_err(backend_err)?
                .iter()
                .map(event_from)
                .collect()
        })
    }

    pub(crate) async fn events_impl(&self, case_id: Uuid) -> StoreResult<Vec<Event>> {
        on_pool!(self, read, |p| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLS} FROM events WHERE case_id = $1 ORDER BY at, id"
            )))
            .bind(case_id)
            .fetch_all(p)
            .await
            .map_err(backend_err)?
            .iter()
            .map(event_from)
            .collect()
        })
    }
}
