#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use super::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

struct Expected {
    year: i16,
    /// Inclusive holiday blocks (every day of the block is a holiday).
    holidays: &'static [(&'static str, &'static str)],
    /// Adjusted workdays (调休上班).
    workdays: &'static [&'static str],
    holiday_count: usize,
    workday_count: usize,
}

/// Hand-written from the State Council notices, independent of the data files.
const EXPECTED: &[Expected] = &[
    Expected {
        year: 2019,
        holidays: &[
            ("2019-01-01", "2019-01-01"),
            ("2019-02-04", "2019-02-10"),
            ("2019-04-05", "2019-04-07"),
            ("2019-05-01", "2019-05-04"),
            ("2019-06-07", "2019-06-09"),
            ("2019-09-13", "2019-09-15"),
            ("2019-10-01", "2019-10-07"),
        ],
        workdays: &[
            "2019-02-02",
            "2019-02-03",
            "2019-04-28",
            "2019-05-05",
            "2019-09-29",
            "2019-10-12",
        ],
        holiday_count: 28,
        workday_count: 6,
    },
    Expected {
        year: 2020,
        holidays: &[
            ("2020-01-01", "2020-01-01"),
            ("2020-01-24", "2020-02-02"),
            ("2020-04-04", "2020-04-06"),
            ("2020-05-01", "2020-05-05"),
            ("2020-06-25", "2020-06-27"),
            ("2020-10-01", "2020-10-08"),
        ],
        workdays: &[
            "2020-01-19",
            "2020-04-26",
            "2020-05-09",
            "2020-06-28",
            "2020-09-27",
            "2020-10-10",
        ],
        holiday_count: 30,
        workday_count: 6,
    },
    Expected {
        year: 2021,
        holidays: &[
            ("2021-01-01", "2021-01-03"),
            ("2021-02-11", "2021-02-17"),
            ("2021-04-03", "2021-04-05"),
            ("2021-05-01", "2021-05-05"),
            ("2021-06-12", "2021-06-14"),
            ("2021-09-19", "2021-09-21"),
            ("2021-10-01", "2021-10-07"),
        ],
        workdays: &[
            "2021-02-07",
            "2021-02-20",
            "2021-04-25",
            "2021-05-08",
            "2021-09-18",
            "2021-09-26",
            "2021-10-09",
        ],
        holiday_count: 31,
        workday_count: 7,
    },
    Expected {
        year: 2022,
        holidays: &[
            ("2022-01-01", "2022-01-03"),
            ("2022-01-31", "2022-02-06"),
            ("2022-04-03", "2022-04-05"),
            ("2022-04-30", "2022-05-04"),
            ("2022-06-03", "2022-06-05"),
            ("2022-09-10", "2022-09-12"),
            ("2022-10-01", "2022-10-07"),
            // 元旦 2023 starts on Saturday 2022-12-31.
            ("2022-12-31", "2022-12-31"),
        ],
        workdays: &[
            "2022-01-29",
            "2022-01-30",
            "2022-04-02",
            "2022-04-24",
            "2022-05-07",
            "2022-10-08",
            "2022-10-09",
        ],
        holiday_count: 32,
        workday_count: 7,
    },
    Expected {
        year: 2023,
        holidays: &[
            ("2023-01-01", "2023-01-02"),
            ("2023-01-21", "2023-01-27"),
            ("2023-04-05", "2023-04-05"),
            ("2023-04-29", "2023-05-03"),
            ("2023-06-22", "2023-06-24"),
            ("2023-09-29", "2023-10-06"),
            // 元旦 2024: Monday 2024-01-01 joined with the weekend before it.
            ("2023-12-30", "2023-12-31"),
        ],
        workdays: &[
            "2023-01-28",
            "2023-01-29",
            "2023-04-23",
            "2023-05-06",
            "2023-06-25",
            "2023-10-07",
            "2023-10-08",
        ],
        holiday_count: 28,
        workday_count: 7,
    },
    Expected {
        year: 2024,
        holidays: &[
            ("2024-01-01", "2024-01-01"),
            ("2024-02-10", "2024-02-17"),
            ("2024-04-04", "2024-04-06"),
            ("2024-05-01", "2024-05-05"),
            ("2024-06-08", "2024-06-10"),
            ("2024-09-15", "2024-09-17"),
            ("2024-10-01", "2024-10-07"),
        ],
        workdays: &[
            "2024-02-04",
            "2024-02-18",
            "2024-04-07",
            "2024-04-28",
            "2024-05-11",
            "2024-09-14",
            "2024-09-29",
            "2024-10-12",
        ],
        holiday_count: 30,
        workday_count: 8,
    },
    Expected {
        year: 2025,
        holidays: &[
            ("2025-01-01", "2025-01-01"),
            ("2025-01-28", "2025-02-04"),
            ("2025-04-04", "2025-04-06"),
            ("2025-05-01", "2025-05-05"),
            ("2025-05-31", "2025-06-02"),
            ("2025-10-01", "2025-10-08"),
        ],
        workdays: &[
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11",
        ],
        holiday_count: 28,
        workday_count: 5,
    },
    Expected {
        year: 2026,
        holidays: &[
            ("2026-01-01", "2026-01-03"),
            ("2026-02-15", "2026-02-23"),
            ("2026-04-04", "2026-04-06"),
            ("2026-05-01", "2026-05-05"),
            ("2026-06-19", "2026-06-21"),
            ("2026-09-25", "2026-09-27"),
            ("2026-10-01", "2026-10-07"),
        ],
        workdays: &[
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        ],
        holiday_count: 33,
        workday_count: 6,
    },
];

