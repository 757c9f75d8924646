//! Unit metrics (考核指标) per unit and month, over the unit's subtree, recounted from the event
//! timeline. Each rate comes with its numerator, denominator and the cases behind both.
//!
//! Definitions (P is the period, S the unit and every unit below it; "the unit" of an event is
//! the case's main unit when it happened, from the event's `state`):
//! - 按时签收率 sign_on_time = dispatches to S in P whose next sign came by the sign-for deadline
//!   ÷ dispatches to S in P.
//! - 按时办结率 handle_on_time = resolutions by S in P at or before the handling deadline then in
//!   force ÷ resolutions by S in P.
//! - 超期件数 overdue = resolutions by S in P after the deadline + handling clocks of S still
//!   running past their deadline at the end of P (or now, if earlier).
//! - 退单率 return_rate = returns by S in P ÷ dispatches to S in P.
//! - 重办率 reopen_rate = reopenings (unsatisfied follow-up or 重办) in P of cases held by S ÷
//!   resolutions by S in P.
//! - 延期率 extension_rate = extension requests by S in P ÷ signs by S in P.
//! - 满意率 satisfaction = follow-ups in P of cases held by S rated satisfied or basically
//!   satisfied ÷ follow-ups in P of cases held by S.
//! - 解决率 resolution = follow-ups in P where the citizen said it was solved ÷ follow-ups in P.
//! - 平均办理时长 avg_handling_days = mean working days from the start of the handling clock (sign
//!   or reopening) to each resolution by S in P.

use crate::App;
use crate::deadlines::{date_of, start_of_day};
use crate::error::AppError;
use crate::scope::{Principal, read_scope};
use domain::Event;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Numerator and denominator case sets of every metric, per unit (the unit itself only).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UnitTally {
    pub dispatched: Vec<Uuid>,
    pub signed_on_time: Vec<Uuid>,
    pub signed: Vec<Uuid>,
    pub resolved: Vec<Uuid>,
    pub resolved_on_time: Vec<Uuid>,
    pub overdue: Vec<Uuid>,
    pub returned: Vec<Uuid>,
    pub reopened: Vec<Uuid>,
    pub extensions: Vec<Uuid>,
    pub rated: Vec<Uuid>,
    pub satisfied: Vec<Uuid>,
    pub solved: Vec<Uuid>,
    /// Working days of each resolution.
    pub handling_days: Vec<i64>,
}

impl UnitTally {
    fn add(&mut self, o: &UnitTally) {
        macro_rules! ext {
            ($($f:ident),*) => { $( self.$f.extend(o.$f.iter().cloned()); )* };
        }
        ext!(
            dispatched,
            signed_on_time,
            signed,
            resolved,
            resolved_on_time,
            overdue,
            returned,
            reopened,
            extensions,
            rated,
            satisfied,
            solved,
            handling_days
        );
    }

    /// The case ids behind a metric's numerator or denominator.
    pub fn cases(&self, metric: &str) -> Option<&Vec<Uuid>> {
        Some(match metric {
            "dispatched" => &self.dispatched,
            "signed_on_time" => &self.signed_on_time,
            "signed" => &self.signed,
            "resolved" => &self.resolved,
            "resolved_on_time" => &self.resolved_on_time,
            "overdue" => &self.overdue,
            "returned" => &self.returned,
            "reopened" => &self.reopened,
            "extensions" => &self.extensions,
            "rated" => &self.rated,
            "satisfied" => &self.satisfied,
            "solved" => &self.solved,
            _ => return None,
        })
    }
}

fn state_unit(e: &Event) -> Option<String> {
    e.data
        .get("state")
        .and_then(|s| s.get("unit"))
        .and_then(Value::as_str)
        .map(str::to_string)
}
fn state_i64(e: &Event, k: &str) -> Option<i64> {
    e.data
        .get("state")
        .and_then(|s| s.get(k))
        .and_then(Value::as_i64)
}

/// The period `YYYY-MM` as [start, end) instants in Shanghai.
pub fn month_bounds(period: &str) -> Option<(i64, i64)> {
    let (y, m) = period.split_once('-')?;
    let (y, m) = (y.parse::<i16>().ok()?, m.parse::<i8>().ok()?);
    let start = jiff::civil::Date::new(y, m, 1).ok()?;
    let end = start.checked_add(jiff::Span::new().months(1)).ok()?;
    Some((start_of_day(start), start_of_day(end)))
}

