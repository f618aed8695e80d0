//! Whether two weekly windows would ever be in force together on one
//! charger: compared as real occurrences over the coming year, so
//! different zones, validity dates and DST weeks all count.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};

use super::days::Days;
use super::occurrence::{Occurrence, Weekly};

/// How far ahead two windows are compared: a year and a week covers every
/// weekday in every DST state.
const HORIZON_DAYS: i64 = 372;

/// Where two windows meet, in the first one's zone: on which of its days,
/// and the first shared stretch of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub days: Days,
    pub from: NaiveTime,
    pub to: NaiveTime,
}

/// When `a` and `b` are both in force, looking from `now` (or from the
/// later start of validity) a year ahead.
pub fn overlap(a: &Weekly, b: &Weekly, now: DateTime<Utc>) -> Option<Overlap> {
    let begin = [a.valid_from, b.valid_from]
        .into_iter()
        .flatten()
        .max()
        .map(|d| d.and_time(NaiveTime::MIN).and_utc() - Duration::days(1))
        .map_or(now, |d| d.max(now));
    let end = begin + Duration::days(HORIZON_DAYS);
    let (mine, theirs) = (a.between(begin, end), b.between(begin, end));
    let shared = intersections(&mine, &theirs);
    let (first_start, first_end) = *shared.first().map(|(_, range)| range)?;
    let mut days = Days::default();
    for (date, _) in &shared {
        days = days.with(date.weekday());
    }
    let local = |at: DateTime<Utc>| at.with_timezone(&a.zone).time();
    Some(Overlap {
        days,
        from: local(first_start),
        to: local(first_end),
    })
}

/// A stretch of time both windows are in force, with the local date of
/// `a`'s occurrence.
type Shared = (chrono::NaiveDate, (DateTime<Utc>, DateTime<Utc>));

/// Each stretch where an occurrence of `a` and one of `b` are both in
/// force; both lists are in order and do not overlap themselves.
fn intersections(a: &[Occurrence], b: &[Occurrence]) -> Vec<Shared> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let start = a[i].start.max(b[j].start);
        let end = a[i].end.min(b[j].end);
        if start < end {
            out.push((a[i].date, (start, end)));
        }
        if a[i].end <= b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{Europe::London, Europe::Zurich};

    fn window(days: &str, start: &str, end: &str) -> Weekly {
        let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").unwrap();
        Weekly {
            days: Days::parse(days).unwrap(),
            start: time(start),
            end: time(end),
            zone: Zurich,
            valid_from: None,
            valid_to: None,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-24T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn office_hours_and_an_evening_limit_that_touch_do_not_overlap() {
        let office = window("mon-fri", "08:00", "18:00");
        let evening = window("mon-fri", "18:00", "22:00");
        assert_eq!(overlap(&office, &evening, now()), None);
    }

    #[test]
    fn the_overlap_names_the_days_and_the_time() {
        let office = window("mon-fri", "08:00", "18:00");
        let lunch = window("wed,sat", "12:00", "14:00");
        let found = overlap(&office, &lunch, now()).unwrap();
        assert_eq!(found.days, Days::parse("wed").unwrap());
        assert_eq!(
            (found.from.to_string(), found.to.to_string()),
            ("12:00:00".into(), "14:00:00".into())
        );
    }

    #[test]
    fn a_night_window_reaches_into_the_next_morning() {
        let night = window("fri", "22:00", "06:00");
        let saturday = window("sat", "05:00", "09:00");
        let found = overlap(&night, &saturday, now()).unwrap();
        assert_eq!(found.days, Days::parse("fri").unwrap());
        assert_eq!(found.from.to_string(), "05:00:00");
    }

    #[test]
    fn validity_that_never_meets_means_no_overlap() {
        let december = Weekly {
            valid_to: Some("2026-12-31".parse().unwrap()),
            ..window("daily", "08:00", "18:00")
        };
        let next_year = Weekly {
            valid_from: Some("2027-01-01".parse().unwrap()),
            ..window("daily", "09:00", "10:00")
        };
        assert_eq!(overlap(&december, &next_year, now()), None);
    }

    #[test]
    fn zones_are_compared_in_real_time() {
        // 08:00–09:00 London is 09:00–10:00 Zurich: they meet only if the
        // Zurich window covers 09:00.
        let london = Weekly {
            zone: London,
            ..window("mon", "08:00", "09:00")
        };
        assert!(overlap(&window("mon", "09:30", "11:00"), &london, now()).is_some());
        assert!(overlap(&window("mon", "08:00", "09:00"), &london, now()).is_none());
    }
}
