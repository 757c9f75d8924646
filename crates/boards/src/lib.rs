//! 红黄黑榜 (issue 21): units ranked in public, every month, within peer groups. This crate is the
//! ranking itself — pure functions from the rules (administrators' data) and each unit's metric
//! values to ranks, scores, lists and the reasons a unit reads on the board. The values come from
//! the unit metrics (one formula per number, `app::metrics`); here they are only weighed.
//!
//! The rules follow the documented practice (reference §10: 绵阳, 榆林, 临沂, 银川) and avoid its
//! pitfalls:
//! - **Peer groups** are ranked apart (streets and towns; district departments; utilities).
//! - **Score** = 100 × Σ wᵢ·vᵢ / Σ wᵢ over the metrics the unit has a value for (a rate with no
//!   denominator this month is left out, its weight with it); a rate where lower is better (退单率,
//!   重办率) counts as 1 − rate.
//! - **Minimum sample**: a unit with fewer cases than `min_sample` in the period is not ranked and
//!   never listed — three cases must not put a small unit on the black list.
//! - **Red** (红榜): among the top `red_top` of its group *and* at or above the target.
//! - **Black** (黑榜): below the target *and* either below the floor, or in the bottom
//!   `black_bottom` for the second period running (a first miss is yellow).
//! - **Yellow** (黄榜): below the target and not black.
//! - **Exemptions** (with a reason: force majeure, an accepted appeal) keep a unit off yellow and
//!   black; it is still ranked and may still be red.
//! - Ties share a rank (榆林).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A metric weighed into the score: a unit metric's name (`sign_on_time`, `handle_on_time`,
/// `satisfaction`, `resolution`, `return_rate`, `reopen_rate`, `extension_rate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRule {
    pub name: String,
    pub weight: f64,
    /// 退单率 and 重办率: the lower the better.
    #[serde(default)]
    pub lower_is_better: bool,
}

/// A peer group: the units listed by code, or else every unit in service of the given level and
/// kind (`street`/`hub`: the streets' and towns' centres; `district`/`department`: the district's
/// departments). A unit listed in an explicit group is in no other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub units: Vec<String>,
}

/// A unit kept off yellow and black for a period, with the reason published on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exemption {
    pub unit: String,
    /// `YYYY-MM`.
    pub period: String,
    pub reason: String,
}

/// The board's rules (the `boards` setting; these are the defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    pub groups: Vec<Group>,
    pub metrics: Vec<MetricRule>,
    /// 达标分: a score below it is a miss.
    pub target: f64,
    /// Red: the top N of the group that met the target.
    pub red_top: usize,
    /// Black: the bottom N of the group that missed the target two periods running…
    pub black_bottom: usize,
    /// …or any score below this floor.
    pub black_floor: f64,
    /// Cases (dispatched to the unit's subtree in the period) below which a unit is not ranked.
    pub min_sample: i64,
    /// Days after a draft is computed during which units may appeal.
    pub appeal_days: i64,
    pub exemptions: Vec<Exemption>,
}

impl Default for Rules {
    fn default() -> Self {
        let m = |name: &str, weight: f64, lower_is_better: bool| MetricRule {
            name: name.into(),
            weight,
            lower_is_better,
        };
        Rules {
            groups: vec![
                Group {
                    name: "镇街".into(),
                    level: Some("street".into()),
                    kind: Some("hub".into()),
                    units: vec![],
                },
                Group {
                    name: "区级部门".into(),
                    level: Some("district".into()),
                    kind: Some("department".into()),
                    units: vec![],
                },
            ],
            metrics: vec![
                m("sign_on_time", 15.0, false),
                m("handle_on_time", 25.0, false),
                m("satisfaction", 25.0, false),
                m("resolution", 20.0, false),
                m("return_rate", 7.5, true),
                m("reopen_rate", 7.5, true),
            ],
            target: 85.0,
            red_top: 3,
            black_bottom: 1,
            black_floor: 60.0,
            min_sample: 20,
            appeal_days: 5,
            exemptions: vec![],
        }
    }
}

/// The metric names a rule may weigh, with their Chinese labels.
pub const METRICS: [(&str, &str); 10] = [
    ("sign_on_time", "按时签收率"),
    ("handle_on_time", "按时办结率"),
    ("satisfaction", "满意率"),
    ("resolution", "解决率"),
    ("return_rate", "退单率"),
    ("reopen_rate", "重办率"),
    ("extension_rate", "延期率"),
    // From the key programs: the unit's items' approved progress against their plan.
    ("program_progress", "重点工作进度"),
    // From the visit campaigns: households and enterprises visited against target, and the
    // share of the problems found that were solved.
    ("visit_coverage", "走访覆盖率"),
    ("visit_solved", "走访问题解决率"),
];

