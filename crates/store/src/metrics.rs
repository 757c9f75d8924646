//! The stored unit metrics (`app::metrics`): applying a write's changes inside its transaction,
//! and reading a month back.

use crate::query::Arg;
use crate::{Db, SqlStore, backend_err, on_pool};
use app::ports::{MetricCount, MetricsWrite, StoreResult};
use sqlx::Row;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Rows per multi-row statement (five parameters each).
const ROWS: usize = 1000;

/// The statements that apply the metrics changes of several cases: counters merged per key and
/// written in key order (so concurrent writers on PostgreSQL lock rows in one order), each case's
/// changed months and clock.
pub(crate) fn plan<'a>(
    writes: impl IntoIterator<Item = (Uuid, &'a MetricsWrite)>,
    numbered: bool,
) -> Vec<(String, Vec<Arg>)> {
    let mut counts: BTreeMap<(i64, &str, &str), (i64, i64)> = BTreeMap::new();
    let mut marks: BTreeMap<(i64, Uuid), Option<&str>> = BTreeMap::new();
    let mut clocks: BTreeMap<Uuid, Option<&app::ports::FiledClock>> = BTreeMap::new();
    for (case, w) in writes {
        for ((month, unit, metric), n, t) in &w.counts {
            let e = counts.entry((*month, unit, metric)).or_default();
            e.0 += n;
            e.1 += t;
        }
        for (month, text) in &w.months {
            marks.insert((*month, case), text.as_deref());
        }
        if let Some(c) = &w.clock {
            clocks.insert(case, c.as_ref());
        }
    }
    let mut out = Vec::new();
    let counts: Vec<_> = counts.into_iter().filter(|(_, v)| *v != (0, 0)).collect();
    for chunk in counts.chunks(ROWS) {
        let mut sql = crate::bulk::rows_sql(
            "INSERT INTO metric_counts (month, unit, metric, n, total) VALUES ",
            &["$"; 5],
            chunk.len(),
            numbered,
        );
        sql.push_str(
            " ON CONFLICT (month, unit, metric) DO UPDATE SET n = metric_counts.n + excluded.n, \
             total = metric_counts.total + excluded.total",
        );
        let mut args = Vec::with_capacity(chunk.len() * 5);
        for ((month, unit, metric), (n, t)) in chunk {
            args.extend([
                Arg::I64(*month),
                Arg::Str(unit.to_string()),
                Arg::Str(metric.to_string()),
                Arg::I64(*n),
                Arg::I64(*t),
            ]);
        }
        out.push((sql, args));
    }
    let (set, gone): (Vec<_>, Vec<_>) = marks.into_iter().partition(|(_, t)| t.is_some());
    for chunk in set.chunks(ROWS) {
        let mut sql = crate::bulk::rows_sql(
            "INSERT INTO metric_marks (month, case_id, marks) VALUES ",
            &["$"; 3],
            chunk.len(),
            numbered,
        );
        sql.push_str(" ON CONFLICT (month, case_id) DO UPDATE SET marks = excluded.marks");
        let mut args = Vec::with_capacity(chunk.len() * 3);
        for ((month, case), text) in chunk {
            args.extend([
                Arg::I64(*month),
                Arg::Uuid(*case),
                Arg::Str(text.unwrap_or_default().to_string()),
            ]);
        }
        out.push((sql, args));
    }
    for ((month, case), _) in gone {
        out.push((
            "DELETE FROM metric_marks WHERE month = $1 AND case_id = $2".into(),
            vec![Arg::I64(month), Arg::Uuid(case)],
        ));
    }
    let (set, gone): (Vec<_>, Vec<_>) = clocks.into_iter().partition(|(_, c)| c.is_some());
    for chunk in set.chunks(ROWS) {
        let mut sql = crate::bulk::rows_sql(
            "INSERT INTO metric_clocks (case_id, month, unit, due) VALUES ",
            &["$"; 4],
            chunk.len(),
            numbered,
        );
        sql.push_str(
            " ON CONFLICT (case_id) DO UPDATE SET month = excluded.month, unit = excluded.unit, \
             due = excluded.due",
        );
        let mut args = Vec::with_capacity(chunk.len() * 4);
        for (case, clock) in chunk {
            if let Some(c) = clock {
                args.extend([
                    Arg::Uuid(*case),
                    Arg::I64(c.month),
                    Arg::Str(c.unit.clone()),
                    Arg::I64(c.due),
                ]);
            }
        }
        out.push((sql, args));
    }
    for (case, _) in gone {
        out.push((
            "DELETE FROM metric_clocks WHERE case_id = $1".into(),
            vec![Arg::Uuid(case)],
        ));
    }
    out
}

