//! 工程建设项目审批 (issue 22, item 3): a project passes four stages (立项用地规划许可, 工程建设许可,
//! 施工许可, 竣工验收), each led by one department with reviews by several departments in
//! parallel, one form per stage, and stage limits in working days. Time the applicant spends on a
//! correction (补正) and time an intermediary spends (中介服务: surveying, drawing review) do not
//! count, as the reform's rules say; 联合验收 is the last stage's one parallel round.
//!
//! The counting rule, on working days of the calendar: a review's own working days are those after
//! its start up to its finish on which it was not paused; a stage's are those after its start up to
//! its finish on which at least one of its open reviews was not paused (days on which everything
//! waited for the applicant or an intermediary do not count). The serial comparison is the sum of
//! every review's own working days — the same reviews done one after another — against the sum of
//! the stages' (the "137 → 71" report, from the data).

use calendar_days::Days;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A stage of the process, as data.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StageDef {
    pub code: String,
    pub name: String,
    pub lead_unit: String,
    pub limit_working_days: u32,
    /// 联合验收: the stage's reviews are one joint round.
    #[serde(default)]
    pub joint: bool,
    pub reviews: Vec<ReviewDef>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReviewDef {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub limit_working_days: u32,
}

/// A span a review was paused: from (inclusive) to (exclusive: the day it resumed, or None while
/// still paused), with its reason (`correction` or `intermediary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub kind: String,
    pub from: Date,
    pub to: Option<Date>,
}

/// What the counting needs of a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewSpan {
    pub started: Date,
    pub finished: Option<Date>,
    pub pauses: Vec<Pause>,
}

fn paused_on(r: &ReviewSpan, d: Date) -> bool {
    r.pauses
        .iter()
        .any(|p| p.from <= d && p.to.is_none_or(|to| d < to))
}

fn open_on(r: &ReviewSpan, d: Date) -> bool {
    r.started < d && r.finished.is_none_or(|f| d <= f)
}

/// A review's own working days: after its start, up to its finish (or `today`), not paused.
pub fn review_days(r: &ReviewSpan, today: Date, workday: &dyn Fn(Date) -> bool) -> i64 {
    let end = r.finished.unwrap_or(today);
    Days::after(r.started, end)
        .filter(|d| workday(*d) && !paused_on(r, *d))
        .count() as i64
}

/// A stage's working days: after its start, up to its finish (or `today`), on which some open
/// review was not paused.
pub fn stage_days(
    started: Date,
    finished: Option<Date>,
    reviews: &[ReviewSpan],
    today: Date,
    workday: &dyn Fn(Date) -> bool,
) -> i64 {
    let end = finished.unwrap_or(today);
    Days::after(started, end)
        .filter(|d| workday(*d) && reviews.iter().any(|r| open_on(r, *d) && !paused_on(r, *d)))
        .count() as i64
}

mod calendar_days {
    use jiff::civil::Date;

    /// The days after `from` up to `to` (inclusive), at most ten years of them.
    pub struct Days {
        next: Option<Date>,
        to: Date,
        left: u32,
    }

    impl Days {
        pub fn after(from: Date, to: Date) -> Days {
            Days {
                next: from.tomorrow().ok(),
                to,
                left: 3660,
            }
        }
    }

    impl Iterator for Days {
        type Item = Date;
        fn next(&mut self) -> Option<Date> {
            let d = self.next?;
            if d > self.to || self.left == 0 {
                return None;
            }
            self.left -= 1;
            self.next = d.tomorrow().ok();
            Some(d)
        }
    }
}

