//! Key programs (issue 21, item 2): 十大攻坚, 十大民生实事, 整治清单. A program has items; an item has
//! milestones with planned dates and planned cumulative progress, a reported progress (percent,
//! reviewed by the program office) and the milestones' actual dates. Its traffic light follows a
//! rule whose thresholds are data (reference §10, 银川 重点项目 红黄绿灯):
//!
//! - **behind plan** = the progress planned by today (read off the milestones, linearly between
//!   them, from 0 at the item's start) − the approved progress, in percentage points;
//! - **late** = for each milestone whose planned date has passed without an actual date, the days
//!   since (working days on the calendar when the rule says so, else calendar days); the worst;
//! - 红 (red) when behind by more than `red_behind_pp`, or a milestone late by `red_late_days` or
//!   more; 黄 (yellow) when behind by `yellow_behind_pp` or more, or any milestone late by
//!   `yellow_late_days` or more; else on plan (绿); done when progress is 100 and every milestone
//!   has its actual date.

use calendar::Calendar;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The thresholds of the traffic light.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rule {
    /// Yellow from this many percentage points behind the plan…
    pub yellow_behind_pp: f64,
    /// …red beyond this many.
    pub red_behind_pp: f64,
    /// A milestone late by this many days or more is yellow…
    pub yellow_late_days: i64,
    /// …by this many or more, red.
    pub red_late_days: i64,
    /// Count late days on the working-day calendar (else calendar days).
    pub working_days: bool,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            yellow_behind_pp: 10.0,
            red_behind_pp: 30.0,
            yellow_late_days: 1,
            red_late_days: 10,
            working_days: true,
        }
    }
}

impl Rule {
    /// What is wrong with the rule, as (field, Chinese, English).
    pub fn check(&self) -> Result<(), (&'static str, &'static str, &'static str)> {
        let pp = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if !pp(self.yellow_behind_pp) {
            return Err(("yellow_behind_pp", "应在 0 到 100 之间", "must be 0 to 100"));
        }
        if !pp(self.red_behind_pp) || self.red_behind_pp < self.yellow_behind_pp {
            return Err((
                "red_behind_pp",
                "应在黄灯阈值到 100 之间",
                "must be from the yellow threshold to 100",
            ));
        }
        if !(1..=365).contains(&self.yellow_late_days) {
            return Err(("yellow_late_days", "应在 1 到 365 之间", "must be 1 to 365"));
        }
        if !(self.yellow_late_days..=365).contains(&self.red_late_days) {
            return Err((
                "red_late_days",
                "应在黄灯天数到 365 之间",
                "must be from the yellow days to 365",
            ));
        }
        Ok(())
    }
}

/// A milestone: planned date and the cumulative progress planned by then (percent).
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    pub name: String,
    pub planned: Date,
    pub planned_percent: f64,
    pub actual: Option<Date>,
}

/// An item's light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Done,
    OnPlan,
    Yellow,
    Red,
}

impl Light {
    pub fn code(self) -> &'static str {
        match self {
            Light::Done => "done",
            Light::OnPlan => "on_plan",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Light::Done => "已完成",
            Light::OnPlan => "按计划",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
}

/// An item's standing today, with the figures behind it and the reasons in Chinese.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub light: Light,
    /// Progress planned by today (percent).
    pub planned_percent: f64,
    /// Planned − approved progress, in percentage points (negative: ahead).
    pub behind_pp: f64,
    /// The worst lateness of a milestone past its date without an actual date (0 when none).
    pub late_days: i64,
    pub reasons: Vec<String>,
}

