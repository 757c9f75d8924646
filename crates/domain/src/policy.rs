//! Time-limit policy (时限规则): which clocks a case runs under, by nature × urgency.
//!
//! It is data, not constants: the defaults below follow the practice documented in
//! `shared/reference/governance-practice.md` §3 (sign 1 working day, handle 5, 咨询 1, extension at
//! most 10 working days once, follow-up 2; urgent cases on calendar minutes as in Tianjin's rules),
//! and admins may replace them.

use crate::{Nature, Urgency};
use serde::{Deserialize, Serialize};

/// A time limit: counted on the working-day calendar, or in plain calendar minutes (urgent work
/// does not stop for weekends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "snake_case")]
pub enum Limit {
    /// Whole working days on the calendar; due at the end of the last one.
    WorkingDays(u32),
    /// Minutes of working time (inside the configured working hours of working days).
    WorkingMinutes(u32),
    /// Calendar minutes, day and night.
    Minutes(u32),
}

/// The clocks of one case.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Clocks {
    /// 签收时限, from dispatch.
    pub sign: Limit,
    /// 办理时限, from signing (or from reopening).
    pub handle: Limit,
    /// 回访时限, from resolution.
    pub follow_up: Limit,
    /// 退单时限: how long after dispatch a unit may return a case (the sign-for window by default).
    #[serde(default = "default_return_window")]
    pub return_window: Option<Limit>,
    /// Longest extension a handler may ask for, in working days.
    pub extension_max_days: u32,
    /// How many extensions a case may get.
    pub extension_times: u32,
    /// 临期: a clock is "near due" when less than this share of its time is left.
    pub near_due_share: f64,
    /// 无法回访: after this many follow-up attempts that did not reach the citizen, the case
    /// closes without a rating.
    #[serde(default = "default_follow_up_attempts")]
    pub follow_up_attempts: u32,
}

fn default_return_window() -> Option<Limit> {
    None
}

/// Three tries (the usual 12345 practice: call at different times of day, then close as
/// 无法回访).
pub fn default_follow_up_attempts() -> u32 {
    3
}

/// One row of the policy table; `None` matches any value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRule {
    #[serde(default)]
    pub nature: Option<Nature>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    /// `一级/二级`, or a `一级` prefix.
    #[serde(default)]
    pub category: Option<String>,
    /// Region code prefix.
    #[serde(default)]
    pub region: Option<String>,
    pub clocks: Clocks,
}

/// Which clock of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    Sign,
    Handle,
    FollowUp,
}

impl ClockKind {
    pub fn code(self) -> &'static str {
        match self {
            ClockKind::Sign => "sign",
            ClockKind::Handle => "handle",
            ClockKind::FollowUp => "follow_up",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ClockKind::Sign => "签收",
            ClockKind::Handle => "办理",
            ClockKind::FollowUp => "回访",
        }
    }
}

/// What an automatic escalation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationAction {
    /// 催办: counted on the case; the unit lead is notified.
    Urge,
    /// 督办: the case is flagged; supervisors are notified.
    Supervise,
}

/// An automatic escalation: `after` past the due instant of `clock`, take `action` (once per clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EscalationRule {
    pub clock: ClockKind,
    pub after: Limit,
    pub action: EscalationAction,
}

/// Not signed 2 hours after the sign-for deadline → 催办; 3 working days past the handling
/// deadline → 督办.
pub fn default_escalations() -> Vec<EscalationRule> {
    vec![
        EscalationRule {
            clock: ClockKind::Sign,
            after: Limit::Minutes(120),
            action: EscalationAction::Urge,
        },
        EscalationRule {
            clock: ClockKind::Handle,
            after: Limit::WorkingDays(3),
            action: EscalationAction::Supervise,
        },
    ]
}

/// A span of the working day, minutes after midnight (Asia/Shanghai).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkPeriod {
    pub start: u16,
    pub end: u16,
}

/// The default working hours: 08:30–12:00 and 13:30–17:30.
pub fn default_working_hours() -> Vec<WorkPeriod> {
    vec![
        WorkPeriod {
            start: 8 * 60 + 30,
            end: 12 * 60,
        },
        WorkPeriod {
            start: 13 * 60 + 30,
            end: 17 * 60 + 30,
        },
    ]
}

/// Parses `08:30-12:00` (or with `–`/`~`) into a period.
pub fn parse_work_period(s: &str) -> Option<WorkPeriod> {
    let (a, b) = s.split_once(['-', '–', '~'])?;
    let hm = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
        (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    };
    let (start, end) = (hm(a)?, hm(b)?);
    (start < end).then_some(WorkPeriod { start, end })
}

/// The policy table. The most specific matching rule wins (nature and urgency both set beats one
/// set beats none); ties go to the later rule so an admin's override appended last wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub rules: Vec<PolicyRule>,
    /// Working hours for `WorkingMinutes` limits, sorted and not overlapping.
    #[serde(default = "default_working_hours")]
    pub working_hours: Vec<WorkPeriod>,
    /// Automatic escalations applied by the deadline sweeper.
    #[serde(default = "default_escalations")]
    pub escalations: Vec<EscalationRule>,
}

const STANDARD: Clocks = Clocks {
    sign: Limit::WorkingDays(1),
    handle: Limit::WorkingDays(5),
    follow_up: Limit::WorkingDays(2),
    return_window: None,
    extension_max_days: 10,
    extension_times: 1,
    near_due_share: 0.2,
    follow_up_attempts: 3,
};

