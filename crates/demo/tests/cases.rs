#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap, HashSet};

use demo::{CaseSpec, District, Fate, Step, TAXONOMY, case_stream, cases, district};

/// 2025-06-16 10:00 Beijing time, a Monday.
const NOW: i64 = 1_750_039_200_000;
const DAY: i64 = 86_400_000;

fn share<F: Fn(&CaseSpec) -> bool>(cs: &[CaseSpec], f: F) -> f64 {
    cs.iter().filter(|c| f(c)).count() as f64 / cs.len() as f64
}

fn assert_between(what: &str, x: f64, lo: f64, hi: f64) {
    assert!(
        (lo..=hi).contains(&x),
        "{what}: {:.2}% not in {lo}..{hi}",
        x * 100.0
    );
}

fn sample() -> (District, Vec<CaseSpec>) {
    let d = district();
    let cs = cases(2024, 5000, NOW, &d);
    (d, cs)
}

#[test]
fn deterministic_per_seed_and_stable_prefix() {
    let d = district();
    let a = cases(7, 300, NOW, &d);
    let b = cases(7, 300, NOW, &d);
    assert_eq!(a, b);
    let c = cases(8, 300, NOW, &d);
    assert_ne!(a, c);
    // The stream is the same sequence, and case i does not depend on n: the first 100 of a
    // stream of 300 are the 100 of a shorter stream, each where time puts it.
    let s: Vec<CaseSpec> = case_stream(7, 300, NOW, &d).collect();
    assert_eq!(a, s);
    let fewer = cases(7, 100, NOW, &d);
    assert!(
        fewer.iter().all(|c| a.contains(c)),
        "a shorter stream is a subset"
    );
    // In the order of reporting (to the second), as a district registers them.
    for w in a.windows(2) {
        assert!(
            w[0].reported_at_ms / 1000 <= w[1].reported_at_ms / 1000,
            "{} after {}",
            w[1].reported_at_ms,
            w[0].reported_at_ms
        );
    }
    let stream = case_stream(7, 300, NOW, &d);
    assert_eq!(stream.len(), 300);
}

#[test]
fn an_empty_district_yields_nothing() {
    let empty = District { units: vec![] };
    assert_eq!(case_stream(1, 10, NOW, &empty).count(), 0);
}

#[test]
fn every_category_appears_and_departments_match() {
    let (d, cs) = sample();
    let seen: HashSet<&str> = cs.iter().map(|c| c.category).collect();
    for (category, dept) in TAXONOMY {
        assert!(seen.contains(category), "{category} missing");
        for c in cs.iter().filter(|c| c.category == *category) {
            assert_eq!(c.department, *dept);
        }
    }
    // Land disputes happen in villages.
    for c in cs.iter().filter(|c| c.category == "邻里纠纷/土地山林") {
        assert!(d.get(&c.region).unwrap().is_village(), "{}", c.region);
    }
}

#[test]
fn nature_source_and_urgency_mixes() {
    let (_, cs) = sample();
    let nature = |n: &'static str| share(&cs, move |c| c.nature == n);
    assert_between("咨询", nature("consult"), 0.28, 0.42);
    assert_between("求助", nature("help"), 0.19, 0.31);
    assert_between("投诉", nature("complaint"), 0.19, 0.31);
    assert_between("建议", nature("suggestion"), 0.025, 0.08);
    assert_between("举报", nature("report"), 0.02, 0.07);
    assert_between("纠纷", nature("dispute"), 0.025, 0.08);
    assert_between("表扬", nature("praise"), 0.003, 0.02);

    let source = |s: &'static [&'static str]| share(&cs, move |c| s.contains(&c.source));
    assert_between("phone", source(&["phone"]), 0.54, 0.66);
    assert_between("grid/inspector", source(&["grid", "inspector"]), 0.11, 0.19);
    assert_between("app/web", source(&["app", "web"]), 0.08, 0.16);
    assert_between("window", source(&["window"]), 0.05, 0.11);

    let urgency = |u: &'static str| share(&cs, move |c| c.urgency == u);
    assert_between("normal", urgency("normal"), 0.86, 0.94);
    assert_between("urgent", urgency("urgent"), 0.05, 0.11);
    assert_between("critical", urgency("critical"), 0.01, 0.035);
    let dangerous = [
        "燃气",
        "液化气",
        "消防",
        "三合一",
        "住人",
        "电线",
        "水管",
        "井盖",
        "独居老人",
    ];
    for c in cs.iter().filter(|c| c.urgency == "critical") {
        assert!(
            dangerous.iter().any(|w| c.title.contains(w)),
            "critical: {}",
            c.title
        );
    }
}