pub fn metric_label(name: &str) -> &str {
    METRICS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, l)| l)
}

impl Rules {
    /// What is wrong with these rules, as (field, message in Chinese, in English).
    pub fn check(&self) -> Result<(), (String, String, String)> {
        let bad = |f: &str, zh: String, en: String| Err((f.to_string(), zh, en));
        if self.groups.is_empty() || self.groups.len() > 20 {
            return bad(
                "groups",
                "须有 1 到 20 个分组".into(),
                "1 to 20 groups".into(),
            );
        }
        for (i, g) in self.groups.iter().enumerate() {
            if g.name.trim().is_empty() {
                return bad(
                    &format!("groups[{i}].name"),
                    "分组名称必填".into(),
                    "is required".into(),
                );
            }
            if g.units.is_empty() && g.level.is_none() && g.kind.is_none() {
                return bad(
                    &format!("groups[{i}]"),
                    "须列出单位，或给出层级和类型".into(),
                    "list units, or give a level and kind".into(),
                );
            }
        }
        if self.metrics.is_empty() {
            return bad(
                "metrics",
                "至少一项指标".into(),
                "at least one metric".into(),
            );
        }
        for (i, m) in self.metrics.iter().enumerate() {
            if !METRICS.iter().any(|(n, _)| *n == m.name) {
                return bad(
                    &format!("metrics[{i}].name"),
                    format!(
                        "「{}」不是可用指标，可选：{}",
                        m.name,
                        METRICS.map(|(n, _)| n).join(", ")
                    ),
                    format!(
                        "'{}' is not a metric; use one of {}",
                        m.name,
                        METRICS.map(|(n, _)| n).join(", ")
                    ),
                );
            }
            if !(m.weight.is_finite() && m.weight > 0.0 && m.weight <= 100.0) {
                return bad(
                    &format!("metrics[{i}].weight"),
                    "权重应大于 0、不超过 100".into(),
                    "must be above 0 and at most 100".into(),
                );
            }
        }
        let pct = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if !pct(self.target) {
            return bad(
                "target",
                "应在 0 到 100 之间".into(),
                "must be 0 to 100".into(),
            );
        }
        if !pct(self.black_floor) || self.black_floor > self.target {
            return bad(
                "black_floor",
                "应在 0 到达标分之间".into(),
                "must be from 0 to the target".into(),
            );
        }
        if self.red_top > 50 || self.black_bottom > 50 {
            return bad(
                "red_top",
                "应在 0 到 50 之间".into(),
                "must be 0 to 50".into(),
            );
        }
        if !(1..=100_000).contains(&self.min_sample) {
            return bad(
                "min_sample",
                "应在 1 到 100000 之间".into(),
                "must be 1 to 100000".into(),
            );
        }
        if !(0..=30).contains(&self.appeal_days) {
            return bad(
                "appeal_days",
                "应在 0 到 30 之间".into(),
                "must be 0 to 30".into(),
            );
        }
        Ok(())
    }
}

/// A unit's inputs for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitInput {
    pub unit: String,
    pub name: String,
    /// Cases dispatched to the unit's subtree in the period.
    pub sample: i64,
    /// Each metric's rate (0..=1) as the unit metrics give it; `None` when it has no denominator.
    pub metrics: BTreeMap<String, Option<f64>>,
    /// Kept off yellow and black, with the reason.
    pub exempt: Option<String>,
    /// Missed the target in the previous period's published board.
    pub missed_before: bool,
}

/// A unit's line on the board.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub unit: String,
    pub unit_name: String,
    /// 1 = best; ties share a rank; `None` when not ranked (sample too small).
    pub rank: Option<usize>,
    /// 0..=100, two decimals.
    pub score: Option<f64>,
    /// red | yellow | black
    pub board: Option<&'static str>,
    pub reasons: Vec<String>,
    pub sample: i64,
    pub metrics: BTreeMap<String, Option<f64>>,
}

