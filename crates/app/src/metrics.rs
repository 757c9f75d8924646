//! Unit metrics (考核指标) per unit and month, over the unit's subtree. Each rate comes with its
//! numerator, denominator and the cases behind both.
//!
//! How they are kept: the fold of a case's timeline gives its *marks* — "dispatched to cgj in
//! 2026-10", "resolved by cgj in 2026-11 after 3 working days" — and its running handling clock
//! ([`marks_of`]). Every case write stores what changed between the marks of the timeline as it
//! was and as it will be ([`metrics_write`]), in the same transaction: per month, unit and metric
//! a count and a total (`metric_counts`), per case and month the marks themselves (`metric_marks`,
//! for the cases behind a number), and the running clock filed under the month of its deadline
//! (`metric_clocks`). A month's figures are then a few thousand counter rows rolled up the org
//! tree, at any size of history, instead of a fold of every timeline active in the month (a
//! minute at ten million cases). [`tally_into`] is that fold, kept as the independent recount the
//! counters are tested against (`App::recount_unit_metrics`).
//!
//! Definitions (P is the period, S the unit and every unit below it; "the unit" of an event is
//! the case's main unit when it happened, from the event's `state`):
//! - 按时签收率 sign_on_time = dispatches to S in P whose next sign came by the sign-for deadline
//!   ÷ dispatches to S in P.
//! - 按时办结率 handle_on_time = resolutions by S in P at or before the handling deadline then in
//!   force ÷ resolutions by S in P.
//! - 超期件数 overdue = resolutions by S in P after the deadline + handling clocks of S whose
//!   deadline fell in P and that are still running, past it.
//! - 退单率 return_rate = returns by S in P ÷ dispatches to S in P.
//! - 重办率 reopen_rate = reopenings (unsatisfied follow-up or 重办) in P of cases held by S ÷
//!   resolutions by S in P.
//! - 延期率 extension_rate = extension requests by S in P ÷ signs by S in P.
//! - 满意率 satisfaction = follow-ups in P of cases held by S rated satisfied or basically
//!   satisfied ÷ follow-ups in P of cases held by S that reached the citizen (rated).
//! - 解决率 resolution = follow-ups in P where the citizen said it was solved ÷ rated follow-ups
//!   in P.
//! - 无法回访 unreachable = cases of S closed in P because the citizen could not be reached after
//!   the policy's attempts; they have no rating and are counted apart, in neither rate above.
//!
//! A dispatch taken back by 撤回 (recall) before the unit signed counts for nothing: the unit
//! never held the case (a return, by contrast, is the unit's decision and counts).
//! - 平均办理时长 avg_handling_days = mean working days from the start of the handling clock (sign
//!   or reopening) to each resolution by S in P.

use crate::App;
use crate::deadlines::{date_of, start_of_day};
use crate::error::AppError;
use crate::ports::{FiledClock, MetricsWrite};
use crate::scope::{Principal, read_scope};
use domain::Event;
use domain::tally::{first_day_of_month, month_of_day, shanghai_day};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
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
    pub unreachable: Vec<Uuid>,
    /// Working days of each resolution.
    pub handling_days: Vec<i64>,
}

impl UnitTally {
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
            "unreachable" => &self.unreachable,
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
                "recall" => {
                    if let Some((u, _, true)) = pending_sign.take()
                        && let Some(t) = out.get_mut(&u)
                        && t.dispatched.last() == Some(&case)
                    {
                        t.dispatched.pop();
                    }
                }
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
                            if e.action == "follow_up" && !reached(e) {
                                if gave_up(e) {
                                    t.unreachable.push(case);
                                }
                            } else if e.action == "follow_up" {
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

/// Whether a follow-up event reached the citizen (events from before attempts were recorded did).
fn reached(e: &Event) -> bool {
    e.data.get("reached").and_then(Value::as_bool) != Some(false)
}

/// Whether a follow-up attempt was the last one the policy allows (the case closed as 无法回访).
fn gave_up(e: &Event) -> bool {
    e.data.get("unreachable").and_then(Value::as_bool) == Some(true)
}

/// One countable fact of a case's timeline (see the definitions above).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    Dispatched,
    SignedOnTime,
    Signed,
    /// Its value is the working days of handling.
    Resolved,
    ResolvedOnTime,
    /// A resolution after the deadline (超期办结).
    Late,
    Returned,
    Reopened,
    Extensions,
    Rated,
    Satisfied,
    Solved,
    /// Closed as 无法回访 (the citizen could not be reached).
    Unreachable,
}

impl Metric {
    pub const ALL: [Metric; 13] = [
        Metric::Dispatched,
        Metric::SignedOnTime,
        Metric::Signed,
        Metric::Resolved,
        Metric::ResolvedOnTime,
        Metric::Late,
        Metric::Returned,
        Metric::Reopened,
        Metric::Extensions,
        Metric::Rated,
        Metric::Satisfied,
        Metric::Solved,
        Metric::Unreachable,
    ];

