//! `onewindow backup --db URL FILE` and `onewindow restore --db URL FILE` (issue 19.16).
//!
//! A backup is taken while the server runs and is consistent: SQLite's `VACUUM INTO` copies one
//! read transaction's snapshot; PostgreSQL's `pg_dump` (custom format) reads in one snapshot too.
//! The copy is written under `FILE.partial`, checked (SQLite's `quick_check` and its counts;
//! `pg_restore --list` reads the archive's table of contents), flushed to disk and only then renamed
//! to `FILE`: a `FILE` that exists is a whole, checked backup, also when the process was killed.
//! Every backup is written to the audit log (who ran it, where to, how big).
//!
//! A restore goes into a new database only — an existing one is never overwritten: for SQLite the
//! copy is checked and copied to the target path, for PostgreSQL `pg_restore` loads it into an
//! empty database. Then pending migrations run, so a backup of an older release restores into
//! this one.

use app::App;
use app::audit::AuditAction;
use std::path::{Path, PathBuf};
use std::process::Command;
use store::SqlStore;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// What a backup wrote.
pub struct BackupReport {
    pub bytes: u64,
    /// Cases in the copy (SQLite; PostgreSQL's archive is not opened to count).
    pub cases: Option<i64>,
}

/// The operating-system user running the command, for the audit log.
pub fn operator() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    if host.is_empty() {
        user
    } else {
        format!("{user}@{host}")
    }
}

fn partial_of(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    file.with_file_name(name)
}

/// A program from PostgreSQL's client tools, or an error saying how to get it.
fn pg_tool(name: &str) -> Result<Command> {
    let probe = Command::new(name).arg("--version").output();
    match probe {
        Ok(o) if o.status.success() => Ok(Command::new(name)),
        _ => Err(format!(
            "{name} was not found: install PostgreSQL's client tools (Debian: apt install postgresql-client) \
             in a version at least the server's"
        )
        .into()),
    }
}

fn run(mut cmd: Command, what: &str) -> Result<()> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(())
}

/// Flushes a finished file to disk before it is renamed into place.
fn sync(path: &Path) -> Result<()> {
    std::fs::File::open(path)?.sync_all()?;
    Ok(())
}

pub async fn backup(app: &App, store: &SqlStore, url: &str, file: &Path) -> Result<BackupReport> {
    if file.exists() {
        return Err(format!(
            "{} exists: a backup never overwrites a file, choose a new name",
            file.display()
        )
        .into());
    }
    let partial = partial_of(file);
    // Left by a backup that was killed: never a backup, safe to remove.
    let _ = std::fs::remove_file(&partial);
    let cases = match store.backend_name() {
        "sqlite" => {
            store.sqlite_copy_into(&partial).await?;
            let (cases, _) = store::check_sqlite_file(&partial).await.inspect_err(|_| {
                let _ = std::fs::remove_file(&partial);
            })?;
            Some(cases)
        }
        _ => {
            let mut dump = pg_tool("pg_dump")?;
            dump.args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                .arg(&partial)
                .arg("--dbname")
                .arg(url);
            if let Err(e) = run(dump, "pg_dump") {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
            let mut list = pg_tool("pg_restore")?;
            list.arg("--list").arg(&partial);
            if let Err(e) = run(list, "checking the archive with pg_restore --list") {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
            None
        }
    };
    sync(&partial)?;
    std::fs::rename(&partial, file)?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself survives a crash once the directory is flushed.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    let bytes = std::fs::metadata(file)?.len();
    app.audit_operator(
        &operator(),
        AuditAction::BackupDatabase,
        format!("file={} bytes={bytes}", file.display()),
    )
    .await?;
    Ok(BackupReport { bytes, cases })
}

/// Restores `file` into the new database at `url`; returns the number of cases restored.
pub async fn restore(url: &str, file: &Path) -> Result<i64> {
    if !file.is_file() {
        return Err(format!("{} is not a file", file.display()).into());
    }
    match SqlStore::backend_of(url) {
        Some(store::Backend::Sqlite) => {
            let target = PathBuf::from(
                url.trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:")
                    .split('?')
                    .next()
                    .unwrap_or_default(),
            );
            if target.exists() {
                return Err(format!(
                    "{} exists: restore only into a new database file",
                    target.display()
                )
                .into());
            }
            store::check_sqlite_file(file).await?;
            let partial = partial_of(&target);
            std::fs::copy(file, &partial)?;
            sync(&partial)?;
            std::fs::rename(&partial, &target)?;
        }
        Some(store::Backend::Postgres) => {
            let probe = SqlStore::connect(url).await?;
            let empty = probe.pg_is_blank().await?;
            probe.close().await;
            if !empty {
                return Err(
                    "the target database has tables: restore only into a new, empty database \
                     (createdb NAME)"
                        .into(),
                );
            }
            let mut restore = pg_tool("pg_restore")?;
            restore
                .args([
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                ])
                .arg(url)
                .arg(file);
            run(restore, "pg_restore")?;
        }
        None => return Err(format!("unsupported database URL '{url}'").into()),
    }
    let store = SqlStore::connect(url).await?;
    store.migrate().await?;
    let cases = store.count_cases().await?;
    store.close().await;
    Ok(cases)
}
