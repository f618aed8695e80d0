//! Calendar days as people and scripts type them (`YYYY-MM-DD`), within
//! the years the dashboard takes. Every date read from a form, a query
//! string or the API goes through [`day`], so the day after the last one
//! asked for always exists and no arithmetic on it can overflow (a
//! far-future date once panicked the request that carried it).

use chrono::{Datelike, NaiveDate};

use crate::problem::{Field, Invalid, Rule};

/// The first year a date may name: no charger was read before it.
pub const FIRST_YEAR: i32 = 2000;
/// The last year a date may name: far enough for any schedule.
pub const LAST_YEAR: i32 = 2100;

/// Reads `YYYY-MM-DD` (surrounding spaces ignored) as a day from
/// [`FIRST_YEAR`] to [`LAST_YEAR`]; anything else is refused for `field`.
pub fn day(text: &str, field: Field) -> Result<NaiveDate, Invalid> {
    let trimmed = text.trim();
    // chrono reads a sign and up to 262,143 years; a person never means
    // those, and the strict shape keeps "2026-1-5" and "+2026-01-05" out.
    let shaped = trimmed.len() == 10
        && trimmed.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let parsed = shaped
        .then(|| NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Invalid::new(field, Rule::not_a_date(text)))?;
    if (FIRST_YEAR..=LAST_YEAR).contains(&parsed.year()) {
        Ok(parsed)
    } else {
        Err(Invalid::new(
            field,
            Rule::year_out_of_range(text, FIRST_YEAR, LAST_YEAR),
        ))
    }
}

/// A day within the range, or `None` for a blank text.
pub fn optional_day(text: &str, field: Field) -> Result<Option<NaiveDate>, Invalid> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        day(text, field).map(Some)
    }
}

/// The day after `day`; [`day`]'s range leaves room for it, and a date
/// at chrono's very end stays where it is rather than panic.
pub fn next(day: NaiveDate) -> NaiveDate {
    day.succ_opt().unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_in_range_are_read() {
        let d = day(" 2026-11-24 ", Field::FirstDay).unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert!(day("2000-01-01", Field::FirstDay).is_ok());
        assert!(day("2100-12-31", Field::FirstDay).is_ok());
        assert_eq!(
            next(day("2100-12-31", Field::LastDay).unwrap()),
            NaiveDate::from_ymd_opt(2101, 1, 1).unwrap()
        );
    }

    #[test]
    fn far_and_strange_dates_are_refused_with_their_rule() {
        let rule = |t| day(t, Field::LastDay).unwrap_err().rule;
        assert_eq!(
            rule("1999-12-31"),
            Rule::year_out_of_range("1999-12-31", FIRST_YEAR, LAST_YEAR)
        );
        assert_eq!(
            rule("2101-01-01"),
            Rule::year_out_of_range("2101-01-01", FIRST_YEAR, LAST_YEAR)
        );
        for bad in [
            "+262142-12-31",
            "-0001-01-01",
            "262142-12-31",
            "2026-02-30",
            "2026-1-5",
            "24.11.2026",
            "",
            "２０２６-11-24",
        ] {
            assert_eq!(rule(bad), Rule::not_a_date(bad), "{bad}");
        }
        assert_eq!(optional_day("  ", Field::ValidTo), Ok(None));
    }
}