impl Default for Policy {
    fn default() -> Self {
        let with = |sign, handle| Clocks {
            sign,
            handle,
            ..STANDARD
        };
        let rule = |nature, urgency, clocks| PolicyRule {
            nature,
            urgency,
            category: None,
            region: None,
            clocks,
        };
        Policy {
            working_hours: default_working_hours(),
            escalations: default_escalations(),
            rules: vec![
                rule(None, None, STANDARD),
                rule(
                    Some(Nature::Consult),
                    None,
                    with(Limit::WorkingDays(1), Limit::WorkingDays(1)),
                ),
                rule(
                    Some(Nature::Suggestion),
                    None,
                    with(Limit::WorkingDays(1), Limit::WorkingDays(10)),
                ),
                rule(
                    None,
                    Some(Urgency::Urgent),
                    with(Limit::Minutes(30), Limit::Minutes(24 * 60)),
                ),
                rule(
                    None,
                    Some(Urgency::Critical),
                    with(Limit::Minutes(15), Limit::Minutes(12 * 60)),
                ),
            ],
        }
    }
}

impl Policy {
    pub fn clocks_for(&self, nature: Nature, urgency: Urgency) -> Clocks {
        self.clocks_for_case(nature, urgency, "", "")
    }

    /// The clocks of a case: the most specific matching rule wins; ties go to the later rule so
    /// an override appended last wins. Specificity: urgency outranks category, which outranks
    /// nature, which outranks region (an urgent consultation still runs on the urgent clock; a
    /// region's rule refines a category's, it does not override it).
    pub fn clocks_for_case(
        &self,
        nature: Nature,
        urgency: Urgency,
        category: &str,
        region: &str,
    ) -> Clocks {
        let mut best: Option<(u8, &PolicyRule)> = None;
        for rule in &self.rules {
            let category_matches = |c: &str| {
                category == c
                    || category
                        .strip_prefix(c)
                        .is_some_and(|rest| rest.starts_with('/'))
            };
            if rule.nature.is_some_and(|n| n != nature)
                || rule.urgency.is_some_and(|u| u != urgency)
                || rule
                    .category
                    .as_deref()
                    .is_some_and(|c| !category_matches(c))
                || rule
                    .region
                    .as_deref()
                    .is_some_and(|r| !region.starts_with(r))
            {
                continue;
            }
            let rank = u8::from(rule.region.is_some())
                + 2 * u8::from(rule.nature.is_some())
                + 4 * u8::from(rule.category.is_some())
                + 8 * u8::from(rule.urgency.is_some());
            if best.is_none_or(|(r, _)| rank >= r) {
                best = Some((rank, rule));
            }
        }
        best.map_or(STANDARD, |(_, r)| r.clocks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_periods_parse() {
        assert_eq!(
            parse_work_period("08:30-12:00"),
            Some(WorkPeriod {
                start: 510,
                end: 720
            })
        );
        assert_eq!(
            parse_work_period("13:30–17:30"),
            Some(WorkPeriod {
                start: 810,
                end: 1050
            })
        );
        assert_eq!(parse_work_period("12:00-08:30"), None);
        assert_eq!(parse_work_period("25:00-26:00"), None);
    }

    #[test]
    fn policy_round_trips_as_json() {
        let p = Policy::default();
        let text = serde_json::to_string_pretty(&p).unwrap_or_default();
        let back: Policy = serde_json::from_str(&text).unwrap_or_else(|_| Policy {
            rules: vec![],
            working_hours: vec![],
            escalations: vec![],
        });
        assert_eq!(back, p);
    }

    #[test]
    fn defaults_follow_practice() {
        let p = Policy::default();
        let c = p.clocks_for(Nature::Complaint, Urgency::Normal);
        assert_eq!(
            (c.sign, c.handle),
            (Limit::WorkingDays(1), Limit::WorkingDays(5))
        );
        assert_eq!(
            p.clocks_for(Nature::Consult, Urgency::Normal).handle,
            Limit::WorkingDays(1)
        );
        assert_eq!(
            p.clocks_for(Nature::Consult, Urgency::Urgent).sign,
            Limit::Minutes(30)
        );
        assert_eq!(
            p.clocks_for(Nature::Help, Urgency::Critical).sign,
            Limit::Minutes(15)
        );
        assert_eq!(c.extension_max_days, 10);
    }

    #[test]
    fn most_specific_rule_wins_and_later_overrides() {
        let mut p = Policy::default();
        let custom = Clocks {
            handle: Limit::WorkingDays(3),
            ..STANDARD
        };
        p.rules.push(PolicyRule {
            nature: Some(Nature::Complaint),
            urgency: Some(Urgency::Normal),
            category: None,
            region: None,
            clocks: custom,
        });
        let mut q = Policy::default();
        q.rules.push(PolicyRule {
            nature: None,
            urgency: None,
            category: Some("水电气".into()),
            region: None,
            clocks: Clocks {
                handle: Limit::WorkingMinutes(8 * 60),
                ..STANDARD
            },
        });
        assert_eq!(
            q.clocks_for_case(Nature::Help, Urgency::Normal, "水电气/供水", "330188001")
                .handle,
            Limit::WorkingMinutes(480)
        );
        assert_eq!(
            q.clocks_for_case(Nature::Help, Urgency::Normal, "水电气供水/x", "330188001")
                .handle,
            Limit::WorkingDays(5),
            "prefix is by whole level"
        );
        assert_eq!(
            q.clocks_for_case(Nature::Help, Urgency::Urgent, "水电气/供水", "330188001")
                .handle,
            Limit::Minutes(24 * 60)
        );
        assert_eq!(
            p.clocks_for(Nature::Complaint, Urgency::Normal).handle,
            Limit::WorkingDays(3)
        );
        assert_eq!(
            p.clocks_for(Nature::Help, Urgency::Normal).handle,
            Limit::WorkingDays(5)
        );
    }
}
