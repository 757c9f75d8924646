//! Pre-aggregated counters for the leaders' cockpit (驾驶舱).
//!
//! Counting a year of a district's cases from the case rows means reading millions of rows per
//! request. Instead every case contributes to a few tally rows, and every write moves the case's
//! contribution from its old tally rows to its new ones in the same transaction as the case row
//! (`delta(old, new)`), so the tallies are always exactly a recount of the cases. A period is then
//! answered from whole months plus the days at either edge (`Span::cover`): a year reads twelve
//! month buckets instead of three hundred and sixty-five days.
//!
//! The definitions mirror the live queries over the case rows (and are tested against them):
//! the period is the Shanghai date of `reported_at`; the street is the first nine digits of the
//! region code; on time means `signed_at <= sign_due` / `resolved_at <= handle_due`; a case counts
//! towards satisfaction when it has a rating and a closing instant, in the month it was closed.

use crate::Case;
use crate::enums::Satisfaction;

const DAY_MS: i64 = 86_400_000;
/// Asia/Shanghai is UTC+8 all year (no daylight saving).
const SHANGHAI_OFFSET_MS: i64 = 8 * 3_600_000;

/// How finely a tally row's bucket divides time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grain {
    /// The daily series of new cases per street (volume over time).
    Series,
    /// One Shanghai day, every dimension.
    Day,
    /// One calendar month, every dimension.
    Month,
}

impl Grain {
    pub fn code(self) -> &'static str {
        match self {
            Grain::Series => "s",
            Grain::Day => "d",
            Grain::Month => "m",
        }
    }
}

/// The row a case's contribution lands in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TallyKey {
    pub grain: Grain,
    /// Shanghai day number (days since 1970-01-01) for `Series`/`Day`, month index
    /// (`year * 12 + month - 1`) for `Month`.
    pub bucket: i64,
    /// First nine digits of the region code (the street or town).
    pub street: String,
    /// Category code; empty in `Series` rows.
    pub category: String,
    /// Main unit; empty when the case has none (and in `Series` rows).
    pub unit: String,
    /// Month index of the closing instant of a rated case; 0 when not rated (and in `Series` rows).
    pub closed_month: i64,
}

/// Counters of one tally row. Deltas may be negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TallyCounts {
    pub cases: i64,
    pub signed: i64,
    pub signed_on_time: i64,
    pub resolved: i64,
    pub resolved_on_time: i64,
    pub rated: i64,
    pub satisfied: i64,
}

impl TallyCounts {
    fn add(&mut self, o: &TallyCounts, sign: i64) {
        self.cases += sign * o.cases;
        self.signed += sign * o.signed;
        self.signed_on_time += sign * o.signed_on_time;
        self.resolved += sign * o.resolved;
        self.resolved_on_time += sign * o.resolved_on_time;
        self.rated += sign * o.rated;
        self.satisfied += sign * o.satisfied;
    }

    /// The sum of two rows' counters.
    pub fn plus(&self, o: &TallyCounts) -> TallyCounts {
        let mut out = *self;
        out.add(o, 1);
        out
    }

    pub fn is_zero(&self) -> bool {
        *self == TallyCounts::default()
    }
}

/// Shanghai day number of an instant (epoch ms).
pub fn shanghai_day(ms: i64) -> i64 {
    (ms + SHANGHAI_OFFSET_MS).div_euclid(DAY_MS)
}

/// Civil (year, month, day) of a day number (proleptic Gregorian; Hinnant's algorithm).
pub fn civil_of_day(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Day number of a civil date.
pub fn day_of_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Month index (`year * 12 + month - 1`) of a day number.
pub fn month_of_day(day: i64) -> i64 {
    let (y, m, _) = civil_of_day(day);
    y * 12 + m - 1
}

/// First day number of a month index.
pub fn first_day_of_month(month: i64) -> i64 {
    day_of_civil(month.div_euclid(12), month.rem_euclid(12) + 1, 1)
}

/// The street code of a region code (its first nine characters).
pub fn street_of(region: &str) -> &str {
    region.get(..9).unwrap_or(region)
}

/// The fields of a case that its tallies depend on (what the case row's columns hold).
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub reported_at: i64,
    pub region: String,
    pub category: String,
    pub unit: Option<String>,
    pub signed_at: Option<i64>,
    pub sign_due: Option<i64>,
    pub resolved_at: Option<i64>,
    pub handle_due: Option<i64>,
    pub satisfaction: Option<Satisfaction>,
    pub closed_at: Option<i64>,
}

impl From<&Case> for Facts {
    fn from(c: &Case) -> Facts {
        Facts {
            reported_at: c.reported_at,
            region: c.location.region.clone(),
            category: c.category.clone(),
            unit: c.unit.clone(),
            signed_at: c.signed_at,
            sign_due: c.sign_due,
            resolved_at: c.resolved_at,
            handle_due: c.handle_due,
            satisfaction: c.satisfaction,
            closed_at: c.closed_at,
        }
    }
}

