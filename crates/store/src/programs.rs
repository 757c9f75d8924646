//! Key programs and their items (issue 21, migration 0018). An item is one row with its document,
//! versioned: a report or a review checks the version like a case transition does.

use crate::{Db, SqlStore, backend_err, json_of, on_pool, uuid_of};
use app::ports::{Program, ProgramItem, ProgramStore, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

const PROGRAM_COLS: &str = "id, name, kind, year, doc, created_at, updated_at";
const ITEM_COLS: &str = "id, program_id, seq, lead_unit, doc, version, created_at, updated_at";

fn program_from<R: Row>(r: &R) -> StoreResult<Program>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    Ok(Program {
        id: uuid_of(&text("id")?)?,
        name: text("name")?,
        kind: text("kind")?,
        year: r.try_get("year").map_err(backend_err)?,
        doc: json_of(&text("doc")?)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        updated_at: r.try_get("updated_at").map_err(backend_err)?,
    })
}

fn item_from<R: Row>(r: &R) -> StoreResult<ProgramItem>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    Ok(ProgramItem {
        id: uuid_of(&text("id")?)?,
        program_id: uuid_of(&text("program_id")?)?,
        seq: r.try_get("seq").map_err(backend_err)?,
        lead_unit: text("lead_unit")?,
        doc: json_of(&text("doc")?)?,
        version: r.try_get("version").map_err(backend_err)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        updated_at: r.try_get("updated_at").map_err(backend_err)?,
    })
}

#[async_trait]
impl ProgramStore for SqlStore {
    async fn insert_program(&self, p: &Program) -> StoreResult<()> {
        let sql =
            format!("INSERT INTO programs ({PROGRAM_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        on_pool!(self, write, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(p.id.to_string())
                .bind(p.name.clone())
                .bind(p.kind.clone())
                .bind(p.year)
                .bind(p.doc.to_string())
                .bind(p.created_at)
                .bind(p.updated_at)
                .execute(pool)
                .await
                .map_err(backend_err)?;
            Ok(())
        })
    }

    async fn programs(&self) -> StoreResult<Vec<Program>> {
        let sql = format!("SELECT {PROGRAM_COLS} FROM programs ORDER BY year DESC, created_at, id");
        on_pool!(self, read, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await
                .map_err(backend_err)?;
            rows.iter().map(program_from).collect()
        })
    }

    async fn program(&self, id: Uuid) -> StoreResult<Option<Program>> {
        let sql = format!("SELECT {PROGRAM_COLS} FROM programs WHERE id = $1");
        on_pool!(self, read, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(program_from).transpose()
        })
    }

    async fn insert_program_item(&self, i: &ProgramItem) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO program_items ({ITEM_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        );
        on_pool!(self, write, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(i.id.to_string())
                .bind(i.program_id.to_string())
                .bind(i.seq)
                .bind(i.lead_unit.clone())
                .bind(i.doc.to_string())
                .bind(i.version)
                .bind(i.created_at)
                .bind(i.updated_at)
                .execute(pool)
                .await
                .map_err(backend_err)?;
            Ok(())
        })
    }

    async fn program_items(&self, program: Uuid) -> StoreResult<Vec<ProgramItem>> {
        let sql =
            format!("SELECT {ITEM_COLS} FROM program_items WHERE program_id = $1 ORDER BY seq, id");
        on_pool!(self, read, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(program.to_string())
                .fetch_all(pool)
                .await
                .map_err(backend_err)?;
            rows.iter().map(item_from).collect()
        })
    }

    async fn update_program_item(
        &self,
        i: &ProgramItem,
        expected_version: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, write, |pool| {
            let done = sqlx::query(
                "UPDATE program_items SET lead_unit = $1, doc = $2, version = $3, updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .bind(i.lead_unit.clone())
            .bind(i.doc.to_string())
            .bind(i.version)
            .bind(i.updated_at)
            .bind(i.id.to_string())
            .bind(expected_version)
            .execute(pool)
            .await
            .map_err(backend_err)?;
            Ok(done.rows_affected() > 0)
        })
    }
}
