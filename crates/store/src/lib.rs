//! The only crate with SQL. One [`SqlStore`] serves SQLite (the embedded default) and PostgreSQL
//! (production, several replicas) with the same portable statements (`$N` parameters, epoch
//! milliseconds, text ids); backend-specific SQL is confined to full-text search and connection
//! set-up. Each method's body is written once and expanded for both pool types by [`on_pool!`].
//!
//! The code is split by subject: opening a database in `connect`, how cases and events are kept
//! in rows in `codec`, writing cases in `case_writes` (queued by `group_commit`), reading them in
//! `cases`, counts from the case rows in `stats` and kept counts in `tallies` and `metrics`, and
//! one module each for `users`, `settings`, `jobs`, `alerts`, `notifications`, `webhooks` and
//! `models`; `audit` for the append-only audit log, `backup` for online copies; `guard` for the edge's guards, `dump` for export and import, `upgrade` for data
//! moves after migrations. This file holds the store itself and its [`Store`] implementation, in
//! which every method hands over to its module.

mod alerts;
mod attachments;
mod audit;
mod backup;
mod boards;
mod bulk;
mod bundles;
mod campaigns;
mod case_writes;
mod cases;
mod codec;
mod connect;
mod dump;
mod event_row;
pub mod files;
mod group_commit;
mod guard;
mod jobs;
mod knowledge;
mod mediation;
mod metrics;
mod models;
mod notifications;
mod packed;
mod programs;
mod query;
mod risk;
mod settings;
mod stats;
mod tallies;
mod upgrade;
mod users;
mod webhooks;

pub use backup::check_sqlite_file;
pub use connect::{Backend, Tuning};
pub use dump::{DumpLoad, TABLES};

use app::error::StoreError;
use app::org::Unit;
use app::ports::{
    AlertOutcome, AlertWrite, ApiKeyRecord, CaseQuery, CaseWrite, Delivery, MetricCount,
    MetricsWrite, ModelRecord, Notification, QueueCounts, RawStats, Route, Store, StoreResult,
    UserRecord,
};
use async_trait::async_trait;
use codec::NewRow;
use domain::{Case, Event};
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
    /// Audit entries are queued here and appended together, see [`group_commit::audits`]: a
    /// list read by many clerks at once costs one commit, not one each.
    auditor: Option<group_commit::Committer<app::ports::AuditEntry, ()>>,
    /// The SQLite file as opened, for the readiness check (see [`guard`]).
    file: Option<std::sync::Arc<guard::DbFile>>,
}

/// A stored id (text) as a UUID; a malformed one is a backend error.
pub(crate) fn uuid_of(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Backend(e.to_string()))
}

/// A stored JSON text as a value.
pub(crate) fn json_of(s: &str) -> StoreResult<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| StoreError::Backend(format!("stored JSON: {e}")))
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

#[async_trait]
impl Store for SqlStore {
    async fn units(&self) -> StoreResult<Vec<Unit>> {
        self.units_impl().await
    }

    async fn put_units(&self, units: &[Unit]) -> StoreResult<()> {
        self.put_units_impl(units).await
    }

    async fn insert_user(&self, u: &UserRecord) -> StoreResult<()> {
        self.insert_user_impl(u).await
    }

    async fn update_user(&self, u: &UserRecord) -> StoreResult<bool> {
        self.update_user_impl(u).await
    }

    async fn revoke_sessions(&self, user: Uuid, keep: Option<&str>) -> StoreResult<u64> {
        self.revoke_sessions_impl(user, keep).await
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        self.user_by_username_impl(username).await
    }

    async fn user_by_id(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
        self.user_by_id_impl(id).await
    }

    async fn users(&self) -> StoreResult<Vec<UserRecord>> {
        self.users_impl().await
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user: Uuid,
        created_at: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        self.insert_session_impl(token_hash, user, created_at, expires_at)
            .await
    }