/// The tally rows a case counts in, with what it adds to each.
pub fn contributions(c: &Case) -> Vec<(TallyKey, TallyCounts)> {
    contributions_of(&Facts::from(c))
}

/// The tally rows a case with these facts counts in, with what it adds to each.
pub fn contributions_of(c: &Facts) -> Vec<(TallyKey, TallyCounts)> {
    let day = shanghai_day(c.reported_at);
    let street = street_of(&c.region).to_string();
    let on_time =
        |at: Option<i64>, due: Option<i64>| matches!((at, due), (Some(a), Some(d)) if a <= d);
    let rated = c.satisfaction.is_some() && c.closed_at.is_some();
    let counts = TallyCounts {
        cases: 1,
        signed: i64::from(c.signed_at.is_some()),
        signed_on_time: i64::from(on_time(c.signed_at, c.sign_due)),
        resolved: i64::from(c.resolved_at.is_some()),
        resolved_on_time: i64::from(on_time(c.resolved_at, c.handle_due)),
        rated: i64::from(rated),
        satisfied: i64::from(
            rated
                && matches!(
                    c.satisfaction,
                    Some(Satisfaction::Satisfied | Satisfaction::BasicallySatisfied)
                ),
        ),
    };
    let closed_month = match (rated, c.closed_at) {
        (true, Some(at)) => month_of_day(shanghai_day(at)),
        _ => 0,
    };
    let key = |grain: Grain, bucket: i64| TallyKey {
        grain,
        bucket,
        street: street.clone(),
        category: c.category.clone(),
        unit: c.unit.clone().unwrap_or_default(),
        closed_month,
    };
    vec![
        (
            TallyKey {
                grain: Grain::Series,
                bucket: day,
                street: street.clone(),
                category: String::new(),
                unit: String::new(),
                closed_month: 0,
            },
            TallyCounts {
                cases: 1,
                ..TallyCounts::default()
            },
        ),
        (key(Grain::Day, day), counts),
        (key(Grain::Month, month_of_day(day)), counts),
    ]
}

/// What a write changes in the tallies: the new case's contributions minus the old one's, merged
/// per row, without rows that do not change. Sorted by key, so that concurrent writers lock tally
/// rows in one order.
pub fn delta(old: Option<&Case>, new: Option<&Case>) -> Vec<(TallyKey, TallyCounts)> {
    let mut out: Vec<(TallyKey, TallyCounts)> = Vec::new();
    merge_into(&mut out, old, -1);
    merge_into(&mut out, new, 1);
    normalize(out)
}

fn merge_into(out: &mut Vec<(TallyKey, TallyCounts)>, c: Option<&Case>, sign: i64) {
    if let Some(c) = c {
        for (k, v) in contributions(c) {
            let mut d = TallyCounts::default();
            d.add(&v, sign);
            out.push((k, d));
        }
    }
}

/// Sums deltas per key, drops zero rows and sorts by key.
pub fn normalize(deltas: Vec<(TallyKey, TallyCounts)>) -> Vec<(TallyKey, TallyCounts)> {
    let mut map: std::collections::BTreeMap<TallyKey, TallyCounts> =
        std::collections::BTreeMap::new();
    for (k, v) in deltas {
        map.entry(k).or_default().add(&v, 1);
    }
    map.into_iter().filter(|(_, v)| !v.is_zero()).collect()
}

/// A run of buckets of one grain, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub grain: Grain,
    pub from: i64,
    pub to: i64,
}

