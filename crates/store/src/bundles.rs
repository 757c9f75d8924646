//! 一件事 templates and applications (issue 22, migration 0020).

use crate::notifications::bind_notice;
use crate::{Db, SqlStore, backend_err, json_of, on_pool, uuid_of};
use app::ports::{
    ApprovalRow, ApprovalStore, BundleQuery, BundleRow, BundleStore, BundleTaskRow, Notification,
    StoreResult,
};
use async_trait::async_trait;
use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

const COLS: &str =
    "id, template, status, channel, submitted_at, finished_at, created_by, version, doc";

fn bundle_from<R: Row>(r: &R) -> StoreResult<BundleRow>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    Ok(BundleRow {
        id: uuid_of(&text("id")?)?,
        template: text("template")?,
        status: text("status")?,
        channel: text("channel")?,
        submitted_at: r.try_get("submitted_at").map_err(backend_err)?,
        finished_at: r.try_get("finished_at").map_err(backend_err)?,
        created_by: r
            .try_get::<Option<String>, _>("created_by")
            .map_err(backend_err)?
            .map(|s| uuid_of(&s))
            .transpose()?,
        version: r.try_get("version").map_err(backend_err)?,
        doc: json_of(&text("doc")?)?,
    })
}

macro_rules! write_tasks {
    ($tx:expr, $b:expr, $tasks:expr) => {
        sqlx::query("DELETE FROM bundle_tasks WHERE bundle_id = $1")
            .bind($b.id.to_string())
            .execute(&mut *$tx)
            .await
            .map_err(backend_err)?;
        for t in $tasks {
            sqlx::query(
                "INSERT INTO bundle_tasks (bundle_id, task_id, unit, status) VALUES ($1, $2, $3, $4)",
            )
            .bind($b.id.to_string())
            .bind(t.task_id.clone())
            .bind(t.unit.clone())
            .bind(t.status.clone())
            .execute(&mut *$tx)
            .await
            .map_err(backend_err)?;
        }
    };
}

#[async_trait]
impl BundleStore for SqlStore {
    async fn bundle_templates(&self) -> StoreResult<Vec<(String, Value)>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query("SELECT code, doc FROM bundle_templates ORDER BY code")
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    let code: String = r.try_get("code").map_err(backend_err)?;
                    let doc: String = r.try_get("doc").map_err(backend_err)?;
                    Ok((code, json_of(&doc)?))
                })
                .collect()
        })
    }

    async fn put_bundle_template(
        &self,
        code: &str,
        doc: &Value,
        at: i64,
        by: Option<Uuid>,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            sqlx::query(
                "INSERT INTO bundle_templates (code, doc, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )
            .bind(code.to_string())
            .bind(doc.to_string())
            .bind(at)
            .bind(by.map(|u| u.to_string()))
            .execute(p)
            .await
            .map_err(backend_err)?;
            Ok(())
        })
    }

    async fn insert_bundle(
        &self,
        b: &BundleRow,
        tasks: &[BundleTaskRow],
        notices: &[Notification],
    ) -> StoreResult<()> {
        let sql =
            format!("INSERT INTO bundles ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(b.id.to_string())
                .bind(b.template.clone())
                .bind(b.status.clone())
                .bind(b.channel.clone())
                .bind(b.submitted_at)
                .bind(b.finished_at)
                .bind(b.created_by.map(|u| u.to_string()))
                .bind(b.version)
                .bind(b.doc.to_string())
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            write_tasks!(tx, b, tasks);
            for n in notices {
                bind_notice!(n)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)?;
            Ok(())
        })
    }

    async fn update_bundle(
        &self,
        b: &BundleRow,
        expected_version: i64,
        tasks: &[BundleTaskRow],
        notices: &[Notification],
    ) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            let done = sqlx::query(
                "UPDATE bundles SET status = $1, finished_at = $2, version = $3, doc = $4 WHERE id = $5 AND version = $6",
            )
            .bind(b.status.clone())
            .bind(b.finished_at)
            .bind(b.version)
            .bind(b.doc.to_string())
            .bind(b.id.to_string())
            .bind(expected_version)
            .execute(&mut *tx)
            .await
            .map_err(backend_err)?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            write_tasks!(tx, b, tasks);
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

    async fn bundle(&self, id: Uuid) -> StoreResult<Option<BundleRow>> {
        let sql = format!("SELECT {COLS} FROM bundles WHERE id = $1");
        on_pool!(self, read, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(bundle_from).transpose()
        })
    }

    async fn bundles(&self, q: &BundleQuery) -> StoreResult<Vec<BundleRow>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let param = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(u) = q.created_by {
            let ph = param(u.to_string(), &mut binds);
            clauses.push(format!("created_by = {ph}"));
        }
        if let Some(s) = &q.status {
            let ph = param(s.clone(), &mut binds);
            clauses.push(format!("status = {ph}"));
        }
        if let Some(t) = &q.template {
            let ph = param(t.clone(), &mut binds);
            clauses.push(format!("template = {ph}"));
        }
        if let Some(units) = &q.units {
            if units.is_empty() {
                return Ok(vec![]);
            }
            let list: Vec<String> = units.iter().map(|u| param(u.clone(), &mut binds)).collect();
            let mut sub = format!(
                "id IN (SELECT bundle_id FROM bundle_tasks WHERE unit IN ({})",
                list.join(", ")
            );
            if let Some(st) = &q.task_statuses {
                let st: Vec<String> = st.iter().map(|s| param(s.clone(), &mut binds)).collect();
                sub.push_str(&format!(" AND status IN ({})", st.join(", ")));
            }
            sub.push(')');
            clauses.push(sub);
        }
        let mut sql = format!("SELECT {COLS} FROM bundles");
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(&format!(
            " ORDER BY submitted_at DESC, id DESC LIMIT {}",
            q.limit.clamp(1, 5000)
        ));
        on_pool!(self, read, |p| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for b in &binds {
                query = query.bind(b.clone());
            }
            let rows = query.fetch_all(p).await.map_err(backend_err)?;
            rows.iter().map(bundle_from).collect()
        })
    }
}