    /// One letter: how marks are written in `metric_marks` and `metric_counts`.
    pub fn code(self) -> char {
        match self {
            Metric::Dispatched => 'd',
            Metric::SignedOnTime => 'o',
            Metric::Signed => 's',
            Metric::Resolved => 'r',
            Metric::ResolvedOnTime => 't',
            Metric::Late => 'l',
            Metric::Returned => 'b',
            Metric::Reopened => 'p',
            Metric::Extensions => 'e',
            Metric::Rated => 'f',
            Metric::Satisfied => 'y',
            Metric::Solved => 'v',
            Metric::Unreachable => 'n',
        }
    }

    pub fn of_code(c: char) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.code() == c)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A mark: in this month (Shanghai month index), this unit's own count of `metric` grows by one,
/// and its total by `value`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub month: i64,
    pub unit: String,
    pub metric: Metric,
    pub value: i64,
}

/// A handling clock that runs at the end of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningClock {
    pub unit: String,
    pub started: i64,
    pub due: i64,
}

/// What a case's timeline contributes to the unit metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseMarks {
    pub marks: Vec<Mark>,
    pub clock: Option<RunningClock>,
}

/// Shanghai month index (`year * 12 + month - 1`) of an instant.
pub fn month_of(ms: i64) -> i64 {
    month_of_day(shanghai_day(ms))
}

/// The `YYYY-MM` of a month index.
pub fn period_of(month: i64) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// The actions whose events the fold looks at; a write with none of them leaves the metrics as
/// they are (urging, supervising, alerts, edits…).
pub const COUNTED_ACTIONS: &[&str] = &[
    "dispatch",
    "recall",
    "sign",
    "return",
    "escalate",
    "decide_extension",
    "resume",
    "request_extension",
    "resolve",
    "follow_up",
    "reopen",
];

/// The fold of one case's whole timeline (in order) into its marks, over every month: the same
/// walk as [`tally_into`], each count filed under the month it belongs to.
pub fn marks_of(timeline: &[Event], calendar: &calendar::Calendar) -> CaseMarks {
    let mut out = CaseMarks::default();
    fn push(marks: &mut Vec<Mark>, month: i64, unit: &str, metric: Metric, value: i64) {
        marks.push(Mark {
            month,
            unit: unit.to_string(),
            metric,
            value,
        });
    }
    // Open dispatch awaiting a sign: (unit, sign_due, month of the dispatch, its mark's index).
    let mut pending_sign: Option<(String, i64, i64, usize)> = None;
    // Running handling clock: (unit, started, due).
    let mut handling: Option<(String, i64, i64)> = None;
    for e in timeline {
        let unit = state_unit(e);
        let m = month_of(e.at);
        match e.action.as_str() {
            "dispatch" => {
                if let (Some(u), Some(due)) = (unit, state_i64(e, "sign_due")) {
                    let index = out.marks.len();
                    push(&mut out.marks, m, &u, Metric::Dispatched, 0);
                    pending_sign = Some((u, due, m, index));
                }
            }
            "recall" => {
                // Nothing was marked between the dispatch and its recall (only a sign marks).
                if let Some((_, _, _, index)) = pending_sign.take()
                    && index < out.marks.len()
                {
                    out.marks.remove(index);
                }
            }
            "sign" => {
                if let Some((u, due, dm, _)) = pending_sign.take()
                    && e.at <= due
                {
                    push(&mut out.marks, dm, &u, Metric::SignedOnTime, 0);
                }
                if let (Some(u), Some(due)) = (unit, state_i64(e, "handle_due")) {
                    push(&mut out.marks, m, &u, Metric::Signed, 0);
                    handling = Some((u, e.at, due));
                }
            }
            "return" | "escalate" => {
                pending_sign = None;
                if e.action == "return"
                    && let Some(u) = e.data.get("unit").and_then(Value::as_str)
                {
                    push(&mut out.marks, m, u, Metric::Returned, 0);
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
                if let Some(u) = unit {
                    push(&mut out.marks, m, &u, Metric::Extensions, 0);
                }
            }
            "resolve" => {
                if let Some((u, started, due)) = handling.take() {
                    let days = calendar
                        .workdays_between(date_of(started), date_of(e.at))
                        .max(0);
                    push(&mut out.marks, m, &u, Metric::Resolved, days);
                    let timely = if e.at <= due {
                        Metric::ResolvedOnTime
                    } else {
                        Metric::Late
                    };
                    push(&mut out.marks, m, &u, timely, 0);
                }
            }
            "follow_up" | "reopen" => {
                let reopened = e.action == "reopen"
                    || e.data.get("reopened").and_then(Value::as_bool) == Some(true);
                if let Some(u) = unit {
                    if e.action == "follow_up" && !reached(e) {
                        if gave_up(e) {
                            push(&mut out.marks, m, &u, Metric::Unreachable, 0);
                        }
                    } else if e.action == "follow_up" {
                        push(&mut out.marks, m, &u, Metric::Rated, 0);
                        if matches!(
                            e.data.get("satisfaction").and_then(Value::as_str),
                            Some("satisfied" | "basically_satisfied")
                        ) {
                            push(&mut out.marks, m, &u, Metric::Satisfied, 0);
                        }
                        if e.data.get("resolved").and_then(Value::as_bool) == Some(true) {
                            push(&mut out.marks, m, &u, Metric::Solved, 0);
                        }
                    }
                    if reopened {
                        push(&mut out.marks, m, &u, Metric::Reopened, 0);
                    }
                    if reopened && let Some(due) = state_i64(e, "handle_due") {
                        handling = Some((u, e.at, due));
                    }
                }
            }
            _ => {}
        }
    }
    out.clock = handling.map(|(unit, started, due)| RunningClock { unit, started, due });
    out
}

/// The first instant of the month after `month`.
fn month_end(month: i64) -> i64 {
    start_of_day_number(first_day_of_month(month + 1))
}

fn start_of_day_number(day: i64) -> i64 {
    // Shanghai midnight of a day number (UTC+8, no daylight saving).
    day * 86_400_000 - 8 * 3_600_000
}

/// Where a running clock is counted: under the month of its deadline, as 超期 once the deadline
/// has passed — unless it started after that month (then no month counts it).
pub fn filed_clock(c: &RunningClock) -> Option<FiledClock> {
    let month = month_of(c.due);
    (c.started < month_end(month)).then(|| FiledClock {
        month,
        unit: c.unit.clone(),
        due: c.due,
    })
}

/// A month's marks of one case as stored: a line per unit, the unit's code, a tab, then a letter
/// per mark (its `Metric::code`), followed by the mark's value when it is not zero.
/// `cgj\tdosr3tfy` reads: dispatched, signed on time, signed, resolved in 3 working days, on
/// time, rated, satisfied.
pub fn encode_marks(marks: &[&Mark]) -> String {
    let mut units: Vec<&str> = Vec::new();
    for m in marks {
        if !units.contains(&m.unit.as_str()) {
            units.push(&m.unit);
        }
    }
    let mut out = String::new();
    for u in units {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(u);
        out.push('\t');
        for m in marks.iter().filter(|m| m.unit == u) {
            out.push(m.metric.code());
            if m.value != 0 {
                out.push_str(&m.value.to_string());
            }
        }
    }
    out
}

/// The (unit, metric, value) marks of a stored month; unreadable parts are skipped.
pub fn decode_marks(text: &str) -> Vec<(String, Metric, i64)> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let Some((unit, codes)) = line.split_once('\t') else {
            continue;
        };
        let mut chars = codes.chars().peekable();
        while let Some(c) = chars.next() {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit() || **d == '-') {
                digits.push(*d);
                chars.next();
            }
            if let Some(m) = Metric::of_code(c) {
                out.push((unit.to_string(), m, digits.parse().unwrap_or(0)));
            }
        }
    }
    out
}

