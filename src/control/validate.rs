//! What a set request must satisfy before anything goes upstream. Form
//! input arrives as text so that a typo is refused (and audited) with a
//! reason rather than failing to decode.

use crate::clemap::model::TargetRequest;
use crate::problem::{Field, Invalid, Rule};
pub use crate::types::CUSTOM_DURATION;
use crate::types::{CURRENT_LIMIT, Charger, TargetLimits};

/// Whole amperes only: CLEMAP takes integers.
pub fn parse_amps(text: &str) -> Result<i64, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::new(Field::Amps, Rule::Required));
    }
    text.parse::<i64>()
        .map_err(|_| Invalid::new(Field::Amps, Rule::not_a_whole_number(text)))
}

/// Seconds, or [`CUSTOM_DURATION`] with whole minutes.
pub fn parse_duration(choice: &str, custom_minutes: Option<&str>) -> Result<i64, Invalid> {
    let choice = choice.trim();
    if choice == CUSTOM_DURATION {
        let minutes = custom_minutes.unwrap_or_default().trim();
        if minutes.is_empty() {
            return Err(Invalid::new(Field::CustomMinutes, Rule::Required));
        }
        return minutes
            .parse::<i64>()
            .map(|m| m.saturating_mul(60))
            .map_err(|_| Invalid::new(Field::CustomMinutes, Rule::not_a_whole_number(minutes)));
    }
    if choice.is_empty() {
        return Err(Invalid::new(Field::Duration, Rule::Required));
    }
    choice
        .parse::<i64>()
        .map_err(|_| Invalid::new(Field::Duration, Rule::not_a_whole_number(choice)))
}

/// What a person or a token asked for: current and duration (seconds),
/// or why what they sent is neither. Refused and audited either way.
pub type Asked = Result<(i64, i64), Invalid>;

/// A target as a form sends it: amps, a duration choice, custom minutes.
pub fn form(amps: &str, duration: &str, custom_minutes: Option<&str>) -> Asked {
    Ok((parse_amps(amps)?, parse_duration(duration, custom_minutes)?))
}

/// The one rule for a current asked of several chargers at once (a site,
/// the overview's bulk form; every path): it must be one a charger could
/// be rated for, 0 to [`CURRENT_LIMIT`] A (the bulk form's own bounds, and
/// what a site's schedule takes); each charger then gets it clamped to its
/// own range, which the form's review shows before anything is sent. A
/// current past that, or a duration outside the server's limits, is a
/// mistake to refuse, not to clamp.
pub fn several(limits: TargetLimits, amps: i64, duration: i64) -> Result<(), Invalid> {
    if !(0..=i64::from(CURRENT_LIMIT)).contains(&amps) {
        let rule = Rule::OutOfRange {
            got: amps,
            min: 0,
            max: CURRENT_LIMIT.into(),
        };
        return Err(Invalid::new(Field::Amps, rule));
    }
    let (min, max) = (limits.min_duration, limits.max_duration);
    if !(i64::from(min)..=i64::from(max)).contains(&duration) {
        let rule = Rule::OutOfRange {
            got: duration,
            min: min.into(),
            max: max.into(),
        };
        return Err(Invalid::new(Field::Duration, rule));
    }
    Ok(())
}

/// The request CLEMAP gets: amps within the charger's range, duration
/// within the server's limits.
pub fn target(
    charger: &Charger,
    limits: TargetLimits,
    amps: i64,
    duration: i64,
) -> Result<TargetRequest, Invalid> {
    let (min, max) = (charger.min_current, charger.max_current);
    let current = u32::try_from(amps)
        .ok()
        .filter(|a| (min..=max).contains(a))
        .ok_or_else(|| {
            Invalid::new(
                Field::Amps,
                Rule::OutOfRange {
                    got: amps,
                    min: min.into(),
                    max: max.into(),
                },
            )
        })?;
    let duration = u32::try_from(duration)
        .ok()
        .filter(|d| (limits.min_duration..=limits.max_duration).contains(d))
        .ok_or_else(|| {
            Invalid::new(
                Field::Duration,
                Rule::OutOfRange {
                    got: duration,
                    min: limits.min_duration.into(),
                    max: limits.max_duration.into(),
                },
            )
        })?;
    Ok(TargetRequest { current, duration })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amps_must_be_whole_numbers() {
        assert_eq!(parse_amps(" 10 "), Ok(10));
        assert_eq!(
            parse_amps("10.5").unwrap_err().rule,
            Rule::not_a_whole_number("10.5")
        );
        assert_eq!(parse_amps("").unwrap_err().rule, Rule::Required);
    }

    #[test]
    fn durations_are_presets_or_custom_minutes() {
        assert_eq!(parse_duration("7200", None), Ok(7200));
        assert_eq!(parse_duration("custom", Some("45")), Ok(2700));
        assert_eq!(
            parse_duration("custom", Some("1.5")).unwrap_err().field,
            Field::CustomMinutes
        );
        assert_eq!(
            parse_duration("", None).unwrap_err(),
            Invalid::new(Field::Duration, Rule::Required)
        );
    }
}
