//! Opening a database: which backend a URL names, each backend's connection options and pools
//! (SQLite's page caches sized by [`Tuning`]), the migrations run at start-up, and closing.
//! The only place where the two backends are set up differently.

use crate::{Db, SqlStore, backend_err, guard};
use app::error::StoreError;
use app::ports::StoreResult;
use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// How a process uses its database, which sizes the SQLite page caches.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Page cache of the single writing connection, KiB.
    pub write_cache_kib: u32,
    /// Page cache of each of the eight reading connections, KiB.
    pub read_cache_kib: u32,
    /// WAL pages after which a commit checkpoints them into the database file.
    pub wal_autocheckpoint: u32,
}

impl Tuning {
    /// `serve`: a 32 MiB writer cache and 4 MiB per reader (64 MiB in all) keep a replica's
    /// resident memory under 300 MB at any size of history, 256 connections included. The
    /// operating system's page cache holds the rest of the file: a read that misses SQLite's
    /// cache costs a copy from memory, not a disk read, on a machine with memory to spare.
    pub const SERVE: Tuning = Tuning {
        write_cache_kib: 32 * 1024,
        read_cache_kib: 4 * 1024,
        wal_autocheckpoint: 1000,
    };
    /// Bulk loads (`seed`, `import`): a 1 GiB writer cache, and checkpoints every 64 MiB of WAL
    /// (16 KiB pages) instead of every 16 MiB.
    pub const BULK: Tuning = Tuning {
        write_cache_kib: 1024 * 1024,
        read_cache_kib: 8 * 1024,
        wal_autocheckpoint: 4000,
    };
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl SqlStore {
    pub fn backend_of(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Connects to `sqlite://path` (created if missing) or `postgres://…`, tuned for serving.
    pub async fn connect(url: &str) -> StoreResult<SqlStore> {
        Self::connect_tuned(url, Tuning::SERVE).await
    }

    /// Connects with the given tuning (see [`Tuning`]).
    pub async fn connect_tuned(url: &str, tuning: Tuning) -> StoreResult<SqlStore> {
        match Self::backend_of(url) {
            Some(Backend::Sqlite) => {
                // Durability: WAL with synchronous=FULL fsyncs the log at every commit, so an
                // acknowledged write survives a crash or power loss.
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(backend_err)?
                    .create_if_missing(true)
                    // 16 KiB pages hold ten case rows of ~1.5 KB where 4 KiB pages hold two
                    // (a quarter of each page wasted); only takes effect when the file is created.
                    .page_size(16384)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(false)
                    .busy_timeout(Duration::from_secs(10))
                    // A multi-row INSERT inside a transaction keeps a statement journal (to undo
                    // just that statement on a conflict); in a temporary file it costs a write
                    // system call per page touched. It is never needed after a crash.
                    .pragma("temp_store", "memory")
                    // sqlx would log every statement, and the whole text of slow ones: a bulk
                    // insert's text is hundreds of kilobytes. Latency is in /metrics instead.
                    .disable_statement_logging();
                let opts_path = opts.get_filename().to_path_buf();
                // Page caches: the writer's holds the top of every index a batch of inserts
                // touches (with SQLite's default 2 MB it spills and re-reads pages mid-transaction
                // once the indexes outgrow it); each reader's holds its hot pages, the rest comes
                // from the operating system's file cache.
                // The one writer connection is queued for by design (group commit, bulk loads
                // with a batch in flight), so waiting for it is not worth a warning.
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_slow_threshold(Duration::from_secs(60))
                    .connect_with(
                        opts.clone()
                            .pragma("cache_size", format!("-{}", tuning.write_cache_kib))
                            .pragma("wal_autocheckpoint", tuning.wal_autocheckpoint.to_string()),
                    )
                    .await
                    .map_err(backend_err)?;
                let read = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(opts.pragma("cache_size", format!("-{}", tuning.read_cache_kib)))
                    .await
                    .map_err(backend_err)?;
                let file = guard::DbFile::of(&opts_path).map(std::sync::Arc::new);
                Ok(SqlStore::with_committer(Db::Sqlite { write, read }, file))
            }
            Some(Backend::Postgres) => {
                let opts = PgConnectOptions::from_str(url)
                    .map_err(backend_err)?
                    .disable_statement_logging();
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await
                    .map_err(backend_err)?;
                Ok(SqlStore::with_committer(Db::Postgres(pool), None))
            }
            None => Err(StoreError::Backend(format!(
                "unsupported database URL '{url}': use sqlite://PATH or postgres://…"
            ))),
        }
    }

    /// Applies pending migrations. On PostgreSQL the migrator holds an advisory lock, so several
    /// replicas starting at once migrate exactly once.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))?;
        let moved = self.upgrade_events().await?;
        if moved > 0 {
            tracing::info!(events = moved, "moved the timeline into packed event rows");
        }
        if self.tallies_missing().await? {
            let n = self.rebuild_tallies_impl().await?;
            tracing::info!(cases = n, "rebuilt the cockpit tallies from the case rows");
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