/// What to store when a case's marks go from `old` (None: a new case) to `new`.
pub fn metrics_write(old: Option<&CaseMarks>, new: &CaseMarks) -> MetricsWrite {
    let empty = CaseMarks::default();
    let old = old.unwrap_or(&empty);
    let mut counts: BTreeMap<(i64, String, String), (i64, i64)> = BTreeMap::new();
    for (marks, sign) in [(&old.marks, -1), (&new.marks, 1)] {
        for m in marks {
            let e = counts
                .entry((m.month, m.unit.clone(), m.metric.code().to_string()))
                .or_default();
            e.0 += sign;
            e.1 += sign * m.value;
        }
    }
    let by_month = |c: &CaseMarks| {
        let mut months: BTreeMap<i64, Vec<&Mark>> = BTreeMap::new();
        for m in &c.marks {
            months.entry(m.month).or_default().push(m);
        }
        months
            .into_iter()
            .map(|(k, v)| (k, encode_marks(&v)))
            .collect::<BTreeMap<i64, String>>()
    };
    let (before, after) = (by_month(old), by_month(new));
    let mut months = Vec::new();
    for month in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
        let (b, a) = (before.get(month), after.get(month));
        if b != a {
            months.push((*month, a.cloned()));
        }
    }
    let (cb, ca) = (
        old.clock.as_ref().and_then(filed_clock),
        new.clock.as_ref().and_then(filed_clock),
    );
    MetricsWrite {
        counts: counts
            .into_iter()
            .filter(|(_, (n, t))| *n != 0 || *t != 0)
            .map(|(k, (n, t))| (k, n, t))
            .collect(),
        months,
        clock: (cb != ca).then_some(ca),
    }
}

/// A unit's figures of one month (its own, or rolled up over its subtree).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFigures {
    /// Count of each metric's marks, by `Metric::index`.
    pub n: [i64; 13],
    /// Working days over all resolutions.
    pub handling_days: i64,
    /// Running handling clocks past their deadline (the other half of 超期).
    pub running_overdue: i64,
}

