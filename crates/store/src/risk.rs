//! Risk alerts and their events (issue 20, migration 0013). An alert is written with its event in
//! one transaction; an update checks the version like a case transition does, so two supervisors
//! (or a supervisor and a scan on another replica) never lose each other's step.

use crate::notifications::bind_notice;
use crate::{Db, SqlStore, backend_err, json_of, on_pool, uuid_of};
use app::error::StoreError;
use app::ports::{RiskAlert, RiskEvent, RiskOutbox, RiskQuery, RiskStore, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

const ALERT_COLS: &str = "id, kind, alert_key, level, status, case_ids, phone, summary, evidence, region, owner_unit, level_by_hand, version, created_at, updated_at, closed_at, result, reviewed_at, review_reminded";

fn alert_from<R: Row>(r: &R) -> StoreResult<RiskAlert>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let opt = |k: &str| r.try_get::<Option<String>, _>(k).map_err(backend_err);
    let ids: Vec<String> = serde_json::from_str(&text("case_ids")?)
        .map_err(|e| StoreError::Backend(format!("stored JSON: {e}")))?;
    Ok(RiskAlert {
        id: uuid_of(&text("id")?)?,
        kind: text("kind")?,
        key: text("alert_key")?,
        level: text("level")?,
        status: text("status")?,
        case_ids: ids.iter().map(|s| uuid_of(s)).collect::<StoreResult<_>>()?,
        phone: opt("phone")?,
        summary: text("summary")?,
        evidence: json_of(&text("evidence")?)?,
        region: text("region")?,
        owner_unit: opt("owner_unit")?,
        level_by_hand: r.try_get("level_by_hand").map_err(backend_err)?,
        version: r.try_get("version").map_err(backend_err)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        updated_at: r.try_get("updated_at").map_err(backend_err)?,
        closed_at: r.try_get("closed_at").map_err(backend_err)?,
        result: opt("result")?,
        reviewed_at: r.try_get("reviewed_at").map_err(backend_err)?,
        review_reminded: r.try_get("review_reminded").map_err(backend_err)?,
    })
}

fn event_from<R: Row>(r: &R) -> StoreResult<RiskEvent>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let opt = |k: &str| r.try_get::<Option<String>, _>(k).map_err(backend_err);
    Ok(RiskEvent {
        id: uuid_of(&text("id")?)?,
        alert_id: uuid_of(&text("alert_id")?)?,
        at: r.try_get("at").map_err(backend_err)?,
        actor: opt("actor")?.map(|s| uuid_of(&s)).transpose()?,
        actor_name: text("actor_name")?,
        action: text("action")?,
        note: opt("note")?,
        data: opt("data")?.map(|s| json_of(&s)).transpose()?,
    })
}

fn ids_json(a: &RiskAlert) -> String {
    serde_json::Value::from(
        a.case_ids
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
    )
    .to_string()
}

const INSERT_EVENT: &str = "INSERT INTO risk_events (id, alert_id, at, actor, actor_name, action, note, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

macro_rules! bind_event {
    ($e:expr) => {
        sqlx::query(INSERT_EVENT)
            .bind($e.id.to_string())
            .bind($e.alert_id.to_string())
            .bind($e.at)
            .bind($e.actor.map(|a| a.to_string()))
            .bind($e.actor_name.clone())
            .bind($e.action.clone())
            .bind($e.note.clone())
            .bind($e.data.as_ref().map(ToString::to_string))
    };
}

