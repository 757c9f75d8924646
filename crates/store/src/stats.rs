//! Counts read from the case rows themselves (the cockpit's kept counts are in `tallies`): the
//! queue counts of a desk, the statistics of a period, and the overdue cases per unit.

use crate::{Backend, Db, SqlStore, backend_err, on_pool, query};
use app::ports::{CaseQuery, QueueCounts, RawStats, StoreResult, UnitCounts};
use sqlx::Row;

impl SqlStore {
    pub(crate) async fn queue_counts_impl(&self, q: &CaseQuery) -> StoreResult<QueueCounts> {
        let (where_sql, args) = query::case_filter(q, self.backend());
        let now = q.now;
        let sql = format!(
            "SELECT COALESCE(SUM(CASE WHEN c.status = 'registered' THEN 1 ELSE 0 END), 0) AS registered, \
             COALESCE(SUM(CASE WHEN c.status = 'accepted' THEN 1 ELSE 0 END), 0) AS accepted, \
             COALESCE(SUM(CASE WHEN c.status = 'dispatched' THEN 1 ELSE 0 END), 0) AS dispatched, \
             COALESCE(SUM(CASE WHEN c.status = 'in_progress' THEN 1 ELSE 0 END), 0) AS in_progress, \
             COALESCE(SUM(CASE WHEN c.status = 'resolved' THEN 1 ELSE 0 END), 0) AS resolved, \
             COALESCE(SUM(CASE WHEN c.warn_at <= {now} AND c.due_at >= {now} THEN 1 ELSE 0 END), 0) AS near, \
             COALESCE(SUM(CASE WHEN c.due_at < {now} THEN 1 ELSE 0 END), 0) AS overdue, \
             COALESCE(SUM(CASE WHEN c.pending = 'extension' THEN 1 ELSE 0 END), 0) AS pending_approval \
             FROM cases c WHERE {where_sql} AND c.status IN ('registered', 'accepted', 'dispatched', 'in_progress', 'resolved')"
        );
        on_pool!(self, read, |p| {
            let mut qq = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in &args {
                qq = a.bind_to(qq);
            }
            let r = qq.fetch_one(p).await.map_err(backend_err)?;
            let g = |k: &str| r.try_get::<i64, _>(k).map_err(backend_err);
            Ok(QueueCounts {
                registered: g("registered")?,
                accepted: g("accepted")?,
                dispatched: g("dispatched")?,
                in_progress: g("in_progress")?,
                near: g("near")?,
                overdue: g("overdue")?,
                resolved: g("resolved")?,
                pending_approval: g("pending_approval")?,
            })
        })
    }

