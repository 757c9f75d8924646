//! Webhooks to units: each unit's endpoint and secret, and the outbox of deliveries (queued with
//! the alert they report, see `alerts`; read back when due, and updated after each attempt).

use crate::{Db, SqlStore, backend_err, on_pool};
use app::error::StoreError;
use app::ports::{Delivery, StoreResult};
use sqlx::Row;
use uuid::Uuid;

impl SqlStore {
    pub(crate) async fn unit_webhook_impl(
        &self,
        unit: &str,
    ) -> StoreResult<Option<(String, String)>> {
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

    pub(crate) async fn put_unit_webhook_impl(
        &self,
        unit: &str,
        url: &str,
        secret: &str,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO unit_webhooks (unit, url, secret) VALUES ($1, $2, $3) ON CONFLICT (unit) DO UPDATE SET url = excluded.url, secret = excluded.secret")
            .bind(unit.to_string())
            .bind(url.to_string())
            .bind(secret.to_string())
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    pub(crate) async fn due_deliveries_impl(
        &self,
        now: i64,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
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

    pub(crate) async fn update_delivery_impl(&self, d: &Delivery) -> StoreResult<()> {
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
}
