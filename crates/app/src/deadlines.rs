//! Due instants on the working-day calendar, in China Standard Time.
//!
//! A limit of N working days started on day D runs out at the end of the N-th working day after D
//! (D itself is not counted, as in the practice of "5个工作日内办结"). Asia/Shanghai has had no
//! daylight saving since 1991, so a fixed +08:00 offset is exact for every date this product sees.

use calendar::Calendar;
use domain::Remaining;
use domain::machine::Deadlines;
use domain::policy::{Limit, WorkPeriod, default_working_hours};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{self, TimeZone};
use std::sync::Arc;

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

const MINUTE: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

/// Deadlines for one case: its region's calendar and the working hours.
#[derive(Debug, Clone)]
pub struct CalendarDeadlines {
    pub calendar: Arc<Calendar>,
    pub hours: Vec<WorkPeriod>,
}

impl CalendarDeadlines {
    pub fn new(calendar: Calendar) -> Self {
        CalendarDeadlines {
            calendar: Arc::new(calendar),
            hours: default_working_hours(),
        }
    }

    pub fn with(calendar: Arc<Calendar>, hours: Vec<WorkPeriod>) -> Self {
        CalendarDeadlines { calendar, hours }
    }

    /// The working intervals (epoch ms) of a day, empty on rest days.
    fn intervals(&self, d: jiff::civil::Date) -> impl Iterator<Item = (i64, i64)> + '_ {
        let base = start_of_day(d);
        let work = self.calendar.is_workday(d);
        self.hours.iter().filter(move |_| work).map(move |p| {
            (
                base + i64::from(p.start) * MINUTE,
                base + i64::from(p.end) * MINUTE,
            )
        })
    }

    /// The instant `ms` of working time after `from` (inside working hours of working days).
    pub fn add_working_ms(&self, from: i64, ms: i64) -> i64 {
        if ms <= 0 || self.hours.is_empty() {
            return from;
        }
        let mut left = ms;
        let mut day = date_of(from);
        // Ten years of rest days would be a broken calendar; stop rather than loop forever.
        for _ in 0..3660 {
            for (start, end) in self.intervals(day) {
                if end <= from {
                    continue;
                }
                let begin = start.max(from);
                if left <= end - begin {
                    return begin + left;
                }
                left -= end - begin;
            }
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        from + ms
    }

    /// Working time between two instants (0 when `b <= a`).
    pub fn working_ms_between(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        let mut total = 0;
        let mut day = date_of(a);
        let last = date_of(b);
        while day <= last {
            for (start, end) in self.intervals(day) {
                let (s, e) = (start.max(a), end.min(b));
                if e > s {
                    total += e - s;
                }
            }
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        total
    }

    /// When a clock of `limit` kind running from `start` to `due` turns near due (临期): when
    /// `share` of its time is left, measured in the clock's own kind of time (working time for
    /// working-day and working-hour limits, so a lunch break or a weekend does not count).
    pub fn warn_at(&self, start: i64, due: i64, limit: Limit, share: f64) -> i64 {
        match limit {
            Limit::Minutes(_) => due - ((due - start).max(0) as f64 * share).ceil() as i64,
            Limit::WorkingDays(_) | Limit::WorkingMinutes(_) => {
                let total = self.working_ms_between(start, due);
                let elapsed = total - (total as f64 * share).ceil() as i64;
                self.add_working_ms(start, elapsed).min(due)
            }
        }
    }

    /// Whether a due instant falls in a year the calendar has no data for (Monday–Friday were
    /// counted: the due date is provisional).
    pub fn provisional(&self, due: i64) -> bool {
        !self.calendar.covers(date_of(due).year())
    }
}

impl Deadlines for CalendarDeadlines {
    fn due(&self, from: i64, limit: Limit) -> i64 {
        match limit {
            Limit::Minutes(m) => from + i64::from(m) * MINUTE,
            Limit::WorkingMinutes(m) => self.add_working_ms(from, i64::from(m) * MINUTE),
            Limit::WorkingDays(n) => end_of_day(self.calendar.add_workdays(date_of(from), n)),
        }
    }

    fn extend(&self, due: i64, working_days: u32) -> i64 {
        end_of_day(self.calendar.add_workdays(date_of(due), working_days))
    }

    fn remaining(&self, now: i64, due: i64, limit: Limit) -> Remaining {
        match limit {
            Limit::Minutes(_) => Remaining::Millis((due - now).max(0)),
            Limit::WorkingMinutes(_) => {
                Remaining::WorkingMinutes(self.working_ms_between(now, due) / MINUTE)
            }
            Limit::WorkingDays(_) => Remaining::WorkingDays(
                self.calendar
                    .workdays_between(date_of(now), date_of(due))
                    .max(0),
            ),
        }
    }

    fn resume(&self, from: i64, left: Remaining) -> i64 {
        match left {
            Remaining::Millis(ms) => from + ms,
            Remaining::WorkingMinutes(m) => self.add_working_ms(from, m * MINUTE),
            Remaining::WorkingDays(n) => end_of_day(
                self.calendar
                    .add_workdays(date_of(from), u32::try_from(n).unwrap_or(0)),
            ),
        }
    }
}

/// Unused guard so DAY_MS documents the unit of day arithmetic in this module.
const _: i64 = DAY_MS;

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
    fn working_minutes_skip_lunch_nights_weekends_and_holidays() {
        let dl = CalendarDeadlines::new(Calendar::china());
        // Friday 2026-09-25 is 中秋 (holiday): from Thursday 11:30, 60 working minutes: 30 before
        // lunch, 30 after → 14:00 the same day.
        assert_eq!(
            format_instant(dl.due(at(2026, 9, 24, 11, 30), Limit::WorkingMinutes(60))),
            "2026-09-24T14:00:00+08:00"
        );
        // From Thursday 17:00, 60 minutes: 30 on Thursday; Friday is 中秋, the weekend is rest,
        // Monday 28th 09:00.
        assert_eq!(
            format_instant(dl.due(at(2026, 9, 24, 17, 0), Limit::WorkingMinutes(60))),
            "2026-09-28T09:00:00+08:00"
        );
        // A 调休 Sunday (2026-09-20) is a working day.
        assert_eq!(
            format_instant(dl.due(at(2026, 9, 19, 20, 0), Limit::WorkingMinutes(30))),
            "2026-09-20T09:00:00+08:00"
        );
        // Starting in the lunch break counts from 13:30.
        assert_eq!(
            format_instant(dl.due(at(2026, 11, 26, 12, 10), Limit::WorkingMinutes(10))),
            "2026-11-26T13:40:00+08:00"
        );
        assert_eq!(
            dl.working_ms_between(at(2026, 11, 26, 8, 0), at(2026, 11, 26, 18, 0)),
            450 * 60_000
        );
    }

    #[test]
    fn warn_at_counts_working_time() {
        let dl = CalendarDeadlines::new(Calendar::china());
        // A 1-working-day clock from Friday 2026-11-27 16:30 is due at the end of Monday; 20% of
        // its 8 working hours (60 min Friday + 450 min Monday = 510 min) is 102 min: warn at
        // Monday 15:48.
        let start = at(2026, 11, 27, 16, 30);
        let due = dl.due(start, Limit::WorkingDays(1));
        assert_eq!(format_instant(due), "2026-11-30T23:59:59+08:00");
        assert_eq!(
            format_instant(dl.warn_at(start, due, Limit::WorkingDays(1), 0.2)),
            "2026-11-30T15:48:00+08:00"
        );
        // Calendar-minute clocks warn in calendar time.
        let s2 = at(2026, 11, 28, 10, 0);
        assert_eq!(
            format_instant(dl.warn_at(s2, s2 + 30 * 60_000, Limit::Minutes(30), 0.2)),
            "2026-11-28T10:24:00+08:00"
        );
    }

    #[test]
    fn pause_keeps_the_remaining_working_time() {
        let dl = CalendarDeadlines::new(Calendar::china());
        let due = at(2026, 12, 4, 23, 59) + 59_999; // end of Friday
        let left = dl.remaining(at(2026, 11, 30, 10, 0), due, Limit::WorkingDays(5));
        assert_eq!(left, Remaining::WorkingDays(4));
        assert_eq!(
            format_instant(dl.resume(at(2026, 12, 7, 9, 0), left)),
            "2026-12-11T23:59:59+08:00"
        );
        let left = dl.remaining(
            at(2026, 11, 30, 16, 30),
            at(2026, 12, 1, 9, 30),
            Limit::WorkingMinutes(120),
        );
        assert_eq!(left, Remaining::WorkingMinutes(120));
        assert_eq!(
            format_instant(dl.resume(at(2026, 12, 2, 11, 0), left)),
            "2026-12-02T14:30:00+08:00"
        );
    }

    #[test]
    fn provisional_outside_the_calendar() {
        let dl = CalendarDeadlines::new(Calendar::china());
        assert!(!dl.provisional(at(2026, 12, 31, 12, 0)));
        assert!(dl.provisional(at(2027, 1, 4, 12, 0)));
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