impl Span {
    /// Covers the Shanghai days `first..=last` with as few buckets as possible: the whole months
    /// inside, and the days before the first and after the last whole month.
    pub fn cover(first: i64, last: i64) -> Vec<Span> {
        if first > last {
            return vec![];
        }
        let mut spans = Vec::new();
        // First whole month: the month of `first` if it starts there, else the next one.
        let mut m0 = month_of_day(first);
        if first_day_of_month(m0) != first {
            m0 += 1;
        }
        // Last whole month: the month of `last` if it ends there, else the one before.
        let mut m1 = month_of_day(last);
        if first_day_of_month(m1 + 1) - 1 != last {
            m1 -= 1;
        }
        if m0 > m1 {
            spans.push(Span {
                grain: Grain::Day,
                from: first,
                to: last,
            });
            return spans;
        }
        let head_end = first_day_of_month(m0) - 1;
        if first <= head_end {
            spans.push(Span {
                grain: Grain::Day,
                from: first,
                to: head_end,
            });
        }
        spans.push(Span {
            grain: Grain::Month,
            from: m0,
            to: m1,
        });
        let tail_start = first_day_of_month(m1 + 1);
        if tail_start <= last {
            spans.push(Span {
                grain: Grain::Day,
                from: tail_start,
                to: last,
            });
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_over_centuries() {
        for z in -800_000..800_000 {
            let (y, m, d) = civil_of_day(z);
            assert_eq!(day_of_civil(y, m, d), z);
        }
        assert_eq!(civil_of_day(0), (1970, 1, 1));
        assert_eq!(civil_of_day(day_of_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(month_of_day(day_of_civil(2026, 11, 30)), 2026 * 12 + 10);
    }

    #[test]
    fn shanghai_day_turns_at_local_midnight() {
        // 2026-11-24 15:59:59.999 UTC is 23:59:59.999 in Shanghai; one ms later is the 25th.
        let midnight_utc = day_of_civil(2026, 11, 24) * DAY_MS;
        let local_end = midnight_utc + 16 * 3_600_000 - 1;
        assert_eq!(shanghai_day(local_end), day_of_civil(2026, 11, 24));
        assert_eq!(shanghai_day(local_end + 1), day_of_civil(2026, 11, 25));
    }

    #[test]
    fn cover_uses_whole_months_and_edge_days() {
        let d = day_of_civil;
        // A calendar year: twelve months, no days.
        assert_eq!(
            Span::cover(d(2025, 11, 1), d(2026, 10, 31)),
            vec![Span {
                grain: Grain::Month,
                from: 2025 * 12 + 10,
                to: 2026 * 12 + 9
            }]
        );
        // Mid-month to mid-month: head days, months, tail days, covering every day once.
        for (a, b) in [
            (d(2026, 1, 15), d(2026, 4, 10)),
            (d(2026, 2, 3), d(2026, 2, 20)),
            (d(2026, 2, 1), d(2026, 2, 28)),
            (d(2024, 2, 1), d(2024, 2, 28)),
            (d(2025, 12, 31), d(2026, 1, 1)),
            (d(2026, 3, 1), d(2026, 3, 1)),
        ] {
            let mut days = Vec::new();
            for s in Span::cover(a, b) {
                match s.grain {
                    Grain::Day => days.extend(s.from..=s.to),
                    Grain::Month => {
                        for m in s.from..=s.to {
                            days.extend(first_day_of_month(m)..first_day_of_month(m + 1));
                        }
                    }
                    Grain::Series => unreachable!(),
                }
            }
            assert_eq!(days, (a..=b).collect::<Vec<_>>(), "{a}..{b}");
        }
        assert!(Span::cover(5, 4).is_empty());
    }

    fn case_at(reported_at: i64) -> Case {
        Case::registered(
            crate::Intake {
                id: uuid::Uuid::now_v7(),
                title: "t".into(),
                description: "d".into(),
                nature: crate::Nature::Complaint,
                category: "城市管理/市容环境".into(),
                urgency: crate::Urgency::Normal,
                source: crate::Source::Phone,
                reporter: crate::Reporter {
                    name: "n".into(),
                    phone: "13800000000".into(),
                    email: None,
                },
                location: crate::Location {
                    address: "a".into(),
                    region: "330188001001".into(),
                    lat: None,
                    lon: None,
                },
                reported_at,
                hub: "330188".into(),
                created_by: None,
                risk_level: "none".into(),
            },
            reported_at,
        )
    }

    #[test]
    fn a_new_case_counts_once_in_each_grain() {
        let t = day_of_civil(2026, 11, 24) * DAY_MS + 2 * 3_600_000; // 10:00 Shanghai
        let d = delta(None, Some(&case_at(t)));
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|(_, v)| v.cases == 1 && v.signed == 0));
        let day = d
            .iter()
            .find(|(k, _)| k.grain == Grain::Day)
            .map(|(k, _)| k);
        assert_eq!(
            day.map(|k| (k.bucket, k.street.as_str(), k.unit.as_str())),
            Some((day_of_civil(2026, 11, 24), "330188001", ""))
        );
    }

    #[test]
    fn a_transition_moves_only_what_changed() {
        let t = day_of_civil(2026, 11, 24) * DAY_MS;
        let old = case_at(t);
        let mut new = old.clone();
        new.unit = Some("330188cgj".into());
        new.sign_due = Some(t + 10);
        new.signed_at = Some(t + 5);
        let d = delta(Some(&old), Some(&new));
        // The series row does not change; day and month rows move from unit "" to the unit.
        assert!(d.iter().all(|(k, _)| k.grain != Grain::Series));
        assert_eq!(d.len(), 4);
        let plus: Vec<_> = d.iter().filter(|(k, _)| k.unit == "330188cgj").collect();
        assert!(
            plus.iter()
                .all(|(_, v)| v.cases == 1 && v.signed == 1 && v.signed_on_time == 1)
        );
        let minus: Vec<_> = d.iter().filter(|(k, _)| k.unit.is_empty()).collect();
        assert!(minus.iter().all(|(_, v)| v.cases == -1 && v.signed == 0));
        // Late signing is signed but not on time; rating counts in the month of closing.
        let mut late = new.clone();
        late.signed_at = Some(t + 11);
        late.satisfaction = Some(Satisfaction::Unsatisfied);
        late.closed_at = Some(day_of_civil(2026, 12, 2) * DAY_MS);
        let c = contributions(&late);
        assert_eq!(c[1].1.signed_on_time, 0);
        assert_eq!((c[1].1.rated, c[1].1.satisfied), (1, 0));
        assert_eq!(c[2].0.closed_month, 2026 * 12 + 11);
        assert!(delta(Some(&late), Some(&late)).is_empty());
    }
}