/// Folds timelines (grouped by case, in order) into per-unit tallies for [from, to), adding to
/// `out`. A case's timeline must not be split between two calls.
pub fn tally_into(
    out: &mut HashMap<String, UnitTally>,
    events: &[Event],
    from: i64,
    to: i64,
    now: i64,
    calendar: &calendar::Calendar,
) {
    let inp = |at: i64| at >= from && at < to;
    let mut i = 0;
    while i < events.len() {
        let case = events[i].case_id;
        let mut j = i;
        while j < events.len() && events[j].case_id == case {
            j += 1;
        }
        let tl = &events[i..j];
        // Open dispatch awaiting a sign: (unit, sign_due, dispatched in period).
        let mut pending_sign: Option<(String, i64, bool)> = None;
        // Running handling clock: (unit, started, due).
        let mut handling: Option<(String, i64, i64)> = None;
        for e in tl {
            let unit = state_unit(e);
            match e.action.as_str() {
                "dispatch" => {
                    if let (Some(u), Some(due)) = (unit.clone(), state_i64(e, "sign_due")) {
                        if inp(e.at) {
                            out.entry(u.clone()).or_default().dispatched.push(case);
                        }
                        pending_sign = Some((u, due, inp(e.at)));
                    }
                }
                "sign" => {
                    if let Some((u, due, counted)) = pending_sign.take()
                        && counted
                        && e.at <= due
                    {
                        out.entry(u).or_default().signed_on_time.push(case);
                    }
                    if let (Some(u), Some(due)) = (unit.clone(), state_i64(e, "handle_due")) {
                        if inp(e.at) {
                            out.entry(u.clone()).or_default().signed.push(case);
                        }
                        handling = Some((u, e.at, due));
                    }
                }
                "return" | "escalate" => {
                    pending_sign = None;
                    if e.action == "return"
                        && inp(e.at)
                        && let Some(u) = e.data.get("unit").and_then(Value::as_str)
                    {
                        out.entry(u.to_string()).or_default().returned.push(case);
                    }
                    handling = None;
                }
                "decide_extension" | "resume" => {
                    if let (Some((_, _, due)), Some(new)) =
                        (handling.as_mut(), state_i64(e, "handle_due"))
                    {
                        *due = new;
                    }
                }
                "request_extension" => {
                    if inp(e.at)
                        && let Some(u) = unit.clone()
                    {
                        out.entry(u).or_default().extensions.push(case);
                    }
                }
                "resolve" => {
                    if let Some((u, started, due)) = handling.take()
                        && inp(e.at)
                    {
                        let t = out.entry(u).or_default();
                        t.resolved.push(case);
                        if e.at <= due {
                            t.resolved_on_time.push(case);
                        } else {
                            t.overdue.push(case);
                        }
                        t.handling_days.push(
                            calendar
                                .workdays_between(date_of(started), date_of(e.at))
                                .max(0),
                        );
                    }
                }
                "follow_up" | "reopen" => {
                    let reopened = e.action == "reopen"
                        || e.data.get("reopened").and_then(Value::as_bool) == Some(true);
                    if let Some(u) = unit.clone() {
                        if inp(e.at) {
                            let t = out.entry(u.clone()).or_default();
                            if e.action == "follow_up" {
                                t.rated.push(case);
                                if matches!(
                                    e.data.get("satisfaction").and_then(Value::as_str),
                                    Some("satisfied" | "basically_satisfied")
                                ) {
                                    t.satisfied.push(case);
                                }
                                if e.data.get("resolved").and_then(Value::as_bool) == Some(true) {
                                    t.solved.push(case);
                                }
                            }
                            if reopened {
                                t.reopened.push(case);
                            }
                        }
                        if reopened && let Some(due) = state_i64(e, "handle_due") {
                            handling = Some((u, e.at, due));
                        }
                    }
                }
                _ => {}
            }
        }
        // A handling clock still running past its deadline at the end of the period.
        if let Some((u, started, due)) = handling
            && started < to
            && due < to.min(now)
            && due >= from
        {
            out.entry(u).or_default().overdue.push(case);
        }
        i = j;
    }
}

fn rate(num: usize, den: usize) -> Value {
    json!({ "numerator": num, "denominator": den, "rate": if den == 0 { Value::Null } else { json!(((num as f64 / den as f64) * 10000.0).round() / 10000.0) } })
}

/// Cases whose timelines are read and folded together when computing a month's metrics.
const METRICS_CHUNK: usize = 1000;

/// Rolled-up unit tallies per month, with the clock instant they were computed at.
pub type MetricsCache =
    std::sync::Mutex<HashMap<String, (i64, std::sync::Arc<HashMap<String, UnitTally>>)>>;

