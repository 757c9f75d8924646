//! Scheduled jobs shared by the replicas: a job runs on the replica that claims it (which moves
//! its next run and locks it until a deadline, so two replicas do not run it at once) and is
//! released with its outcome when done.

use crate::{Db, SqlStore, backend_err, on_pool};
use app::ports::StoreResult;

impl SqlStore {
    pub(crate) async fn claim_job_impl(
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

    pub(crate) async fn finish_job_impl(
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
}
