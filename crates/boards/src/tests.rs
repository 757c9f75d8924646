#![allow(clippy::unwrap_used)]

use super::*;

fn unit(code: &str, sample: i64, rates: [Option<f64>; 6]) -> UnitInput {
    let names = [
        "sign_on_time",
        "handle_on_time",
        "satisfaction",
        "resolution",
        "return_rate",
        "reopen_rate",
    ];
    UnitInput {
        unit: code.into(),
        name: format!("{code}单位"),
        sample,
        metrics: names
            .iter()
            .zip(rates)
            .map(|(n, r)| ((*n).to_string(), r))
            .collect(),
        exempt: None,
        missed_before: false,
    }
}

fn good(code: &str, v: f64) -> UnitInput {
    unit(
        code,
        100,
        [
            Some(v),
            Some(v),
            Some(v),
            Some(v),
            Some(1.0 - v),
            Some(1.0 - v),
        ],
    )
}

fn by_unit<'a>(e: &'a [Entry], code: &str) -> &'a Entry {
    e.iter().find(|x| x.unit == code).unwrap()
}

#[test]
fn the_score_weighs_the_metrics_and_leaves_out_those_without_a_value() {
    let r = Rules::default();
    // Every rate 0.9 and the lower-is-better ones at 0.1: 90.
    assert_eq!(score(&r, &good("a", 0.9).metrics), Some(90.0));
    // No follow-ups this month: satisfaction and resolution are left out with their weights.
    let u = unit(
        "b",
        50,
        [Some(1.0), Some(0.5), None, None, Some(0.0), Some(0.0)],
    );
    // (15·1 + 25·0.5 + 7.5·1 + 7.5·1) / 55 = 42.5 / 55
    assert_eq!(score(&r, &u.metrics), Some(77.27));
    assert_eq!(score(&r, &unit("c", 0, [None; 6]).metrics), None);
}

#[test]
fn red_is_the_top_that_met_the_target_and_ties_share_a_rank() {
    let r = Rules::default();
    let units = [
        good("a", 0.99),
        good("b", 0.95),
        good("c", 0.95),
        good("d", 0.90),
        good("e", 0.86),
        good("f", 0.80),
    ];
    let e = rank_group(&r, &units);
    let ranks: Vec<(String, Option<usize>)> = e.iter().map(|x| (x.unit.clone(), x.rank)).collect();
    assert_eq!(
        ranks,
        [
            ("a".into(), Some(1)),
            ("b".into(), Some(2)),
            ("c".into(), Some(2)),
            ("d".into(), Some(4)),
            ("e".into(), Some(5)),
            ("f".into(), Some(6))
        ]
    );
    for u in ["a", "b", "c"] {
        assert_eq!(by_unit(&e, u).board, Some("red"), "{u}");
    }
    assert_eq!(by_unit(&e, "d").board, None);
    // f missed the target for the first time: yellow, not black, though last.
    assert_eq!(by_unit(&e, "f").board, Some("yellow"));
    assert!(
        by_unit(&e, "f")
            .reasons
            .iter()
            .any(|r| r.contains("首次未达标"))
    );
}

#[test]
fn black_is_a_second_miss_at_the_bottom_or_a_score_below_the_floor() {
    let r = Rules::default();
    let mut last = good("f", 0.80);
    last.missed_before = true;
    let units = [good("a", 0.95), good("b", 0.82), last, good("g", 0.50)];
    let e = rank_group(&r, &units);
    // g is below the floor (50 < 60): black whatever came before.
    assert_eq!(by_unit(&e, "g").board, Some("black"));
    assert!(by_unit(&e, "g").reasons.iter().any(|r| r.contains("底线")));
    // f missed twice but is not the bottom one (g is): yellow.
    assert_eq!(by_unit(&e, "f").board, Some("yellow"));
    let units = [good("a", 0.95), good("b", 0.82), {
        let mut f = good("f", 0.80);
        f.missed_before = true;
        f
    }];
    let e = rank_group(&r, &units);
    assert_eq!(by_unit(&e, "f").board, Some("black"));
    assert!(
        by_unit(&e, "f")
            .reasons
            .iter()
            .any(|r| r.contains("连续两期"))
    );
    assert_eq!(by_unit(&e, "b").board, Some("yellow"));
}

#[test]
fn a_unit_under_the_minimum_sample_is_never_ranked_nor_listed() {
    let r = Rules::default();
    // Three cases, all late and unsatisfied: the worst rates there are, and not on any list.
    let small = unit(
        "s",
        3,
        [
            Some(0.0),
            Some(0.0),
            Some(0.0),
            Some(0.0),
            Some(1.0),
            Some(1.0),
        ],
    );
    // One case, perfect: not red either.
    let lucky = unit(
        "l",
        1,
        [
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(0.0),
            Some(0.0),
        ],
    );
    let e = rank_group(&r, &[good("a", 0.95), small, lucky, good("b", 0.7)]);
    for u in ["s", "l"] {
        let x = by_unit(&e, u);
        assert_eq!((x.rank, x.board), (None, None), "{u}");
        assert!(x.reasons[0].contains("样本不足"), "{:?}", x.reasons);
    }
    assert_eq!(by_unit(&e, "b").rank, Some(2));
}

#[test]
fn an_exempt_unit_is_kept_off_yellow_and_black_with_its_reason() {
    let r = Rules::default();
    let mut hit = good("h", 0.5);
    hit.exempt = Some("台风期间抢险，工单集中超期".into());
    let e = rank_group(&r, &[good("a", 0.95), hit]);
    let h = by_unit(&e, "h");
    assert_eq!(h.board, None);
    assert_eq!(h.rank, Some(2));
    assert!(h.reasons.iter().any(|r| r.contains("台风")));
}

#[test]
fn rules_are_checked() {
    let mut r = Rules::default();
    assert!(r.check().is_ok());
    r.metrics[0].name = "speed".into();
    assert_eq!(r.check().unwrap_err().0, "metrics[0].name");
    let r = Rules {
        black_floor: 90.0,
        ..Rules::default()
    };
    assert_eq!(r.check().unwrap_err().0, "black_floor");
    let r = Rules {
        min_sample: 0,
        ..Rules::default()
    };
    assert_eq!(r.check().unwrap_err().0, "min_sample");
}