fn days(from: Date, to: Date) -> impl Iterator<Item = Date> {
    from.series(jiff::Span::new().days(1))
        .take_while(move |x| *x <= to)
}

fn expected_sets() -> (BTreeSet<Date>, BTreeSet<Date>) {
    let mut holidays = BTreeSet::new();
    let mut workdays = BTreeSet::new();
    for y in EXPECTED {
        for (a, b) in y.holidays {
            for x in days(d(a), d(b)) {
                assert!(holidays.insert(x), "table lists {x} twice");
            }
        }
        for w in y.workdays {
            assert!(workdays.insert(d(w)), "table lists {w} twice");
        }
    }
    (holidays, workdays)
}

fn expected_workday(holidays: &BTreeSet<Date>, workdays: &BTreeSet<Date>, x: Date) -> bool {
    if workdays.contains(&x) {
        true
    } else if holidays.contains(&x) {
        false
    } else {
        !is_weekend(x)
    }
}

#[test]
fn embedded_files_parse_and_cover_2019_to_2026() {
    for text in CHINA_DATA {
        let y = YearData::parse(text).unwrap();
        assert!(y.source().is_some(), "year {} has no source", y.year());
    }
    let cal = Calendar::china();
    assert_eq!(cal.years(), (2019..=2026).collect::<Vec<i16>>());
    assert!(cal.covers(2019) && cal.covers(2026));
    assert!(!cal.covers(2018) && !cal.covers(2027));
    assert!(cal.year_data(2027).is_none());
}

#[test]
fn counts_per_year() {
    let cal = Calendar::china();
    for y in EXPECTED {
        let data = cal.year_data(y.year).unwrap();
        assert_eq!(
            data.holidays().len(),
            y.holiday_count,
            "holidays {}",
            y.year
        );
        assert_eq!(
            data.workdays().len(),
            y.workday_count,
            "workdays {}",
            y.year
        );
        let table_days: usize = y
            .holidays
            .iter()
            .map(|(a, b)| days(d(a), d(b)).count())
            .sum();
        assert_eq!(table_days, y.holiday_count, "table {}", y.year);
        assert_eq!(y.workdays.len(), y.workday_count, "table {}", y.year);
    }
}

