//! Who works in the platform: the units of the organisation, user accounts and how their rows are
//! read, login sessions (purged as new ones are made) and API keys.

use crate::{Db, SqlStore, backend_err, on_pool};
use app::error::StoreError;
use app::org::Unit;
use app::ports::{ApiKeyRecord, StoreResult, UserRecord};
use domain::{Level, Role, UnitKind};
use sqlx::Row;
use uuid::Uuid;

const USER_COLS: &str = "id, username, display_name, role, unit, password_hash, disabled, created_at, must_change_password";

fn user_from<R: Row>(r: &R) -> StoreResult<UserRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = r.try_get("id").map_err(backend_err)?;
    let role: String = r.try_get("role").map_err(backend_err)?;
    Ok(UserRecord {
        id: Uuid::parse_str(&id).map_err(|e| StoreError::Backend(e.to_string()))?,
        username: r.try_get("username").map_err(backend_err)?,
        display_name: r.try_get("display_name").map_err(backend_err)?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Backend(format!("unknown role {role}")))?,
        unit: r.try_get("unit").map_err(backend_err)?,
        password_hash: r.try_get("password_hash").map_err(backend_err)?,
        disabled: r.try_get("disabled").map_err(backend_err)?,
        created_at: r.try_get("created_at").map_err(backend_err)?,
        must_change_password: r.try_get("must_change_password").map_err(backend_err)?,
    })
}

impl SqlStore {
    // The row's tuple type is spelled out once, in the closure below; inside `#[async_trait]`,
    // where this body was, clippy did not look at it.
    #[allow(clippy::type_complexity)]
    pub(crate) async fn units_impl(&self) -> StoreResult<Vec<Unit>> {
        let rows = on_pool!(self, read, |p| {
            sqlx::query(
            "SELECT code, name, level, kind, parent, region, disabled FROM units ORDER BY position, code"
        )
        .fetch_all(p)
        .await
        .map_err(backend_err)
        .and_then(|rows| rows
            .iter()
            .map(
                |r| -> StoreResult<(String, String, String, String, Option<String>, String, bool)> {
                    Ok((
                        r.try_get("code").map_err(backend_err)?,
                        r.try_get("name").map_err(backend_err)?,
                        r.try_get("level").map_err(backend_err)?,
                        r.try_get("kind").map_err(backend_err)?,
                        r.try_get("parent").map_err(backend_err)?,
                        r.try_get("region").map_err(backend_err)?,
                        r.try_get("disabled").map_err(backend_err)?,
                    ))
                }
            )
            .collect::<StoreResult<Vec<_>>>())
        })?;
        rows.into_iter()
            .map(|(code, name, level, kind, parent, region, disabled)| {
                Ok(Unit {
                    level: Level::parse(&level).ok_or_else(|| {
                        StoreError::Backend(format!("unit {code}: bad level {level}"))
                    })?,
                    kind: UnitKind::parse(&kind).ok_or_else(|| {
                        StoreError::Backend(format!("unit {code}: bad kind {kind}"))
                    })?,
                    code,
                    name,
                    parent,
                    region,
                    disabled,
                })
            })
            .collect()
    }

