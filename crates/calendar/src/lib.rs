//! Working-day calendar for China (法定节假日 and 调休).
//!
//! Case deadlines in onewindow are counted in **working days** (工作日). Which days are working
//! days in China is not computable: every year the General Office of the State Council publishes a
//! notice (国务院办公厅关于X年部分节假日安排的通知) that fixes the public holidays for the next year
//! and moves some weekend days to be working days (调休) so that holidays form longer blocks. The
//! dates depend on the lunar calendar, on how holidays fall on weekends, and on policy (in 2020 the
//! Spring Festival was extended for the epidemic; from 2025 two statutory days were added). The
//! calendar is therefore **data**: this crate ships the notices for 2019–2026 and admins import each
//! new year's notice in the text format below when it is published (normally in November of the
//! previous year). For a year that has not been imported the calendar falls back to Monday–Friday;
//! [`Calendar::add_workdays_checked`] reports such results as *provisional*.
//!
//! # File format
//!
//! One file per year, UTF-8, line oriented:
//!
//! ```text
//! # comment: everything from `#` to the end of a line is ignored, as are blank lines
//! year 2026
//! source 国务院办公厅关于2026年部分节假日安排的通知
//!
//! 2026-01-01 holiday 元旦
//! 2026-01-04 workday 元旦调休
//! ```
//!
//! * `year YYYY` — required, must be the first non-comment line.
//! * `source <text>` — optional, at most once: the notice the data comes from.
//! * `YYYY-MM-DD holiday <name>` — a day off. List **every** day of a holiday block, including the
//!   Saturdays and Sundays inside it (all 7 days of 国庆节, for example). Any weekday is allowed.
//! * `YYYY-MM-DD workday <name>` — an adjusted working day (调休上班); must be a Saturday or Sunday.
//! * Every date must lie in the header year (a block such as 元旦 2023, 2022-12-31 to 2023-01-02,
//!   is split across the two files), and a date may appear only once.
//! * The name is the rest of the line (trimmed, non-empty), e.g. `春节` or `国庆节调休`.
//!
//! [`YearData::parse`] reads the format and reports errors with their 1-based line number;
//! [`YearData::to_text`] writes it back (round-trips, comments are not kept).
//!
//! # Counting
//!
//! A day is a working day if it is an adjusted workday, else not if it is a holiday, else if it is
//! Monday–Friday. [`Calendar::add_workdays`] does not count the start day: `add_workdays(d, 1)` is
//! the first working day after `d`, and [`Calendar::workdays_between`] is its inverse.
//!
//! ```
//! use calendar::Calendar;
//! use jiff::civil::date;
//!
//! let cal = Calendar::china();
//! // 国庆节 2026 is Oct 1–7; Thursday Oct 8 is the first working day after Sep 30.
//! assert_eq!(cal.add_workdays(date(2026, 9, 30), 1), date(2026, 10, 8));
//! assert_eq!(cal.workdays_between(date(2026, 9, 30), date(2026, 10, 8)), 1);
//! assert!(cal.is_workday(date(2026, 10, 10))); // Saturday, 调休上班
//! assert_eq!(cal.holiday_name(date(2026, 2, 17)), Some("春节"));
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;
use std::sync::LazyLock;

use jiff::civil::{Date, Weekday};
use serde::Serialize;

/// The embedded notices, 2019–2026.
const CHINA_DATA: [&str; 8] = [
    include_str!("../data/cn/2019.txt"),
    include_str!("../data/cn/2020.txt"),
    include_str!("../data/cn/2021.txt"),
    include_str!("../data/cn/2022.txt"),
    include_str!("../data/cn/2023.txt"),
    include_str!("../data/cn/2024.txt"),
    include_str!("../data/cn/2025.txt"),
    include_str!("../data/cn/2026.txt"),
];

static CHINA: LazyLock<Calendar> = LazyLock::new(|| {
    let mut cal = Calendar::empty();
    for text in CHINA_DATA {
        // The data is compiled in and every file is parsed by a unit test.
        let year = YearData::parse(text).expect("embedded calendar data must parse");
        cal.insert_year(year);
    }
    cal
});

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Number of Monday–Friday days from a fixed Monday up to and including `d`.
fn weekdays_through(d: Date) -> i64 {
    let days = d.duration_since(Date::MIN).as_secs() / 86_400;
    let k = days + i64::from(Date::MIN.weekday().to_monday_zero_offset());
    (k / 7) * 5 + (k % 7 + 1).min(5)
}