#[test]
fn every_block_edges_and_days() {
    let cal = Calendar::china();
    let (holidays, workdays) = expected_sets();
    for y in EXPECTED {
        for (a, b) in y.holidays {
            let (a, b) = (d(a), d(b));
            let before = a.yesterday().unwrap();
            let after = b.tomorrow().unwrap();
            for x in [before, after] {
                assert_eq!(
                    cal.is_workday(x),
                    expected_workday(&holidays, &workdays, x),
                    "edge day {x}"
                );
                assert_eq!(
                    cal.holiday_name(x).is_some(),
                    holidays.contains(&x),
                    "edge day {x}"
                );
            }
            for x in days(a, b) {
                assert!(!cal.is_workday(x), "{x} should be a holiday");
                assert!(cal.holiday_name(x).is_some(), "{x} should have a name");
                assert_eq!(cal.day_kind(x), DayKind::Holiday, "{x}");
            }
        }
        for w in y.workdays {
            let x = d(w);
            assert!(is_weekend(x), "table workday {x} is not a weekend day");
            assert!(cal.is_workday(x), "{x} should be an adjusted workday");
            assert_eq!(cal.day_kind(x), DayKind::AdjustedWorkday, "{x}");
            assert_eq!(cal.holiday_name(x), None, "{x}");
        }
    }
}

#[test]
fn every_day_2019_to_2026_matches_table() {
    let cal = Calendar::china();
    let (holidays, workdays) = expected_sets();
    for x in days(d("2019-01-01"), d("2026-12-31")) {
        assert_eq!(
            cal.is_workday(x),
            expected_workday(&holidays, &workdays, x),
            "{x}"
        );
        assert_eq!(cal.holiday_name(x).is_some(), holidays.contains(&x), "{x}");
        let kind = if workdays.contains(&x) {
            DayKind::AdjustedWorkday
        } else if holidays.contains(&x) {
            DayKind::Holiday
        } else if is_weekend(x) {
            DayKind::Weekend
        } else {
            DayKind::Workday
        };
        assert_eq!(cal.day_kind(x), kind, "{x}");
    }
}

#[test]
fn holiday_names() {
    let cal = Calendar::china();
    assert_eq!(cal.holiday_name(d("2026-02-17")), Some("春节"));
    assert_eq!(cal.holiday_name(d("2020-10-01")), Some("国庆节、中秋节"));
    assert_eq!(cal.holiday_name(d("2020-02-01")), Some("春节"));
    assert_eq!(cal.holiday_name(d("2022-12-31")), Some("元旦"));
    assert_eq!(cal.holiday_name(d("2026-01-04")), None);
    assert_eq!(cal.holiday_name(d("2027-01-01")), None);
}

#[test]
fn epidemic_extension_2020() {
    let cal = Calendar::china();
    // Sat 2020-02-01 was an adjusted workday until the extension made it a rest day.
    assert!(!cal.is_workday(d("2020-02-01")));
    assert!(cal.is_workday(d("2020-01-19")));
    assert!(!cal.is_workday(d("2020-01-31")));
    assert!(cal.is_workday(d("2020-02-03")));
    assert_eq!(cal.add_workdays(d("2020-01-23"), 1), d("2020-02-03"));
}

#[test]
fn add_workdays_national_day() {
    let cal = Calendar::china();
    let s = d("2026-09-30");
    assert_eq!(cal.add_workdays(s, 0), s);
    assert_eq!(cal.add_workdays(s, 1), d("2026-10-08"));
    assert_eq!(cal.add_workdays(s, 2), d("2026-10-09"));
    assert_eq!(cal.add_workdays(s, 3), d("2026-10-10")); // Saturday, adjusted workday
    assert_eq!(cal.add_workdays(s, 4), d("2026-10-12"));
    assert_eq!(cal.workdays_between(s, d("2026-10-08")), 1);
    assert_eq!(cal.workdays_between(d("2026-10-08"), s), -1);
    assert_eq!(cal.workdays_between(s, s), 0);
    // Sun 2026-09-20 is worked.
    assert_eq!(cal.add_workdays(d("2026-09-18"), 1), d("2026-09-20"));
    // Starting on a holiday.
    assert_eq!(cal.add_workdays(d("2024-10-01"), 1), d("2024-10-08"));
    assert_eq!(cal.add_workdays(d("2025-09-30"), 1), d("2025-10-09"));
    assert_eq!(cal.add_workdays(d("2025-09-30"), 2), d("2025-10-10"));
    assert_eq!(cal.add_workdays(d("2025-09-30"), 3), d("2025-10-11"));
    assert_eq!(cal.add_workdays(d("2023-09-28"), 1), d("2023-10-07"));
}