    async fn session_user(&self, token_hash: &str, now: i64) -> StoreResult<Option<Uuid>> {
        self.session_user_impl(token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.delete_session_impl(token_hash).await
    }

    async fn insert_api_key(&self, k: &ApiKeyRecord) -> StoreResult<()> {
        self.insert_api_key_impl(k).await
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>> {
        self.api_key_by_hash_impl(key_hash).await
    }

    async fn insert_case(&self, w: CaseWrite, year: i32) -> StoreResult<Case> {
        self.insert_case_impl(w, year).await
    }

    async fn insert_cases_bulk(&self, writes: Vec<(CaseWrite, i32)>) -> StoreResult<()> {
        self.insert_cases_bulk_impl(writes).await
    }

    async fn finish_bulk_load(&self) -> StoreResult<()> {
        self.finish_bulk_load_impl().await
    }

    async fn save_cases(&self, writes: Vec<CaseWrite>) -> StoreResult<bool> {
        self.save_cases_impl(writes).await
    }

    async fn get_case(&self, id: Uuid) -> StoreResult<Option<Case>> {
        self.get_case_impl(id).await
    }

    async fn get_case_by_number(&self, number: &str) -> StoreResult<Option<Case>> {
        self.get_case_by_number_impl(number).await
    }

    async fn list_cases(&self, q: &CaseQuery) -> StoreResult<(Vec<Case>, u64)> {
        self.list_cases_impl(q).await
    }

    async fn case_ids_after(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<Uuid>> {
        self.case_ids_after_impl(after, limit).await
    }

    async fn events_of_cases(&self, ids: &[Uuid]) -> StoreResult<Vec<Event>> {
        self.events_of_cases_impl(ids).await
    }

    async fn queue_counts(&self, q: &CaseQuery) -> StoreResult<QueueCounts> {
        self.queue_counts_impl(q).await
    }

    async fn stats(&self, q: &CaseQuery) -> StoreResult<RawStats> {
        self.stats_impl(q).await
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
        self.overdue_by_unit_impl(q).await
    }

    async fn rebuild_tallies(&self) -> StoreResult<u64> {
        self.rebuild_tallies_impl().await
    }

    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
        self.get_setting_impl(key).await
    }

    async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        self.put_setting_impl(key, value).await
    }

    async fn calendar_years(&self) -> StoreResult<Vec<(String, i32, String)>> {
        self.calendar_years_impl().await
    }

    async fn put_calendar_year(
        &self,
        name: &str,
        year: i32,
        text: &str,
        at: i64,
    ) -> StoreResult<()> {
        self.put_calendar_year_impl(name, year, text, at).await
    }

    async fn calendar_regions(&self) -> StoreResult<Vec<(String, String)>> {
        self.calendar_regions_impl().await
    }

    async fn put_calendar_region(&self, region: &str, name: &str) -> StoreResult<()> {
        self.put_calendar_region_impl(region, name).await
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
        self.claim_job_impl(name, worker, now, interval_ms, lock_ms, first_run_at)
            .await
    }

    async fn finish_job(
        &self,
        name: &str,
        worker: &str,
        now: i64,
        error: Option<&str>,
    ) -> StoreResult<()> {
        self.finish_job_impl(name, worker, now, error).await
    }

    async fn alert_candidates(&self, now: i64, limit: u32) -> StoreResult<Vec<Case>> {
        self.alert_candidates_impl(now, limit).await
    }

    async fn record_alert(&self, a: AlertWrite) -> StoreResult<AlertOutcome> {
        self.record_alert_impl(a).await
    }

    async fn set_next_alert(
        &self,
        case_id: Uuid,
        version: i64,
        at: Option<i64>,
    ) -> StoreResult<()> {
        self.set_next_alert_impl(case_id, version, at).await
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
        self.unread_count_impl(user).await
    }

    async fn mark_read(&self, user: Uuid, id: Option<Uuid>, now: i64) -> StoreResult<u64> {
        self.mark_read_impl(user, id, now).await
    }

    async fn unit_webhook(&self, unit: &str) -> StoreResult<Option<(String, String)>> {
        self.unit_webhook_impl(unit).await
    }

    async fn put_unit_webhook(&self, unit: &str, url: &str, secret: &str) -> StoreResult<()> {
        self.put_unit_webhook_impl(unit, url, secret).await
    }

    async fn due_deliveries(&self, now: i64, limit: u32) -> StoreResult<Vec<Delivery>> {
        self.due_deliveries_impl(now, limit).await
    }

    async fn update_delivery(&self, d: &Delivery) -> StoreResult<()> {
        self.update_delivery_impl(d).await
    }

    async fn triage_models(&self) -> StoreResult<Vec<ModelRecord>> {
        self.triage_models_impl().await
    }

    async fn active_triage_model(&self) -> StoreResult<Option<(String, String)>> {
        self.active_triage_model_impl().await
    }

    async fn triage_model_body(&self, version: &str) -> StoreResult<Option<String>> {
        self.triage_model_body_impl(version).await
    }

    async fn put_triage_model(&self, m: &ModelRecord, body: &str) -> StoreResult<()> {
        self.put_triage_model_impl(m, body).await
    }

    async fn activate_triage_model(&self, version: &str) -> StoreResult<bool> {
        self.activate_triage_model_impl(version).await
    }

    async fn catalogue(&self) -> StoreResult<Vec<Route>> {
        self.catalogue_impl().await
    }

    async fn put_catalogue(&self, routes: &[Route]) -> StoreResult<()> {
        self.put_catalogue_impl(routes).await
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
        self.events_impl(case_id).await
    }
}
