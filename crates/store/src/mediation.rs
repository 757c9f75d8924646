//! Mediations and their events (issue 20, migration 0014). Written like risk alerts: a row and its
//! event in one transaction, updates checked against the version.

use crate::notifications::bind_notice;
use crate::{Db, SqlStore, backend_err, json_of, on_pool, uuid_of};
use app::ports::{
    Mediation, MediationEvent, MediationQuery, MediationStore, Notification, StoreResult,
};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

const COLS: &str = "id, case_id, alert_id, org_unit, status, doc, judicial_due, performance_due, version, created_at, updated_at, warned";

fn mediation_from<R: Row>(r: &R) -> StoreResult<Mediation>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let opt = |k: &str| r.try_get::<Option<String>, _>(k).map_err(backend_err);
    Ok(Mediation {
        id: uuid_of(&text("id")?)?,
        case_id: opt("case_id")?.map(|s| uuid_of(&s)).transpose()?,
        alert_id: opt("alert_id")?.map(|s| uuid_of(&s)).transpose()?,
        org_unit: text("org_unit")?,
        status: text("status")?,
        doc: json_of(&text("doc")?)?,
        judicial_due: r.try_get("judicial_due").map_err(backend_err)?,
        performance_due: r.try_get("performance_due").map_err(backend_err)?,
        version: r.try_get("version").map_err(backend_err)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        updated_at: r.try_get("updated_at").map_err(backend_err)?,
        warned: text("warned")?,
    })
}

fn event_from<R: Row>(r: &R) -> StoreResult<MediationEvent>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let opt = |k: &str| r.try_get::<Option<String>, _>(k).map_err(backend_err);
    Ok(MediationEvent {
        id: uuid_of(&text("id")?)?,
        mediation_id: uuid_of(&text("mediation_id")?)?,
        at: r.try_get("at").map_err(backend_err)?,
        actor: opt("actor")?.map(|s| uuid_of(&s)).transpose()?,
        actor_name: text("actor_name")?,
        action: text("action")?,
        data: opt("data")?.map(|s| json_of(&s)).transpose()?,
    })
}

macro_rules! bind_event {
    ($e:expr) => {
        sqlx::query("INSERT INTO mediation_events (id, mediation_id, at, actor, actor_name, action, data) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind($e.id.to_string())
            .bind($e.mediation_id.to_string())
            .bind($e.at)
            .bind($e.actor.map(|a| a.to_string()))
            .bind($e.actor_name.clone())
            .bind($e.action.clone())
            .bind($e.data.as_ref().map(ToString::to_string))
    };
}

#[async_trait]
impl MediationStore for SqlStore {
    async fn insert_mediation(&self, m: &Mediation, e: &MediationEvent) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO mediations ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(m.id.to_string())
                .bind(m.case_id.map(|c| c.to_string()))
                .bind(m.alert_id.map(|c| c.to_string()))
                .bind(m.org_unit.clone())
                .bind(m.status.clone())
                .bind(m.doc.to_string())
                .bind(m.judicial_due)
                .bind(m.performance_due)
                .bind(m.version)
                .bind(m.created_at)
                .bind(m.updated_at)
                .bind(m.warned.clone())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            bind_event!(e)
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            tx.commit().await.map_err(backend_err)
        })
    }

    async fn update_mediation(
        &self,
        m: &Mediation,
        expected_version: i64,
        e: &MediationEvent,
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let done = sqlx::query(
                "UPDATE mediations SET org_unit = $1, status = $2, doc = $3, judicial_due = $4, performance_due = $5, version = $6, updated_at = $7 WHERE id = $8 AND version = $9",
            )
            .bind(m.org_unit.clone())
            .bind(m.status.clone())
            .bind(m.doc.to_string())
            .bind(m.judicial_due)
            .bind(m.performance_due)
            .bind(m.version)
            .bind(m.updated_at)
            .bind(m.id.to_string())
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
            tx.commit().await.map_err(backend_err)?;
            Ok(true)
        })
    }

    async fn record_mediation_warning(
        &self,
        id: Uuid,
        warned_before: &str,
        warned_after: &str,
        e: &MediationEvent,
        notices: &[Notification],
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let done =
                sqlx::query("UPDATE mediations SET warned = $1 WHERE id = $2 AND warned = $3")
                    .bind(warned_after.to_string())
                    .bind(id.to_string())
                    .bind(warned_before.to_string())
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
            for n in notices {
                bind_notice!(n)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)?;
            Ok(true)
        })
    }

    async fn mediation(&self, id: Uuid) -> StoreResult<Option<Mediation>> {
        let sql = format!("SELECT {COLS} FROM mediations WHERE id = $1");
        on_pool!(self, read, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(mediation_from).transpose()
        })
    }

    async fn mediations(&self, q: &MediationQuery) -> StoreResult<Vec<Mediation>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        let mut due: Option<i64> = None;
        if let Some(s) = &q.status {
            texts.push(s.clone());
            clauses.push(format!("status = ${}", texts.len()));
        }
        if let Some(c) = q.case_id {
            texts.push(c.to_string());
            clauses.push(format!("case_id = ${}", texts.len()));
        }
        if let Some(units) = &q.org_units {
            if units.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                let start = texts.len();
                texts.extend(units.iter().cloned());
                let marks: Vec<String> =
                    (start + 1..=texts.len()).map(|i| format!("${i}")).collect();
                clauses.push(format!("org_unit IN ({})", marks.join(", ")));
            }
        }
        if let Some(before) = q.judicial_due_before {
            due = Some(before);
            clauses.push(format!(
                "status = 'agreed' AND judicial_due IS NOT NULL AND judicial_due < ${}",
                texts.len() + 1
            ));
        }
        let mut since: Option<i64> = None;
        if let Some(from) = q.updated_from {
            since = Some(from);
            let n = texts.len() + usize::from(due.is_some()) + 1;
            clauses.push(format!("updated_at >= ${n}"));
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {COLS} FROM mediations{where_sql} ORDER BY updated_at DESC, id DESC LIMIT {}",
            q.limit.clamp(1, 1000)
        );
        on_pool!(self, read, |p| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for t in &texts {
                query = query.bind(t.clone());
            }
            if let Some(d) = due {
                query = query.bind(d);
            }
            if let Some(t) = since {
                query = query.bind(t);
            }
            let rows = query.fetch_all(p).await.map_err(backend_err)?;
            rows.iter().map(mediation_from).collect()
        })
    }

    async fn mediation_events(&self, id: Uuid) -> StoreResult<Vec<MediationEvent>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query(
                "SELECT id, mediation_id, at, actor, actor_name, action, data FROM mediation_events WHERE mediation_id = $1 ORDER BY at, id",
            )
            .bind(id.to_string())
            .fetch_all(p)
            .await
            .map_err(backend_err)?;
            rows.iter().map(event_from).collect()
        })
    }
}