impl App {
    /// The month's tallies, from the cache while they are younger than `metrics_cache_ms`.
    async fn tallies(
        &self,
        period: &str,
    ) -> Result<
        (
            std::sync::Arc<HashMap<String, UnitTally>>,
            std::sync::Arc<crate::org::OrgTree>,
        ),
        AppError,
    > {
        let now = self.now();
        let max_age = self.settings.metrics_cache_ms;
        let cached = if max_age > 0 {
            self.metrics_cache.lock().ok().and_then(|cache| {
                cache
                    .get(period)
                    .filter(|(at, _)| now >= *at && now - at < max_age)
                    .map(|(_, t)| t.clone())
            })
        } else {
            None
        };
        if let Some(t) = cached {
            return Ok((t, self.org.tree().await?));
        }
        // One computation at a time: when a busy morning's requests all miss together, the
        // first computes and the others wait for its result instead of each reading the month.
        let _one = self.metrics_compute.lock().await;
        let cached = if max_age > 0 {
            self.metrics_cache.lock().ok().and_then(|cache| {
                cache
                    .get(period)
                    .filter(|(at, _)| *at <= now && now - at < max_age)
                    .map(|(_, t)| t.clone())
            })
        } else {
            None
        };
        if let Some(t) = cached {
            return Ok((t, self.org.tree().await?));
        }
        let (rolled, tree) = self.compute_tallies(period).await?;
        let rolled = std::sync::Arc::new(rolled);
        if max_age > 0
            && let Ok(mut cache) = self.metrics_cache.lock()
        {
            // Twelve months or so are asked for; keep the cache from growing without bound.
            if cache.len() > 64 {
                cache.clear();
            }
            cache.insert(period.to_string(), (now, rolled.clone()));
        }
        Ok((rolled, tree))
    }

    async fn compute_tallies(
        &self,
        period: &str,
    ) -> Result<
        (
            HashMap<String, UnitTally>,
            std::sync::Arc<crate::org::OrgTree>,
        ),
        AppError,
    > {
        let (from, to) = month_bounds(period).ok_or_else(|| {
            AppError::field(
                "period",
                format!("「{period}」不是有效月份，格式为 2026-10"),
                format!("'{period}' is not a month like 2026-10"),
            )
        })?;
        let rules = self.rules().await?;
        let cal = rules.calendar_for("");
        let now = self.now();
        // The month's cases are read a chunk of timelines at a time and folded as they come, so
        // memory holds the tallies and one chunk, not a month of events (a month at district
        // scale is hundreds of thousands of cases and millions of events).
        let active = self.store.cases_active(from, to).await?;
        let mut own: HashMap<String, UnitTally> = HashMap::new();
        for ids in active.chunks(METRICS_CHUNK) {
            let events = self.store.events_of_cases(ids).await?;
            tally_into(&mut own, &events, from, to, now, &cal);
        }
        let tree = self.org.tree().await?;
        // Roll each unit's own tally up to itself and every unit above it.
        let mut rolled: HashMap<String, UnitTally> = HashMap::new();
        for (unit, t) in &own {
            let mut chain = vec![unit.clone()];
            chain.extend(tree.ancestors(unit));
            for u in chain {
                rolled.entry(u).or_default().add(t);
            }
        }
        Ok((rolled, tree))
    }

    fn metrics_json(unit: &str, name: &str, t: &UnitTally) -> Value {
        let uniq = |v: &Vec<Uuid>| v.len();
        let avg = if t.handling_days.is_empty() {
            Value::Null
        } else {
            json!(
                ((t.handling_days.iter().sum::<i64>() as f64 / t.handling_days.len() as f64)
                    * 100.0)
                    .round()
                    / 100.0
            )
        };
        json!({
            "unit": unit, "name": name,
            "sign_on_time": rate(uniq(&t.signed_on_time), uniq(&t.dispatched)),
            "handle_on_time": rate(uniq(&t.resolved_on_time), uniq(&t.resolved)),
            "overdue": t.overdue.len(),
            "return_rate": rate(t.returned.len(), t.dispatched.len()),
            "reopen_rate": rate(t.reopened.len(), t.resolved.len()),
            "extension_rate": rate(t.extensions.len(), t.signed.len()),
            "satisfaction": rate(t.satisfied.len(), t.rated.len()),
            "resolution": rate(t.solved.len(), t.rated.len()),
            "avg_handling_days": avg,
        })
    }

