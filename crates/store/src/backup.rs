//! A consistent online copy of a SQLite database (issue 19.16), for `onewindow backup`.
//!
//! `VACUUM INTO` writes the database as one read transaction sees it: the copy is a snapshot even
//! while the server keeps writing (WAL readers do not block the writer, nor it them), it holds no
//! WAL to replay, and it is compacted. It does what SQLite's online backup API does for this
//! purpose without a second connection type. PostgreSQL is copied by `pg_dump` (see the
//! binary's `backup` module), which reads in one repeatable-read snapshot the same way.

use crate::{Db, SqlStore, backend_err};
use app::error::StoreError;
use app::ports::StoreResult;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::Path;
use std::str::FromStr;

impl SqlStore {
    /// Writes a snapshot of this SQLite database to `path`, which must not exist yet.
    pub async fn sqlite_copy_into(&self, path: &Path) -> StoreResult<()> {
        let Db::Sqlite { read, .. } = &self.db else {
            return Err(StoreError::Backend(
                "sqlite_copy_into is for SQLite; PostgreSQL is copied with pg_dump".into(),
            ));
        };
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Backend("the backup path is not valid UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_string())
            .execute(read)
            .await
            .map(|_| ())
            .map_err(backend_err)
    }
}

impl SqlStore {
    /// PostgreSQL: the database has no table of its own yet (`pg_restore` needs an empty one).
    pub async fn pg_is_blank(&self) -> StoreResult<bool> {
        let Db::Postgres(pool) = &self.db else {
            return Err(StoreError::Backend("pg_is_blank is for PostgreSQL".into()));
        };
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_one(pool)
        .await
        .and_then(|r| r.try_get("n"))
        .map_err(backend_err)?;
        Ok(n == 0)
    }
}

/// Opens a SQLite file read-only and checks it: SQLite's `quick_check`, then the number of cases
/// and of audit entries it holds.
pub async fn check_sqlite_file(path: &Path) -> StoreResult<(i64, i64)> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .map_err(backend_err)?
        .read_only(true)
        .immutable(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(backend_err)?;
    let check: String = sqlx::query("PRAGMA quick_check")
        .fetch_one(&pool)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(backend_err)?;
    if check != "ok" {
        pool.close().await;
        return Err(StoreError::Backend(format!(
            "the copy fails SQLite's check: {check}"
        )));
    }
    let counts = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM cases) AS cases, (SELECT COUNT(*) FROM audit_log) AS audit",
    )
    .fetch_one(&pool)
    .await
    .and_then(|r| Ok((r.try_get("cases")?, r.try_get("audit")?)))
    .map_err(backend_err);
    pool.close().await;
    counts
}
