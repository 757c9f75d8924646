//! The cockpit's pre-aggregated counters (`case_tallies`, see `domain::tally`): applying a write's
//! deltas inside its transaction, answering a period from the buckets, and rebuilding the whole
//! table from the case rows (after a restore, a bulk load, or on first start after the upgrade
//! that added it).

use crate::{Db, SqlStore, backend_err, on_pool};
use app::ports::{RawStats, StoreResult, UnitCounts};
use domain::Satisfaction;
use domain::tally::{Grain, Span, TallyCounts, TallyKey, contributions_of, normalize};
use sqlx::Row;
use std::collections::BTreeMap;

/// Rows per multi-row upsert: 13 parameters each stays far below SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

/// The upsert of `n` tally rows: counters add to what is there.
pub(crate) fn upsert_sql(n: usize, numbered: bool) -> String {
    let mut sql = crate::bulk::rows_sql(
        "INSERT INTO case_tallies (grain, bucket, street, category, unit, closed_month, cases, signed, signed_on_time, resolved, resolved_on_time, rated, satisfied) VALUES ",
        &["$"; 13],
        n,
        numbered,
    );
    sql.push_str(
        " ON CONFLICT (grain, bucket, street, category, unit, closed_month) DO UPDATE SET \
         cases = case_tallies.cases + excluded.cases, \
         signed = case_tallies.signed + excluded.signed, \
         signed_on_time = case_tallies.signed_on_time + excluded.signed_on_time, \
         resolved = case_tallies.resolved + excluded.resolved, \
         resolved_on_time = case_tallies.resolved_on_time + excluded.resolved_on_time, \
         rated = case_tallies.rated + excluded.rated, \
         satisfied = case_tallies.satisfied + excluded.satisfied",
    );
    sql
}

/// Applies tally deltas (already merged per key and sorted, so concurrent writers lock rows in one
/// order) inside an open transaction.
macro_rules! apply_tallies {
    ($tx:expr, $deltas:expr, $numbered:expr) => {{
        for chunk in $deltas.chunks($crate::tallies::ROWS_PER_STATEMENT) {
            let sql = $crate::tallies::upsert_sql(chunk.len(), $numbered);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, v) in chunk {
                q = q
                    .bind(k.grain.code())
                    .bind(k.bucket)
                    .bind(k.street.clone())
                    .bind(k.category.clone())
                    .bind(k.unit.clone())
                    .bind(k.closed_month)
                    .bind(v.cases)
                    .bind(v.signed)
                    .bind(v.signed_on_time)
                    .bind(v.resolved)
                    .bind(v.resolved_on_time)
                    .bind(v.rated)
                    .bind(v.satisfied);
            }
            q.execute(&mut *$tx).await.map_err($crate::backend_err)?;
        }
    }};
}
pub(crate) use apply_tallies;

/// The WHERE clause selecting the buckets of `spans` (integers, written into the SQL) and the
/// streets under a prefix (`$1`).
fn span_filter(spans: &[Span], prefixed: bool) -> String {
    let parts: Vec<String> = spans
        .iter()
        .map(|s| {
            format!(
                "(grain = '{}' AND bucket BETWEEN {} AND {})",
                s.grain.code(),
                s.from,
                s.to
            )
        })
        .collect();
    let time = if parts.is_empty() {
        "1 = 0".to_string()
    } else {
        format!("({})", parts.join(" OR "))
    };
    if prefixed {
        format!("{time} AND street LIKE $1")
    } else {
        time
    }
}

