//! The storage side of the edge's guards (issue 19): rate-limit counters in fixed windows, shared by
//! every replica through the database; the device tokens of browsers that signed in; and the
//! readiness check, which asks the database itself (never a cache).

use crate::{Db, SqlStore, backend_err, on_pool};
use app::error::StoreError;
use app::ports::{Guard, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Counts a hit per bucket; a bucket whose stored window is older restarts at 1 (a clock a little
/// behind on another replica keeps the newer window rather than resetting it).
const RATE_HIT_HEAD: &str = "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ";
const RATE_HIT_TAIL: &str = " ON CONFLICT (bucket) DO UPDATE SET \
    hits = CASE WHEN rate_limits.window_start >= excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END, \
    window_start = CASE WHEN rate_limits.window_start > excluded.window_start THEN rate_limits.window_start ELSE excluded.window_start END \
    RETURNING bucket, hits";

/// The SQLite file a store opened, by path and by identity (device and inode): a file deleted,
/// moved away or replaced under a running server leaves its open connections reading and writing
/// an inode nobody will find again, so the server must stop calling itself ready.
pub(crate) struct DbFile {
    path: PathBuf,
    id: (u64, u64),
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

impl DbFile {
    /// `None` for an in-memory database (no file to watch).
    pub(crate) fn of(path: &Path) -> Option<DbFile> {
        let m = std::fs::metadata(path).ok()?;
        Some(DbFile {
            path: path.to_path_buf(),
            id: identity(&m),
        })
    }

    fn check(&self) -> StoreResult<()> {
        // The messages name no path: /healthz is public.
        let m = std::fs::metadata(&self.path)
            .map_err(|e| StoreError::Backend(format!("the database file is not there ({e})")))?;
        if identity(&m) != self.id {
            return Err(StoreError::Backend(
                "the file at the database's path is no longer the one this process opened (moved or replaced)"
                    .into(),
            ));
        }
        let mut head = [0u8; 16];
        std::fs::File::open(&self.path)
            .and_then(|mut f| f.read_exact(&mut head))
            .map_err(|e| StoreError::Backend(format!("the database file cannot be read ({e})")))?;
        if &head != b"SQLite format 3\0" {
            return Err(StoreError::Backend(
                "the database file does not start like a SQLite database (damaged or overwritten)"
                    .into(),
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl Guard for SqlStore {
    async fn rate_hit(&self, hits: &[(String, i64)]) -> StoreResult<Vec<(String, i64)>> {
        if hits.is_empty() {
            return Ok(vec![]);
        }
        let values: Vec<String> = (0..hits.len())
            .map(|i| format!("(${}, ${}, 1)", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!("{RATE_HIT_HEAD}{}{RATE_HIT_TAIL}", values.join(", "));
        on_pool!(self, write, |p| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (bucket, start) in hits {
                q = q.bind(bucket.clone()).bind(*start);
            }
            let rows = q.fetch_all(p).await.map_err(backend_err)?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("bucket").map_err(backend_err)?,
                        r.try_get::<i64, _>("hits").map_err(backend_err)?,
                    ))
                })
                .collect()
        })
    }

    async fn rate_unhit(&self, bucket: &str, window_start: i64) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query(
            "UPDATE rate_limits SET hits = hits - 1 WHERE bucket = $1 AND window_start = $2 AND hits > 0"
        )
        .bind(bucket.to_string())
        .bind(window_start)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(backend_err)
    }

    async fn rate_clear(&self, bucket: &str) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query(
            "DELETE FROM rate_limits WHERE bucket = $1"
        )
        .bind(bucket.to_string())
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(backend_err)
    }

    async fn purge_guards(&self, windows_before: i64, devices_before: i64) -> StoreResult<u64> {
        on_pool!(self, write, |p| {
            let a = sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
                .bind(windows_before)
                .execute(p)
                .await
                .map_err(backend_err)?;
            let b = sqlx::query("DELETE FROM login_devices WHERE created_at < $1")
                .bind(devices_before)
                .execute(p)
                .await
                .map_err(backend_err)?;
            Ok(a.rows_affected() + b.rows_affected())
        })
    }

    async fn insert_login_device(
        &self,
        token_hash: &str,
        username: &str,
        at: i64,
    ) -> StoreResult<()> {
        on_pool!(self, write, |p| sqlx::query(
            "INSERT INTO login_devices (token_hash, username, created_at) VALUES ($1, $2, $3)"
        )
        .bind(token_hash.to_string())
        .bind(username.to_string())
        .bind(at)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(backend_err)
    }

    async fn login_device(&self, token_hash: &str, since: i64) -> StoreResult<Option<String>> {
        on_pool!(self, read, |p| sqlx::query(
            "SELECT username FROM login_devices WHERE token_hash = $1 AND created_at >= $2"
        )
        .bind(token_hash.to_string())
        .bind(since)
        .fetch_optional(p)
        .await
        .and_then(|r| r
            .map(|r| r.try_get::<String, _>("username"))
            .transpose()))
        .map_err(backend_err)
    }

    async fn ping(&self) -> StoreResult<()> {
        if let Some(file) = self.file.clone() {
            // File system calls block; a hung disk must not hold a runtime worker.
            tokio::task::spawn_blocking(move || file.check())
                .await
                .map_err(|e| StoreError::Backend(e.to_string()))??;
        }
        // A read of a real table through the pool the requests use: a dropped database, refused
        // connections or a table locked for good all fail (or hang, and the caller's timeout ends it).
        on_pool!(self, read, |p| sqlx::query(
            "SELECT COUNT(*) AS n FROM units WHERE code = ''"
        )
        .fetch_one(p)
        .await
        .and_then(|r| r.try_get::<i64, _>("n")))
        .map(|_| ())
        .map_err(backend_err)
    }
}
