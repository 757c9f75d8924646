//! Queue counts for the workbench and the leaders' cockpit (驾驶舱) aggregates.

use crate::App;
use crate::cases::parse_instant;
use crate::error::AppError;
use crate::metrics::{Metric, UnitFigures};
use crate::ports::{CaseQuery, QueueCounts, Scope};
use crate::scope::{Principal, read_scope};
use domain::tally::shanghai_day;
use domain::{Role, Status, UnitKind};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The civil date of a Shanghai day number (days since 1970-01-01).
fn day_to_date(d: i64) -> String {
    jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(d))
        .map(|x| x.to_string())
        .unwrap_or_default()
}

const DAY_MS: i64 = 86_400_000;

/// Cockpit answers: cache key → (when computed, answer).
pub type CockpitCache = std::sync::Mutex<HashMap<String, (i64, Value)>>;

/// Whether the tallies can answer a cockpit query: the whole district, or the streets under a
/// region prefix no longer than a street code, and nothing else narrowing it (dates are whole
/// days by construction). Returns the street prefix, if any.
fn tally_scope(q: &CaseQuery) -> Option<Option<&str>> {
    let whole_district = matches!(q.scope, Some(Scope::All));
    let narrowed = q.unit.is_some()
        || q.category.is_some()
        || !q.status.is_empty()
        || !q.nature.is_empty()
        || !q.urgency.is_empty()
        || !q.source.is_empty()
        || !q.text.is_empty();
    match &q.region {
        _ if !whole_district || narrowed => None,
        None => Some(None),
        Some(r) if r.len() <= 9 => Some(Some(r.as_str())),
        Some(_) => None,
    }
}

/// The first instant of the Shanghai day holding `ms`.
fn day_start(ms: i64) -> i64 {
    shanghai_day(ms) * DAY_MS - 8 * 3_600_000
}

fn rate(num: i64, den: i64) -> Value {
    if den == 0 {
        Value::Null
    } else {
        json!(((num as f64) / (den as f64) * 10000.0).round() / 10000.0)
    }
}

impl App {
    /// Counts of the caller's queues (待受理 … 待回访). Handlers count what is assigned to their unit.
    pub async fn queues(&self, p: &Principal) -> Result<QueueCounts, AppError> {
        let tree = self.org.tree().await?;
        let mut q = CaseQuery {
            scope: Some(read_scope(p, &tree)),
            now: self.now(),
            ..CaseQuery::default()
        };
        if matches!(p.role, Role::Handler | Role::UnitLead) {
            q.unit = p.unit.clone();
        }
        Ok(self.store.queue_counts(&q).await?)
    }