impl SqlStore {
    pub(crate) async fn tally_stats_impl(
        &self,
        first_day: i64,
        last_day: i64,
        street_prefix: Option<&str>,
    ) -> StoreResult<RawStats> {
        let spans = Span::cover(first_day, last_day);
        let prefixed = street_prefix.is_some();
        let like = street_prefix.map(|p| format!("{p}%"));
        let w = span_filter(&spans, prefixed);
        let series = span_filter(
            &[Span {
                grain: Grain::Series,
                from: first_day,
                to: last_day,
            }],
            prefixed,
        );
        let by_day_sql = format!(
            "SELECT bucket AS d, CAST(SUM(cases) AS BIGINT) AS n FROM case_tallies WHERE {series} GROUP BY bucket HAVING SUM(cases) > 0 ORDER BY 1"
        );
        // One scan of the period's buckets, grouped by every dimension the answer needs; the
        // breakdowns (category, street, unit, month of closing) are summed here. Four GROUP BYs
        // over the same rows cost four scans.
        let groups_sql = format!(
            "SELECT street, category, unit, closed_month, CAST(SUM(cases) AS BIGINT) AS cases, \
             CAST(SUM(signed) AS BIGINT) AS signed, CAST(SUM(signed_on_time) AS BIGINT) AS signed_on_time, \
             CAST(SUM(resolved) AS BIGINT) AS resolved, CAST(SUM(resolved_on_time) AS BIGINT) AS resolved_on_time, \
             CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(satisfied) AS BIGINT) AS satisfied \
             FROM case_tallies WHERE {w} GROUP BY street, category, unit, closed_month"
        );
        on_pool!(self, read, |p| {
            macro_rules! fetch {
                ($sql:expr) => {{
                    let mut q = sqlx::query(sqlx::AssertSqlSafe($sql));
                    if let Some(l) = &like {
                        q = q.bind(l.clone());
                    }
                    q.fetch_all(p).await.map_err(backend_err)?
                }};
            }
            let i = |r: &_, k: &str| -> StoreResult<i64> {
                sqlx::Row::try_get::<i64, _>(r, k).map_err(backend_err)
            };
            let s = |r: &_, k: &str| -> StoreResult<String> {
                sqlx::Row::try_get::<String, _>(r, k).map_err(backend_err)
            };
            let mut out = RawStats::default();
            for r in fetch!(by_day_sql) {
                out.by_day.push((i(&r, "d")?, i(&r, "n")?));
            }
            let mut by_category: BTreeMap<String, i64> = BTreeMap::new();
            let mut by_street: BTreeMap<String, i64> = BTreeMap::new();
            let mut units: BTreeMap<String, UnitCounts> = BTreeMap::new();
            let mut months: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
            for r in fetch!(groups_sql) {
                let n = i(&r, "cases")?;
                *by_category.entry(s(&r, "category")?).or_default() += n;
                *by_street.entry(s(&r, "street")?).or_default() += n;
                let unit = s(&r, "unit")?;
                if !unit.is_empty() {
                    let u = units.entry(unit.clone()).or_insert_with(|| UnitCounts {
                        unit,
                        ..UnitCounts::default()
                    });
                    u.dispatched += n;
                    u.signed += i(&r, "signed")?;
                    u.signed_on_time += i(&r, "signed_on_time")?;
                    u.resolved += i(&r, "resolved")?;
                    u.resolved_on_time += i(&r, "resolved_on_time")?;
                }
                let m = i(&r, "closed_month")?;
                if m != 0 {
                    let e = months.entry(m).or_default();
                    e.0 += i(&r, "rated")?;
                    e.1 += i(&r, "satisfied")?;
                }
            }
            // The live queries' order: most first, then by key.
            let ranked = |m: BTreeMap<String, i64>| {
                let mut v: Vec<(String, i64)> = m.into_iter().filter(|(_, n)| *n > 0).collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                v
            };
            out.by_category = ranked(by_category);
            out.total = out.by_category.iter().map(|(_, n)| n).sum();
            out.by_street = ranked(by_street);
            let mut units: Vec<UnitCounts> =
                units.into_values().filter(|u| u.dispatched > 0).collect();
            units.sort_by(|a, b| {
                b.dispatched
                    .cmp(&a.dispatched)
                    .then_with(|| a.unit.cmp(&b.unit))
            });
            out.units = units;
            out.satisfaction_by_month = months
                .into_iter()
                .filter(|(_, (rated, _))| *rated > 0)
                .map(|(m, (r, s))| (m, r, s))
                .collect();
            Ok(out)
        })
    }

