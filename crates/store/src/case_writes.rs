//! Writing cases: the statements and binders of a case row, the entry points (`insert_case`,
//! `insert_cases_bulk`, `save_cases`), which encode in the caller's task and queue for the group
//! committers, and the two transactions the committers run: inserting new cases with multi-row
//! statements, and saving updates each in its own savepoint. A case's events, unit rows, search
//! entry, tallies, metrics and notifications are written in the same transaction as its row.

use crate::codec::{INSERT_EVENT, INSERT_EVENT_HEAD, NewRow, bind_event, encode_doc};
use crate::{Backend, Db, SqlStore, backend_err, bulk, group_commit, metrics, notifications};
use crate::{on_pool, tallies};
use app::error::StoreError;
use app::ports::{CaseWrite, StoreResult};
use domain::{Case, Event};
use sqlx::Row;
use uuid::Uuid;

const INSERT_CASE_HEAD_SEQ: &str = "INSERT INTO cases (seq, id, number, version, status, nature, category, urgency, source, region, hub, unit, created_by, reporter_phone, supervised, title, reported_at, created_at, updated_at, due_at, warn_at, doc, sign_due, signed_at, handle_due, resolved_at, closed_at, satisfaction, merged_into, next_alert_at, pending) VALUES ";
const INSERT_CASE_HEAD: &str = "INSERT INTO cases (id, number, version, status, nature, category, urgency, source, region, hub, unit, created_by, reporter_phone, supervised, title, reported_at, created_at, updated_at, due_at, warn_at, doc, sign_due, signed_at, handle_due, resolved_at, closed_at, satisfaction, merged_into, next_alert_at, pending) VALUES ";

pub(crate) const UPDATE_CASE: &str = "UPDATE cases SET version = $3, status = $4, nature = $5, category = $6, urgency = $7, source = $8, region = $9, hub = $10, unit = $11, created_by = $12, reporter_phone = $13, supervised = $14, title = $15, reported_at = $16, created_at = $17, updated_at = $18, due_at = $19, warn_at = $20, doc = $21, number = $2, sign_due = $22, signed_at = $23, handle_due = $24, resolved_at = $25, closed_at = $26, satisfaction = $27, merged_into = $28, next_alert_at = $29, pending = $30 WHERE id = $1 AND version = $31";

/// The `pending` column of a case: what it waits for from its hub besides dispatch.
pub(crate) fn pending_of(c: &Case) -> Option<&'static str> {
    c.pending_extension.as_ref().map(|_| "extension")
}

/// Binds the 30 case columns in the order of INSERT_CASE / UPDATE_CASE.
macro_rules! bind_case {
    ($q:expr, $w:expr, $doc:expr) => {{
        let c = &$w.case;
        $q.bind(c.id)
            .bind(c.number.clone())
            .bind(c.version)
            .bind(c.status.code())
            .bind(c.nature.code())
            .bind(c.category.clone())
            .bind(c.urgency.code())
            .bind(c.source.code())
            .bind(c.location.region.clone())
            .bind(c.hub.clone())
            .bind(c.unit.clone())
            .bind(c.created_by)
            .bind(domain::phone_key(&c.reporter.phone))
            .bind(c.supervised)
            .bind(c.title.clone())
            .bind(c.reported_at)
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind($w.due_at)
            .bind($w.warn_at)
            .bind($doc)
            .bind(c.sign_due)
            .bind(c.signed_at)
            .bind(c.handle_due)
            .bind(c.resolved_at)
            .bind(c.closed_at)
            .bind(c.satisfaction.map(|s| s.code()))
            .bind(c.merged_into)
            .bind($w.next_alert_at)
            .bind($crate::case_writes::pending_of(c))
    }};
}
pub(crate) use bind_case;

