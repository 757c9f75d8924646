//! Rows of files on cases (issue 23, migration 0022). The bytes are in the file store
//! (`crate::files`); these rows say which case, step and visibility each has.

use crate::{Db, SqlStore, backend_err, on_pool, uuid_of};
use app::ports::{AttachmentRow, AttachmentStore, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

const COLS: &str = "id, case_id, name, size, content_type, kind, step, source, public, file_key, \
                    thumb_key, lat, lon, uploaded_by, uploaded_by_name, uploaded_at";

fn row_from<R: Row>(r: &R) -> StoreResult<AttachmentRow>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<f64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let opt = |k: &str| r.try_get::<Option<String>, _>(k).map_err(backend_err);
    Ok(AttachmentRow {
        id: uuid_of(&text("id")?)?,
        case_id: uuid_of(&text("case_id")?)?,
        name: text("name")?,
        size: r.try_get("size").map_err(backend_err)?,
        content_type: text("content_type")?,
        kind: text("kind")?,
        step: text("step")?,
        source: text("source")?,
        public: r.try_get("public").map_err(backend_err)?,
        file_key: text("file_key")?,
        thumb_key: opt("thumb_key")?,
        lat: r.try_get("lat").map_err(backend_err)?,
        lon: r.try_get("lon").map_err(backend_err)?,
        uploaded_by: opt("uploaded_by")?.map(|s| uuid_of(&s)).transpose()?,
        uploaded_by_name: opt("uploaded_by_name")?,
        uploaded_at: r.try_get("uploaded_at").map_err(backend_err)?,
    })
}

#[async_trait]
impl AttachmentStore for SqlStore {
    async fn insert_attachment(&self, a: &AttachmentRow, max_per_case: usize) -> StoreResult<bool> {
        // One statement: the count and the insert cannot be split by another upload.
        let sql = format!(
            "INSERT INTO attachments ({COLS}) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16 WHERE (SELECT COUNT(*) FROM attachments WHERE case_id = $2) < $17"
        );
        let n = on_pool!(self, write, |p| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(a.id.to_string())
                .bind(a.case_id.to_string())
                .bind(&a.name)
                .bind(a.size)
                .bind(&a.content_type)
                .bind(&a.kind)
                .bind(&a.step)
                .bind(&a.source)
                .bind(a.public)
                .bind(&a.file_key)
                .bind(a.thumb_key.clone())
                .bind(a.lat)
                .bind(a.lon)
                .bind(a.uploaded_by.map(|u| u.to_string()))
                .bind(a.uploaded_by_name.clone())
                .bind(a.uploaded_at)
                .bind(max_per_case as i64)
                .execute(p)
                .await
                .map_err(backend_err)?
                .rows_affected()
        });
        Ok(n == 1)
    }

    async fn attachments_of_case(&self, case_id: Uuid) -> StoreResult<Vec<AttachmentRow>> {
        let sql =
            format!("SELECT {COLS} FROM attachments WHERE case_id = $1 ORDER BY uploaded_at, id");
        on_pool!(self, read, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(case_id.to_string())
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter().map(row_from).collect()
        })
    }

    async fn attachment(&self, id: Uuid) -> StoreResult<Option<AttachmentRow>> {
        let sql = format!("SELECT {COLS} FROM attachments WHERE id = $1");
        on_pool!(self, read, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(p)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(row_from).transpose()
        })
    }

    async fn set_attachment_public(&self, id: Uuid, public: bool) -> StoreResult<bool> {
        let n = on_pool!(self, write, |p| {
            sqlx::query("UPDATE attachments SET public = $1 WHERE id = $2")
                .bind(public)
                .bind(id.to_string())
                .execute(p)
                .await
                .map_err(backend_err)?
                .rows_affected()
        });
        Ok(n == 1)
    }

    async fn file_key_used(&self, key: &str) -> StoreResult<bool> {
        on_pool!(self, read, |p| {
            let row = sqlx::query(
                "SELECT 1 AS one FROM attachments WHERE file_key = $1 OR thumb_key = $1 LIMIT 1",
            )
            .bind(key)
            .fetch_optional(p)
            .await
            .map_err(backend_err)?;
            Ok(row.is_some())
        })
    }

    async fn first_public_images(&self, case_ids: &[Uuid]) -> StoreResult<Vec<AttachmentRow>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut out: Vec<AttachmentRow> = Vec::new();
        for chunk in case_ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {COLS} FROM attachments WHERE public = {} AND kind = 'image' AND case_id IN ({}) \
                 ORDER BY case_id, uploaded_at, id",
                if matches!(self.db, Db::Sqlite { .. }) {
                    "1"
                } else {
                    "TRUE"
                },
                marks.join(", ")
            );
            let rows = on_pool!(self, read, |p| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for id in chunk {
                    q = q.bind(id.to_string());
                }
                let rows = q.fetch_all(p).await.map_err(backend_err)?;
                rows.iter().map(row_from).collect::<StoreResult<Vec<_>>>()?
            });
            for r in rows {
                if out.last().map(|l| l.case_id) != Some(r.case_id) {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    async fn attachments_after(
        &self,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<AttachmentRow>> {
        let sql = format!("SELECT {COLS} FROM attachments WHERE id > $1 ORDER BY id LIMIT $2");
        on_pool!(self, read, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(after.map(|u| u.to_string()).unwrap_or_default())
                .bind(i64::from(limit))
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter().map(row_from).collect()
        })
    }
}