/// The score of a unit's metrics under the rules, 0..=100 (two decimals); `None` when it has
/// no value for any weighed metric.
pub fn score(rules: &Rules, metrics: &BTreeMap<String, Option<f64>>) -> Option<f64> {
    let mut sum = 0.0;
    let mut weights = 0.0;
    for m in &rules.metrics {
        if let Some(Some(v)) = metrics.get(&m.name) {
            let v = if m.lower_is_better { 1.0 - v } else { *v };
            sum += m.weight * v.clamp(0.0, 1.0);
            weights += m.weight;
        }
    }
    (weights > 0.0).then(|| (sum / weights * 10_000.0).round() / 100.0)
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Ranks one peer group and puts its units on the lists, with the reasons.
pub fn rank_group(rules: &Rules, units: &[UnitInput]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = units
        .iter()
        .map(|u| Entry {
            unit: u.unit.clone(),
            unit_name: u.name.clone(),
            rank: None,
            score: score(rules, &u.metrics),
            board: None,
            reasons: vec![],
            sample: u.sample,
            metrics: u.metrics.clone(),
        })
        .collect();
    // Ranked: enough cases and a score.
    let ranked: Vec<usize> = (0..entries.len())
        .filter(|i| units[*i].sample >= rules.min_sample && entries[*i].score.is_some())
        .collect();
    let mut order = ranked.clone();
    order.sort_by(|a, b| {
        let (sa, sb) = (
            entries[*a].score.unwrap_or_default(),
            entries[*b].score.unwrap_or_default(),
        );
        sb.total_cmp(&sa)
            .then_with(|| entries[*a].unit.cmp(&entries[*b].unit))
    });
    // Ties share a rank: the rank is one more than the count of strictly better scores.
    for &i in &order {
        let s = entries[i].score.unwrap_or_default();
        let better = order
            .iter()
            .filter(|j| entries[**j].score.unwrap_or_default() > s)
            .count();
        entries[i].rank = Some(better + 1);
    }
    let n = order.len();
    for i in 0..entries.len() {
        let u = &units[i];
        let e = &mut entries[i];
        let Some(rank) = e.rank else {
            e.reasons.push(if e.score.is_none() {
                "本期无可计分指标，不参与排名".to_string()
            } else {
                format!(
                    "样本不足（{} 件，少于 {} 件），不参与排名",
                    u.sample, rules.min_sample
                )
            });
            continue;
        };
        let s = e.score.unwrap_or_default();
        e.reasons
            .push(format!("综合得分 {s:.2}，组内第 {rank}/{n} 名"));
        let met = s >= rules.target;
        // Bottom N: fewer than N units score strictly lower.
        let worse = order
            .iter()
            .filter(|j| entries_score(units, rules, **j) < s)
            .count();
        let bottom = rules.black_bottom > 0 && worse < rules.black_bottom;
        if met {
            if rank <= rules.red_top {
                e.board = Some("red");
                e.reasons.push(format!(
                    "达到达标分 {:.0} 且位列组内前 {}",
                    rules.target, rules.red_top
                ));
            }
        } else {
            let weakest = rules
                .metrics
                .iter()
                .filter_map(|m| {
                    u.metrics.get(&m.name).copied().flatten().map(|v| {
                        let good = if m.lower_is_better { 1.0 - v } else { v };
                        (good, m.name.as_str(), v)
                    })
                })
                .min_by(|a, b| a.0.total_cmp(&b.0));
            e.reasons.push(format!("低于达标分 {:.0}", rules.target));
            if let Some((_, name, v)) = weakest {
                e.reasons
                    .push(format!("最弱指标：{} {}", metric_label(name), pct(v)));
            }
            if let Some(why) = &u.exempt {
                e.reasons.push(format!("免于上榜：{why}"));
            } else if s < rules.black_floor {
                e.board = Some("black");
                e.reasons
                    .push(format!("得分低于底线 {:.0}", rules.black_floor));
            } else if bottom && u.missed_before {
                e.board = Some("black");
                e.reasons.push(format!(
                    "位列组内末 {} 名且连续两期未达标",
                    rules.black_bottom
                ));
            } else {
                e.board = Some("yellow");
                if bottom {
                    e.reasons.push("位列组内末位，首次未达标".into());
                }
            }
        }
    }
    entries.sort_by_key(|e| (e.rank.is_none(), e.rank, e.unit.clone()));
    entries
}

fn entries_score(units: &[UnitInput], rules: &Rules, i: usize) -> f64 {
    score(rules, &units[i].metrics).unwrap_or_default()
}

#[cfg(test)]
mod tests;
