//! Checks on a schedule as typed. Each failure names the field and the
//! rule it breaks; the UI words it.

use chrono::{NaiveDate, NaiveTime, Timelike};
use chrono_tz::Tz;

use super::days::Days;
use super::occurrence::Weekly;
use crate::control::validate::parse_amps;
use crate::problem::{Field, Invalid, Rule};
use crate::registry::validate::label;
use crate::types::ScheduleInput;

/// A schedule that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: String,
    pub weekly: Weekly,
    pub current: u32,
}

/// Checks `input`; `zone` is used when the input names none, and the
/// current must lie in `range` (the charger's, or any a site may plan).
pub fn plan(input: &ScheduleInput, zone: &str, range: (u32, u32)) -> Result<Plan, Invalid> {
    let name = label(Field::Name, &input.name)?;
    let days =
        Days::from_bits(input.day_bits()).ok_or(Invalid::new(Field::Days, Rule::Required))?;
    let start = time(Field::StartTime, &input.from)?;
    let end = time(Field::EndTime, &input.to)?;
    let current = current(&input.current, range)?;
    let zone = time_zone(if input.time_zone.trim().is_empty() {
        zone
    } else {
        &input.time_zone
    })?;
    let valid_from = date(Field::ValidFrom, &input.valid_from)?;
    let valid_to = date(Field::ValidTo, &input.valid_to)?;
    if let (Some(from), Some(to)) = (valid_from, valid_to)
        && to < from
    {
        return Err(Invalid::new(Field::ValidTo, Rule::BeforeFirstDay));
    }
    Ok(Plan {
        name,
        weekly: Weekly {
            days,
            start,
            end,
            zone,
            valid_from,
            valid_to,
        },
        current,
    })
}

/// `HH:MM` (a browser's time field may add seconds, which are dropped).
pub fn time(field: Field, text: &str) -> Result<NaiveTime, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::new(field, Rule::Required));
    }
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .map(|t| t.with_second(0).unwrap_or(t))
        .map_err(|_| Invalid::new(field, Rule::not_a_time(text)))
}

pub fn time_zone(text: &str) -> Result<Tz, Invalid> {
    let text = text.trim();
    text.parse::<Tz>()
        .map_err(|_| Invalid::new(Field::TimeZone, Rule::unknown_time_zone(text)))
}

fn current(text: &str, (min, max): (u32, u32)) -> Result<u32, Invalid> {
    let amps = parse_amps(text).map_err(|i| Invalid::new(Field::PlannedCurrent, i.rule))?;
    u32::try_from(amps)
        .ok()
        .filter(|a| (min..=max).contains(a))
        .ok_or(Invalid::new(
            Field::PlannedCurrent,
            Rule::OutOfRange {
                got: amps,
                min: min.into(),
                max: max.into(),
            },
        ))
}

fn date(field: Field, text: &str) -> Result<Option<NaiveDate>, Invalid> {
    crate::calendar::optional_day(text, field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> ScheduleInput {
        ScheduleInput {
            name: " Office hours ".into(),
            from: "08:00".into(),
            to: "18:00:00".into(),
            current: "10".into(),
            ..Default::default()
        }
        .with_days(0b001_1111)
    }

    fn refusal(input: ScheduleInput) -> Invalid {
        plan(&input, "Europe/Zurich", (6, 32)).unwrap_err()
    }

    #[test]
    fn a_good_schedule_takes_the_default_zone() {
        let plan = plan(&office(), "Europe/Zurich", (6, 32)).unwrap();
        assert_eq!(plan.name, "Office hours");
        assert_eq!(plan.weekly.zone, chrono_tz::Europe::Zurich);
        assert_eq!(plan.weekly.end, NaiveTime::from_hms_opt(18, 0, 0).unwrap());
        assert_eq!(plan.current, 10);
    }

    #[test]
    fn each_field_says_what_is_wrong() {
        let none = ScheduleInput {
            mon: None,
            tue: None,
            wed: None,
            thu: None,
            fri: None,
            ..office()
        };
        assert_eq!(refusal(none), Invalid::new(Field::Days, Rule::Required));
        let late = ScheduleInput {
            from: "25:00".into(),
            ..office()
        };
        assert_eq!(
            refusal(late),
            Invalid::new(Field::StartTime, Rule::not_a_time("25:00"))
        );
        let strong = ScheduleInput {
            current: "40".into(),
            ..office()
        };
        assert_eq!(refusal(strong.clone()).field, Field::PlannedCurrent);
        assert!(matches!(
            refusal(strong).rule,
            Rule::OutOfRange {
                got: 40,
                min: 6,
                max: 32
            }
        ));
        let mars = ScheduleInput {
            time_zone: "Mars/Olympus".into(),
            ..office()
        };
        assert_eq!(refusal(mars).field, Field::TimeZone);
        let backwards = ScheduleInput {
            valid_from: "2026-12-24".into(),
            valid_to: "2026-12-01".into(),
            ..office()
        };
        assert_eq!(
            refusal(backwards),
            Invalid::new(Field::ValidTo, Rule::BeforeFirstDay)
        );
    }
}
