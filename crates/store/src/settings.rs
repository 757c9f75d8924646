//! Configuration kept in the database, shared by every replica: settings by key, the workday
//! calendars (one body per name and year, and which calendar a region follows) and the routing
//! catalogue (category and region to unit, in its order).

use crate::{Db, SqlStore, backend_err, on_pool};
use app::ports::{Route, StoreResult};
use sqlx::Row;

impl SqlStore {
    pub(crate) async fn get_setting_impl(&self, key: &str) -> StoreResult<Option<String>> {
        on_pool!(self, read, |p| sqlx::query(
            "SELECT value FROM settings WHERE key = $1"
        )
        .bind(key.to_string())
        .fetch_optional(p)
        .await
        .and_then(|r| r.map(|r| r.try_get::<String, _>("value")).transpose()))
        .map_err(backend_err)
    }

    pub(crate) async fn put_setting_impl(&self, key: &str, value: &str) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key.to_string())
            .bind(value.to_string())
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    pub(crate) async fn calendar_years_impl(&self) -> StoreResult<Vec<(String, i32, String)>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query("SELECT name, year, body FROM calendars ORDER BY name, year")
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    let y: i64 = r.try_get("year").map_err(backend_err)?;
                    Ok((
                        r.try_get("name").map_err(backend_err)?,
                        i32::try_from(y).unwrap_or_default(),
                        r.try_get("body").map_err(backend_err)?,
                    ))
                })
                .collect()
        })
    }

    pub(crate) async fn put_calendar_year_impl(
        &self,
        name: &str,
        year: i32,
        text: &str,
        at: i64,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO calendars (name, year, body, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name, year) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at")
            .bind(name.to_string())
            .bind(i64::from(year))
            .bind(text.to_string())
            .bind(at)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    pub(crate) async fn calendar_regions_impl(&self) -> StoreResult<Vec<(String, String)>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query("SELECT region, name FROM calendar_regions ORDER BY region")
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get("region").map_err(backend_err)?,
                        r.try_get("name").map_err(backend_err)?,
                    ))
                })
                .collect()
        })
    }

    pub(crate) async fn put_calendar_region_impl(
        &self,
        region: &str,
        name: &str,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO calendar_regions (region, name) VALUES ($1, $2) ON CONFLICT (region) DO UPDATE SET name = excluded.name")
            .bind(region.to_string())
            .bind(name.to_string())
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)
    }

    pub(crate) async fn catalogue_impl(&self) -> StoreResult<Vec<Route>> {
        on_pool!(self, read, |p| {
            let rows = sqlx::query("SELECT category, region, unit, co_street FROM catalogue ORDER BY position, category, region")
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    Ok(Route {
                        category: r.try_get("category").map_err(backend_err)?,
                        region: r.try_get("region").map_err(backend_err)?,
                        unit: r.try_get("unit").map_err(backend_err)?,
                        co_street: r.try_get("co_street").map_err(backend_err)?,
                    })
                })
                .collect()
        })
    }

    pub(crate) async fn put_catalogue_impl(&self, routes: &[Route]) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            sqlx::query("DELETE FROM catalogue")
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            for (i, r) in routes.iter().enumerate() {
                sqlx::query("INSERT INTO catalogue (category, region, unit, co_street, position) VALUES ($1, $2, $3, $4, $5)")
                    .bind(r.category.clone())
                    .bind(r.region.clone())
                    .bind(r.unit.clone())
                    .bind(r.co_street)
                    .bind(i64::try_from(i).unwrap_or(i64::MAX))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)
        })
    }
}