/// The progress planned by `today`: 0 at `start`, each milestone's planned percent at its date,
/// linear between, the last milestone's after it.
pub fn planned_percent(start: Date, milestones: &[Milestone], today: Date) -> f64 {
    let mut points: Vec<(Date, f64)> = vec![(start, 0.0)];
    let mut ms: Vec<&Milestone> = milestones.iter().collect();
    ms.sort_by_key(|m| m.planned);
    points.extend(
        ms.iter()
            .map(|m| (m.planned, m.planned_percent.clamp(0.0, 100.0))),
    );
    if today <= start {
        return 0.0;
    }
    for w in points.windows(2) {
        let ((d0, p0), (d1, p1)) = (w[0], w[1]);
        if today <= d1 {
            let span = (d1 - d0).get_days().max(1) as f64;
            let done = (today - d0).get_days().max(0) as f64;
            return p0 + (p1 - p0) * (done / span).min(1.0);
        }
    }
    points.last().map_or(0.0, |p| p.1)
}

/// Days from `planned` (exclusive) to `today` (inclusive): working days on `cal` or calendar days.
pub fn days_late(planned: Date, today: Date, working: bool, cal: &Calendar) -> i64 {
    if today <= planned {
        return 0;
    }
    if !working {
        return i64::from((today - planned).get_days());
    }
    let mut n = 0;
    let mut d = planned;
    while d < today {
        let Ok(next) = d.tomorrow() else { break };
        d = next;
        if cal.is_workday(d) {
            n += 1;
        }
    }
    n
}