#[test]
fn add_workdays_spring_festival() {
    let cal = Calendar::china();
    assert_eq!(cal.add_workdays(d("2026-02-12"), 1), d("2026-02-13"));
    assert_eq!(cal.add_workdays(d("2026-02-13"), 1), d("2026-02-14"));
    assert_eq!(cal.add_workdays(d("2026-02-13"), 2), d("2026-02-24"));
    assert_eq!(cal.add_workdays(d("2026-02-13"), 10), d("2026-03-05"));
    assert_eq!(cal.workdays_between(d("2026-02-13"), d("2026-03-05")), 10);
    assert_eq!(cal.add_workdays(d("2025-01-24"), 1), d("2025-01-26"));
    assert_eq!(cal.add_workdays(d("2025-01-27"), 1), d("2025-02-05"));
    assert_eq!(cal.add_workdays(d("2024-02-08"), 1), d("2024-02-09"));
    assert_eq!(cal.add_workdays(d("2024-02-09"), 1), d("2024-02-18"));
    assert_eq!(cal.add_workdays(d("2019-02-01"), 1), d("2019-02-02"));
    assert_eq!(cal.add_workdays(d("2019-02-01"), 3), d("2019-02-11"));
}

#[test]
fn add_workdays_year_ends() {
    let cal = Calendar::china();
    assert_eq!(cal.add_workdays(d("2025-12-31"), 1), d("2026-01-04"));
    assert_eq!(cal.add_workdays(d("2025-12-31"), 2), d("2026-01-05"));
    assert_eq!(cal.add_workdays(d("2023-12-29"), 1), d("2024-01-02"));
    assert_eq!(cal.add_workdays(d("2022-12-30"), 1), d("2023-01-03"));
    assert_eq!(cal.add_workdays(d("2020-12-31"), 1), d("2021-01-04"));
    assert_eq!(cal.add_workdays(d("2019-12-31"), 1), d("2020-01-02"));
    assert_eq!(
        cal.add_workdays_checked(d("2026-12-30"), 1),
        (d("2026-12-31"), false)
    );
    assert_eq!(
        cal.add_workdays_checked(d("2026-12-31"), 1),
        (d("2027-01-01"), true)
    );
    assert_eq!(
        cal.add_workdays_checked(d("2018-12-28"), 1),
        (d("2018-12-31"), true)
    );
    // Starting in an uncovered year but walking only through covered days.
    assert_eq!(
        cal.add_workdays_checked(d("2018-12-31"), 1),
        (d("2019-01-02"), false)
    );
    assert_eq!(
        cal.add_workdays_checked(d("2027-01-01"), 0),
        (d("2027-01-01"), false)
    );
    assert_eq!(cal.next_workday(d("2026-09-30")), d("2026-10-08"));
    assert_eq!(cal.next_workday(d("2026-10-09")), d("2026-10-10"));
}