/// What kind of day a date is in a [`Calendar`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary Monday–Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A public holiday (法定节假日, including weekend days inside the holiday block).
    Holiday,
    /// A Saturday or Sunday that is worked (调休上班).
    AdjustedWorkday,
}

impl DayKind {
    /// Whether this kind of day is a working day.
    pub fn is_workday(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::AdjustedWorkday)
    }
}

/// An error in a calendar data file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// 1-based line number; 0 when the error concerns the file as a whole.
    pub line: usize,
    /// What is wrong, in English.
    pub message: String,
    /// The same in Chinese, for the administrators who import the State Council's notice.
    pub message_zh: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// An entry rejected by [`YearData::add_holiday`] / [`YearData::add_workday`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryError {
    /// The date is not in the year of the data.
    WrongYear { date: Date, year: i16 },
    /// The date is already listed (as a holiday or a workday).
    Duplicate(Date),
    /// An adjusted workday must be a Saturday or Sunday.
    WorkdayNotWeekend(Date),
    /// The name is empty or contains `#` or a control character.
    BadName(String),
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryError::WrongYear { date, year } => {
                write!(f, "date {date} is not in year {year}")
            }
            EntryError::Duplicate(d) => write!(f, "date {d} is listed twice"),
            EntryError::WorkdayNotWeekend(d) => write!(
                f,
                "adjusted workday {d} is a {:?}; only a Saturday or Sunday can be made a workday",
                d.weekday()
            ),
            EntryError::BadName(n) => write!(
                f,
                "invalid name {n:?}: must be non-empty and contain no '#' or control characters"
            ),
        }
    }
}

impl std::error::Error for EntryError {}

fn valid_text(s: &str) -> bool {
    !s.is_empty() && !s.contains('#') && !s.chars().any(char::is_control) && s.trim() == s
}

/// The holidays and adjusted workdays of one year, as published in one notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearData {
    year: i16,
    holidays: BTreeMap<Date, String>,
    workdays: BTreeMap<Date, String>,
    source: Option<String>,
}

impl YearData {
    /// An empty year (every Monday–Friday is a working day).
    pub fn new(year: i16) -> YearData {
        YearData {
            year,
            holidays: BTreeMap::new(),
            workdays: BTreeMap::new(),
            source: None,
        }
    }

    /// The year.
    pub fn year(&self) -> i16 {
        self.year
    }

    /// Public holidays with their names, in date order.
    pub fn holidays(&self) -> &BTreeMap<Date, String> {
        &self.holidays
    }

    /// Adjusted workdays (调休) with their names, in date order.
    pub fn workdays(&self) -> &BTreeMap<Date, String> {
        &self.workdays
    }

    /// The notice the data comes from, if given.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// Sets the source; it must be non-empty, one line and contain no `#`.
    pub fn set_source(&mut self, source: Option<String>) -> Result<(), EntryError> {
        if let Some(s) = &source
            && !valid_text(s)
        {
            return Err(EntryError::BadName(s.clone()));
        }
        self.source = source;
        Ok(())
    }

    fn check_entry(&self, date: Date, name: &str) -> Result<(), EntryError> {
        if date.year() != self.year {
            return Err(EntryError::WrongYear {
                date,
                year: self.year,
            });
        }
        if self.holidays.contains_key(&date) || self.workdays.contains_key(&date) {
            return Err(EntryError::Duplicate(date));
        }
        if !valid_text(name) {
            return Err(EntryError::BadName(name.to_string()));
        }
        Ok(())
    }

    /// Adds a public holiday (any day of the week).
    pub fn add_holiday(&mut self, date: Date, name: &str) -> Result<(), EntryError> {
        self.check_entry(date, name)?;
        self.holidays.insert(date, name.to_string());
        Ok(())
    }

    /// Adds an adjusted workday; it must be a Saturday or Sunday.
    pub fn add_workday(&mut self, date: Date, name: &str) -> Result<(), EntryError> {
        self.check_entry(date, name)?;
        if !is_weekend(date) {
            return Err(EntryError::WorkdayNotWeekend(date));
        }
        self.workdays.insert(date, name.to_string());
        Ok(())
    }

    /// The kind of `date` according to this year's data (the date's year is not checked).
    fn day_kind(&self, date: Date) -> DayKind {
        if self.workdays.contains_key(&date) {
            DayKind::AdjustedWorkday
        } else if self.holidays.contains_key(&date) {
            DayKind::Holiday
        } else if is_weekend(date) {
            DayKind::Weekend
        } else {
            DayKind::Workday
        }
    }