/// Applies the metrics changes of `(case id, &MetricsWrite)` pairs inside an open transaction.
macro_rules! apply_metrics {
    ($tx:expr, $writes:expr, $numbered:expr) => {{
        for (sql, args) in $crate::metrics::plan($writes, $numbered) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in &args {
                q = a.bind_to(q);
            }
            q.execute(&mut *$tx).await.map_err($crate::backend_err)?;
        }
    }};
}
pub(crate) use apply_metrics;

impl SqlStore {
    pub(crate) async fn metric_counts_impl(&self, month: i64) -> StoreResult<Vec<MetricCount>> {
        on_pool!(self, read, |p| {
            sqlx::query(
                "SELECT unit, metric, n, total FROM metric_counts WHERE month = $1 AND (n <> 0 OR total <> 0)",
            )
            .bind(month)
            .fetch_all(p)
            .await
            .map_err(backend_err)?
            .iter()
            .map(|r| {
                Ok(MetricCount {
                    unit: r.try_get("unit").map_err(backend_err)?,
                    metric: r.try_get("metric").map_err(backend_err)?,
                    n: r.try_get("n").map_err(backend_err)?,
                    total: r.try_get("total").map_err(backend_err)?,
                })
            })
            .collect()
        })
    }

    pub(crate) async fn metric_clocks_impl(
        &self,
        month: i64,
        before: i64,
    ) -> StoreResult<Vec<(Uuid, String)>> {
        on_pool!(self, read, |p| {
            sqlx::query(
                "SELECT case_id, unit FROM metric_clocks WHERE month = $1 AND due < $2 ORDER BY case_id",
            )
            .bind(month)
            .bind(before)
            .fetch_all(p)
            .await
            .map_err(backend_err)?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("case_id").map_err(backend_err)?,
                    r.try_get("unit").map_err(backend_err)?,
                ))
            })
            .collect()
        })
    }

    pub(crate) async fn metric_marks_impl(&self, month: i64) -> StoreResult<Vec<(Uuid, String)>> {
        on_pool!(self, read, |p| {
            sqlx::query("SELECT case_id, marks FROM metric_marks WHERE month = $1 ORDER BY case_id")
                .bind(month)
                .fetch_all(p)
                .await
                .map_err(backend_err)?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get("case_id").map_err(backend_err)?,
                        r.try_get("marks").map_err(backend_err)?,
                    ))
                })
                .collect()
        })
    }

    pub(crate) async fn metrics_missing_impl(&self) -> StoreResult<bool> {
        on_pool!(self, read, |p| {
            let row = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE unit IS NOT NULL LIMIT 1) c) AS dispatched, \
                 (SELECT COUNT(*) FROM (SELECT 1 FROM metric_counts LIMIT 1) m) AS counted",
            )
            .fetch_one(p)
            .await
            .map_err(backend_err)?;
            let dispatched: i64 = row.try_get("dispatched").map_err(backend_err)?;
            let counted: i64 = row.try_get("counted").map_err(backend_err)?;
            Ok(dispatched > 0 && counted == 0)
        })
    }

    pub(crate) async fn clear_metrics_impl(&self) -> StoreResult<()> {
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            if matches!(self.db, Db::Postgres(_)) {
                // Two replicas rebuilding at once: the second waits for the first.
                sqlx::query("LOCK TABLE metric_counts IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            for t in ["metric_counts", "metric_marks", "metric_clocks"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {t}")))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            tx.commit().await.map_err(backend_err)
        })
    }

    pub(crate) async fn put_metrics_impl(
        &self,
        writes: Vec<(Uuid, MetricsWrite)>,
    ) -> StoreResult<()> {
        let numbered = matches!(self.db, Db::Postgres(_));
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            apply_metrics!(tx, writes.iter().map(|(id, w)| (*id, w)), numbered);
            tx.commit().await.map_err(backend_err)
        })
    }
}