impl UnitFigures {
    pub fn get(&self, m: Metric) -> i64 {
        self.n[m.index()]
    }

    pub fn add(&mut self, o: &UnitFigures) {
        for (a, b) in self.n.iter_mut().zip(o.n) {
            *a += b;
        }
        self.handling_days += o.handling_days;
        self.running_overdue += o.running_overdue;
    }

    /// The figures of a recount's tally.
    pub fn of_tally(t: &UnitTally) -> UnitFigures {
        let mut f = UnitFigures::default();
        let n = |v: &Vec<Uuid>| v.len() as i64;
        f.n[Metric::Dispatched.index()] = n(&t.dispatched);
        f.n[Metric::SignedOnTime.index()] = n(&t.signed_on_time);
        f.n[Metric::Signed.index()] = n(&t.signed);
        f.n[Metric::Resolved.index()] = n(&t.resolved);
        f.n[Metric::ResolvedOnTime.index()] = n(&t.resolved_on_time);
        f.n[Metric::Returned.index()] = n(&t.returned);
        f.n[Metric::Reopened.index()] = n(&t.reopened);
        f.n[Metric::Extensions.index()] = n(&t.extensions);
        f.n[Metric::Rated.index()] = n(&t.rated);
        f.n[Metric::Satisfied.index()] = n(&t.satisfied);
        f.n[Metric::Solved.index()] = n(&t.solved);
        f.n[Metric::Unreachable.index()] = n(&t.unreachable);
        // The recount's overdue list holds late resolutions and running clocks together.
        f.n[Metric::Late.index()] = n(&t.resolved) - n(&t.resolved_on_time);
        f.running_overdue = n(&t.overdue) - f.n[Metric::Late.index()];
        f.handling_days = t.handling_days.iter().sum();
        f
    }
}

fn rate(num: i64, den: i64) -> Value {
    json!({ "numerator": num, "denominator": den, "rate": if den == 0 { Value::Null } else { json!(((num as f64 / den as f64) * 10000.0).round() / 10000.0) } })
}

/// Cases whose timelines are read and folded together in recounts and rebuilds.
const METRICS_CHUNK: usize = 1000;

/// Rolled-up unit figures per month, with the clock instant they were computed at.
pub type MetricsCache = std::sync::Mutex<HashMap<String, (i64, Arc<HashMap<String, UnitFigures>>)>>;

fn bad_period(period: &str) -> AppError {
    AppError::field(
        "period",
        format!("「{period}」不是有效月份，格式为 2026-10 或 2026-09..2026-11"),
        format!("'{period}' is not a month like 2026-10 or a range like 2026-09..2026-11"),
    )
}

/// Longest range of months the figures are summed over (five years).
pub const MAX_PERIOD_MONTHS: i64 = 60;

/// A period of whole months, `2026-10` or `2026-09..2026-11`, as its first and last month index.
pub fn period_months(period: &str) -> Result<(i64, i64), AppError> {
    let month = |p: &str| {
        month_bounds(p.trim())
            .map(|(from, _)| month_of(from))
            .ok_or_else(|| bad_period(period))
    };
    let (first, last) = match period.split_once("..") {
        Some((a, b)) => (month(a)?, month(b)?),
        None => {
            let m = month(period)?;
            (m, m)
        }
    };
    if first > last {
        return Err(AppError::field(
            "period",
            "开始月份不能晚于结束月份",
            "the first month must not be after the last",
        ));
    }
    if last - first >= MAX_PERIOD_MONTHS {
        return Err(AppError::field(
            "period",
            format!("最多统计 {MAX_PERIOD_MONTHS} 个月"),
            format!("at most {MAX_PERIOD_MONTHS} months"),
        ));
    }
    Ok((first, last))
}

/// The `period` text of a range of months (`2026-10`, or `2026-09..2026-11`).
pub fn period_text(first: i64, last: i64) -> String {
    if first == last {
        period_of(first)
    } else {
        format!("{}..{}", period_of(first), period_of(last))
    }
}

/// Each unit's figures rolled up to itself and every unit above it.
fn roll_up(
    own: HashMap<String, UnitFigures>,
    tree: &crate::org::OrgTree,
) -> HashMap<String, UnitFigures> {
    let mut rolled: HashMap<String, UnitFigures> = HashMap::new();
    for (unit, f) in &own {
        let mut chain = vec![unit.clone()];
        chain.extend(tree.ancestors(unit));
        for u in chain {
            rolled.entry(u).or_default().add(f);
        }
    }
    rolled
}