    /// `GET /api/v1/metrics/units?period=2026-10[&unit=CODE]`: every unit of the caller's scope
    /// with activity in the period, each over its subtree.
    pub async fn unit_metrics(
        &self,
        p: &Principal,
        period: &str,
        unit: Option<&str>,
    ) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let (rolled, tree) = self.tallies(period).await?;
        let scope_root = match read_scope(p, &tree) {
            crate::ports::Scope::All => None,
            _ => p.unit.clone(),
        };
        let visible = |u: &str| scope_root.as_deref().is_none_or(|r| tree.is_within(u, r));
        let mut units: BTreeSet<&String> = rolled.keys().filter(|u| visible(u)).collect();
        if let Some(only) = unit {
            if !visible(only) || tree.get(only).is_none() {
                return Err(AppError::not_found("单位", "unit"));
            }
            units.retain(|u| u.as_str() == only);
        }
        let rows: Vec<Value> = units
            .into_iter()
            .map(|u| Self::metrics_json(u, &tree.name(u), &rolled[u]))
            .collect();
        Ok(
            json!({ "period": period, "units": rows, "definitions": "see app::metrics (numerator / denominator per rate)" }),
        )
    }

    /// The cases behind one number: `metric` is dispatched, signed_on_time, signed, resolved,
    /// resolved_on_time, overdue, returned, reopened, extensions, rated, satisfied or solved.
    pub async fn unit_metric_cases(
        &self,
        p: &Principal,
        unit: &str,
        period: &str,
        metric: &str,
    ) -> Result<Vec<crate::views::CaseView>, AppError> {
        let (rolled, tree) = self.tallies(period).await?;
        let visible = match read_scope(p, &tree) {
            crate::ports::Scope::All => true,
            _ => p.is_staff() && p.unit.as_deref().is_some_and(|r| tree.is_within(unit, r)),
        };
        if !visible {
            return Err(AppError::not_found("单位", "unit"));
        }
        let empty = UnitTally::default();
        let t = rolled.get(unit).unwrap_or(&empty);
        let ids = t
            .cases(metric)
            .ok_or_else(|| AppError::field("metric", "未知指标", "unknown metric"))?;
        let mut seen = BTreeMap::new();
        for id in ids {
            if seen.len() >= 500 {
                break;
            }
            if let std::collections::btree_map::Entry::Vacant(v) = seen.entry(*id)
                && let Some(c) = self.store.get_case(*id).await?
            {
                v.insert(self.view(&c, p, &tree));
            }
        }
        Ok(seen.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn ev(case: Uuid, at: i64, action: &str, data: Value) -> Event {
        Event {
            id: Uuid::now_v7(),
            case_id: case,
            at,
            actor: None,
            actor_name: "t".into(),
            unit: Some("u1".into()),
            action: action.into(),
            opinion: None,
            data,
        }
    }

    /// Timelines of `n` cases: dispatched to u1 or u2, signed, most resolved (some late), some
    /// followed up.
    fn timelines(n: usize, from: i64) -> Vec<Event> {
        let mut all = Vec::new();
        for k in 0..n {
            let case = Uuid::now_v7();
            let unit = if k % 3 == 0 { "u2" } else { "u1" };
            let t0 = from + (k as i64 % 20) * DAY;
            let st = |sign_due: i64, handle_due: Option<i64>| json!({ "state": { "unit": unit, "sign_due": sign_due, "handle_due": handle_due } });
            all.push(ev(case, t0, "dispatch", st(t0 + DAY, None)));
            let signed = t0 + if k % 4 == 0 { 2 * DAY } else { DAY / 2 };
            all.push(ev(case, signed, "sign", st(t0 + DAY, Some(t0 + 5 * DAY))));
            if k % 5 != 0 {
                let done = t0 + if k % 7 == 0 { 9 * DAY } else { 3 * DAY };
                all.push(ev(case, done, "resolve", st(t0 + DAY, Some(t0 + 5 * DAY))));
                if k % 2 == 0 {
                    let mut d = st(t0 + DAY, Some(t0 + 5 * DAY));
                    d["satisfaction"] = json!("satisfied");
                    d["resolved"] = json!(true);
                    all.push(ev(case, done + DAY, "follow_up", d));
                }
            }
        }
        all
    }

    /// Folding a month chunk by chunk (as `compute_tallies` reads it) gives the same tallies as
    /// folding all its timelines at once.
    #[test]
    fn tallies_folded_in_chunks_equal_one_fold() {
        let from = 1_767_196_800_000; // 2026-01-01 Shanghai
        let to = from + 31 * DAY;
        let events = timelines(50, from);
        let cal = calendar::Calendar::empty();
        let mut whole = HashMap::new();
        tally_into(&mut whole, &events, from, to, to + DAY, &cal);
        let mut chunked = HashMap::new();
        let mut rest: &[Event] = &events;
        while !rest.is_empty() {
            // Cut after the seventh case (never inside a timeline).
            let mut cut = 0;
            let mut seen = 0;
            while cut < rest.len() && seen < 7 {
                let c = rest[cut].case_id;
                while cut < rest.len() && rest[cut].case_id == c {
                    cut += 1;
                }
                seen += 1;
            }
            tally_into(&mut chunked, &rest[..cut], from, to, to + DAY, &cal);
            rest = &rest[cut..];
        }
        assert_eq!(whole, chunked);
        let u1 = &whole["u1"];
        assert!(!u1.dispatched.is_empty() && !u1.overdue.is_empty() && !u1.satisfied.is_empty());
        assert!(u1.resolved_on_time.len() < u1.resolved.len());
    }
}