    /// Cockpit aggregates, served from a short-lived cache (`Settings::cockpit_cache_ms`) keyed
    /// by the caller's scope and the query: a morning's leaders open the same views, and one
    /// computation per ten seconds serves them all. Concurrent misses wait for one computation.
    pub async fn cockpit(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Value, AppError> {
        let max_age = self.settings.cockpit_cache_ms;
        if max_age <= 0 || params.contains_key("recount") || !p.is_staff() {
            return self.cockpit_uncached(p, params).await;
        }
        let tree = self.org.tree().await?;
        let mut key: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        key.sort();
        let key = format!("{:?}|{}", read_scope(p, &tree), key.join("&"));
        let now = self.now();
        let lookup = || {
            self.cockpit_cache.lock().ok().and_then(|c| {
                c.get(&key)
                    .filter(|(at, _)| *at <= now && now - at < max_age)
                    .map(|(_, v)| v.clone())
            })
        };
        if let Some(v) = lookup() {
            return Ok(v);
        }
        let _one = self.cockpit_compute.lock().await;
        if let Some(v) = lookup() {
            return Ok(v);
        }
        let v = self.cockpit_uncached(p, params).await?;
        if let Ok(mut c) = self.cockpit_cache.lock() {
            if c.len() > 1_000 {
                c.clear();
            }
            c.insert(key, (now, v.clone()));
        }
        Ok(v)
    }

    /// Cockpit aggregates for a period (`from`, `to` as dates; default the last 30 days) and a unit
    /// of the caller's scope (a hub narrows to its region, a department to its cases).
    async fn cockpit_uncached(
        &self,
        p: &Principal,
        params: &HashMap<String, String>,
    ) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let tree = self.org.tree().await?;
        let now = self.now();
        let get = |k: &str| params.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        // A bound is a date, or a month (`2026-10`: from its first day / to its last).
        let bound = |k: &str, end: bool| -> Result<Option<i64>, AppError> {
            let Some(s) = get(k) else { return Ok(None) };
            if s.len() == 7
                && let Some((first, next)) = crate::metrics::month_bounds(s)
            {
                return Ok(Some(if end { next - DAY_MS } else { first }));
            }
            parse_instant(s).map(Some).ok_or_else(|| {
                AppError::field(
                    k,
                    format!("「{s}」不是有效日期（YYYY-MM-DD）或月份（YYYY-MM）"),
                    format!("'{s}' is not a valid date (YYYY-MM-DD) or month (YYYY-MM)"),
                )
            })
        };
        // Whole Shanghai days; by default this month and the two before it, through today.
        let today_start = day_start(now);
        let this_month = crate::metrics::month_of(now);
        let default_from = crate::metrics::month_bounds(&crate::metrics::period_of(this_month - 2))
            .map_or(today_start - 89 * DAY_MS, |(f, _)| f);
        let to = bound("to", true)?.map_or(today_start, day_start) + DAY_MS - 1;
        let from = bound("from", false)?.map_or(default_from, day_start);
        if from > to {
            return Err(AppError::field(
                "from",
                "开始日期不能晚于结束日期",
                "must not be after `to`",
            ));
        }
        let (first_month, last_month) =
            (crate::metrics::month_of(from), crate::metrics::month_of(to));
        if last_month - first_month >= crate::metrics::MAX_PERIOD_MONTHS {
            return Err(AppError::field(
                "from",
                format!("最多统计 {} 个月", crate::metrics::MAX_PERIOD_MONTHS),
                format!("at most {} months", crate::metrics::MAX_PERIOD_MONTHS),
            ));
        }
        let scope = read_scope(p, &tree);
        let mut q = CaseQuery {
            scope: Some(scope.clone()),
            now,
            reported_from: Some(from),
            reported_to: Some(to),
            ..CaseQuery::default()
        };
        // The unit whose figures the cockpit shows: the one asked for, else the caller's own
        // (a district-wide caller: the district hub).
        let figures_unit = match get("unit") {
            Some(code) => {
                let unit = tree.get(code).ok_or_else(|| {
                    AppError::field(
                        "unit",
                        format!("单位 {code} 不存在"),
                        format!("unknown unit {code}"),
                    )
                })?;
                match unit.kind {
                    UnitKind::Hub => q.region = Some(unit.region.clone()),
                    UnitKind::Department => q.unit = Some(unit.code.clone()),
                }
                unit.code.clone()
            }
            None => match (&scope, &p.unit) {
                (Scope::All, _) | (_, None) => tree
                    .district_hub()
                    .map(|u| u.code.clone())
                    .unwrap_or_default(),
                (_, Some(own)) => own.clone(),
            },
        };
        // `recount=true` (administrators) counts from the case rows instead of the tallies: the
        // check that the pre-aggregated counters equal a recount.
        let recount = get("recount").is_some_and(|v| v == "true" || v == "1");
        if recount && p.role != Role::Admin {
            return Err(AppError::forbidden(
                "仅管理员可要求重新计数",
                "only administrators may ask for a recount",
            ));
        }
        let raw = match tally_scope(&q) {
            Some(prefix) if !recount && day_start(from) == from && day_start(to + 1) == to + 1 => {
                self.store
                    .tally_stats(shanghai_day(from), shanghai_day(to), prefix)
                    .await?
            }
            _ => self.store.stats(&q).await?,
        };
        // 超期 now: the open cases whose running clock has passed, whenever they were reported —
        // the workbench's 超期 tab for the same scope, split by the unit whose clock it is.
        let open_now = CaseQuery {
            reported_from: None,
            reported_to: None,
            ..q.clone()
        };
        let overdue_now = self.store.queue_counts(&open_now).await?.overdue;
        let overdue_by_unit = self.store.overdue_by_unit(&open_now).await?;
        // Rates: the unit metrics (one formula: `App::metrics_json`) over the period's months.
        let (figures, _) = self.figures_over(first_month, last_month).await?;
        let none = UnitFigures::default();
        let figures_of = |u: &str| figures.get(u).unwrap_or(&none);
        let rates = App::metrics_json(
            &figures_unit,
            &tree.name(&figures_unit),
            figures_of(&figures_unit),
        );
        let unit_rates: Vec<Value> = tree
            .children(&figures_unit)
            .iter()
            .filter(|u| figures.contains_key(*u))
            .map(|u| App::metrics_json(u, &tree.name(u), figures_of(u)))
            .collect();
        let mut satisfaction = Vec::new();
        for month in first_month..=last_month {
            let (m, _) = self.figures(&crate::metrics::period_of(month)).await?;
            let f = m.get(&figures_unit).unwrap_or(&none);
            let (rated, sat) = (f.get(Metric::Rated), f.get(Metric::Satisfied));
            satisfaction.push(json!({ "month": crate::metrics::period_of(month), "rated": rated, "satisfied": sat, "rate": rate(sat, rated), "unreachable": f.get(Metric::Unreachable) }));
        }
        Ok(json!({
            "from": crate::deadlines::format_instant(from),
            "to": crate::deadlines::format_instant(to),
            "metrics_period": crate::metrics::period_text(first_month, last_month),
            "unit": figures_unit,
            "unit_name": tree.name(&figures_unit),
            "total": raw.total,
            "by_day": raw.by_day.iter().map(|(d, n)| json!({ "date": day_to_date(*d), "count": n })).collect::<Vec<_>>(),
            "by_category": raw.by_category.iter().map(|(c, n)| json!({ "category": c, "count": n })).collect::<Vec<_>>(),
            "by_street": raw.by_street.iter().map(|(r, n)| {
                let s = tree.street_of_region(r);
                json!({ "unit": s.map(|u| u.code.clone()), "region": r, "name": s.map_or_else(|| r.clone(), |u| u.name.clone()), "count": n })
            }).collect::<Vec<_>>(),
            "rates": rates,
            "unit_rates": unit_rates,
            "overdue_now": overdue_now,
            "overdue_top": overdue_by_unit.iter().take(10).map(|(u, n)| json!({ "unit": u, "name": tree.name(u), "count": n })).collect::<Vec<_>>(),
            // The units beyond the ten shown: the list and this add up to `overdue_now`.
            "overdue_other": overdue_by_unit.iter().skip(10).map(|(_, n)| n).sum::<i64>(),
            "satisfaction": satisfaction,
            "open_statuses": [Status::Registered.code(), Status::Accepted.code(), Status::Dispatched.code(), Status::InProgress.code(), Status::Resolved.code()],
        }))
    }
}
