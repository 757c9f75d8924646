//! Triage models: the stored versions (training source, metrics and body) and which one is
//! active (one at a time, switched in one transaction).

use crate::{Db, SqlStore, backend_err, on_pool};
use app::ports::{ModelRecord, StoreResult};
use sqlx::Row;

impl SqlStore {
    pub(crate) async fn triage_models_impl(&self) -> StoreResult<Vec<ModelRecord>> {
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

    pub(crate) async fn active_triage_model_impl(&self) -> StoreResult<Option<(String, String)>> {
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

    pub(crate) async fn triage_model_body_impl(
        &self,
        version: &str,
    ) -> StoreResult<Option<String>> {
        on_pool!(self, read, |p| sqlx::query(
            "SELECT body FROM triage_models WHERE version = $1"
        )
        .bind(version.to_string())
        .fetch_optional(p)
        .await
        .and_then(|r| r.map(|r| r.try_get::<String, _>("body")).transpose()))
        .map_err(backend_err)
    }

    pub(crate) async fn put_triage_model_impl(
        &self,
        m: &ModelRecord,
        body: &str,
    ) -> StoreResult<()> {
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

    pub(crate) async fn activate_triage_model_impl(&self, version: &str) -> StoreResult<bool> {
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
}
