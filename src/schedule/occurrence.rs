//! When a weekly window is in force, in real instants. A schedule stores
//! wall-clock times and a zone (never a UTC instant, which would drift by
//! an hour at every DST change); this turns them into instants:
//! - in the spring-forward gap, a time that does not exist applies at the
//!   first instant that does (02:30 on the night clocks jump to 03:00 is
//!   03:00);
//! - in the fall-back overlap, a time that happens twice counts once, at
//!   the earlier instant.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Tz;

use super::days::Days;

/// A weekly window as people plan it.
#[derive(Debug, Clone, PartialEq)]
pub struct Weekly {
    pub days: Days,
    pub start: NaiveTime,
    /// At or before `start`: the window runs past midnight into the next
    /// day (equal to `start`: a whole day).
    pub end: NaiveTime,
    pub zone: Tz,
    /// The first and last local dates an occurrence may start on.
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// One occurrence of a window, named by the local date it starts on (the
/// key under which the engine claims it, so it applies once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Occurrence {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// Whole seconds from `now` to the end (0 once over).
    pub fn seconds_left(&self, now: DateTime<Utc>) -> u64 {
        u64::try_from((self.end - now).num_seconds()).unwrap_or(0)
    }
}

/// The instant a wall-clock time in `zone` means (see the module comment).
pub fn resolve(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // Gaps are whole minutes and at most a day long (Samoa skipped
            // 30 December 2011): the first minute that exists.
            let mut probe = local
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(local);
            for _ in 0..2 * 24 * 60 {
                probe += Duration::minutes(1);
                if let Some(at) = zone.from_local_datetime(&probe).earliest() {
                    return at.with_timezone(&Utc);
                }
            }
            // No zone has a gap this long; read the time as UTC.
            local.and_utc()
        }
    }
}

impl Weekly {
    fn valid_on(&self, date: NaiveDate) -> bool {
        self.days.contains(date.weekday())
            && self.valid_from.is_none_or(|from| date >= from)
            && self.valid_to.is_none_or(|to| date <= to)
    }

    /// The occurrence starting on local `date`, if the window runs that
    /// day and lasts more than nothing (a window inside a DST gap does not).
    pub fn on(&self, date: NaiveDate) -> Option<Occurrence> {
        if !self.valid_on(date) {
            return None;
        }
        let end_date = if self.end <= self.start {
            date.succ_opt()?
        } else {
            date
        };
        let start = resolve(self.zone, date.and_time(self.start));
        let end = resolve(self.zone, end_date.and_time(self.end));
        (start < end).then_some(Occurrence { date, start, end })
    }

    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }

    /// The occurrences that overlap `[from, to)`, in order.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        // From the day before: yesterday's window may run past midnight.
        let first = self.local_date(from).pred_opt().unwrap_or(NaiveDate::MIN);
        let last = self.local_date(to);
        first
            .iter_days()
            .take_while(|d| *d <= last)
            .filter_map(|d| self.on(d))
            .filter(|o| o.end > from && o.start < to)
            .collect()
    }

    /// The occurrence in force at `at`.
    pub fn in_force(&self, at: DateTime<Utc>) -> Option<Occurrence> {
        self.between(at, at + Duration::seconds(1))
            .into_iter()
            .find(|o| o.contains(at))
    }

    /// The next occurrence that starts after `at` (within the next year
    /// of valid days).
    pub fn next_after(&self, at: DateTime<Utc>) -> Option<Occurrence> {
        let today = self.local_date(at);
        let first = self.valid_from.map_or(today, |from| from.max(today));
        first
            .iter_days()
            .take(370)
            .take_while(|d| self.valid_to.is_none_or(|to| *d <= to))
            .filter_map(|d| self.on(d))
            .find(|o| o.start > at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Europe::Zurich};

    fn time(hhmm: &str) -> NaiveTime {
        NaiveTime::parse_from_str(hhmm, "%H:%M").unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn daily(zone: Tz, start: &str, end: &str) -> Weekly {
        Weekly {
            days: Days::EVERY_DAY,
            start: time(start),
            end: time(end),
            zone,
            valid_from: None,
            valid_to: None,
        }
    }

    #[test]
    fn office_hours_keep_their_wall_clock_across_both_dst_changes() {
        let office = daily(Zurich, "08:00", "18:00");
        // Winter: UTC+1; summer: UTC+2.
        let before = office.on(date("2026-03-27")).unwrap();
        let after = office.on(date("2026-03-30")).unwrap();
        assert_eq!(before.start, utc("2026-03-27T07:00:00Z"));
        assert_eq!(after.start, utc("2026-03-30T06:00:00Z"));
        let autumn = office.on(date("2026-10-26")).unwrap();
        assert_eq!(autumn.start, utc("2026-10-26T07:00:00Z"));
    }

    #[test]
    fn a_start_in_the_spring_gap_applies_when_the_clock_resumes() {
        // Zurich, 29 March 2026: 02:00 jumps to 03:00 (01:00 UTC).
        let night = daily(Zurich, "02:30", "04:00");
        let o = night.on(date("2026-03-29")).unwrap();
        assert_eq!(o.start, utc("2026-03-29T01:00:00Z"));
        assert_eq!(o.end, utc("2026-03-29T02:00:00Z"));
        // New York, 8 March 2026: 02:00 jumps to 03:00 (07:00 UTC).
        let night = daily(New_York, "02:30", "05:00");
        assert_eq!(
            night.on(date("2026-03-08")).unwrap().start,
            utc("2026-03-08T07:00:00Z")
        );
        // Entirely inside the gap: nothing to apply that night.
        assert_eq!(daily(Zurich, "02:10", "02:50").on(date("2026-03-29")), None);
    }

    #[test]
    fn a_start_in_the_autumn_overlap_counts_once_at_the_earlier_instant() {
        // Zurich, 25 October 2026: 03:00 CEST goes back to 02:00 CET.
        let night = daily(Zurich, "02:30", "03:30");
        let o = night.on(date("2026-10-25")).unwrap();
        assert_eq!(o.start, utc("2026-10-25T00:30:00Z"));
        assert_eq!(o.end, utc("2026-10-25T02:30:00Z"));
        let that_night = night.between(utc("2026-10-24T22:00:00Z"), utc("2026-10-25T04:00:00Z"));
        assert_eq!(that_night.len(), 1);
    }

    #[test]
    fn a_window_past_midnight_is_in_force_the_next_morning() {
        let night = Weekly {
            days: Days::parse("fri").unwrap(),
            ..daily(Zurich, "22:00", "06:00")
        };
        // Saturday 05:00 local is Friday's occurrence.
        let o = night.in_force(utc("2026-11-28T04:00:00Z")).unwrap();
        assert_eq!(o.date, date("2026-11-27"));
        assert_eq!(o.seconds_left(utc("2026-11-28T04:00:00Z")), 3600);
        assert_eq!(night.in_force(utc("2026-11-28T06:00:00Z")), None);
    }

    #[test]
    fn the_next_occurrence_respects_the_days_and_the_validity() {
        let saturday_event = Weekly {
            days: Days::parse("sat").unwrap(),
            valid_from: Some(date("2026-12-01")),
            valid_to: Some(date("2026-12-31")),
            ..daily(Zurich, "09:00", "13:00")
        };
        let next = saturday_event
            .next_after(utc("2026-11-24T12:00:00Z"))
            .unwrap();
        assert_eq!(next.date, date("2026-12-05"));
        assert_eq!(saturday_event.next_after(utc("2027-01-01T00:00:00Z")), None);
    }
}