/// The item's standing on `today`.
pub fn standing(
    rule: &Rule,
    start: Date,
    milestones: &[Milestone],
    progress: f64,
    today: Date,
    cal: &Calendar,
) -> Standing {
    let planned = planned_percent(start, milestones, today);
    let behind = ((planned - progress) * 100.0).round() / 100.0;
    let mut late = 0;
    let mut late_name = String::new();
    for m in milestones.iter().filter(|m| m.actual.is_none()) {
        let d = days_late(m.planned, today, rule.working_days, cal);
        if d > late {
            late = d;
            late_name = m.name.clone();
        }
    }
    let unit = if rule.working_days {
        "个工作日"
    } else {
        "天"
    };
    let mut reasons = Vec::new();
    let done = progress >= 100.0 && milestones.iter().all(|m| m.actual.is_some());
    let light = if done {
        reasons.push("全部节点完成，进度 100%".to_string());
        Light::Done
    } else {
        let red = behind > rule.red_behind_pp || late >= rule.red_late_days;
        let yellow = behind >= rule.yellow_behind_pp || late >= rule.yellow_late_days;
        if behind >= rule.yellow_behind_pp {
            reasons.push(format!(
                "计划进度 {planned:.0}%，实际 {progress:.0}%，滞后 {behind:.0} 个百分点"
            ));
        }
        if late >= rule.yellow_late_days {
            reasons.push(format!("节点「{late_name}」逾期 {late} {unit}"));
        }
        if red {
            Light::Red
        } else if yellow {
            Light::Yellow
        } else {
            reasons.push(format!("计划进度 {planned:.0}%，实际 {progress:.0}%"));
            Light::OnPlan
        }
    };
    Standing {
        light,
        planned_percent: (planned * 100.0).round() / 100.0,
        behind_pp: behind,
        late_days: late,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn plan() -> Vec<Milestone> {
        vec![
            Milestone {
                name: "开工".into(),
                planned: d("2026-03-01"),
                planned_percent: 10.0,
                actual: Some(d("2026-03-01")),
            },
            Milestone {
                name: "主体完工".into(),
                planned: d("2026-09-30"),
                planned_percent: 80.0,
                actual: None,
            },
            Milestone {
                name: "验收".into(),
                planned: d("2026-12-31"),
                planned_percent: 100.0,
                actual: None,
            },
        ]
    }

    #[test]
    fn the_plan_is_read_off_the_milestones() {
        let start = d("2026-01-01");
        assert_eq!(planned_percent(start, &plan(), d("2026-01-01")), 0.0);
        assert_eq!(planned_percent(start, &plan(), d("2026-03-01")), 10.0);
        assert_eq!(planned_percent(start, &plan(), d("2026-09-30")), 80.0);
        assert_eq!(planned_percent(start, &plan(), d("2027-02-01")), 100.0);
        // Halfway between 2026-09-30 (80) and 2026-12-31 (100): 46 of 92 days.
        assert_eq!(planned_percent(start, &plan(), d("2026-11-15")), 90.0);
    }

    #[test]
    fn behind_plan_turns_yellow_at_the_threshold_and_red_beyond() {
        let (r, cal, start) = (Rule::default(), Calendar::china(), d("2026-01-01"));
        // 2026-06-01: planned 10 + 70 × 92/213 = 40.23.
        let s = standing(&r, start, &plan(), 35.0, d("2026-06-01"), &cal);
        assert_eq!(s.light, Light::OnPlan, "{s:?}");
        let s = standing(&r, start, &plan(), 30.23, d("2026-06-01"), &cal);
        assert_eq!((s.light, s.behind_pp), (Light::Yellow, 10.0), "{s:?}");
        let s = standing(&r, start, &plan(), 10.23, d("2026-06-01"), &cal);
        assert_eq!(
            (s.light, s.behind_pp),
            (Light::Yellow, 30.0),
            "exactly 30 is still yellow: {s:?}"
        );
        let s = standing(&r, start, &plan(), 10.22, d("2026-06-01"), &cal);
        assert_eq!(s.light, Light::Red, "{s:?}");
        assert!(s.reasons[0].contains("滞后"), "{s:?}");
    }

    #[test]
    fn a_late_milestone_counts_working_days() {
        let (r, cal, start) = (Rule::default(), Calendar::china(), d("2026-01-01"));
        // 主体完工 planned Wednesday 2026-09-30; 国庆 holidays follow (10-01 … 10-08, with the
        // make-up workdays the calendar has). Progress on plan, so only lateness counts.
        let s = standing(&r, start, &plan(), 80.0, d("2026-09-30"), &cal);
        assert_eq!((s.light, s.late_days), (Light::OnPlan, 0));
        let first_workday = cal.next_workday(d("2026-10-01"));
        let s = standing(&r, start, &plan(), 81.0, first_workday, &cal);
        assert_eq!((s.light, s.late_days), (Light::Yellow, 1), "{s:?}");
        // The 10th working day after the planned date is red, the 9th is not.
        let tenth = cal.add_workdays(d("2026-09-30"), 10);
        let ninth = cal.add_workdays(d("2026-09-30"), 9);
        assert_eq!(
            standing(&r, start, &plan(), 85.0, ninth, &cal).light,
            Light::Yellow
        );
        let s = standing(&r, start, &plan(), 85.0, tenth, &cal);
        assert_eq!((s.light, s.late_days), (Light::Red, 10), "{s:?}");
        assert!(
            s.reasons
                .iter()
                .any(|x| x.contains("主体完工") && x.contains("工作日"))
        );
        // In calendar days, the same date is later.
        let cal_days = Rule {
            working_days: false,
            ..Rule::default()
        };
        assert!(standing(&cal_days, start, &plan(), 85.0, tenth, &cal).late_days > 10);
    }

    #[test]
    fn done_when_every_milestone_is_done_and_progress_is_full() {
        let (r, cal, start) = (Rule::default(), Calendar::china(), d("2026-01-01"));
        let mut ms = plan();
        for m in &mut ms {
            m.actual = Some(m.planned);
        }
        assert_eq!(
            standing(&r, start, &ms, 100.0, d("2027-01-05"), &cal).light,
            Light::Done
        );
        assert_ne!(
            standing(&r, start, &plan(), 100.0, d("2027-01-05"), &cal).light,
            Light::Done
        );
    }

    #[test]
    fn rules_are_checked() {
        assert!(Rule::default().check().is_ok());
        let r = Rule {
            red_behind_pp: 5.0,
            ..Rule::default()
        };
        assert_eq!(r.check().unwrap_err().0, "red_behind_pp");
    }
}