impl App {
    /// The month's rolled-up figures, from the cache while younger than `metrics_cache_ms`.
    pub(crate) async fn figures(
        &self,
        period: &str,
    ) -> Result<(Arc<HashMap<String, UnitFigures>>, Arc<crate::org::OrgTree>), AppError> {
        let now = self.now();
        let max_age = self.settings.metrics_cache_ms;
        let lookup = || {
            if max_age <= 0 {
                return None;
            }
            self.metrics_cache.lock().ok().and_then(|cache| {
                cache
                    .get(period)
                    .filter(|(at, _)| *at <= now && now - at < max_age)
                    .map(|(_, t)| t.clone())
            })
        };
        if let Some(t) = lookup() {
            return Ok((t, self.org.tree().await?));
        }
        // One computation at a time: a busy morning's misses wait for the first one's answer.
        let _one = self.metrics_compute.lock().await;
        if let Some(t) = lookup() {
            return Ok((t, self.org.tree().await?));
        }
        let (own, tree) = self.stored_figures(period).await?;
        let rolled = Arc::new(roll_up(own, &tree));
        if max_age > 0
            && let Ok(mut cache) = self.metrics_cache.lock()
        {
            if cache.len() > 64 {
                cache.clear();
            }
            cache.insert(period.to_string(), (now, rolled.clone()));
        }
        Ok((rolled, tree))
    }

    /// Rolled-up figures summed over the months `first..=last` (each month's from the cache):
    /// what the unit metrics and the cockpit show for a period of several months.
    pub async fn figures_over(
        &self,
        first: i64,
        last: i64,
    ) -> Result<(Arc<HashMap<String, UnitFigures>>, Arc<crate::org::OrgTree>), AppError> {
        if first == last {
            return self.figures(&period_of(first)).await;
        }
        let mut sum: HashMap<String, UnitFigures> = HashMap::new();
        for month in first..=last {
            let (m, _) = self.figures(&period_of(month)).await?;
            for (unit, f) in m.iter() {
                sum.entry(unit.clone()).or_default().add(f);
            }
        }
        Ok((Arc::new(sum), self.org.tree().await?))
    }

    /// Each unit's own figures of a month, from the stored counters and clocks.
    async fn stored_figures(
        &self,
        period: &str,
    ) -> Result<(HashMap<String, UnitFigures>, Arc<crate::org::OrgTree>), AppError> {
        let (from, _) = month_bounds(period).ok_or_else(|| bad_period(period))?;
        let month = month_of(from);
        let mut own: HashMap<String, UnitFigures> = HashMap::new();
        for c in self.store.metric_counts(month).await? {
            let Some(m) = c.metric.chars().next().and_then(Metric::of_code) else {
                continue;
            };
            let f = own.entry(c.unit).or_default();
            f.n[m.index()] += c.n;
            if m == Metric::Resolved {
                f.handling_days += c.total;
            }
        }
        for (_, unit) in self.store.metric_clocks(month, self.now()).await? {
            own.entry(unit).or_default().running_overdue += 1;
        }
        // Units whose every count went back to zero are not "active in the month".
        own.retain(|_, f| *f != UnitFigures::default());
        Ok((own, self.org.tree().await?))
    }

    /// The same figures recounted from every timeline with [`tally_into`] (a scan of all cases:
    /// for checking the counters, not for serving).
    pub async fn recount_unit_metrics(
        &self,
        period: &str,
    ) -> Result<HashMap<String, UnitFigures>, AppError> {
        let (from, to) = month_bounds(period).ok_or_else(|| bad_period(period))?;
        let rules = self.rules().await?;
        let cal = rules.calendar_for("");
        let now = self.now();
        let mut own: HashMap<String, UnitTally> = HashMap::new();
        let mut after = None;
        loop {
            let ids = self
                .store
                .case_ids_after(after, METRICS_CHUNK as u32)
                .await?;
            let Some(last) = ids.last() else { break };
            after = Some(*last);
            let events = self.store.events_of_cases(&ids).await?;
            tally_into(&mut own, &events, from, to, now, &cal);
        }
        let own = own
            .iter()
            .map(|(u, t)| (u.clone(), UnitFigures::of_tally(t)))
            .filter(|(_, f)| *f != UnitFigures::default())
            .collect();
        let tree = self.org.tree().await?;
        Ok(roll_up(own, &tree))
    }

    /// The stored figures of a month rolled up (what `unit_metrics` serves, without the cache).
    pub async fn stored_unit_metrics(
        &self,
        period: &str,
    ) -> Result<HashMap<String, UnitFigures>, AppError> {
        let (own, tree) = self.stored_figures(period).await?;
        Ok(roll_up(own, &tree))
    }

    /// Rebuilds the stored metrics from every timeline; returns how many cases were folded.
    /// For databases from before the metrics were stored and after an import.
    pub async fn rebuild_unit_metrics(&self) -> Result<u64, AppError> {
        let rules = self.rules().await?;
        let cal = rules.calendar_for("");
        self.store.clear_metrics().await?;
        let mut after = None;
        let mut n = 0u64;
        loop {
            let ids = self
                .store
                .case_ids_after(after, METRICS_CHUNK as u32)
                .await?;
            let Some(last) = ids.last() else { break };
            after = Some(*last);
            n += ids.len() as u64;
            let events = self.store.events_of_cases(&ids).await?;
            let mut writes = Vec::new();
            for tl in events.chunk_by(|a, b| a.case_id == b.case_id) {
                let w = metrics_write(None, &marks_of(tl, &cal));
                if !w.is_empty() {
                    writes.push((tl[0].case_id, w));
                }
            }
            self.store.put_metrics(writes).await?;
        }
        self.metrics_cache_clear();
        Ok(n)
    }