#[test]
fn empty_calendar_counts_monday_to_friday() {
    let cal = Calendar::empty();
    assert!(cal.years().is_empty());
    // 2026-10-01 is a Thursday.
    assert_eq!(cal.add_workdays(d("2026-09-30"), 1), d("2026-10-01"));
    assert_eq!(cal.add_workdays(d("2026-10-02"), 1), d("2026-10-05"));
    assert_eq!(cal.add_workdays(d("2026-10-02"), 5), d("2026-10-09"));
    assert_eq!(
        cal.add_workdays_checked(d("2026-10-02"), 5),
        (d("2026-10-09"), true)
    );
    assert_eq!(cal.workdays_between(d("2026-10-02"), d("2026-10-09")), 5);
    assert_eq!(cal.workdays_between(d("2026-10-03"), d("2026-10-04")), 0);
}

#[test]
fn saturates_at_max() {
    let cal = Calendar::empty();
    assert_eq!(cal.add_workdays_checked(Date::MAX, 1), (Date::MAX, true));
    assert_eq!(cal.add_workdays(d("9999-12-30"), 5), Date::MAX);
}

#[test]
fn insert_year_replaces() {
    let mut cal = Calendar::china();
    let mut y = YearData::new(2026);
    y.add_holiday(d("2026-03-02"), "测试").unwrap();
    cal.insert_year(y);
    assert!(cal.is_workday(d("2026-10-01")));
    assert!(!cal.is_workday(d("2026-03-02")));
    assert_eq!(cal.holiday_name(d("2026-03-02")), Some("测试"));
    assert!(cal.remove_year(2026).is_some());
    assert!(!cal.covers(2026));
}

#[test]
fn property_add_and_between_are_inverse() {
    let cal = Calendar::china();
    for s in days(d("2019-01-01"), d("2026-12-31")) {
        for n in 0..30u32 {
            let e = cal.add_workdays(s, n);
            assert_eq!(cal.workdays_between(s, e), i64::from(n), "{s} + {n} = {e}");
            assert_eq!(cal.workdays_between(e, s), -i64::from(n), "{s} + {n} = {e}");
            if n > 0 {
                assert!(cal.is_workday(e), "{s} + {n} = {e} is not a workday");
                // The day before the result holds exactly n - 1 workdays.
                let prev = e.yesterday().unwrap();
                assert_eq!(cal.workdays_between(s, prev), i64::from(n) - 1);
            } else {
                assert_eq!(e, s);
            }
        }
        assert_eq!(cal.next_workday(s), cal.add_workdays(s, 1));
    }
}

#[test]
fn property_between_matches_naive_count() {
    let cal = Calendar::china();
    let start = d("2018-12-01");
    for s in days(start, d("2027-01-31")).step_by(3) {
        let mut naive = 0i64;
        let mut e = s;
        for _ in 0..50 {
            e = e.tomorrow().unwrap();
            if cal.is_workday(e) {
                naive += 1;
            }
            assert_eq!(cal.workdays_between(s, e), naive, "{s}..{e}");
        }
    }
    // Long spans.
    let total = cal.workdays_between(d("2018-12-31"), d("2026-12-31"));
    let naive = days(d("2019-01-01"), d("2026-12-31"))
        .filter(|x| cal.is_workday(*x))
        .count();
    assert_eq!(total, i64::try_from(naive).unwrap());
}

#[test]
fn round_trip() {
    let cal = Calendar::china();
    for year in cal.years() {
        let data = cal.year_data(year).unwrap();
        let text = data.to_text();
        let back = YearData::parse(&text).unwrap();
        assert_eq!(&back, data);
        assert_eq!(back.to_text(), text);
    }
    let mut y = YearData::new(2030);
    y.add_workday(d("2030-01-05"), "某某 调休").unwrap();
    let back = YearData::parse(&y.to_text()).unwrap();
    assert_eq!(back, y);
    assert_eq!(back.source(), None);
}

#[test]
fn parse_accepts_comments_bom_crlf() {
    let text = "\u{feff}# header comment\r\nyear 2026   # trailing\r\n\r\nsource  某通知 \r\n2026-10-01 holiday 国庆节 # comment\r\n  2026-10-10   workday  国庆节调休\r\n";
    let y = YearData::parse(text).unwrap();
    assert_eq!(y.year(), 2026);
    assert_eq!(y.source(), Some("某通知"));
    assert_eq!(y.holidays().get(&d("2026-10-01")).unwrap(), "国庆节");
    assert_eq!(y.workdays().get(&d("2026-10-10")).unwrap(), "国庆节调休");
}

