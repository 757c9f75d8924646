//! Visit campaigns, the registry of households and enterprises, and visits (issue 21, migration
//! 0019).

use crate::{Db, SqlStore, backend_err, json_of, on_pool, uuid_of};
use app::ports::{Campaign, CampaignStore, StoreResult, Visit, VisitSubject};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

const CAMPAIGN_COLS: &str = "id, name, starts_on, ends_on, doc, created_at";
const SUBJECT_COLS: &str = "id, community, kind, name, address, doc, created_at";
const VISIT_COLS: &str = "id, campaign_id, unit, subject_id, kind, visited_at, doc, created_at";

fn campaign_from<R: Row>(r: &R) -> StoreResult<Campaign>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    Ok(Campaign {
        id: uuid_of(&text("id")?)?,
        name: text("name")?,
        starts_on: text("starts_on")?,
        ends_on: text("ends_on")?,
        doc: json_of(&text("doc")?)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
    })
}

fn subject_from<R: Row>(r: &R) -> StoreResult<VisitSubject>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    Ok(VisitSubject {
        id: uuid_of(&text("id")?)?,
        community: text("community")?,
        kind: text("kind")?,
        name: text("name")?,
        address: text("address")?,
        doc: json_of(&text("doc")?)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
    })
}

fn visit_from<R: Row>(r: &R) -> StoreResult<Visit>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    Ok(Visit {
        id: uuid_of(&text("id")?)?,
        campaign_id: uuid_of(&text("campaign_id")?)?,
        unit: text("unit")?,
        subject_id: uuid_of(&text("subject_id")?)?,
        kind: text("kind")?,
        visited_at: r.try_get("visited_at").map_err(backend_err)?,
        doc: json_of(&text("doc")?)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
    })
}

#[async_trait]
impl CampaignStore for SqlStore {
    async fn insert_campaign(&self, c: &Campaign) -> StoreResult<()> {
        let sql =
            format!("INSERT INTO campaigns ({CAMPAIGN_COLS}) VALUES ($1, $2, $3, $4, $5, $6)");
        on_pool!(self, write, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(c.id.to_string())
                .bind(c.name.clone())
                .bind(c.starts_on.clone())
                .bind(c.ends_on.clone())
                .bind(c.doc.to_string())
                .bind(c.created_at)
                .execute(pool)
                .await
                .map_err(backend_err)?;
            Ok(())
        })
    }

    async fn campaigns(&self) -> StoreResult<Vec<Campaign>> {
        let sql = format!("SELECT {CAMPAIGN_COLS} FROM campaigns ORDER BY starts_on DESC, id");
        on_pool!(self, read, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .fetch_all(pool)
                .await
                .map_err(backend_err)?;
            rows.iter().map(campaign_from).collect()
        })
    }

    async fn upsert_visit_subject(&self, s: &VisitSubject) -> StoreResult<VisitSubject> {
        let insert = format!(
            "INSERT INTO visit_subjects ({SUBJECT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (community, kind, name, address) DO NOTHING"
        );
        let select = format!(
            "SELECT {SUBJECT_COLS} FROM visit_subjects WHERE community = $1 AND kind = $2 AND name = $3 AND address = $4"
        );
        on_pool!(self, write, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
                .bind(s.id.to_string())
                .bind(s.community.clone())
                .bind(s.kind.clone())
                .bind(s.name.clone())
                .bind(s.address.clone())
                .bind(s.doc.to_string())
                .bind(s.created_at)
                .execute(pool)
                .await
                .map_err(backend_err)?;
            let row = sqlx::query(sqlx::AssertSqlSafe(select.clone()))
                .bind(s.community.clone())
                .bind(s.kind.clone())
                .bind(s.name.clone())
                .bind(s.address.clone())
                .fetch_one(pool)
                .await
                .map_err(backend_err)?;
            subject_from(&row)
        })
    }

    async fn insert_visit_subjects(&self, list: &[VisitSubject]) -> StoreResult<usize> {
        let insert = format!(
            "INSERT INTO visit_subjects ({SUBJECT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (community, kind, name, address) DO NOTHING"
        );
        on_pool!(self, write, |pool| {
            let mut tx = pool.begin().await.map_err(backend_err)?;
            let mut added = 0;
            for s in list {
                added += sqlx::query(sqlx::AssertSqlSafe(insert.clone()))
                    .bind(s.id.to_string())
                    .bind(s.community.clone())
                    .bind(s.kind.clone())
                    .bind(s.name.clone())
                    .bind(s.address.clone())
                    .bind(s.doc.to_string())
                    .bind(s.created_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?
                    .rows_affected() as usize;
            }
            tx.commit().await.map_err(backend_err)?;
            Ok(added)
        })
    }

    async fn visit_subject(&self, id: Uuid) -> StoreResult<Option<VisitSubject>> {
        let sql = format!("SELECT {SUBJECT_COLS} FROM visit_subjects WHERE id = $1");
        on_pool!(self, read, |pool| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await
                .map_err(backend_err)?;
            row.as_ref().map(subject_from).transpose()
        })
    }

    async fn visit_subjects(
        &self,
        community_prefix: &str,
        limit: u32,
    ) -> StoreResult<Vec<VisitSubject>> {
        let sql = format!(
            "SELECT {SUBJECT_COLS} FROM visit_subjects WHERE community LIKE $1 ORDER BY kind, name, id LIMIT {}",
            limit.clamp(1, 5000)
        );
        let prefix = format!("{}%", community_prefix.replace(['%', '_', '\\'], ""));
        on_pool!(self, read, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(prefix.clone())
                .fetch_all(pool)
                .await
                .map_err(backend_err)?;
            rows.iter().map(subject_from).collect()
        })
    }

    async fn insert_visit(&self, v: &Visit) -> StoreResult<()> {
        let sql =
            format!("INSERT INTO visits ({VISIT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        on_pool!(self, write, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(v.id.to_string())
                .bind(v.campaign_id.to_string())
                .bind(v.unit.clone())
                .bind(v.subject_id.to_string())
                .bind(v.kind.clone())
                .bind(v.visited_at)
                .bind(v.doc.to_string())
                .bind(v.created_at)
                .execute(pool)
                .await
                .map_err(backend_err)?;
            Ok(())
        })
    }

    async fn visits(&self, campaign: Uuid) -> StoreResult<Vec<Visit>> {
        let sql = format!(
            "SELECT {VISIT_COLS} FROM visits WHERE campaign_id = $1 ORDER BY visited_at, id"
        );
        on_pool!(self, read, |pool| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(campaign.to_string())
                .fetch_all(pool)
                .await
                .map_err(backend_err)?;
            rows.iter().map(visit_from).collect()
        })
    }
}