#[test]
fn reported_within_the_last_year_in_working_rhythm() {
    let (_, cs) = sample();
    for c in &cs {
        assert!(
            c.reported_at_ms <= NOW && c.reported_at_ms > NOW - 365 * DAY,
            "{}",
            c.reported_at_ms
        );
    }
    // Beijing-time hour and weekday.
    let local = |ms: i64| ms + 8 * 3_600_000;
    let hour = |c: &CaseSpec| local(c.reported_at_ms).rem_euclid(DAY) / 3_600_000;
    let weekday = |c: &CaseSpec| (local(c.reported_at_ms).div_euclid(DAY) + 4).rem_euclid(7);
    assert_between(
        "08–18h",
        share(&cs, |c| (8..18).contains(&hour(c))),
        0.7,
        0.95,
    );
    assert!(share(&cs, |c| hour(c) < 6) < 0.03);
    let weekend = share(&cs, |c| weekday(c) == 0 || weekday(c) == 6);
    assert_between("weekend", weekend, 0.12, 0.26); // 2/7 = 28.6% if flat
    // The walk-in window is closed at the weekend (almost).
    let window: Vec<CaseSpec> = cs
        .iter()
        .filter(|c| c.source == "window")
        .cloned()
        .collect();
    assert!(share(&window, |c| weekday(c) == 0 || weekday(c) == 6) < 0.06);
}

#[test]
fn seasonality() {
    let d = district();
    let cs = cases(99, 20_000, NOW, &d);
    let month = |c: &CaseSpec| {
        // Good enough for bucketing: days since epoch → month via a 30.44-day mean month.
        let days = (c.reported_at_ms + 8 * 3_600_000).div_euclid(DAY);
        let (_, m) = civil(days);
        m
    };
    let season_share = |sub: &str, months: &[u32]| {
        let in_months: Vec<&CaseSpec> = cs.iter().filter(|c| months.contains(&month(c))).collect();
        in_months
            .iter()
            .filter(|c| c.category.ends_with(sub))
            .count() as f64
            / in_months.len() as f64
    };
    let summer = [6, 7, 8];
    let winter = [12, 1, 2];
    let other = [3, 4, 5, 9, 10, 11, 12, 1, 2];
    assert!(season_share("噪声污染", &summer) > 1.5 * season_share("噪声污染", &winter));
    assert!(season_share("/燃气", &winter) > 2.0 * season_share("/燃气", &summer));
    assert!(season_share("入学招生", &summer) > 3.0 * season_share("入学招生", &other));
}

/// (year, month) of a day number.
fn civil(z: i64) -> (i64, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m)
}

#[test]
fn fates_follow_age_and_practice() {
    let d = district();
    let cs = cases(5, 20_000, NOW, &d);
    let old: Vec<CaseSpec> = cs
        .iter()
        .filter(|c| NOW - c.reported_at_ms > 30 * DAY)
        .cloned()
        .collect();
    assert!(share(&old, |c| c.fate.is_terminal()) > 0.99);

    let closed: Vec<CaseSpec> = old
        .iter()
        .filter(|c| matches!(c.fate, Fate::Closed { .. }))
        .cloned()
        .collect();
    let sat = |s: &'static str| {
        share(
            &closed,
            move |c| matches!(c.fate, Fate::Closed { satisfaction, .. } if satisfaction == s),
        )
    };
    assert_between("satisfied", sat("satisfied"), 0.84, 0.92);
    assert_between("basically", sat("basically_satisfied"), 0.05, 0.11);
    assert_between("unsatisfied", sat("unsatisfied"), 0.02, 0.065);

    let consult: Vec<CaseSpec> = old
        .iter()
        .filter(|c| c.nature == "consult")
        .cloned()
        .collect();
    assert_between(
        "咨询 answered",
        share(&consult, |c| c.fate == Fate::Answered),
        0.4,
        0.6,
    );
    assert_between(
        "rejected",
        share(&old, |c| c.fate == Fate::Rejected),
        0.01,
        0.035,
    );
    assert_between(
        "merged",
        share(&old, |c| c.fate == Fate::Merged),
        0.02,
        0.045,
    );
    assert_between(
        "returned once",
        share(&old, CaseSpec::was_returned),
        0.03,
        0.075,
    );
    assert_between("extended", share(&old, CaseSpec::was_extended), 0.025, 0.06);
    assert_between(
        "reopened",
        share(&old, |c| c.fate == Fate::ReopenedThenClosed),
        0.005,
        0.03,
    );

    // The last days are still being worked on, in various states.
    let recent: Vec<CaseSpec> = cs
        .iter()
        .filter(|c| NOW - c.reported_at_ms < 3 * DAY)
        .cloned()
        .collect();
    assert!(share(&recent, |c| !c.fate.is_terminal()) > 0.3);
    let open_states: HashSet<String> = cs
        .iter()
        .filter(|c| NOW - c.reported_at_ms < 10 * DAY && !c.fate.is_terminal())
        .map(|c| format!("{:?}", c.fate))
        .collect();
    assert!(open_states.len() >= 5, "{open_states:?}");
}

