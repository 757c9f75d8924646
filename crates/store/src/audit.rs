//! The audit log's storage (issue 19.15): one row per entry, appended (concurrent entries together,
//! through the audit committer of `group_commit`) and never
//! changed — the migration's triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so
//! there is deliberately no method here that would try. The case numbers an entry names are kept
//! in one text column between spaces, so a case's entries are found with `LIKE '% number %'`
//! within the period asked (the time index narrows the scan).

use crate::{Db, SqlStore, backend_err, on_pool};
use app::ports::{AuditEntry, AuditLog, AuditQuery, StoreResult};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

const INSERT_HEAD: &str = "INSERT INTO audit_log (id, at, actor_id, actor, actor_name, role, unit, action, subjects, subject_count, detail, client) VALUES ";
const COLUMNS: usize = 12;
/// Entries per statement: 12 parameters each stays well under both databases' limits.
const INSERT_ROWS: usize = 256;

/// A value to bind to a filter's placeholder.
enum Arg {
    Int(i64),
    Text(String),
}

/// The WHERE clause of `q` and its arguments, numbered from `$1`.
fn filter(q: &AuditQuery) -> (String, Vec<Arg>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let mut push = |clause: &str, arg: Arg, args: &mut Vec<Arg>| {
        args.push(arg);
        clauses.push(clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(from) = q.from {
        push("at >= ?", Arg::Int(from), &mut args);
    }
    if let Some(to) = q.to {
        push("at <= ?", Arg::Int(to), &mut args);
    }
    if let Some(actor) = &q.actor {
        push("actor = ?", Arg::Text(actor.clone()), &mut args);
    }
    if let Some(action) = &q.action {
        push("action = ?", Arg::Text(action.clone()), &mut args);
    }
    if let Some(subject) = &q.subject {
        // LIKE's own wildcards in the number are taken literally.
        let escaped = subject
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        push(
            "subjects LIKE ? ESCAPE '\\'",
            Arg::Text(format!("% {escaped} %")),
            &mut args,
        );
    }
    if let Some(units) = &q.units {
        if units.is_empty() {
            clauses.push("1 = 0".into());
        } else {
            let start = args.len();
            let marks: Vec<String> = units
                .iter()
                .enumerate()
                .map(|(i, _)| format!("${}", start + i + 1))
                .collect();
            args.extend(units.iter().cloned().map(Arg::Text));
            clauses.push(format!("unit IN ({})", marks.join(", ")));
        }
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

fn entry_of<R: Row>(r: &R) -> StoreResult<AuditEntry>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let text = |k: &str| r.try_get::<String, _>(k).map_err(backend_err);
    let uuid = |k: &str| -> StoreResult<Uuid> {
        Uuid::parse_str(&text(k)?).map_err(|e| app::error::StoreError::Backend(e.to_string()))
    };
    Ok(AuditEntry {
        id: uuid("id")?,
        at: r.try_get::<i64, _>("at").map_err(backend_err)?,
        actor_id: uuid("actor_id")?,
        actor: text("actor")?,
        actor_name: text("actor_name")?,
        role: text("role")?,
        unit: text("unit")?,
        action: text("action")?,
        subjects: text("subjects")?
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        detail: text("detail")?,
        client: r
            .try_get::<Option<String>, _>("client")
            .map_err(backend_err)?,
    })
}

impl SqlStore {
    /// Appends entries in one transaction, one multi-row statement per [`INSERT_ROWS`] entries.
    pub(crate) async fn append_audit_tx(&self, entries: &[AuditEntry]) -> StoreResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            for chunk in entries.chunks(INSERT_ROWS) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| {
                        let marks: Vec<String> = (1..=COLUMNS)
                            .map(|c| format!("${}", i * COLUMNS + c))
                            .collect();
                        format!("({})", marks.join(", "))
                    })
                    .collect();
                let sql = format!("{INSERT_HEAD}{}", values.join(", "));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for e in chunk {
                    let subjects = if e.subjects.is_empty() {
                        String::new()
                    } else {
                        format!(" {} ", e.subjects.join(" "))
                    };
                    q = q
                        .bind(e.id.to_string())
                        .bind(e.at)
                        .bind(e.actor_id.to_string())
                        .bind(e.actor.clone())
                        .bind(e.actor_name.clone())
                        .bind(e.role.clone())
                        .bind(e.unit.clone())
                        .bind(e.action.clone())
                        .bind(subjects)
                        .bind(i64::try_from(e.subjects.len()).unwrap_or(i64::MAX))
                        .bind(e.detail.clone())
                        .bind(e.client.clone());
                }
                q.execute(&mut *tx).await.map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)
        })
    }
}

#[async_trait]
impl AuditLog for SqlStore {
    async fn append_audit(&self, e: &AuditEntry) -> StoreResult<()> {
        match &self.auditor {
            Some(auditor) => crate::group_commit::submit(auditor, e.clone()).await,
            None => self.append_audit_tx(std::slice::from_ref(e)).await,
        }
    }

    async fn audit_page(&self, q: &AuditQuery) -> StoreResult<(Vec<AuditEntry>, u64)> {
        let (where_sql, args) = filter(q);
        let n = args.len();
        let page_sql = format!(
            "SELECT * FROM audit_log{where_sql} ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_log{where_sql}");
        let limit = i64::from(q.limit);
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        macro_rules! bound {
            ($sql:expr) => {{
                let mut query = sqlx::query(sqlx::AssertSqlSafe($sql.clone()));
                for a in &args {
                    query = match a {
                        Arg::Int(v) => query.bind(*v),
                        Arg::Text(v) => query.bind(v.clone()),
                    };
                }
                query
            }};
        }
        on_pool!(self, read, |p| {
            let rows = bound!(page_sql)
                .bind(limit)
                .bind(offset)
                .fetch_all(p)
                .await
                .map_err(backend_err)?;
            let total: i64 = bound!(count_sql)
                .fetch_one(p)
                .await
                .and_then(|r| r.try_get("n"))
                .map_err(backend_err)?;
            let entries = rows.iter().map(entry_of).collect::<StoreResult<Vec<_>>>()?;
            Ok((entries, u64::try_from(total).unwrap_or(0)))
        })
    }
}