const APPROVAL_COLS: &str = "id, name, status, created_at, created_by, version, doc";

fn approval_from<R: Row>(r: &R) -> StoreResult<ApprovalRow>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    Ok(ApprovalRow {
        id: uuid_of(&text("id")?)?,
        name: text("name")?,
        status: text("status")?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        created_by: r
            .try_get::<Option<String>, _>("created_by")
            .map_err(backend_err)?
            .map(|s| uuid_of(&s))
            .transpose()?,
        version: r.try_get("version").map_err(backend_err)?,
        doc: json_of(&text("doc")?)?,
    })
}

#[async_trait]
impl ApprovalStore for SqlStore {
    async fn insert_approval(&self, a: &ApprovalRow) -> StoreResult<()> {
        let sql =
            format!("INSERT INTO approvals ({APPROVAL_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        on_pool!(self, write, |p| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(a.id.to_string())
                .bind(a.name.clone())
                .bind(a.status.clone())
                .bind(a.created_at)
                .bind(a.created_by.map(|u| u.to_string()))
                .bind(a.version)
                .bind(a.doc.to_string())
                .execute(p)
                .await
                .map_err(backend_err)?;
            Ok(())
        })
    }

    async fn update_approval(&self, a: &ApprovalRow, expected_version: i64) -> StoreResult<bool> {
        on_pool!(self, write, |p| {
            let done = sqlx::query(
                "UPDATE approvals SET status = $1, version = $2, doc = $3 WHERE id = $4 AND version = $5",
            )
            .bind(a.status.clone())
            .bind(a.version)
            .bind(a.doc.to_string())
            .bind(a.id.to_string())
            .bind(expected_version)
            .execute(p)
            .await
            .map_err(backend_err)?;
            Ok(done.rows_affected() == 1)
        })
    }

    async fn approval(&self, id: Uuid) -> StoreResult<Option<ApprovalRow>> {
        let sql = format!("SELECT {APPROVAL_COLS} FROM approvals WHERE id = $1");
        on_pool!(self, read, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(approval_from).transpose()
        })
    }

    async fn approvals(&self, limit: u32) -> StoreResult<Vec<ApprovalRow>> {
        let sql = format!(
            "SELECT {APPROVAL_COLS} FROM approvals ORDER BY created_at DESC, id DESC LIMIT {}",
            limit.clamp(1, 5000)
        );
        on_pool!(self, read, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter().map(approval_from).collect()
        })
    }
}