/// Problems of a process definition: four stages or more is not required, but every stage needs a
/// lead and at least one review, codes unique, units known.
pub fn validate_process(stages: &[StageDef], unit_exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut codes = std::collections::BTreeSet::new();
    if stages.is_empty() {
        out.push("流程须至少有一个阶段".to_string());
    }
    for (i, s) in stages.iter().enumerate() {
        if !codes.insert(s.code.clone()) {
            out.push(format!("stages[{i}].code 重复"));
        }
        if !unit_exists(&s.lead_unit) {
            out.push(format!(
                "stages[{i}].lead_unit「{}」不在组织机构中",
                s.lead_unit
            ));
        }
        if s.reviews.is_empty() {
            out.push(format!("stages[{i}] 须至少有一项审查"));
        }
        for (j, r) in s.reviews.iter().enumerate() {
            if !codes.insert(r.code.clone()) {
                out.push(format!("stages[{i}].reviews[{j}].code 重复"));
            }
            if !unit_exists(&r.unit) {
                out.push(format!(
                    "stages[{i}].reviews[{j}].unit「{}」不在组织机构中",
                    r.unit
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }
    /// Monday to Friday, and 2026-10-01..07 off with Saturday 10-10 worked.
    fn workday(x: Date) -> bool {
        if x >= d("2026-10-01") && x <= d("2026-10-07") {
            return false;
        }
        if x == d("2026-10-10") {
            return true;
        }
        !matches!(
            x.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        )
    }

    #[test]
    fn a_review_counts_its_working_days_without_its_pauses() {
        // Mon 11-02 → Fri 11-13: 9 working days after the start; paused Wed 11-04 to Mon 11-09
        // (11-04, 11-05, 11-06 off): 6.
        let r = ReviewSpan {
            started: d("2026-11-02"),
            finished: Some(d("2026-11-13")),
            pauses: vec![Pause {
                kind: "correction".into(),
                from: d("2026-11-04"),
                to: Some(d("2026-11-09")),
            }],
        };
        assert_eq!(review_days(&r, d("2026-12-01"), &workday), 6);
        // Across the holiday: 09-30 → 10-12 is 09-... 10-08, 10-09, 10-10, 10-12 = 4.
        let r = ReviewSpan {
            started: d("2026-09-30"),
            finished: Some(d("2026-10-12")),
            pauses: vec![],
        };
        assert_eq!(review_days(&r, d("2026-12-01"), &workday), 4);
    }

    #[test]
    fn a_stage_counts_days_on_which_some_review_was_at_work() {
        // Stage from Mon 11-02. Review A: 11-02 → 11-06 (4 days: 03..06). Review B: 11-02 → 11-13,
        // with an intermediary 11-03 to 11-10. Days 03..06: A at work. 09: A finished, B paused: no.
        // 10..13: B at work (4). Stage: 4 + 4 = 8; serial: A 4 + B (03..13 = 9 working days,
        // paused 03..06 and 09 = 5) 4 = 8? B's own: 10, 11, 12, 13 = 4.
        let a = ReviewSpan {
            started: d("2026-11-02"),
            finished: Some(d("2026-11-06")),
            pauses: vec![],
        };
        let b = ReviewSpan {
            started: d("2026-11-02"),
            finished: Some(d("2026-11-13")),
            pauses: vec![Pause {
                kind: "intermediary".into(),
                from: d("2026-11-03"),
                to: Some(d("2026-11-10")),
            }],
        };
        let today = d("2026-12-01");
        assert_eq!(review_days(&a, today, &workday), 4);
        assert_eq!(review_days(&b, today, &workday), 4);
        assert_eq!(
            stage_days(
                d("2026-11-02"),
                Some(d("2026-11-13")),
                &[a.clone(), b],
                today,
                &workday
            ),
            8
        );
        // Two reviews fully in parallel: the stage is as long as the longer.
        let c = ReviewSpan {
            started: d("2026-11-02"),
            finished: Some(d("2026-11-04")),
            pauses: vec![],
        };
        assert_eq!(
            stage_days(
                d("2026-11-02"),
                Some(d("2026-11-06")),
                &[a, c],
                today,
                &workday
            ),
            4
        );
    }
}
