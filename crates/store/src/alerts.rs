//! Deadline alerts: the cases whose next alert is due, recording an alert once per case and key
//! (with its case update, event, notifications and webhook deliveries in one transaction), and
//! moving a case's next alert time.

use crate::case_writes::{UPDATE_CASE, bind_case, write_children};
use crate::codec::{INSERT_EVENT, bind_event, case_of_row, encode_doc};
use crate::{Backend, Db, SqlStore, backend_err, metrics, notifications, on_pool};
use app::error::StoreError;
use app::ports::{AlertOutcome, AlertWrite, StoreResult};
use domain::Case;
use sqlx::Row;
use uuid::Uuid;

impl SqlStore {
    pub(crate) async fn alert_candidates_impl(
        &self,
        now: i64,
        limit: u32,
    ) -> StoreResult<Vec<Case>> {
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

    pub(crate) async fn record_alert_impl(&self, a: AlertWrite) -> StoreResult<AlertOutcome> {
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

    pub(crate) async fn set_next_alert_impl(
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
}