fn parse_err(text: &str) -> ParseError {
    YearData::parse(text).unwrap_err()
}

#[test]
fn parse_errors_have_line_numbers() {
    let e = parse_err("");
    assert_eq!(e.line, 0);
    assert!(e.message.contains("year"), "{e}");

    let e = parse_err("# c\n2019-01-01 holiday 元旦\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("year YYYY"), "{e}");
    assert!(e.message_zh.contains("第一行须为"), "{}", e.message_zh);

    let e = parse_err("year 2019\n2019-02-03 rest 春节\n");
    assert!(e.message_zh.contains("未知的日子类型"), "{}", e.message_zh);

    let e = parse_err("year 2019\n\n2020-01-01 holiday 元旦\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("not in year 2019"), "{e}");

    let e = parse_err("year 2019\n2019-01-01 holiday 元旦\n2019-01-01 holiday 元旦\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("twice"), "{e}");

    let e = parse_err("year 2019\n2019-02-02 workday 春节调休\n2019-02-02 holiday 春节\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("twice"), "{e}");

    // 2019-02-04 is a Monday.
    let e = parse_err("year 2019\n# x\n2019-02-04 workday 调休\n");
    assert_eq!(e.line, 3);
    assert!(e.message.contains("Saturday or Sunday"), "{e}");
    assert_eq!(e.to_string(), format!("line 3: {}", e.message));

    let e = parse_err("year 2019\n2019-02-30 holiday 春节\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("YYYY-MM-DD"), "{e}");

    let e = parse_err("year 2019\n2019-2-3 holiday 春节\n");
    assert_eq!(e.line, 2);

    let e = parse_err("year 2019\n2019-02-04 vacation 春节\n");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("holiday"), "{e}");

    let e = parse_err("year 2019\n2019-02-04 holiday\n");
    assert_eq!(e.line, 2);

    let e = parse_err("year 2019\n2019-02-04 holiday # only a comment\n");
    assert_eq!(e.line, 2);

    let e = parse_err("year 19\n");
    assert_eq!(e.line, 1);

    let e = parse_err("year 2019 2020\n");
    assert_eq!(e.line, 1);

    let e = parse_err("year 2019\nyear 2019\n");
    assert_eq!(e.line, 2);

    let e = parse_err("year 2019\nsource a\nsource b\n");
    assert_eq!(e.line, 3);

    let e = parse_err("source a\nyear 2019\n");
    assert_eq!(e.line, 1);

    let e = parse_err("year 2019\nsource\n");
    assert_eq!(e.line, 2);

    let e = parse_err("year 2019\nholiday 2019-01-01 元旦\n");
    assert_eq!(e.line, 2);
}

#[test]
fn year_data_mutators_validate() {
    let mut y = YearData::new(2026);
    assert!(matches!(
        y.add_holiday(d("2025-12-31"), "x"),
        Err(EntryError::WrongYear { .. })
    ));
    assert!(matches!(
        y.add_workday(d("2026-10-09"), "x"),
        Err(EntryError::WorkdayNotWeekend(_))
    ));
    assert!(matches!(
        y.add_holiday(d("2026-10-01"), ""),
        Err(EntryError::BadName(_))
    ));
    assert!(matches!(
        y.add_holiday(d("2026-10-01"), "a#b"),
        Err(EntryError::BadName(_))
    ));
    assert!(matches!(
        y.set_source(Some("a\nb".to_string())),
        Err(EntryError::BadName(_))
    ));
    y.add_holiday(d("2026-10-01"), "国庆节").unwrap();
    assert!(matches!(
        y.add_holiday(d("2026-10-01"), "国庆节"),
        Err(EntryError::Duplicate(_))
    ));
}