#[test]
fn steps_replay_to_the_fate() {
    let d = district();
    for c in cases(11, 5000, NOW, &d) {
        let mut last = c.reported_at_ms;
        for (_, at) in &c.steps {
            assert!(*at >= last && *at <= NOW);
            last = *at;
        }
        let codes: Vec<&str> = c.steps.iter().map(|(s, _)| s.code()).collect();
        let last_step = c.steps.last().map(|(s, _)| *s);
        match c.fate {
            Fate::Registered => assert!(c.steps.is_empty()),
            Fate::Accepted => assert_eq!(last_step, Some(Step::Accept)),
            Fate::Rejected => assert_eq!(codes, ["reject"]),
            Fate::Answered => assert_eq!(codes, ["accept", "answer"]),
            Fate::Merged => assert_eq!(codes, ["accept", "merge"]),
            Fate::Dispatched => assert_eq!(last_step, Some(Step::Dispatch)),
            Fate::Returned => assert_eq!(last_step, Some(Step::Return)),
            Fate::InProgress => assert!(matches!(last_step, Some(Step::Sign | Step::Reopen))),
            Fate::Extended => assert!(codes.contains(&"request_extension")),
            Fate::Resolved => assert_eq!(last_step, Some(Step::Resolve)),
            Fate::Closed {
                satisfaction,
                resolved,
            } => {
                assert_eq!(
                    last_step,
                    Some(Step::FollowUp {
                        satisfaction,
                        resolved
                    })
                );
                assert!(!codes.contains(&"reopen"));
            }
            Fate::ReopenedThenClosed => {
                assert!(codes.contains(&"reopen"));
                assert_eq!(codes.last(), Some(&"follow_up"));
            }
        }
        if let Some(i) = codes.iter().position(|s| *s == "sign") {
            assert!(codes[..i].iter().filter(|s| **s == "return").count() <= 1);
            assert_eq!(codes[0], "accept");
            assert_eq!(codes[1], "dispatch");
        }
    }
}

#[test]
fn texts_read_like_work_orders() {
    let (d, cs) = sample();
    for c in &cs {
        let title_len = c.title.chars().count();
        assert!((4..=30).contains(&title_len), "{}", c.title);
        assert!(!c.description.contains(['{', '}']), "{}", c.description);
        assert!(c.description.ends_with('。'), "{}", c.description);
        assert!(c.description.chars().count() >= 40, "{}", c.description);
        if matches!(
            c.source,
            "web" | "app" | "open311" | "grid" | "inspector" | "window"
        ) {
            assert!(
                !c.description.contains("来电人"),
                "{}: {}",
                c.source,
                c.description
            );
        }
        if matches!(c.source, "grid" | "inspector") {
            assert!(
                c.description.contains("巡查") || c.description.contains("上报"),
                "{}",
                c.description
            );
        }
        let community = d.get(&c.region).unwrap();
        assert!(community.is_community());
        let street = d.street_of(&c.region).unwrap();
        assert!(
            c.address
                .starts_with(&format!("临江区{}{}", street.area, community.area)),
            "{}",
            c.address
        );
        if let (Some(lat), Some(lon)) = (c.lat, c.lon) {
            assert!((lat - 30.27).abs() < 0.15 && (lon - 120.0).abs() < 0.15);
        }
        assert_eq!(c.lat.is_some(), c.lon.is_some());
    }
    assert_between(
        "with coordinates",
        share(&cs, |c| c.lat.is_some()),
        0.65,
        0.9,
    );

    // Variety: the first 200 cases are all different texts.
    let first: HashSet<&str> = cs[..200].iter().map(|c| c.description.as_str()).collect();
    assert_eq!(first.len(), 200);
    // And titles are not all the same few either.
    let titles: HashSet<&str> = cs[..200].iter().map(|c| c.title.as_str()).collect();
    assert!(titles.len() > 150, "{}", titles.len());
}

#[test]
fn reporters_look_real() {
    let (_, cs) = sample();
    let mut landlines = 0;
    let mut names: HashMap<&str, usize> = HashMap::new();
    for c in &cs {
        let name_len = c.reporter_name.chars().count();
        assert!((2..=4).contains(&name_len), "{}", c.reporter_name);
        *names.entry(c.reporter_name.as_str()).or_default() += 1;
        let p = &c.reporter_phone;
        if let Some(rest) = p.strip_prefix("0571-8") {
            landlines += 1;
            assert_eq!(rest.len(), 7);
            assert!(rest.bytes().all(|b| b.is_ascii_digit()));
        } else {
            assert_eq!(p.len(), 11, "{p}");
            assert!(
                p.starts_with('1') && p.bytes().all(|b| b.is_ascii_digit()),
                "{p}"
            );
            assert!(
                !p.contains("1234") && !p.contains("0000") && !p.contains("8888"),
                "{p}"
            );
        }
        if matches!(c.source, "grid" | "inspector") {
            assert!(!c.reporter_name.ends_with("先生") && !c.reporter_name.ends_with("女士"));
        }
    }
    assert_between("landlines", landlines as f64 / cs.len() as f64, 0.02, 0.08);
    assert!(names.len() > 2500, "only {} distinct names", names.len());
    let prefixes: BTreeMap<&str, usize> = cs
        .iter()
        .filter(|c| !c.reporter_phone.starts_with('0'))
        .fold(BTreeMap::new(), |mut m, c| {
            *m.entry(&c.reporter_phone[..3]).or_default() += 1;
            m
        });
    assert!(prefixes.len() >= 30, "{prefixes:?}");
}
