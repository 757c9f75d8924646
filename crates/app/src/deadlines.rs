//! Due instants on the working-day calendar, in China Standard Time.
//!
//! A limit of N working days started on day D runs out at the end of the N-th working day after D
//! (D itself is not counted, as in the practice of "5个工作日内办结"). Asia/Shanghai has had no
//! daylight saving since 1991, so a fixed +08:00 offset is exact for every date this product sees.

use calendar::Calendar;
use domain::machine::Deadlines;
use domain::policy::Limit;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{self, TimeZone};

pub fn shanghai() -> TimeZone {
    TimeZone::fixed(tz::offset(8))
}

/// The civil date in Shanghai of an instant.
pub fn date_of(ms: i64) -> Date {
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(shanghai())
        .date()
}

/// The last millisecond of a civil date in Shanghai.
pub fn end_of_day(d: Date) -> i64 {
    d.at(23, 59, 59, 999_000_000)
        .to_zoned_datetime(shanghai())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(i64::MAX)
}

/// The first millisecond of a civil date in Shanghai.
pub fn start_of_day(d: Date) -> i64 {
    d.at(0, 0, 0, 0)
        .to_zoned_datetime(shanghai())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

/// Formats an instant as `2026-11-26T09:30:00+08:00`.
pub fn format_instant(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(shanghai())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

#[derive(Debug, Clone)]
pub struct CalendarDeadlines {
    pub calendar: Calendar,
}

impl CalendarDeadlines {
    pub fn new(calendar: Calendar) -> Self {
        CalendarDeadlines { calendar }
    }
}

impl Deadlines for CalendarDeadlines {
    fn due(&self, from: i64, limit: Limit) -> i64 {
        match limit {
            Limit::Minutes(m) => from + i64::from(m) * 60_000,
            Limit::WorkingDays(n) => end_of_day(self.calendar.add_workdays(date_of(from), n)),
        }
    }

    fn extend(&self, due: i64, working_days: u32) -> i64 {
        end_of_day(self.calendar.add_workdays(date_of(due), working_days))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
        date(y, m, d)
            .at(h, min, 0, 0)
            .to_zoned_datetime(shanghai())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    #[test]
    fn five_working_days_skip_national_day() {
        let dl = CalendarDeadlines::new(Calendar::china());
        // Dispatched Tuesday 2026-09-29 10:00: the working days after it are 9-30, 10-9 (Fri,
        // 10-1..10-7 are holidays, 10-8 Thu is a workday) …
        let due = dl.due(at(2026, 9, 29, 10, 0), Limit::WorkingDays(1));
        assert_eq!(format_instant(due), "2026-09-30T23:59:59+08:00");
        let due = dl.due(at(2026, 9, 30, 16, 0), Limit::WorkingDays(1));
        assert_eq!(format_instant(due), "2026-10-08T23:59:59+08:00");
    }

    #[test]
    fn minutes_are_calendar_time_across_midnight_and_weekend() {
        let dl = CalendarDeadlines::new(Calendar::china());
        let from = at(2026, 11, 28, 23, 50); // a Saturday
        assert_eq!(
            format_instant(dl.due(from, Limit::Minutes(30))),
            "2026-11-29T00:20:00+08:00"
        );
    }

    #[test]
    fn extension_counts_from_the_old_due_date() {
        let dl = CalendarDeadlines::new(Calendar::china());
        let due = at(2026, 11, 27, 23, 59); // Friday
        assert_eq!(
            format_instant(dl.extend(due, 1)),
            "2026-11-30T23:59:59+08:00"
        );
    }

    #[test]
    fn date_of_uses_shanghai() {
        // 2026-11-26 17:00 UTC is already the 27th in Shanghai.
        let ms = Timestamp::from_second(1_795_712_400)
            .unwrap()
            .as_millisecond();
        assert_eq!(date_of(ms).to_string(), "2026-11-27");
    }
}