    /// Parses the text format described in the [crate docs](crate).
    pub fn parse(text: &str) -> Result<YearData, ParseError> {
        let mut data: Option<YearData> = None;
        let mut source_seen = false;
        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let err = |message: String, message_zh: String| ParseError {
                line: line_no,
                message,
                message_zh,
            };
            let mut line = raw;
            if idx == 0 {
                line = line.strip_prefix('\u{feff}').unwrap_or(line);
            }
            if let Some(pos) = line.find('#') {
                line = &line[..pos];
            }
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (head, rest) = split_word(line);
            match head {
                "year" => {
                    if data.is_some() {
                        return Err(err(
                            "duplicate `year` line".to_string(),
                            "重复的 year 行".to_string(),
                        ));
                    }
                    let year = parse_year(rest).ok_or_else(|| {
                        err(
                            format!("expected `year YYYY` with a four-digit year, got {line:?}"),
                            format!("应为「year 四位年份」，实为 {line:?}"),
                        )
                    })?;
                    data = Some(YearData::new(year));
                }
                "source" => {
                    let Some(d) = data.as_mut() else {
                        return Err(err(
                            "the first line must be `year YYYY` (found `source` before it)"
                                .to_string(),
                            "第一行须为「year 四位年份」（source 出现在它之前）".to_string(),
                        ));
                    };
                    if source_seen {
                        return Err(err(
                            "duplicate `source` line".to_string(),
                            "重复的 source 行".to_string(),
                        ));
                    }
                    if rest.is_empty() {
                        return Err(err(
                            "`source` needs a text".to_string(),
                            "source 行需要写明来源".to_string(),
                        ));
                    }
                    source_seen = true;
                    d.set_source(Some(rest.to_string()))
                        .map_err(|e| err(e.to_string(), format!("来源无效：{e}")))?;
                }
                _ => {
                    let date = parse_date(head).ok_or_else(|| {
                        err(
                            format!("expected `year`, `source` or a date YYYY-MM-DD, got {head:?}"),
                            format!("应为 year、source 或日期 YYYY-MM-DD，实为 {head:?}"),
                        )
                    })?;
                    let Some(d) = data.as_mut() else {
                        return Err(err(
                            "the first line must be `year YYYY` (found a date before it)"
                                .to_string(),
                            "第一行须为「year 四位年份」（日期出现在它之前）".to_string(),
                        ));
                    };
                    let (kind, name) = split_word(rest);
                    if name.is_empty() {
                        return Err(err(
                            format!("expected `{head} holiday <name>` or `{head} workday <name>`"),
                            format!("应为「{head} holiday 名称」或「{head} workday 名称」"),
                        ));
                    }
                    let result = match kind {
                        "holiday" => d.add_holiday(date, name),
                        "workday" => d.add_workday(date, name),
                        other => {
                            return Err(err(
                                format!(
                                    "unknown day kind {other:?}: expected `holiday` or `workday`"
                                ),
                                format!(
                                    "未知的日子类型 {other:?}：应为 holiday（放假）或 workday（调休上班）"
                                ),
                            ));
                        }
                    };
                    result.map_err(|e| err(e.to_string(), format!("{date}：{e}")))?;
                }
            }
        }
        data.ok_or_else(|| ParseError {
            line: 0,
            message: "missing `year YYYY` line".to_string(),
            message_zh: "缺少「year 四位年份」行".to_string(),
        })
    }

    /// Writes the data in the text format; [`YearData::parse`] reads it back unchanged.
    pub fn to_text(&self) -> String {
        let mut out = format!("year {}\n", self.year);
        if let Some(s) = &self.source {
            out.push_str("source ");
            out.push_str(s);
            out.push('\n');
        }
        out.push('\n');
        let mut entries: Vec<(Date, &str, &str)> = self
            .holidays
            .iter()
            .map(|(d, n)| (*d, "holiday", n.as_str()))
            .chain(
                self.workdays
                    .iter()
                    .map(|(d, n)| (*d, "workday", n.as_str())),
            )
            .collect();
        entries.sort();
        for (d, kind, name) in entries {
            out.push_str(&format!("{d} {kind} {name}\n"));
        }
        out
    }
}

/// Splits off the first whitespace-separated word; the rest is trimmed.
fn split_word(s: &str) -> (&str, &str) {
    match s.split_once(char::is_whitespace) {
        Some((head, rest)) => (head, rest.trim()),
        None => (s, ""),
    }
}