    /// Recomputes `case_tallies` from the case rows: reads the columns the tallies depend on in
    /// key order, page by page, sums in memory, then replaces the table in one transaction.
    /// Meant for start-up, restores and bulk loads (writes made during the scan are not seen).
    pub(crate) async fn rebuild_tallies_impl(&self) -> StoreResult<u64> {
        const PAGE: i64 = 20_000;
        let mut sums: BTreeMap<TallyKey, TallyCounts> = BTreeMap::new();
        let mut after = uuid::Uuid::nil();
        let mut scanned: u64 = 0;
        loop {
            let rows = on_pool!(self, read, |p| {
                sqlx::query(
                    "SELECT id, reported_at, region, category, unit, signed_at, sign_due, resolved_at, handle_due, satisfaction, closed_at \
                     FROM cases WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(PAGE)
                .fetch_all(p)
                .await
                .map_err(backend_err)?
                .iter()
                .map(|r| -> Result<(uuid::Uuid, domain::tally::Facts), sqlx::Error> {
                    let sat: Option<String> = r.try_get("satisfaction")?;
                    Ok((
                        r.try_get("id")?,
                        domain::tally::Facts {
                            reported_at: r.try_get("reported_at")?,
                            region: r.try_get("region")?,
                            category: r.try_get("category")?,
                            unit: r.try_get("unit")?,
                            signed_at: r.try_get("signed_at")?,
                            sign_due: r.try_get("sign_due")?,
                            resolved_at: r.try_get("resolved_at")?,
                            handle_due: r.try_get("handle_due")?,
                            satisfaction: sat.as_deref().and_then(Satisfaction::parse),
                            closed_at: r.try_get("closed_at")?,
                        },
                    ))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(backend_err)?
            });
            let Some((last, _)) = rows.last() else { break };
            after = *last;
            scanned += rows.len() as u64;
            for (_, f) in &rows {
                for (k, v) in contributions_of(f) {
                    let e = sums.entry(k).or_default();
                    *e = e.plus(&v);
                }
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        let deltas = normalize(sums.into_iter().collect());
        on_pool!(self, write, |p| {
            let mut tx = p.begin().await.map_err(backend_err)?;
            if matches!(self.db, Db::Postgres(_)) {
                // Two replicas starting together: the second waits, then rebuilds the same figures.
                sqlx::query("LOCK TABLE case_tallies IN EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_err)?;
            }
            sqlx::query("DELETE FROM case_tallies")
                .execute(&mut *tx)
                .await
                .map_err(backend_err)?;
            apply_tallies!(tx, deltas, matches!(self.db, Db::Postgres(_)));
            tx.commit().await.map_err(backend_err)?;
        });
        Ok(scanned)
    }

    /// Whether the tallies are missing while there are cases (a database from before they
    /// existed, or restored from a dump): then they are rebuilt once.
    pub(crate) async fn tallies_missing(&self) -> StoreResult<bool> {
        on_pool!(self, read, |p| {
            let row = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM cases LIMIT 1) c) AS has_cases, \
                 (SELECT COUNT(*) FROM (SELECT 1 FROM case_tallies LIMIT 1) t) AS has_tallies",
            )
            .fetch_one(p)
            .await
            .map_err(backend_err)?;
            let cases: i64 = row.try_get("has_cases").map_err(backend_err)?;
            let tallies: i64 = row.try_get("has_tallies").map_err(backend_err)?;
            Ok(cases > 0 && tallies == 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_numbers_parameters_per_row() {
        let sql = upsert_sql(2, true);
        assert!(sql.contains("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"));
        assert!(sql.contains("($14, $15,"));
        assert!(sql.contains("$26)"));
        assert!(!sql.contains("$27"));
        assert!(upsert_sql(2, false).contains("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?,"));
    }

    #[test]
    fn span_filter_names_every_span() {
        let w = span_filter(
            &[
                Span {
                    grain: Grain::Day,
                    from: 1,
                    to: 2,
                },
                Span {
                    grain: Grain::Month,
                    from: 3,
                    to: 4,
                },
            ],
            true,
        );
        assert_eq!(
            w,
            "((grain = 'd' AND bucket BETWEEN 1 AND 2) OR (grain = 'm' AND bucket BETWEEN 3 AND 4)) AND street LIKE $1"
        );
        assert!(span_filter(&[], false).starts_with("1 = 0"));
    }
}