/// A webhook call of an alert, queued like a case's (sent by the delivery job).
macro_rules! bind_delivery {
    ($d:expr) => {
        sqlx::query("INSERT INTO webhook_deliveries (id, unit, url, payload, attempts, next_attempt_at, delivered_at, failed, last_error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind($d.id.to_string())
            .bind($d.unit.clone())
            .bind($d.url.clone())
            .bind($d.payload.clone())
            .bind($d.attempts)
            .bind($d.next_attempt_at)
            .bind($d.delivered_at)
            .bind($d.failed)
            .bind($d.last_error.clone())
            .bind($d.created_at)
    };
}

/// Writes what an alert's step sends (notifications, webhook calls) in its transaction.
macro_rules! write_outbox {
    ($tx:expr, $out:expr) => {
        for n in &$out.notices {
            bind_notice!(n)
                .execute(&mut *$tx)
                .await
                .map_err(backend_err)?;
        }
        for d in &$out.deliveries {
            bind_delivery!(d)
                .execute(&mut *$tx)
                .await
                .map_err(backend_err)?;
        }
    };
}

#[async_trait]
impl RiskStore for SqlStore {
    async fn risk_alerts(&self, q: &RiskQuery) -> StoreResult<Vec<RiskAlert>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<String> = Vec::new();
        for (col, v) in [
            ("kind", &q.kind),
            ("level", &q.level),
            ("status", &q.status),
            ("owner_unit", &q.owner_unit),
            ("alert_key", &q.key),
        ] {
            if let Some(v) = v {
                args.push(v.clone());
                clauses.push(format!("{col} = ${}", args.len()));
            }
        }
        if let Some(case) = q.case_id {
            // Ids are stored as a JSON array of quoted UUIDs: the quotes make the match exact.
            args.push(format!("%\"{case}\"%"));
            clauses.push(format!("case_ids LIKE ${}", args.len()));
        }
        if let Some(prefix) = &q.region_prefix {
            args.push(format!(
                "{}%",
                prefix.replace('\\', "").replace(['%', '_'], "")
            ));
            clauses.push(format!("region LIKE ${}", args.len()));
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {ALERT_COLS} FROM risk_alerts{where_sql} ORDER BY updated_at DESC, id DESC LIMIT {}",
            q.limit.clamp(1, 1000)
        );
        on_pool!(self, read, |p| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for a in &args {
                query = query.bind(a.clone());
            }
            let rows = query.fetch_all(p).await.map_err(backend_err)?;
            rows.iter().map(alert_from).collect()
        })
    }

    async fn risk_alert(&self, id: Uuid) -> StoreResult<Option<RiskAlert>> {
        let sql = format!("SELECT {ALERT_COLS} FROM risk_alerts WHERE id = $1");
        on_pool!(self, read, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(alert_from).transpose()
        })
    }

    async fn open_risk_alert(&self, key: &str) -> StoreResult<Option<RiskAlert>> {
        let sql = format!(
            "SELECT {ALERT_COLS} FROM risk_alerts WHERE alert_key = $1 AND status <> 'closed'"
        );
        on_pool!(self, read, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(key.to_string())
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(alert_from).transpose()
        })
    }

    async fn insert_risk_alert(
        &self,
        a: &RiskAlert,
        e: &RiskEvent,
        out: &RiskOutbox,
    ) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO risk_alerts ({ALERT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        );
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(a.id.to_string())
                .bind(a.kind.clone())
                .bind(a.key.clone())
                .bind(a.level.clone())
                .bind(a.status.clone())
                .bind(ids_json(a))
                .bind(a.phone.clone())
                .bind(a.summary.clone())
                .bind(a.evidence.to_string())
                .bind(a.region.clone())
                .bind(a.owner_unit.clone())
                .bind(a.level_by_hand)
                .bind(a.version)
                .bind(a.created_at)
                .bind(a.updated_at)
                .bind(a.closed_at)
                .bind(a.result.clone())
                .bind(a.reviewed_at)
                .bind(a.review_reminded)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            bind_event!(e)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            write_outbox!(tx, out);
            tx.commit().await.map_err(backend_err)
        })
    }

    async fn update_risk_alert(
        &self,
        a: &RiskAlert,
        expected_version: i64,
        e: &RiskEvent,
        out: &RiskOutbox,
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let done = sqlx::query(
                "UPDATE risk_alerts SET level = $1, status = $2, case_ids = $3, phone = $4, summary = $5, evidence = $6, region = $7, owner_unit = $8, level_by_hand = $9, version = $10, updated_at = $11, closed_at = $12, result = $13, reviewed_at = $14 WHERE id = $15 AND version = $16",
            )
            .bind(a.level.clone())
            .bind(a.status.clone())
            .bind(ids_json(a))
            .bind(a.phone.clone())
            .bind(a.summary.clone())
            .bind(a.evidence.to_string())
            .bind(a.region.clone())
            .bind(a.owner_unit.clone())
            .bind(a.level_by_hand)
            .bind(a.version)
            .bind(a.updated_at)
            .bind(a.closed_at)
            .bind(a.result.clone())
            .bind(a.reviewed_at)
            .bind(a.id.to_string())
            .bind(expected_version)
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            bind_event!(e)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            write_outbox!(tx, out);
            tx.commit().await.map_err(backend_err)?;
            Ok(true)
        })
    }

    async fn remind_risk_review(
        &self,
        id: Uuid,
        due: i64,
        e: &RiskEvent,
        out: &RiskOutbox,
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let done = sqlx::query(
                "UPDATE risk_alerts SET review_reminded = $1 WHERE id = $2 AND status <> 'closed' AND (review_reminded IS NULL OR review_reminded <> $3)",
            )
            .bind(due)
            .bind(id.to_string())
            .bind(due)
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            bind_event!(e)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            write_outbox!(tx, out);
            tx.commit().await.map_err(backend_err)?;
            Ok(true)
        })
    }

    async fn risk_events(&self, alert: Uuid) -> StoreResult<Vec<RiskEvent>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query(
                "SELECT id, alert_id, at, actor, actor_name, action, note, data FROM risk_events WHERE alert_id = $1 ORDER BY at, id",
            )
            .bind(alert.to_string())
            .fetch_all(p)
            .await
            .map_err(backend_err)?;
            rows.iter().map(event_from).collect()
        })
    }
}