/// Writes a case's events, unit rows, search entry and metrics inside an open transaction.
macro_rules! write_children {
    ($tx:expr, $w:expr, $store:expr) => {{
        let id = $w.case.id;
        for e in &$w.events {
            bind_event!(sqlx::query(INSERT_EVENT), e)
                .execute(&mut *$tx)
                .await
                .map_err(backend_err)?;
        }
        sqlx::query("DELETE FROM case_units WHERE case_id = $1")
            .bind(id)
            .execute(&mut *$tx)
            .await
            .map_err(backend_err)?;
        let units = $w
            .case
            .unit
            .iter()
            .map(|u| (u.clone(), true))
            .chain($w.case.co_units.iter().map(|u| (u.clone(), false)));
        for (unit, main) in units {
            sqlx::query("INSERT INTO case_units (case_id, unit, main) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(unit)
                .bind(main)
                .execute(&mut *$tx)
                .await
                .map_err(backend_err)?;
        }
        if let Some(tokens) = &$w.search_tokens {
            // Only an update can have an entry to replace.
            if $w.expected_version.is_some() {
                sqlx::query($store.search_delete())
                    .bind(id)
                    .execute(&mut *$tx)
                    .await
                    .map_err(backend_err)?;
            }
            sqlx::query($store.search_insert())
                .bind(id)
                .bind(tokens.clone())
                .execute(&mut *$tx)
                .await
                .map_err(backend_err)?;
        }
        metrics::apply_metrics!(
            $tx,
            [(id, &$w.metrics)],
            $store.backend() == Backend::Postgres
        );
        notifications::write_notifications!(
            $tx,
            &$w.notifications,
            $store.backend() == Backend::Postgres
        );
    }};
}
pub(crate) use write_children;

/// Case rows per multi-row insert: 31 parameters each stays under SQLite's 32,766.
const CASE_ROWS: usize = 400;

// The search entry of a case. SQLite's contentless index is keyed by the case row's rowid;
// PostgreSQL's vector keeps no positions (every query is an AND of whole tokens).
const SQLITE_SEARCH_INSERT: &str =
    "INSERT INTO case_search (rowid, tokens) VALUES ((SELECT seq FROM cases WHERE id = $1), $2)";
const PG_SEARCH_INSERT: &str =
    "INSERT INTO case_search (case_id, tsv) VALUES ($1, strip(to_tsvector('simple', $2)))";
const SQLITE_SEARCH_DELETE: &str =
    "DELETE FROM case_search WHERE rowid = (SELECT seq FROM cases WHERE id = $1)";
const PG_SEARCH_DELETE: &str = "DELETE FROM case_search WHERE case_id = $1";

/// The head and row template of a multi-row insert of search entries: (case seq, tokens) on
/// SQLite, (case id, tokens) on PostgreSQL.
fn search_rows(backend: Backend) -> (&'static str, &'static [&'static str]) {
    match backend {
        Backend::Sqlite => (
            "INSERT INTO case_search (rowid, tokens) VALUES ",
            &["$", "$"],
        ),
        Backend::Postgres => (
            "INSERT INTO case_search (case_id, tsv) VALUES ",
            &["$", "strip(to_tsvector('simple', $))"],
        ),
    }
}

impl SqlStore {
    pub(crate) async fn insert_case_impl(&self, w: CaseWrite, year: i32) -> StoreResult<Case> {
        // Encoded here, in the caller's task: concurrent intakes compress in parallel and the
        // committer only writes.
        let row = NewRow::encode(w, year)?;
        match &self.committer {
            Some(tx) => group_commit::submit(tx, row).await,
            None => {
                let mut rows = [row];
                self.insert_cases_tx(&mut rows).await?;
                let [row] = rows;
                Ok(row.write.case)
            }
        }
    }

    pub(crate) async fn insert_cases_bulk_impl(
        &self,
        writes: Vec<(CaseWrite, i32)>,
    ) -> StoreResult<()> {
        // Encoding is most of the CPU of a bulk load outside the database: done on the blocking
        // pool, half a batch per thread, while an earlier batch may still be writing.
        let mut rest = writes;
        let second = rest.split_off(rest.len() / 2);
        let encode = |part: Vec<(CaseWrite, i32)>| {
            tokio::task::spawn_blocking(move || {
                part.into_iter()
                    .map(|(w, y)| NewRow::encode(w, y))
                    .collect::<StoreResult<Vec<NewRow>>>()
            })
        };
        let (a, b) = (encode(rest), encode(second));
        let join = |e: tokio::task::JoinError| StoreError::Backend(format!("encoding: {e}"));
        let mut rows = a.await.map_err(join)??;
        rows.extend(b.await.map_err(join)??);
        self.insert_cases_tx(&mut rows).await
    }

    pub(crate) async fn save_cases_impl(&self, mut writes: Vec<CaseWrite>) -> StoreResult<bool> {
        if writes.iter().any(|w| w.expected_version.is_none()) {
            return Err(StoreError::Backend(
                "save_cases needs an expected version".into(),
            ));
        }
        // Encoded here, in the caller's task, like intakes: the committer only writes.
        let docs = writes
            .iter_mut()
            .map(|w| encode_doc(&mut w.case))
            .collect::<StoreResult<Vec<_>>>()?;
        let job = group_commit::SaveJob { writes, docs };
        match &self.saver {
            Some(tx) => group_commit::submit(tx, job).await,
            None => {
                let saved = self.save_jobs_tx(std::slice::from_ref(&job)).await?;
                Ok(saved.first().copied().unwrap_or(false))
            }
        }
    }

    pub(crate) async fn finish_bulk_load_impl(&self) -> StoreResult<()> {
        // SQLite plans from its own heuristics (no sqlite_stat1 is kept, on purpose: the plans
        // the tests check are the ones served); PostgreSQL needs statistics for every plan.
        if let Db::Postgres(p) = &self.db {
            sqlx::query("VACUUM (ANALYZE)")
                .execute(p)
                .await
                .map_err(backend_err)?;
        }
        Ok(())
    }

    /// Writes several updates in one transaction, each in its own savepoint: one whose case no
    /// longer has the expected version is undone alone and answered `false` (409), the others
    /// commit. The tallies of the saved ones are applied once at the end. Returns, per job,
    /// whether it was written; nothing is written if the transaction fails.
    pub(crate) async fn save_jobs_tx(
        &self,
        jobs: &[group_commit::SaveJob],
    ) -> StoreResult<Vec<bool>> {
        use sqlx::Acquire;
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let mut saved = Vec::with_capacity(jobs.len());
            let mut deltas = vec![];
            for job in jobs {
                let mut sp = tx.begin().await.map_err(backend_err)?;
                let mut current = true;
                for (w, doc) in job.writes.iter().zip(&job.docs) {
                    let expected = w.expected_version.unwrap_or(-1);
                    let done = bind_case!(sqlx::query(UPDATE_CASE), w, doc.clone())
                        .bind(expected)
                        .execute(&mut *sp)
                        .await
                        .map_err(backend_err)?;
                    if done.rows_affected() != 1 {
                        current = false;
                        break;
                    }
                    write_children!(sp, w, self);
                }
                if current {
                    sp.commit().await.map_err(backend_err)?;
                    deltas.extend(job.writes.iter().flat_map(|w| w.tallies.iter().cloned()));
                } else {
                    sp.rollback().await.map_err(backend_err)?;
                }
                saved.push(current);
            }
            let deltas = domain::tally::normalize(deltas);
            tallies::apply_tallies!(tx, deltas, self.backend() == Backend::Postgres);
            tx.commit().await.map_err(backend_err)?;
            Ok(saved)
        })
    }

    /// Inserts new cases in one transaction, numbering each from the per-year counter; returns
    /// them with their numbers. Every table gets multi-row statements (a few hundred rows each),
    /// so a batch of a thousand cases costs a few dozen statements, not ten thousand: this is what
    /// makes group-committed intake and bulk loads fast.
    /// The rows get their numbers; if the transaction fails they keep them, and a retry numbers
    /// them again.
    pub(crate) async fn insert_cases_tx(&self, rows: &mut [NewRow]) -> StoreResult<()> {
        let backend = self.backend();
        let numbered = backend == Backend::Postgres;
        let deltas = domain::tally::normalize(
            rows.iter()
                .flat_map(|r| r.write.tallies.iter().cloned())
                .collect(),
        );
        let mut per_year: std::collections::BTreeMap<i32, i64> = Default::default();
        for r in rows.iter() {
            *per_year.entry(r.year).or_default() += 1;
        }
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            // Numbers: one counter update per year reserves a run for the whole batch.
            let mut next: std::collections::BTreeMap<i32, i64> = Default::default();
            for (year, k) in &per_year {
                let last: i64 = sqlx::query("INSERT INTO case_counters (year, last) VALUES ($1, $2) ON CONFLICT (year) DO UPDATE SET last = case_counters.last + excluded.last RETURNING last")
                    .bind(i64::from(*year))
                    .bind(*k)
                    .fetch_one(&mut *tx)
                    .await
                    .and_then(|r| r.try_get::<i64, _>("last"))
                    .map_err(backend_err)?;
                next.insert(*year, last - k + 1);
            }
            for r in rows.iter_mut() {
                let n = next.entry(r.year).or_insert(1);
                r.write.case.number = format!("{}-{n:06}", r.year);
                *n += 1;
            }
            // SQLite: the rows' `seq` (the search index's rowid) is handed out here, in order; the
            // writer holds the database, so no one else takes these numbers.
            let first_seq: i64 = match backend {
                Backend::Sqlite => sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM cases")
                    .fetch_one(&mut *tx)
                    .await
                    .and_then(|r| r.try_get("s"))
                    .map_err(backend_err)?,
                Backend::Postgres => 0,
            };
            let mut seq = first_seq;
            for chunk in rows.chunks(CASE_ROWS) {
                let sql = match backend {
                    Backend::Sqlite => {
                        bulk::rows_sql(INSERT_CASE_HEAD_SEQ, &["$"; 31], chunk.len(), false)
                    }
                    Backend::Postgres => {
                        bulk::rows_sql(INSERT_CASE_HEAD, &["$"; 30], chunk.len(), true)
                    }
                };
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for r in chunk {
                    if backend == Backend::Sqlite {
                        q = q.bind(seq);
                        seq += 1;
                    }
                    q = bind_case!(q, r.write, r.doc.clone());
                }
                q.execute(&mut *tx).await.map_err(backend_err)?;
            }
            let events: Vec<(&Event, &Vec<u8>)> = rows
                .iter()
                .flat_map(|r| r.write.events.iter().zip(&r.bodies))
                .collect();
            for chunk in events.chunks(bulk::ROWS) {
                let sql = bulk::rows_sql(INSERT_EVENT_HEAD, &["$"; 4], chunk.len(), numbered);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (e, body) in chunk {
                    q = q
                        .bind(e.case_id)
                        .bind(e.at)
                        .bind(e.id)
                        .bind((*body).clone());
                }
                q.execute(&mut *tx).await.map_err(backend_err)?;
            }
            let units: Vec<(Uuid, String, bool)> = rows
                .iter()
                .map(|r| &r.write)
                .flat_map(|w| {
                    let id = w.case.id;
                    w.case
                        .unit
                        .iter()
                        .map(|u| (u.clone(), true))
                        .chain(w.case.co_units.iter().map(|u| (u.clone(), false)))
                        .map(move |(u, main)| (id, u, main))
                })
                .collect();
            for chunk in units.chunks(bulk::ROWS) {
                let sql = bulk::rows_sql(
                    "INSERT INTO case_units (case_id, unit, main) VALUES ",
                    &["$"; 3],
                    chunk.len(),
                    numbered,
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (id, unit, main) in chunk {
                    q = q.bind(*id).bind(unit.clone()).bind(*main);
                }
                q.execute(&mut *tx).await.map_err(backend_err)?;
            }
            let search: Vec<(i64, Uuid, &String)> = rows
                .iter()
                .zip(first_seq..)
                .filter_map(|(r, seq)| {
                    r.write
                        .search_tokens
                        .as_ref()
                        .map(|t| (seq, r.write.case.id, t))
                })
                .collect();
            for chunk in search.chunks(bulk::ROWS) {
                let (head, template) = search_rows(backend);
                let sql = bulk::rows_sql(head, template, chunk.len(), numbered);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (seq, id, tokens) in chunk {
                    q = match backend {
                        Backend::Sqlite => q.bind(*seq),
                        Backend::Postgres => q.bind(*id),
                    };
                    q = q.bind((*tokens).clone());
                }
                q.execute(&mut *tx).await.map_err(backend_err)?;
            }
            tallies::apply_tallies!(tx, deltas, self.backend() == Backend::Postgres);
            metrics::apply_metrics!(
                tx,
                rows.iter().map(|r| (r.write.case.id, &r.write.metrics)),
                numbered
            );
            notifications::write_notifications!(
                tx,
                rows.iter().flat_map(|r| &r.write.notifications),
                numbered
            );
            tx.commit().await.map_err(backend_err)?;
        });
        Ok(())
    }

    pub(crate) fn search_insert(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => SQLITE_SEARCH_INSERT,
            Backend::Postgres => PG_SEARCH_INSERT,
        }
    }
    pub(crate) fn search_delete(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => SQLITE_SEARCH_DELETE,
            Backend::Postgres => PG_SEARCH_DELETE,
        }
    }
}
