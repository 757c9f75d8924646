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
    WorkingDays(u32),
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
    /// Longest extension a handler may ask for, in working days.
    pub extension_max_days: u32,
    /// How many extensions a case may get.
    pub extension_times: u32,
    /// 临期: a clock is "near due" when less than this share of its time is left.
    pub near_due_share: f64,
}

/// One row of the policy table; `None` matches any value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRule {
    pub nature: Option<Nature>,
    pub urgency: Option<Urgency>,
    pub clocks: Clocks,
}

/// The policy table. The most specific matching rule wins (nature and urgency both set beats one
/// set beats none); ties go to the later rule so an admin's override appended last wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub rules: Vec<PolicyRule>,
}

const STANDARD: Clocks = Clocks {
    sign: Limit::WorkingDays(1),
    handle: Limit::WorkingDays(5),
    follow_up: Limit::WorkingDays(2),
    extension_max_days: 10,
    extension_times: 1,
    near_due_share: 0.2,
};

impl Default for Policy {
    fn default() -> Self {
        let with = |sign, handle| Clocks {
            sign,
            handle,
            ..STANDARD
        };
        Policy {
            rules: vec![
                PolicyRule {
                    nature: None,
                    urgency: None,
                    clocks: STANDARD,
                },
                PolicyRule {
                    nature: Some(Nature::Consult),
                    urgency: None,
                    clocks: with(Limit::WorkingDays(1), Limit::WorkingDays(1)),
                },
                PolicyRule {
                    nature: Some(Nature::Suggestion),
                    urgency: None,
                    clocks: with(Limit::WorkingDays(1), Limit::WorkingDays(10)),
                },
                PolicyRule {
                    nature: None,
                    urgency: Some(Urgency::Urgent),
                    clocks: with(Limit::Minutes(30), Limit::Minutes(24 * 60)),
                },
                PolicyRule {
                    nature: None,
                    urgency: Some(Urgency::Critical),
                    clocks: with(Limit::Minutes(15), Limit::Minutes(12 * 60)),
                },
            ],
        }
    }
}

impl Policy {
    pub fn clocks_for(&self, nature: Nature, urgency: Urgency) -> Clocks {
        let mut best: Option<(u8, &PolicyRule)> = None;
        for rule in &self.rules {
            if rule.nature.is_some_and(|n| n != nature)
                || rule.urgency.is_some_and(|u| u != urgency)
            {
                continue;
            }
            // Urgency outranks nature: an urgent consultation still runs on the urgent clock.
            let rank = u8::from(rule.nature.is_some()) + 2 * u8::from(rule.urgency.is_some());
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
            clocks: custom,
        });
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
