//! A report's month: read from `YYYY-MM`, checked against now and the
//! history kept, and laid on the site's clock (a month in Zurich starts
//! at local midnight, so October has 745 hours and March 743).

use chrono::{DateTime, TimeZone, Utc};

use crate::problem::{Field, Invalid, Rule, echo};
use crate::types::Month;

/// Reads `YYYY-MM` (surrounding spaces ignored) within the calendar's
/// years.
pub fn parse(text: &str) -> Result<Month, Invalid> {
    let trimmed = text.trim();
    let shaped = trimmed.len() == 7
        && trimmed.bytes().enumerate().all(|(i, b)| match i {
            4 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let not_a_month = || Invalid::new(Field::Month, Rule::NotAMonth { text: echo(text) });
    if !shaped {
        return Err(not_a_month());
    }
    let (year, month) = (
        trimmed[..4].parse::<i32>().map_err(|_| not_a_month())?,
        trimmed[5..].parse::<u32>().map_err(|_| not_a_month())?,
    );
    if !(1..=12).contains(&month) {
        return Err(not_a_month());
    }
    if !(crate::calendar::FIRST_YEAR..=crate::calendar::LAST_YEAR).contains(&year) {
        return Err(Invalid::new(
            Field::Month,
            Rule::year_out_of_range(
                text,
                crate::calendar::FIRST_YEAR,
                crate::calendar::LAST_YEAR,
            ),
        ));
    }
    Ok(Month { year, month })
}

/// The month a request asks for: `text` (`YYYY-MM`), or the month so far
/// on the site's clock (`zone`, a name) when it is left out or blank.
pub fn asked(text: Option<&str>, zone: &str, now: DateTime<Utc>) -> Result<Month, Invalid> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => parse(text),
        None => Ok(current(crate::history::zone_of(zone), now)),
    }
}

/// Local midnight starting `day` in `zone` (the first instant of it, also
/// on a day that starts in a DST gap).
pub fn day_start(zone: chrono_tz::Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match zone.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(at) | chrono::LocalResult::Ambiguous(at, _) => {
            at.with_timezone(&Utc)
        }
        // Midnight skipped: the day starts when the clock jumps.
        chrono::LocalResult::None => (1..=3)
            .find_map(|h| {
                zone.from_local_datetime(&(midnight + chrono::TimeDelta::hours(h)))
                    .earliest()
            })
            .map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&Utc)),
    }
}

/// The month's first instant and the next month's, in `zone`.
pub fn bounds(month: Month, zone: chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let first = month.first_day().unwrap_or_default();
    let next = month.next().first_day().unwrap_or_default();
    (day_start(zone, first), day_start(zone, next))
}

/// The month `now` falls in on the site's clock.
pub fn current(zone: chrono_tz::Tz, now: DateTime<Utc>) -> Month {
    Month::of(now.with_timezone(&zone).date_naive())
}

/// A month a report can be made of: not after the current one, and not
/// over before the history kept (`kept_from`) starts.
pub fn check(
    month: Month,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
    kept_from: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), Invalid> {
    if month > current(zone, now) {
        return Err(Invalid::new(Field::Month, Rule::MonthInFuture));
    }
    let (from, to) = bounds(month, zone);
    if to <= kept_from {
        let first = current(zone, kept_from);
        return Err(Invalid::new(
            Field::Month,
            Rule::BeforeHistory {
                first: first.to_string(),
            },
        ));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn months_are_read_strictly() {
        assert_eq!(
            parse(" 2026-10 ").unwrap(),
            Month {
                year: 2026,
                month: 10
            }
        );
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-10",
            "2026/10",
            "",
            "2026-10-01",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.field, Field::Month);
            assert!(matches!(e.rule, Rule::NotAMonth { .. }), "{bad}: {e:?}");
        }
        assert!(matches!(
            parse("1999-12").unwrap_err().rule,
            Rule::YearOutOfRange { .. }
        ));
    }

    #[test]
    fn a_month_runs_from_local_midnight_to_local_midnight_across_dst() {
        let zurich: chrono_tz::Tz = "Europe/Zurich".parse().unwrap();
        let (from, to) = bounds(
            Month {
                year: 2026,
                month: 10,
            },
            zurich,
        );
        assert_eq!(from, at("2026-09-30T22:00:00Z"));
        assert_eq!(to, at("2026-10-31T23:00:00Z"));
        assert_eq!((to - from).num_hours(), 745, "October has the hour back");
        let (from, to) = bounds(
            Month {
                year: 2026,
                month: 3,
            },
            zurich,
        );
        assert_eq!((to - from).num_hours(), 743);
        let (_, end) = bounds(
            Month {
                year: 2026,
                month: 12,
            },
            zurich,
        );
        assert_eq!(
            end,
            at("2026-12-31T23:00:00Z"),
            "December runs into the new year"
        );
    }

    #[test]
    fn a_future_month_or_one_before_the_history_is_refused() {
        let zurich: chrono_tz::Tz = "Europe/Zurich".parse().unwrap();
        let now = at("2026-12-08T10:00:00Z");
        let kept_from = at("2025-11-03T10:00:00Z");
        let ok = |y, m| check(Month { year: y, month: m }, zurich, now, kept_from);
        assert!(ok(2026, 12).is_ok(), "the month so far");
        assert_eq!(ok(2027, 1).unwrap_err().rule, Rule::MonthInFuture);
        assert!(ok(2025, 11).is_ok(), "partly kept");
        assert_eq!(
            ok(2025, 10).unwrap_err().rule,
            Rule::BeforeHistory {
                first: "2025-11".into()
            }
        );
        // On New Year's Eve at 23:30 in Zurich it is already January there.
        let new_year = at("2026-12-31T23:30:00Z");
        assert!(
            check(
                Month {
                    year: 2027,
                    month: 1
                },
                zurich,
                new_year,
                kept_from
            )
            .is_ok()
        );
    }
}
