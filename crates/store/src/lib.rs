//! The only crate with SQL. One [`SqlStore`] serves SQLite (the embedded default) and PostgreSQL
//! (production, several replicas) with the same portable statements (`$N` parameters, epoch
//! milliseconds, text ids); backend-specific SQL is confined to full-text search and connection
//! set-up. Each method's body is written once and expanded for both pool types by [`on_pool!`].

mod bulk;
mod codec;
mod connect;
mod dump;
mod event_row;
mod group_commit;
mod guard;
mod metrics;
mod notifications;
mod packed;
mod query;
mod tallies;
mod upgrade;

pub use connect::{Backend, Tuning};
pub use dump::{DumpLoad, TABLES};

use app::error::StoreError;
use app::org::Unit;
use app::ports::{
    AlertOutcome, AlertWrite, ApiKeyRecord, CaseQuery, CaseWrite, Delivery, MetricCount,
    MetricsWrite, ModelRecord, Notification, QueueCounts, RawStats, Route, Store, StoreResult,
    UnitCounts, UserRecord,
};
use async_trait::async_trait;
use codec::{
    EVENT_COLS, INSERT_EVENT, INSERT_EVENT_HEAD, NewRow, bind_event, case_of_row, encode_doc,
    event_from,
};
use domain::{Case, Event, Level, Role, UnitKind};
use sqlx::Row;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use uuid::Uuid;

#[derive(Clone)]
enum Db {
    /// SQLite allows one writer at a time: a single-connection write pool serialises writers in
    /// the process (no SQLITE_BUSY on lock upgrade), while readers use their own pool under WAL.
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
    },
    Postgres(PgPool),
}

pub struct SqlStore {
    db: Db,
    /// Intakes are queued here and committed together (group commit), see [`group_commit`].
    committer: Option<group_commit::Committer<NewRow, Case>>,
    /// Updates (transitions, sweeps, merges) are queued here and committed together, each in
    /// its own savepoint, see [`group_commit::saves`].
    saver: Option<group_commit::Committer<group_commit::SaveJob, bool>>,
    /// The SQLite file as opened, for the readiness check (see [`guard`]).
    file: Option<std::sync::Arc<guard::DbFile>>,
}

fn backend_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        return StoreError::Conflict(d.message().to_string());
    }
    StoreError::Backend(e.to_string())
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Backend(format!("stored JSON: {e}"))
}

/// Runs the same block against whichever pool the store has; `$p` is bound to the pool.
macro_rules! on_pool {
    ($self:expr, write, |$p:ident| $body:expr) => {
        match &$self.db {
            Db::Sqlite { write: $p, .. } => $body,
            Db::Postgres($p) => $body,
        }
    };
    ($self:expr, read, |$p:ident| $body:expr) => {
        match &$self.db {
            Db::Sqlite { read: $p, .. } => $body,
            Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

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
}

fn user_from<R: Row>(r: &R) -> StoreResult<UserRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = r.try_get("id").map_err(backend_err)?;
    let role: String = r.try_get("role").map_err(backend_err)?;
    Ok(UserRecord {
        id: Uuid::parse_str(&id).map_err(|e| StoreError::Backend(e.to_string()))?,
        username: r.try_get("username").map_err(backend_err)?,
        display_name: r.try_get("display_name").map_err(backend_err)?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Backend(format!("unknown role {role}")))?,
        unit: r.try_get("unit").map_err(backend_err)?,
        password_hash: r.try_get("password_hash").map_err(backend_err)?,
        disabled: r.try_get("disabled").map_err(backend_err)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        must_change_password: r.try_get("must_change_password").map_err(backend_err)?,
    })
}

const USER_COLS: &str = "id, username, display_name, role, unit, password_hash, disabled, created_at, must_change_password";

const INSERT_CASE_HEAD_SEQ: &str = "INSERT INTO cases (seq, id, number, version, status, nature, category, urgency, source, region, hub, unit, created_by, reporter_phone, supervised, title, reported_at, created_at, updated_at, due_at, warn_at, doc, sign_due, signed_at, handle_due, resolved_at, closed_at, satisfaction, merged_into, next_alert_at, pending) VALUES ";
const INSERT_CASE_HEAD: &str = "INSERT INTO cases (id, number, version, status, nature, category, urgency, source, region, hub, unit, created_by, reporter_phone, supervised, title, reported_at, created_at, updated_at, due_at, warn_at, doc, sign_due, signed_at, handle_due, resolved_at, closed_at, satisfaction, merged_into, next_alert_at, pending) VALUES ";

