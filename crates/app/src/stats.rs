//! Queue counts for the workbench and the leaders' cockpit (驾驶舱) aggregates.

use crate::App;
use crate::cases::parse_instant;
use crate::error::AppError;
use crate::ports::{CaseQuery, QueueCounts, Scope};
use crate::scope::{Principal, read_scope};
use domain::tally::shanghai_day;
use domain::{Role, Status, UnitKind};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

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
        let date = |k: &str| -> Result<Option<i64>, AppError> {
            get(k)
                .map(|s| {
                    parse_instant(s).ok_or_else(|| {
                        AppError::field(
                            k,
                            format!("「{s}」不是有效日期（YYYY-MM-DD）"),
                            format!("'{s}' is not a valid date (YYYY-MM-DD)"),
                        )
                    })
                })
                .transpose()
        };
        // Whole Shanghai days, by default the last 30 including today.
        let today_start = day_start(now);
        let to = date("to")?.unwrap_or(today_start) + DAY_MS - 1;
        let from = date("from")?.unwrap_or(today_start - 29 * DAY_MS);
        if from > to {
            return Err(AppError::field(
                "from",
                "开始日期不能晚于结束日期",
                "must not be after `to`",
            ));
        }
        let mut q = CaseQuery {
            scope: Some(read_scope(p, &tree)),
            now,
            reported_from: Some(from),
            reported_to: Some(to),
            ..CaseQuery::default()
        };
        if let Some(code) = get("unit") {
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
        }
        // `recount=true` (administrators) counts from the case rows instead of the tallies: the
        // check that the pre-aggregated counters equal a recount.
        let recount = get("recount").is_some_and(|v| v == "true" || v == "1");
        if recount && p.role != Role::Admin {
            return Err(AppError::forbidden(
                "仅管理员可要求重新计数",
                "only administrators may ask for a recount",
            ));
        }
        let mut raw = match tally_scope(&q) {
            Some(prefix) if !recount && day_start(from) == from && day_start(to + 1) == to + 1 => {
                self.store
                    .tally_stats(shanghai_day(from), shanghai_day(to), prefix)
                    .await?
            }
            _ => self.store.stats(&q).await?,
        };
        raw.overdue_by_unit = self.store.overdue_by_unit(&q).await?;
        let months: BTreeMap<String, (i64, i64)> = raw
            .satisfaction_by_month
            .iter()
            .map(|(m, rated, sat)| {
                (
                    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1),
                    (*rated, *sat),
                )
            })
            .collect();
        Ok(json!({
            "from": crate::deadlines::format_instant(from),
            "to": crate::deadlines::format_instant(to),
            "total": raw.total,
            "by_day": raw.by_day.iter().map(|(d, n)| json!({ "date": day_to_date(*d), "count": n })).collect::<Vec<_>>(),
            "by_category": raw.by_category.iter().map(|(c, n)| json!({ "category": c, "count": n })).collect::<Vec<_>>(),
            "by_street": raw.by_street.iter().map(|(r, n)| {
                let s = tree.street_of_region(r);
                json!({ "unit": s.map(|u| u.code.clone()), "region": r, "name": s.map_or_else(|| r.clone(), |u| u.name.clone()), "count": n })
            }).collect::<Vec<_>>(),
            "unit_rates": raw.units.iter().map(|u| json!({
                "unit": u.unit, "name": tree.name(&u.unit), "dispatched": u.dispatched,
                "signed": u.signed, "signed_on_time": u.signed_on_time, "sign_rate": rate(u.signed_on_time, u.dispatched),
                "resolved": u.resolved, "resolved_on_time": u.resolved_on_time, "handle_rate": rate(u.resolved_on_time, u.resolved),
            })).collect::<Vec<_>>(),
            "overdue_total": raw.overdue_by_unit.iter().map(|(_, n)| n).sum::<i64>(),
            "overdue_top": raw.overdue_by_unit.iter().take(10).map(|(u, n)| json!({ "unit": u, "name": tree.name(u), "count": n })).collect::<Vec<_>>(),
            "satisfaction": months.iter().map(|(m, (rated, sat))| json!({ "month": m, "rated": rated, "satisfied": sat, "rate": rate(*sat, *rated) })).collect::<Vec<_>>(),
            "open_statuses": [Status::Registered.code(), Status::Accepted.code(), Status::Dispatched.code(), Status::InProgress.code(), Status::Resolved.code()],
        }))
    }
}