    pub(crate) async fn put_units_impl(&self, units: &[Unit]) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            for (i, u) in units.iter().enumerate() {
                sqlx::query("INSERT INTO units (code, name, level, kind, parent, region, position, disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, kind = excluded.kind, parent = excluded.parent, region = excluded.region, position = excluded.position, disabled = excluded.disabled")
                    .bind(u.code.clone())
                    .bind(u.name.clone())
                    .bind(u.level.code())
                    .bind(u.kind.code())
                    .bind(u.parent.clone())
                    .bind(u.region.clone())
                    .bind(i64::try_from(i).unwrap_or(i64::MAX))
                    .bind(u.disabled)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)
        })
    }

    pub(crate) async fn insert_user_impl(&self, u: &UserRecord) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO users (id, username, display_name, role, unit, password_hash, disabled, created_at, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(u.id.to_string())
            .bind(u.username.clone())
            .bind(u.display_name.clone())
            .bind(u.role.code())
            .bind(u.unit.clone())
            .bind(u.password_hash.clone())
            .bind(u.disabled)
            .bind(u.created_at)
            .bind(u.must_change_password)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)?;
        Ok(())
    }

    pub(crate) async fn update_user_impl(&self, u: &UserRecord) -> StoreResult<bool> {
        on_pool!(self, write, |p| sqlx::query("UPDATE users SET display_name = $2, role = $3, unit = $4, password_hash = $5, disabled = $6, must_change_password = $7 WHERE id = $1")
            .bind(u.id.to_string())
            .bind(u.display_name.clone())
            .bind(u.role.code())
            .bind(u.unit.clone())
            .bind(u.password_hash.clone())
            .bind(u.disabled)
            .bind(u.must_change_password)
            .execute(p)
            .await
            .map(|d| d.rows_affected() == 1))
        .map_err(backend_err)
    }

    pub(crate) async fn revoke_sessions_impl(
        &self,
        user: Uuid,
        keep: Option<&str>,
    ) -> StoreResult<u64> {
        on_pool!(self, write, |p| sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2"
        )
        .bind(user.to_string())
        .bind(keep.unwrap_or("").to_string())
        .execute(p)
        .await
        .map(|d| d.rows_affected()))
        .map_err(backend_err)
    }

    pub(crate) async fn user_by_username_impl(
        &self,
        username: &str,
    ) -> StoreResult<Option<UserRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE username = $1"));
        on_pool!(self, read, |p| match sqlx::query(sql)
            .bind(username.to_string())
            .fetch_optional(p)
            .await
            .map_err(backend_err)?
        {
            Some(r) => user_from(&r).map(Some),
            None => Ok(None),
        })
    }

    pub(crate) async fn user_by_id_impl(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE id = $1"));
        on_pool!(self, read, |p| match sqlx::query(sql)
            .bind(id.to_string())
            .fetch_optional(p)
            .await
            .map_err(backend_err)?
        {
            Some(r) => user_from(&r).map(Some),
            None => Ok(None),
        })
    }

    pub(crate) async fn users_impl(&self) -> StoreResult<Vec<UserRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users ORDER BY username"));
        on_pool!(self, read, |p| sqlx::query(sql)
            .fetch_all(p)
            .await
            .map_err(backend_err)?
            .iter()
            .map(user_from)
            .collect())
    }

    pub(crate) async fn insert_session_impl(
        &self,
        token_hash: &str,
        user: Uuid,
        created_at: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            // Expired sessions are purged as new ones are made, so the table stays small.
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(created_at)
                .execute(p)
                .await
                .map_err(backend_err)?;
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash.to_string())
                .bind(user.to_string())
                .bind(created_at)
                .bind(expires_at)
                .execute(p)
                .await
                .map(|_| ())
                .map_err(backend_err)
        })?;
        Ok(())
    }

    pub(crate) async fn session_user_impl(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<Uuid>> {
        let row = on_pool!(self, read, |p| sqlx::query(
            "SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2"
        )
        .bind(token_hash.to_string())
        .bind(now)
        .fetch_optional(p)
        .await
        .map_err(backend_err)
        .and_then(|r| r
            .map(|r| r.try_get::<String, _>("user_id").map_err(backend_err))
            .transpose()))?;
        Ok(row.and_then(|s| Uuid::parse_str(&s).ok()))
    }

    pub(crate) async fn delete_session_impl(&self, token_hash: &str) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query(
            "DELETE FROM sessions WHERE token_hash = $1"
        )
        .bind(token_hash.to_string())
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(backend_err)?;
        Ok(())
    }

    pub(crate) async fn insert_api_key_impl(&self, k: &ApiKeyRecord) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query("INSERT INTO api_keys (id, name, key_hash, created_at, revoked) VALUES ($1, $2, $3, $4, $5)")
            .bind(k.id.to_string())
            .bind(k.name.clone())
            .bind(k.key_hash.clone())
            .bind(k.created_at)
            .bind(k.revoked)
            .execute(p)
            .await
            .map(|_| ()))
        .map_err(backend_err)?;
        Ok(())
    }

    pub(crate) async fn api_key_by_hash_impl(
        &self,
        key_hash: &str,
    ) -> StoreResult<Option<ApiKeyRecord>> {
        on_pool!(self, read, |p| {
            let row = sqlx::query(
                "SELECT id, name, key_hash, created_at, revoked FROM api_keys WHERE key_hash = $1",
            )
            .bind(key_hash.to_string())
            .fetch_optional(p)
            .await
            .map_err(backend_err)?;
            match row {
                None => Ok(None),
                Some(r) => {
                    let id: String = r.try_get("id").map_err(backend_err)?;
                    Ok(Some(ApiKeyRecord {
                        id: Uuid::parse_str(&id).map_err(|e| StoreError::Backend(e.to_string()))?,
                        name: r.try_get("name").map_err(backend_err)?,
                        key_hash: r.try_get("key_hash").map_err(backend_err)?,
                        created_at: r.try_get("created_at").map_err(backend_err)?,
                        revoked: r.try_get("revoked").map_err(backend_err)?,
                    }))
                }
            }
        })
    }
}