    pub(crate) async fn stats_impl(&self, q: &CaseQuery) -> StoreResult<RawStats> {
        let (w, args) = query::case_filter(q, self.backend());
        // Shanghai day number of an epoch-ms column: portable integer arithmetic (UTC+8, no DST).
        let day = |col: &str| format!("(({col} + 28800000) / 86400000)");
        let total_sql = format!("SELECT COUNT(*) AS n FROM cases c WHERE {w}");
        let by_day_sql = format!(
            "SELECT {} AS d, COUNT(*) AS n FROM cases c WHERE {w} GROUP BY {} ORDER BY 1",
            day("c.reported_at"),
            day("c.reported_at")
        );
        let by_cat_sql = format!(
            "SELECT c.category AS k, COUNT(*) AS n FROM cases c WHERE {w} GROUP BY c.category ORDER BY 2 DESC, 1"
        );
        let by_street_sql = format!(
            "SELECT substr(c.region, 1, 9) AS k, COUNT(*) AS n FROM cases c WHERE {w} GROUP BY substr(c.region, 1, 9) ORDER BY 2 DESC, 1"
        );
        let units_sql = format!(
            "SELECT c.unit AS k, COUNT(*) AS dispatched, \
             SUM(CASE WHEN c.signed_at IS NOT NULL THEN 1 ELSE 0 END) AS signed, \
             SUM(CASE WHEN c.signed_at IS NOT NULL AND c.signed_at <= c.sign_due THEN 1 ELSE 0 END) AS signed_on_time, \
             SUM(CASE WHEN c.resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS resolved, \
             SUM(CASE WHEN c.resolved_at IS NOT NULL AND c.resolved_at <= c.handle_due THEN 1 ELSE 0 END) AS resolved_on_time \
             FROM cases c WHERE {w} AND c.unit IS NOT NULL GROUP BY c.unit ORDER BY 2 DESC, 1"
        );
        let sat_sql = format!(
            "SELECT {} AS d, COUNT(*) AS rated, SUM(CASE WHEN c.satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS sat \
             FROM cases c WHERE {w} AND c.satisfaction IS NOT NULL AND c.closed_at IS NOT NULL GROUP BY {} ORDER BY 1",
            day("c.closed_at"),
            day("c.closed_at")
        );
        on_pool!(self, read, |p| {
            macro_rules! fetch {
                ($sql:expr) => {{
                    let mut qq = sqlx::query(sqlx::AssertSqlSafe($sql));
                    for a in &args {
                        qq = a.bind_to(qq);
                    }
                    qq.fetch_all(p).await.map_err(backend_err)?
                }};
            }
            let i = |r: &_, k: &str| -> StoreResult<i64> {
                sqlx::Row::try_get::<i64, _>(r, k).map_err(backend_err)
            };
            let s = |r: &_, k: &str| -> StoreResult<String> {
                sqlx::Row::try_get::<String, _>(r, k).map_err(backend_err)
            };
            let mut out = RawStats::default();
            for r in fetch!(total_sql) {
                out.total = i(&r, "n")?;
            }
            for r in fetch!(by_day_sql) {
                out.by_day.push((i(&r, "d")?, i(&r, "n")?));
            }
            for r in fetch!(by_cat_sql) {
                out.by_category.push((s(&r, "k")?, i(&r, "n")?));
            }
            for r in fetch!(by_street_sql) {
                out.by_street.push((s(&r, "k")?, i(&r, "n")?));
            }
            for r in fetch!(units_sql) {
                out.units.push(UnitCounts {
                    unit: s(&r, "k")?,
                    dispatched: i(&r, "dispatched")?,
                    signed: i(&r, "signed")?,
                    signed_on_time: i(&r, "signed_on_time")?,
                    resolved: i(&r, "resolved")?,
                    resolved_on_time: i(&r, "resolved_on_time")?,
                });
            }
            // Rated cases by the month they were closed in.
            let mut months: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
            for r in fetch!(sat_sql) {
                let e = months
                    .entry(domain::tally::month_of_day(i(&r, "d")?))
                    .or_default();
                e.0 += i(&r, "rated")?;
                e.1 += i(&r, "sat")?;
            }
            out.satisfaction_by_month = months.into_iter().map(|(m, (r, s))| (m, r, s)).collect();
            Ok(out)
        })
    }

    pub(crate) async fn overdue_by_unit_impl(
        &self,
        q: &CaseQuery,
    ) -> StoreResult<Vec<(String, i64)>> {
        let (w, args) = query::case_filter(q, self.backend());
        let now = q.now;
        // Open cases past due are few at any size of history: start from them. (SQLite's
        // planner, without statistics, would rather walk the period's cases by date.)
        let from = match self.backend() {
            Backend::Sqlite => "cases c INDEXED BY cases_running_due",
            Backend::Postgres => "cases c",
        };
        let sql = format!(
            "SELECT CASE WHEN c.status = 'resolved' THEN c.hub ELSE c.unit END AS k, COUNT(*) AS n FROM {from} WHERE c.due_at IS NOT NULL AND c.due_at < {now} AND c.status IN ('dispatched', 'in_progress', 'resolved') AND {w} GROUP BY 1 ORDER BY 2 DESC, 1"
        );
        on_pool!(self, read, |p| {
            let mut qq = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in &args {
                qq = a.bind_to(qq);
            }
            qq.fetch_all(p)
                .await
                .map_err(backend_err)?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>("k").map_err(backend_err)?,
                        r.try_get::<i64, _>("n").map_err(backend_err)?,
                    ))
                })
                .collect()
        })
    }
}