fn parse_year(s: &str) -> Option<i16> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Strict `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = parse_year(&s[0..4])?;
    let month_s = &s[5..7];
    let day_s = &s[8..10];
    if !month_s
        .bytes()
        .chain(day_s.bytes())
        .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let month: i8 = month_s.parse().ok()?;
    let day: i8 = day_s.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// A working-day calendar: per-year holiday data, Monday–Friday for years without data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i16, YearData>,
}

impl Calendar {
    /// China's calendar with the built-in notices for 2019–2026.
    pub fn china() -> Calendar {
        CHINA.clone()
    }

    /// A calendar without any year data (every Monday–Friday is a working day).
    pub fn empty() -> Calendar {
        Calendar::default()
    }

    /// Adds a year's data, replacing any data for that year.
    pub fn insert_year(&mut self, data: YearData) {
        self.years.insert(data.year, data);
    }

    /// Removes a year's data.
    pub fn remove_year(&mut self, year: i16) -> Option<YearData> {
        self.years.remove(&year)
    }

    /// The years with data, ascending.
    pub fn years(&self) -> Vec<i16> {
        self.years.keys().copied().collect()
    }

    /// Whether the calendar has data for `year`.
    pub fn covers(&self, year: i16) -> bool {
        self.years.contains_key(&year)
    }

    /// The data for `year`.
    pub fn year_data(&self, year: i16) -> Option<&YearData> {
        self.years.get(&year)
    }

    /// The kind of day `d` is.
    pub fn day_kind(&self, d: Date) -> DayKind {
        match self.years.get(&d.year()) {
            Some(y) => y.day_kind(d),
            None if is_weekend(d) => DayKind::Weekend,
            None => DayKind::Workday,
        }
    }

    /// Whether `d` is a working day: an adjusted workday is, a holiday is not, otherwise
    /// Monday–Friday are.
    pub fn is_workday(&self, d: Date) -> bool {
        self.day_kind(d).is_workday()
    }

    /// The name of the holiday on `d`, if it is one.
    pub fn holiday_name(&self, d: Date) -> Option<&str> {
        self.years
            .get(&d.year())?
            .holidays
            .get(&d)
            .map(String::as_str)
    }

    /// The `n`-th working day after `start` (the start day is not counted; `n == 0` gives
    /// `start`). Saturates at [`Date::MAX`].
    pub fn add_workdays(&self, start: Date, n: u32) -> Date {
        self.add_workdays_checked(start, n).0
    }

    /// Like [`Calendar::add_workdays`], also telling whether the result is *provisional*: some day
    /// after `start` up to the result lies in a year the calendar has no data for (so a holiday
    /// notice may still move it). Hitting [`Date::MAX`] is provisional too.
    pub fn add_workdays_checked(&self, start: Date, n: u32) -> (Date, bool) {
        let mut d = start;
        let mut left = n;
        let mut provisional = false;
        let mut cur_year = start.year();
        let mut cur = self.years.get(&cur_year);
        let mut first = true;
        while left > 0 {
            d = match d.tomorrow() {
                Ok(next) => next,
                Err(_) => return (d, true),
            };
            if first || d.year() != cur_year {
                first = false;
                cur_year = d.year();
                cur = self.years.get(&cur_year);
                if cur.is_none() {
                    provisional = true;
                }
            }
            let work = match cur {
                Some(y) => y.day_kind(d).is_workday(),
                None => !is_weekend(d),
            };
            if work {
                left -= 1;
            }
        }
        (d, provisional)
    }

    /// The first working day strictly after `d`.
    pub fn next_workday(&self, d: Date) -> Date {
        self.add_workdays(d, 1)
    }

    /// The number of working days `x` with `a < x <= b`; negative (`-workdays_between(b, a)`) when
    /// `b < a`. `workdays_between(s, add_workdays(s, n)) == n`.
    pub fn workdays_between(&self, a: Date, b: Date) -> i64 {
        if b < a {
            return -self.workdays_between(b, a);
        }
        let mut count = weekdays_through(b) - weekdays_through(a);
        let range = (Bound::Excluded(a), Bound::Included(b));
        for data in self.years.range(a.year()..=b.year()).map(|(_, y)| y) {
            let dates = data
                .holidays
                .range(range)
                .chain(data.workdays.range(range))
                .map(|(d, _)| *d)
                .filter(|d| d.year() == data.year);
            for d in dates {
                let base = i64::from(!is_weekend(d));
                let actual = i64::from(data.day_kind(d).is_workday());
                count += actual - base;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests;