const UPDATE_CASE: &str = "UPDATE cases SET version = $3, status = $4, nature = $5, category = $6, urgency = $7, source = $8, region = $9, hub = $10, unit = $11, created_by = $12, reporter_phone = $13, supervised = $14, title = $15, reported_at = $16, created_at = $17, updated_at = $18, due_at = $19, warn_at = $20, doc = $21, number = $2, sign_due = $22, signed_at = $23, handle_due = $24, resolved_at = $25, closed_at = $26, satisfaction = $27, merged_into = $28, next_alert_at = $29, pending = $30 WHERE id = $1 AND version = $31";

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
            .bind($crate::pending_of(c))
    }};
}

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

impl SqlStore {
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
}

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
    fn search_insert(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => SQLITE_SEARCH_INSERT,
            Backend::Postgres => PG_SEARCH_INSERT,
        }
    }
    fn search_delete(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => SQLITE_SEARCH_DELETE,
            Backend::Postgres => PG_SEARCH_DELETE,
        }
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn units(&self) -> StoreResult<Vec<Unit>> {
        let rows = on_pool!(self, read, |p| {
            sqlx::query(
            "SELECT code, name, level, kind, parent, region, disabled FROM units ORDER BY position, code"
        )
        .fetch_all(p)
        .await
        .map_err(backend_err)
        .and_then(|rows| rows
            .iter()
            .map(
                |r| -> StoreResult<(String, String, String, String, Option<String>, String, bool)> {
                    Ok((
                        r.try_get("code").map_err(backend_err)?,
                        r.try_get("name").map_err(backend_err)?,
                        r.try_get("level").map_err(backend_err)?,
                        r.try_get("kind").map_err(backend_err)?,
                        r.try_get("parent").map_err(backend_err)?,
                        r.try_get("region").map_err(backend_err)?,
                        r.try_get("disabled").map_err(backend_err)?,
                    ))
                }
            )
            .collect::<StoreResult<Vec<_>>>())
        })?;
        rows.into_iter()
            .map(|(code, name, level, kind, parent, region, disabled)| {
                Ok(Unit {
                    level: Level::parse(&level).ok_or_else(|| {
                        StoreError::Backend(format!("unit {code}: bad level {level}"))
                    })?,
                    kind: UnitKind::parse(&kind).ok_or_else(|| {
                        StoreError::Backend(format!("unit {code}: bad kind {kind}"))
                    })?,
                    code,
                    name,
                    parent,
                    region,
                    disabled,
                })
            })
            .collect()
    }

    async fn put_units(&self, units: &[Unit]) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            for (i, u) in units.iter().enumerate() {
                sqlx::query("INSERT INTO units (code, name, level, kind, parent, region, position, disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, kind = excluded.kind, parent = excluded.parent, region = excluded.region, position = excluded.position, disabled = excluded.disabled")
                    .bind(u.code.clone())
                    .bind(u.name.clone())
                    .bind(u.level.code())
                    .bind(u.kind.code())
                    .bind(u.parent.clone())
                    .bind(u.region.clone())
                    .bind(i64::try_from(i).unwrap_or(i64::MAX))
                    .bind(u.disabled)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)
        })
    }

    async fn insert_user(&self, u: &UserRecord) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO users (id, username, display_name, role, unit, password_hash, disabled, created_at, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(u.id.to_string())
            .bind(u.username.clone())
            .bind(u.display_name.clone())
            .bind(u.role.code())
            .bind(u.unit.clone())
            .bind(u.password_hash.clone())
            .bind(u.disabled)
            .bind(u.created_at)
            .bind(u.must_change_password)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)?;
        Ok(())
    }

    async fn update_user(&self, u: &UserRecord) -> StoreResult<bool> {
        on_pool!(self, write, |p| sqlx::query("UPDATE users SET display_name = $2, role = $3, unit = $4, password_hash = $5, disabled = $6, must_change_password = $7 WHERE id = $1")
            .bind(u.id.to_string())
            .bind(u.display_name.clone())
            .bind(u.role.code())
            .bind(u.unit.clone())
            .bind(u.password_hash.clone())
            .bind(u.disabled)
            .bind(u.must_change_password)
            .execute(p)
            .await
            .map(|d| d.rows_affected() == 1))
        .map_err(backend_err)
    }

    async fn revoke_sessions(&self, user: Uuid, keep: Option<&str>) -> StoreResult<u64> {
        on_pool!(self, write, |p| sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2"
        )
        .bind(user.to_string())
        .bind(keep.unwrap_or("").to_string())
        .execute(p)
        .await
        .map(|d| d.rows_affected()))
        .map_err(backend_err)
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE username = $1"));
        on_pool!(self, read, |p| match sqlx::query(sql)
            .bind(username.to_string())
            .fetch_optional(p)
            .await
            .map_err(backend_err)?
        {
            Some(r) => user_from(&r).map(Some),
            None => Ok(None),
        })
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE id = $1"));
        on_pool!(self, read, |p| match sqlx::query(sql)
            .bind(id.to_string())
            .fetch_optional(p)
            .await
            .map_err(backend_err)?
        {
            Some(r) => user_from(&r).map(Some),
            None => Ok(None),
        })
    }

    async fn users(&self) -> StoreResult<Vec<UserRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users ORDER BY username"));
        on_pool!(self, read, |p| sqlx::query(sql)
            .fetch_all(p)
            .await
            .map_err(backend_err)?
            .iter()
            .map(user_from)
            .collect())
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user: Uuid,
        created_at: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            // Expired sessions are purged as new ones are made, so the table stays small.
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(created_at)
                .execute(p)
                .await
                .map_err(backend_err)?;
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash.to_string())
                .bind(user.to_string())
                .bind(created_at)
                .bind(expires_at)
                .execute(p)
                .await
                .map(|_| ())
                .map_err(backend_err)
        })?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<Uuid>> {
        let row = on_pool!(self, read, |p| sqlx::query(
            "SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2"
        )
        .bind(token_hash.to_string())
        .bind(now)
        .fetch_optional(p)
        .await
        .map_err(backend_err)
        .and_then(|r| r
            .map(|r| r.try_get::<String, _>("user_id").map_err(backend_err))
            .transpose()))?;
        Ok(row.and_then(|s| Uuid::parse_str(&s).ok()))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query(
            "DELETE FROM sessions WHERE token_hash = $1"
        )
        .bind(token_hash.to_string())
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(backend_err)?;
        Ok(())
    }

    async fn insert_api_key(&self, k: &ApiKeyRecord) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO api_keys (id, name, key_hash, created_at, revoked) VALUES ($1, $2, $3, $4, $5)")
            .bind(k.id.to_string())
            .bind(k.name.clone())
            .bind(k.key_hash.clone())
            .bind(k.created_at)
            .bind(k.revoked)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)?;
        Ok(())
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>> {
        on_pool!(self, read, |p| {
            let row = sqlx::query(
                "SELECT id, name, key_hash, created_at, revoked FROM api_keys WHERE key_hash = $1",
            )
            .bind(key_hash.to_string())
            .fetch_optional(p)
            .await
            .map_err(backend_err)?;
            match row {
                None => Ok(None),
                Some(r) => {
                    let id: String = r.try_get("id").map_err(backend_err)?;
                    Ok(Some(ApiKeyRecord {
                        id: Uuid::parse_str(&id).map_err(|e| StoreError::Backend(e.to_string()))?,
                        name: r.try_get("name").map_err(backend_err)?,
                        key_hash: r.try_get("key_hash").map_err(backend_err)?,
                        created_at: r.try_get("created_at").map_err(backend_err)?,
                        revoked: r.try_get("revoked").map_err(backend_err)?,
                    }))
                }
            }
        })
    }

    async fn insert_case(&self, w: CaseWrite, year: i32) -> StoreResult<Case> {
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

    async fn insert_cases_bulk(&self, writes: Vec<(CaseWrite, i32)>) -> StoreResult<()> {
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

    async fn finish_bulk_load(&self) -> StoreResult<()> {
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

    async fn save_cases(&self, mut writes: Vec<CaseWrite>) -> StoreResult<bool> {
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

    async fn get_case(&self, id: Uuid) -> StoreResult<Option<Case>> {
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

    async fn get_case_by_number(&self, number: &str) -> StoreResult<Option<Case>> {
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

    async fn list_cases(&self, q: &CaseQuery) -> StoreResult<(Vec<Case>, u64)> {
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

    async fn case_ids_after(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<Uuid>> {
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

    async fn events_of_cases(&self, ids: &[Uuid]) -> StoreResult<Vec<Event>> {
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

    async fn queue_counts(&self, q: &CaseQuery) -> StoreResult<QueueCounts> {
        let (where_sql, args) = query::case_filter(q, self.backend());
        let now = q.now;
        let sql = format!(
            "SELECT COALESCE(SUM(CASE WHEN c.status = 'registered' THEN 1 ELSE 0 END), 0) AS registered, \
             COALESCE(SUM(CASE WHEN c.status = 'accepted' THEN 1 ELSE 0 END), 0) AS accepted, \
             COALESCE(SUM(CASE WHEN c.status = 'dispatched' THEN 1 ELSE 0 END), 0) AS dispatched, \
             COALESCE(SUM(CASE WHEN c.status = 'in_progress' THEN 1 ELSE 0 END), 0) AS in_progress, \
             COALESCE(SUM(CASE WHEN c.status = 'resolved' THEN 1 ELSE 0 END), 0) AS resolved, \
             COALESCE(SUM(CASE WHEN c.warn_at <= {now} AND c.due_at >= {now} THEN 1 ELSE 0 END), 0) AS near, \
             COALESCE(SUM(CASE WHEN c.due_at < {now} THEN 1 ELSE 0 END), 0) AS overdue, \
             COALESCE(SUM(CASE WHEN c.pending = 'extension' THEN 1 ELSE 0 END), 0) AS pending_approval \
             FROM cases c WHERE {where_sql} AND c.status IN ('registered', 'accepted', 'dispatched', 'in_progress', 'resolved')"
        );
        on_pool!(self, read, |p| {
            let mut qq = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in &args {
                qq = a.bind_to(qq);
            }
            let r = qq.fetch_one(p).await.map_err(backend_err)?;
            let g = |k: &str| r.try_get::<i64, _>(k).map_err(backend_err);
            Ok(QueueCounts {
                registered: g("registered")?,
                accepted: g("accepted")?,
                dispatched: g("dispatched")?,
                in_progress: g("in_progress")?,
                near: g("near")?,
                overdue: g("overdue")?,
                resolved: g("resolved")?,
                pending_approval: g("pending_approval")?,
            })
        })
    }

    async fn stats(&self, q: &CaseQuery) -> StoreResult<RawStats> {
        let (w, args) = query::case_filter(q, self.backend());
        // Shanghai day number of an epoch-ms column: portable integer arithmetic (UTC+8, no DST).
        let day = |col: &str| format!("(({col} + 28800000) / 86400000)");
        let total_sql = format!("SELECT COUNT(*) AS n FROM cases c WHERE {w}");
        let by_day_sql = format!(
            "SELECT {} AS d, COUNT(*) AS n FROM cases c WHERE {w} GROUP BY {} ORDER BY 1",
            day("c.reported_at"),
            day("c.reported_at")
        );
        let by_cat_sql = format!(
            "SELECT c.category AS k, COUNT(*) AS n FROM cases c WHERE {w} GROUP BY c.category ORDER BY 2 DESC, 1"
        );
        let by_street_sql = format!(
            "SELECT substr(c.region, 1, 9) AS k, COUNT(*) AS n FROM cases c WHERE {w} GROUP BY substr(c.region, 1, 9) ORDER BY 2 DESC, 1"
        );
        let units_sql = format!(
            "SELECT c.unit AS k, COUNT(*) AS dispatched, \
             SUM(CASE WHEN c.signed_at IS NOT NULL THEN 1 ELSE 0 END) AS signed, \
             SUM(CASE WHEN c.signed_at IS NOT NULL AND c.signed_at <= c.sign_due THEN 1 ELSE 0 END) AS signed_on_time, \
             SUM(CASE WHEN c.resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS resolved, \
             SUM(CASE WHEN c.resolved_at IS NOT NULL AND c.resolved_at <= c.handle_due THEN 1 ELSE 0 END) AS resolved_on_time \
             FROM cases c WHERE {w} AND c.unit IS NOT NULL GROUP BY c.unit ORDER BY 2 DESC, 1"
        );
        let sat_sql = format!(
            "SELECT {} AS d, COUNT(*) AS rated, SUM(CASE WHEN c.satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS sat \
             FROM cases c WHERE {w} AND c.satisfaction IS NOT NULL AND c.closed_at IS NOT NULL GROUP BY {} ORDER BY 1",
            day("c.closed_at"),
            day("c.closed_at")
        );
        on_pool!(self, read, |p| {
            macro_rules! fetch {
                ($sql:expr) => {{
                    let mut qq = sqlx::query(sqlx::AssertSqlSafe($sql));
                    for a in &args {
                        qq = a.bind_to(qq);
                    }
                    qq.fetch_all(p).await.map_err(backend_err)?
                }};
            }
            let i = |r: &_, k: &str| -> StoreResult<i64> {
                sqlx::Row::try_get::<i64, _>(r, k).map_err(backend_err)
            };
            let s = |r: &_, k: &str| -> StoreResult<String> {
                sqlx::Row::try_get::<String, _>(r, k).map_err(backend_err)
            };
            let mut out = RawStats::default();
            for r in fetch!(total_sql) {
                out.total = i(&r, "n")?;
            }
            for r in fetch!(by_day_sql) {
                out.by_day.push((i(&r, "d")?, i(&r, "n")?));
            }
            for r in fetch!(by_cat_sql) {
                out.by_category.push((s(&r, "k")?, i(&r, "n")?));
            }
            for r in fetch!(by_street_sql) {
                out.by_street.push((s(&r, "k")?, i(&r, "n")?));
            }
            for r in fetch!(units_sql) {
                out.units.push(UnitCounts {
                    unit: s(&r, "k")?,
                    dispatched: i(&r, "dispatched")?,
                    signed: i(&r, "signed")?,
                    signed_on_time: i(&r, "signed_on_time")?,
                    resolved: i(&r, "resolved")?,
                    resolved_on_time: i(&r, "resolved_on_time")?,
                });
            }
            // Rated cases by the month they were closed in.
            let mut months: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
            for r in fetch!(sat_sql) {
                let e = months
                    .entry(domain::tally::month_of_day(i(&r, "d")?))
                    .or_default();
                e.0 += i(&r, "rated")?;
                e.1 += i(&r, "sat")?;
            }
            out.satisfaction_by_month = months.into_iter().map(|(m, (r, s))| (m, r, s)).collect();
            Ok(out)
        })
    }

    async fn tally_stats(
        &self,
        first_day: i64,
        last_day: i64,
        street_prefix: Option<&str>,
    ) -> StoreResult<RawStats> {
        self.tally_stats_impl(first_day, last_day, street_prefix)
            .await
    }

    async fn overdue_by_unit(&self, q: &CaseQuery) -> StoreResult<Vec<(String, i64)>> {
        let (w, args) = query::case_filter(q, self.backend());
        let now = q.now;
        // Open cases past due are few at any size of history: start from them. (SQLite's
        // planner, without statistics, would rather walk the period's cases by date.)
        let from = match self.backend() {
            Backend::Sqlite => "cases c INDEXED BY cases_running_due",
            Backend::Postgres => "cases c",
        };
        let sql = format!(
            "SELECT CASE WHEN c.status = 'resolved' THEN c.hub ELSE c.unit END AS k, COUNT(*) AS n FROM {from} WHERE c.due_at IS NOT NULL AND c.due_at < {now} AND c.status IN ('dispatched', 'in_progress', 'resolved') AND {w} GROUP BY 1 ORDER BY 2 DESC, 1"
        );
        on_pool!(self, read, |p| {
            let mut qq = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in &args {
                qq = a.bind_to(qq);
            }
            qq.fetch_all(p)
                .await
                .map_err(backend_err)?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("k").map_err(backend_err)?,
                        r.try_get::<i64, _>("n").map_err(backend_err)?,
                    ))
                })
                .collect()
        })
    }

    async fn rebuild_tallies(&self) -> StoreResult<u64> {
        self.rebuild_tallies_impl().await
    }

    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
        on_pool!(self, read, |p| sqlx::query(
            "SELECT value FROM settings WHERE key = $1"
        )
        .bind(key.to_string())
        .fetch_optional(p)
        .await
        .and_then(|r| r.map(|r| r.try_get::<String, _>("value")).transpose()))
        .map_err(backend_err)
    }

    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key.to_string())
            .bind(value.to_string())
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    async fn calendar_years(&self) -> StoreResult<Vec<(String, i32, String)>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query("SELECT name, year, body FROM calendars ORDER BY name, year")
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    let y: i64 = r.try_get("year").map_err(backend_err)?;
                    Ok((
                        r.try_get("name").map_err(backend_err)?,
                        i32::try_from(y).unwrap_or_default(),
                        r.try_get("body").map_err(backend_err)?,
                    ))
                })
                .collect()
        })
    }

    async fn put_calendar_year(
        &self,
        name: &str,
        year: i32,
        text: &str,
        at: i64,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO calendars (name, year, body, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name, year) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at")
            .bind(name.to_string())
            .bind(i64::from(year))
            .bind(text.to_string())
            .bind(at)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    async fn calendar_regions(&self) -> StoreResult<Vec<(String, String)>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query("SELECT region, name FROM calendar_regions ORDER BY region")
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get("region").map_err(backend_err)?,
                        r.try_get("name").map_err(backend_err)?,
                    ))
                })
                .collect()
        })
    }

    async fn put_calendar_region(&self, region: &str, name: &str) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO calendar_regions (region, name) VALUES ($1, $2) ON CONFLICT (region) DO UPDATE SET name = excluded.name")
            .bind(region.to_string())
            .bind(name.to_string())
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    async fn claim_job(
        &self,
        name: &str,
        worker: &str,
        now: i64,
        interval_ms: i64,
        lock_ms: i64,
        first_run_at: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            sqlx::query("INSERT INTO jobs (name, interval_ms, next_run_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                .bind(name.to_string())
                .bind(interval_ms)
                .bind(first_run_at)
                .execute(p)
                .await
                .map_err(backend_err)?;
            let done = sqlx::query("UPDATE jobs SET locked_by = $2, locked_until = $3, next_run_at = $4, interval_ms = $5 WHERE name = $1 AND next_run_at <= $6 AND (locked_until IS NULL OR locked_until < $6)")
                .bind(name.to_string())
                .bind(worker.to_string())
                .bind(now + lock_ms)
                .bind(now + interval_ms)
                .bind(interval_ms)
                .bind(now)
                .execute(p)
                .await
                .map_err(backend_err)?;
            Ok(done.rows_affected() == 1)
        })
    }

    async fn finish_job(
        &self,
        name: &str,
        worker: &str,
        now: i64,
        error: Option<&str>,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("UPDATE jobs SET locked_by = NULL, locked_until = NULL, last_run_at = $3, last_error = $4 WHERE name = $1 AND locked_by = $2")
            .bind(name.to_string())
            .bind(worker.to_string())
            .bind(now)
            .bind(error.map(str::to_string))
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    async fn alert_candidates(&self, now: i64, limit: u32) -> StoreResult<Vec<Case>> {
        let sql = format!(
            "SELECT number, doc FROM cases WHERE next_alert_at <= $1 AND status IN ('dispatched', 'in_progress', 'resolved') ORDER BY next_alert_at LIMIT {limit}"
        );
        let docs = on_pool!(self, read, |p| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .fetch_all(p)
            .await
            .map_err(backend_err)
            .and_then(|rows| rows
                .iter()
                .map(|r| Ok((
                    r.try_get::<String, _>("number").map_err(backend_err)?,
                    r.try_get::<Vec<u8>, _>("doc").map_err(backend_err)?
                )))
                .collect::<StoreResult<Vec<_>>>()))?;
        docs.into_iter().map(|(n, d)| case_of_row(n, &d)).collect()
    }

    async fn record_alert(&self, a: AlertWrite) -> StoreResult<AlertOutcome> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let inserted = sqlx::query("INSERT INTO case_alerts (case_id, alert_key, at) VALUES ($1, $2, $3) ON CONFLICT (case_id, alert_key) DO NOTHING")
                .bind(a.case_id)
                .bind(a.key.clone())
                .bind(a.at)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            if inserted.rows_affected() == 0 {
                tx.rollback().await.map_err(backend_err)?;
                return Ok(AlertOutcome::AlreadyRecorded);
            }
            match a.case_update {
                Some(mut w) => {
                    let doc = encode_doc(&mut w.case)?;
                    let Some(expected) = w.expected_version else {
                        return Err(StoreError::Backend(
                            "an alert's case update needs an expected version".into(),
                        ));
                    };
                    let done = bind_case!(sqlx::query(UPDATE_CASE), w, doc)
                        .bind(expected)
                        .execute(&mut *tx)
                        .await
                        .map_err(backend_err)?;
                    if done.rows_affected() != 1 {
                        tx.rollback().await.map_err(backend_err)?;
                        return Ok(AlertOutcome::CaseChanged);
                    }
                    w.events.extend(a.event.clone());
                    write_children!(tx, w, self);
                }
                None => {
                    if let Some(e) = &a.event {
                        bind_event!(sqlx::query(INSERT_EVENT), e)
                            .execute(&mut *tx)
                            .await
                            .map_err(backend_err)?;
                    }
                }
            }
            notifications::write_notifications!(
                tx,
                &a.notifications,
                self.backend() == Backend::Postgres
            );
            for d in &a.deliveries {
                sqlx::query("INSERT INTO webhook_deliveries (id, unit, url, payload, attempts, next_attempt_at, delivered_at, failed, last_error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(d.id.to_string())
                    .bind(d.unit.clone())
                    .bind(d.url.clone())
                    .bind(d.payload.clone())
                    .bind(d.attempts)
                    .bind(d.next_attempt_at)
                    .bind(d.delivered_at)
                    .bind(d.failed)
                    .bind(d.last_error.clone())
                    .bind(d.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)?;
            Ok(AlertOutcome::Recorded)
        })
    }

    async fn set_next_alert(
        &self,
        case_id: Uuid,
        version: i64,
        at: Option<i64>,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query(
            "UPDATE cases SET next_alert_at = $2 WHERE id = $1 AND version = $3"
        )
        .bind(case_id)
        .bind(at)
        .bind(version)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(backend_err)
    }

    async fn notifications(
        &self,
        user: Uuid,
        unread_only: bool,
        limit: u32,
    ) -> StoreResult<Vec<Notification>> {
        Ok(self.notifications_of(user, unread_only, 0, limit).await?.0)
    }

    async fn notifications_page(
        &self,
        user: Uuid,
        unread_only: bool,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Notification>, u64)> {
        self.notifications_of(user, unread_only, offset, limit)
            .await
    }

    async fn unread_count(&self, user: Uuid) -> StoreResult<i64> {
        on_pool!(self, read, |p| sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL"
        )
        .bind(user.to_string())
        .fetch_one(p)
        .await
        .and_then(|r| r.try_get::<i64, _>("n")))
        .map_err(backend_err)
    }

    async fn mark_read(&self, user: Uuid, id: Option<Uuid>, now: i64) -> StoreResult<u64> {
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

    async fn unit_webhook(&self, unit: &str) -> StoreResult<Option<(String, String)>> {
        on_pool!(self, read, |p| {
            let row = sqlx::query("SELECT url, secret FROM unit_webhooks WHERE unit = $1")
                .bind(unit.to_string())
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.map(|r| {
                Ok((
                    r.try_get("url").map_err(backend_err)?,
                    r.try_get("secret").map_err(backend_err)?,
                ))
            })
            .transpose()
        })
    }

    async fn put_unit_webhook(&self, unit: &str, url: &str, secret: &str) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO unit_webhooks (unit, url, secret) VALUES ($1, $2, $3) ON CONFLICT (unit) DO UPDATE SET url = excluded.url, secret = excluded.secret")
            .bind(unit.to_string())
            .bind(url.to_string())
            .bind(secret.to_string())
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    async fn due_deliveries(&self, now: i64, limit: u32) -> StoreResult<Vec<Delivery>> {
        let sql = format!(
            "SELECT id, unit, url, payload, attempts, next_attempt_at, delivered_at, failed, last_error, created_at FROM webhook_deliveries WHERE delivered_at IS NULL AND failed = FALSE AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT {limit}"
        );
        on_pool!(self, read, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    let id: String = r.try_get("id").map_err(backend_err)?;
                    Ok(Delivery {
                        id: Uuid::parse_str(&id).map_err(|e| StoreError::Backend(e.to_string()))?,
                        unit: r.try_get("unit").map_err(backend_err)?,
                        url: r.try_get("url").map_err(backend_err)?,
                        payload: r.try_get("payload").map_err(backend_err)?,
                        attempts: r.try_get("attempts").map_err(backend_err)?,
                        next_attempt_at: r.try_get("next_attempt_at").map_err(backend_err)?,
                        delivered_at: r.try_get("delivered_at").map_err(backend_err)?,
                        failed: r.try_get("failed").map_err(backend_err)?,
                        last_error: r.try_get("last_error").map_err(backend_err)?,
                        created_at: r.try_get("created_at").map_err(backend_err)?,
                    })
                })
                .collect()
        })
    }

    async fn update_delivery(&self, d: &Delivery) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("UPDATE webhook_deliveries SET attempts = $2, next_attempt_at = $3, delivered_at = $4, failed = $5, last_error = $6 WHERE id = $1")
            .bind(d.id.to_string())
            .bind(d.attempts)
            .bind(d.next_attempt_at)
            .bind(d.delivered_at)
            .bind(d.failed)
            .bind(d.last_error.clone())
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    async fn triage_models(&self) -> StoreResult<Vec<ModelRecord>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query("SELECT version, created_at, source, examples, metrics, active FROM triage_models ORDER BY created_at DESC, version DESC")
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    Ok(ModelRecord {
                        version: r.try_get("version").map_err(backend_err)?,
                        created_at: r.try_get("created_at").map_err(backend_err)?,
                        source: r.try_get("source").map_err(backend_err)?,
                        examples: r.try_get("examples").map_err(backend_err)?,
                        metrics: r.try_get("metrics").map_err(backend_err)?,
                        active: r.try_get("active").map_err(backend_err)?,
                    })
                })
                .collect()
        })
    }

    async fn active_triage_model(&self) -> StoreResult<Option<(String, String)>> {
        on_pool!(self, read, |p| {
            let row = sqlx::query("SELECT version, body FROM triage_models WHERE active = TRUE")
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.map(|r| {
                Ok((
                    r.try_get("version").map_err(backend_err)?,
                    r.try_get("body").map_err(backend_err)?,
                ))
            })
            .transpose()
        })
    }

    async fn triage_model_body(&self, version: &str) -> StoreResult<Option<String>> {
        on_pool!(self, read, |p| sqlx::query(
            "SELECT body FROM triage_models WHERE version = $1"
        )
        .bind(version.to_string())
        .fetch_optional(p)
        .await
        .and_then(|r| r.map(|r| r.try_get::<String, _>("body")).transpose()))
        .map_err(backend_err)
    }

    async fn put_triage_model(&self, m: &ModelRecord, body: &str) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO triage_models (version, created_at, source, examples, metrics, body, active) VALUES ($1, $2, $3, $4, $5, $6, FALSE) ON CONFLICT (version) DO NOTHING")
            .bind(m.version.clone())
            .bind(m.created_at)
            .bind(m.source.clone())
            .bind(m.examples)
            .bind(m.metrics.clone())
            .bind(body.to_string())
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    async fn activate_triage_model(&self, version: &str) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let exists = sqlx::query("SELECT version FROM triage_models WHERE version = $1")
                .bind(version.to_string())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend_err)?;
            if exists.is_none() {
                tx.rollback().await.map_err(backend_err)?;
                return Ok(false);
            }
            sqlx::query("UPDATE triage_models SET active = (version = $1)")
                .bind(version.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            tx.commit().await.map_err(backend_err)?;
            Ok(true)
        })
    }

    async fn catalogue(&self) -> StoreResult<Vec<Route>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query("SELECT category, region, unit, co_street FROM catalogue ORDER BY position, category, region")
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    Ok(Route {
                        category: r.try_get("category").map_err(backend_err)?,
                        region: r.try_get("region").map_err(backend_err)?,
                        unit: r.try_get("unit").map_err(backend_err)?,
                        co_street: r.try_get("co_street").map_err(backend_err)?,
                    })
                })
                .collect()
        })
    }

    async fn put_catalogue(&self, routes: &[Route]) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            sqlx::query("DELETE FROM catalogue")
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            for (i, r) in routes.iter().enumerate() {
                sqlx::query("INSERT INTO catalogue (category, region, unit, co_street, position) VALUES ($1, $2, $3, $4, $5)")
                    .bind(r.category.clone())
                    .bind(r.region.clone())
                    .bind(r.unit.clone())
                    .bind(r.co_street)
                    .bind(i64::try_from(i).unwrap_or(i64::MAX))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)
        })
    }

    async fn metric_counts(&self, month: i64) -> StoreResult<Vec<MetricCount>> {
        self.metric_counts_impl(month).await
    }

    async fn metric_clocks(&self, month: i64, before: i64) -> StoreResult<Vec<(Uuid, String)>> {
        self.metric_clocks_impl(month, before).await
    }

    async fn metric_marks(&self, month: i64) -> StoreResult<Vec<(Uuid, String)>> {
        self.metric_marks_impl(month).await
    }

    async fn metrics_missing(&self) -> StoreResult<bool> {
        self.metrics_missing_impl().await
    }

    async fn clear_metrics(&self) -> StoreResult<()> {
        self.clear_metrics_impl().await
    }

    async fn put_metrics(&self, writes: Vec<(Uuid, MetricsWrite)>) -> StoreResult<()> {
        self.put_metrics_impl(writes).await
    }

    async fn events(&self, case_id: Uuid) -> StoreResult<Vec<Event>> {
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