    fn metrics_cache_clear(&self) {
        if let Ok(mut c) = self.metrics_cache.lock() {
            c.clear();
        }
    }

    /// Rebuilds the stored metrics once if the database has dispatched cases but no metrics.
    pub async fn ensure_unit_metrics(&self) -> Result<Option<u64>, AppError> {
        if self.store.metrics_missing().await? {
            Ok(Some(self.rebuild_unit_metrics().await?))
        } else {
            Ok(None)
        }
    }

    /// The unit-metric marks of a new case stored together with its first events (an intake
    /// the catalogue dispatched at once): there is no earlier timeline to read.
    pub(crate) async fn metrics_of_new(&self, events: &[Event]) -> Result<MetricsWrite, AppError> {
        if !events
            .iter()
            .any(|e| COUNTED_ACTIONS.contains(&e.action.as_str()))
        {
            return Ok(MetricsWrite::default());
        }
        let rules = self.rules().await?;
        let cal = rules.calendar_for("");
        Ok(metrics_write(None, &marks_of(events, &cal)))
    }

    /// The metrics change of appending `new_events` to a stored case's timeline (read only when
    /// one of the new events counts).
    pub(crate) async fn metrics_of_append(
        &self,
        case_id: Uuid,
        new_events: &[Event],
    ) -> Result<MetricsWrite, AppError> {
        if !new_events
            .iter()
            .any(|e| COUNTED_ACTIONS.contains(&e.action.as_str()))
        {
            return Ok(MetricsWrite::default());
        }
        let rules = self.rules().await?;
        let cal = rules.calendar_for("");
        let mut timeline = self.store.events(case_id).await?;
        let before = marks_of(&timeline, &cal);
        timeline.extend(new_events.iter().cloned());
        timeline.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        Ok(metrics_write(Some(&before), &marks_of(&timeline, &cal)))
    }

    /// The figures of one unit as every page shows them: each rate with its numerator and
    /// denominator. The one formula of each number (the unit metrics, the cockpit and the boards
    /// all call this).
    pub fn metrics_json(unit: &str, name: &str, f: &UnitFigures) -> Value {
        let resolved = f.get(Metric::Resolved);
        let avg = if resolved == 0 {
            Value::Null
        } else {
            json!(((f.handling_days as f64 / resolved as f64) * 100.0).round() / 100.0)
        };
        json!({
            "unit": unit, "name": name,
            "sign_on_time": rate(f.get(Metric::SignedOnTime), f.get(Metric::Dispatched)),
            "handle_on_time": rate(f.get(Metric::ResolvedOnTime), resolved),
            "overdue": f.get(Metric::Late) + f.running_overdue,
            "return_rate": rate(f.get(Metric::Returned), f.get(Metric::Dispatched)),
            "reopen_rate": rate(f.get(Metric::Reopened), resolved),
            "extension_rate": rate(f.get(Metric::Extensions), f.get(Metric::Signed)),
            "satisfaction": rate(f.get(Metric::Satisfied), f.get(Metric::Rated)),
            "resolution": rate(f.get(Metric::Solved), f.get(Metric::Rated)),
            "unreachable": f.get(Metric::Unreachable),
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
        self.unit_metrics_from(p, period, unit, false).await
    }

    /// The same; with `recount` (administrators only) recounted from every timeline instead of
    /// read from the stored counters: the check that they agree.
    pub async fn unit_metrics_from(
        &self,
        p: &Principal,
        period: &str,
        unit: Option<&str>,
        recount: bool,
    ) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let (first, last) = period_months(period)?;
        let (rolled, tree) = if recount {
            if p.role != domain::Role::Admin {
                return Err(AppError::forbidden(
                    "仅管理员可要求重新统计",
                    "only administrators may ask for a recount",
                ));
            }
            let mut sum: HashMap<String, UnitFigures> = HashMap::new();
            for month in first..=last {
                for (u, f) in self.recount_unit_metrics(&period_of(month)).await? {
                    sum.entry(u).or_default().add(&f);
                }
            }
            (Arc::new(sum), self.org.tree().await?)
        } else {
            self.figures_over(first, last).await?
        };
        let scope_root = match read_scope(p, &tree) {
            crate::ports::Scope::All => None,
            _ => p.unit.clone(),
        };
        let visible = |u: &str| scope_root.as_deref().is_none_or(|r| tree.is_within(u, r));
        let mut units: BTreeSet<&str> = rolled
            .keys()
            .map(String::as_str)
            .filter(|u| visible(u))
            .collect();
        if let Some(only) = unit {
            if !visible(only) || tree.get(only).is_none() {
                return Err(AppError::not_found("单位", "unit"));
            }
            // A unit asked for by name gets its row, zeros when it had nothing in the period.
            units = BTreeSet::from([only]);
        }
        let none = UnitFigures::default();
        let rows: Vec<Value> = units
            .into_iter()
            .map(|u| Self::metrics_json(u, &tree.name(u), rolled.get(u).unwrap_or(&none)))
            .collect();
        Ok(
            json!({ "period": period_text(first, last), "units": rows, "definitions": "see app::metrics (numerator / denominator per rate)" }),
        )
    }

    /// The cases behind one number: `metric` is dispatched, signed_on_time, signed, resolved,
    /// resolved_on_time, overdue, returned, reopened, extensions, rated, satisfied or solved.
    /// Read from the month's stored marks (one row per case active in the month).
    pub async fn unit_metric_cases(
        &self,
        p: &Principal,
        unit: &str,
        period: &str,
        metric: &str,
    ) -> Result<Vec<crate::views::CaseView>, AppError> {
        let tree = self.org.tree().await?;
        let rules = self.rules().await?;
        let visible = match read_scope(p, &tree) {
            crate::ports::Scope::All => true,
            _ => p.is_staff() && p.unit.as_deref().is_some_and(|r| tree.is_within(unit, r)),
        };
        if !visible {
            return Err(AppError::not_found("单位", "unit"));
        }
        let (from, _) = month_bounds(period).ok_or_else(|| bad_period(period))?;
        let month = month_of(from);
        let wanted: &[Metric] = match metric {
            "dispatched" => &[Metric::Dispatched],
            "signed_on_time" => &[Metric::SignedOnTime],
            "signed" => &[Metric::Signed],
            "resolved" => &[Metric::Resolved],
            "resolved_on_time" => &[Metric::ResolvedOnTime],
            "overdue" => &[Metric::Late],
            "returned" => &[Metric::Returned],
            "reopened" => &[Metric::Reopened],
            "extensions" => &[Metric::Extensions],
            "rated" => &[Metric::Rated],
            "satisfied" => &[Metric::Satisfied],
            "solved" => &[Metric::Solved],
            "unreachable" => &[Metric::Unreachable],
            _ => return Err(AppError::field("metric", "未知指标", "unknown metric")),
        };
        let mut ids: BTreeSet<Uuid> = BTreeSet::new();
        for (case, text) in self.store.metric_marks(month).await? {
            if decode_marks(&text)
                .iter()
                .any(|(u, m, _)| wanted.contains(m) && tree.is_within(u, unit))
            {
                ids.insert(case);
            }
        }
        if metric == "overdue" {
            for (case, u) in self.store.metric_clocks(month, self.now()).await? {
                if tree.is_within(&u, unit) {
                    ids.insert(case);
                }
            }
        }
        let mut out = Vec::new();
        for id in ids.into_iter().take(500) {
            if let Some(c) = self.store.get_case(id).await? {
                out.push(self.view(&rules, &c, p, &tree));
            }
        }
        self.audit_views(
            p,
            crate::audit::AuditAction::ListCases,
            format!("metric={metric}&period={period}&unit={unit}"),
            &out.iter().collect::<Vec<_>>(),
        )
        .await?;
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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
            if k % 11 == 0 {
                // First sent to the wrong unit and taken back (撤回) before it signed.
                let wrong =
                    json!({ "state": { "unit": "u3", "sign_due": t0 + DAY, "handle_due": null } });
                all.push(ev(case, t0 - DAY / 4, "dispatch", wrong));
                all.push(ev(
                    case,
                    t0 - DAY / 8,
                    "recall",
                    json!({ "state": { "unit": null } }),
                ));
            }
            all.push(ev(case, t0, "dispatch", st(t0 + DAY, None)));
            let signed = t0 + if k % 4 == 0 { 2 * DAY } else { DAY / 2 };
            all.push(ev(case, signed, "sign", st(t0 + DAY, Some(t0 + 5 * DAY))));
            if k % 5 != 0 {
                let done = t0 + if k % 7 == 0 { 9 * DAY } else { 3 * DAY };
                all.push(ev(case, done, "resolve", st(t0 + DAY, Some(t0 + 5 * DAY))));
                if k % 8 == 0 {
                    // Nobody answers three times: closed as 无法回访, no rating.
                    for attempt in 1..=3 {
                        let mut d = st(t0 + DAY, Some(t0 + 5 * DAY));
                        d["reached"] = json!(false);
                        d["attempt"] = json!(attempt);
                        d["unreachable"] = json!(attempt == 3);
                        all.push(ev(case, done + attempt * DAY / 4, "follow_up", d));
                    }
                } else if k % 2 == 0 {
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

    /// Sums the marks of many cases the way the store keeps them: per (month, unit).
    fn stored(cases: &[CaseMarks], month: i64, now: i64) -> HashMap<String, UnitFigures> {
        let mut out: HashMap<String, UnitFigures> = HashMap::new();
        for c in cases {
            for m in c.marks.iter().filter(|m| m.month == month) {
                let f = out.entry(m.unit.clone()).or_default();
                f.n[m.metric.index()] += 1;
                if m.metric == Metric::Resolved {
                    f.handling_days += m.value;
                }
            }
            if let Some(fc) = c.clock.as_ref().and_then(filed_clock)
                && fc.month == month
                && fc.due < now
            {
                out.entry(fc.unit).or_default().running_overdue += 1;
            }
        }
        out.retain(|_, f| *f != UnitFigures::default());
        out
    }

    /// The marks of each timeline, summed per month, are what the month-by-month recount
    /// (`tally_into`) finds, for every month the timelines touch and at different moments.
    #[test]
    fn marks_per_month_equal_the_recount() {
        // 2026-01-20 Shanghai: timelines cross into February and March.
        let start = 1_768_838_400_000;
        let events = timelines(300, start);
        let cal = calendar::Calendar::empty();
        let cases: Vec<CaseMarks> = events
            .chunk_by(|a, b| a.case_id == b.case_id)
            .map(|tl| marks_of(tl, &cal))
            .collect();
        assert!(
            cases.iter().any(|c| c.clock.is_some()),
            "some clocks still run"
        );
        for period in ["2026-01", "2026-02", "2026-03"] {
            let (from, to) = month_bounds(period).unwrap();
            for now in [from + 15 * DAY, to + DAY] {
                let mut tally = HashMap::new();
                tally_into(&mut tally, &events, from, to, now, &cal);
                let recount: HashMap<String, UnitFigures> = tally
                    .iter()
                    .map(|(u, t)| (u.clone(), UnitFigures::of_tally(t)))
                    .filter(|(_, f)| *f != UnitFigures::default())
                    .collect();
                assert_eq!(
                    stored(&cases, month_of(from), now),
                    recount,
                    "{period} at {now}"
                );
            }
        }
        let jan = stored(&cases, month_of(start), start + 60 * DAY);
        assert!(jan["u1"].get(Metric::Late) > 0 && jan["u1"].running_overdue > 0);
        // Recalled dispatches leave the wrong unit nothing; unreachable follow-ups are counted
        // apart from the ratings.
        assert!(!jan.contains_key("u3"), "{:?}", jan.get("u3"));
        let mut all = UnitFigures::default();
        for month in ["2026-01", "2026-02", "2026-03"] {
            let (from, _) = month_bounds(month).unwrap();
            for u in stored(&cases, month_of(from), start + 90 * DAY).values() {
                all.add(u);
            }
        }
        assert!(all.get(Metric::Unreachable) > 0 && all.get(Metric::Rated) > 0);
        assert!(all.get(Metric::Satisfied) <= all.get(Metric::Rated));
    }

    /// Writing a case's metrics as it grows (None → a → b) leaves the same counts as writing b at
    /// once; months whose marks did not change are not rewritten.
    #[test]
    fn successive_writes_add_up_to_one() {
        let start = 1_768_838_400_000;
        let events = timelines(12, start);
        let cal = calendar::Calendar::empty();
        for tl in events.chunk_by(|a, b| a.case_id == b.case_id) {
            for cut in 1..tl.len() {
                let a = marks_of(&tl[..cut], &cal);
                let b = marks_of(tl, &cal);
                let mut sum: BTreeMap<(i64, String, String), (i64, i64)> = BTreeMap::new();
                for w in [metrics_write(None, &a), metrics_write(Some(&a), &b)] {
                    for (k, n, t) in w.counts {
                        let e = sum.entry(k).or_default();
                        e.0 += n;
                        e.1 += t;
                    }
                }
                sum.retain(|_, v| *v != (0, 0));
                let once: BTreeMap<_, _> = metrics_write(None, &b)
                    .counts
                    .into_iter()
                    .map(|(k, n, t)| (k, (n, t)))
                    .collect();
                assert_eq!(sum, once);
                let step = metrics_write(Some(&b), &b);
                assert!(step.is_empty(), "{step:?}");
            }
        }
    }

    #[test]
    fn marks_text_round_trips() {
        let m = |unit: &str, metric, value| Mark {
            month: 1,
            unit: unit.into(),
            metric,
            value,
        };
        let marks = [
            m("cgj", Metric::Dispatched, 0),
            m("330188001", Metric::Returned, 0),
            m("cgj", Metric::Resolved, 12),
            m("cgj", Metric::Late, 0),
        ];
        let refs: Vec<&Mark> = marks.iter().collect();
        let text = encode_marks(&refs);
        assert_eq!(text, "cgj\tdr12l\n330188001\tb");
        let back = decode_marks(&text);
        assert_eq!(back.len(), 4);
        assert!(back.contains(&("cgj".into(), Metric::Resolved, 12)));
        assert!(back.contains(&("330188001".into(), Metric::Returned, 0)));
        assert!(decode_marks("garbage\nx\tq?").is_empty());
        assert_eq!(period_of(month_of(1_768_838_400_000)), "2026-01");
    }
}
