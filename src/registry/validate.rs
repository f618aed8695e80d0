//! Checks on what an admin typed. Each failure names the field and the
//! rule it breaks; the UI words it.

use crate::problem::{Field, Invalid, Rule};
use crate::types::{CURRENT_LIMIT, ChargerInput, DEFAULT_MAX_CURRENT, DEFAULT_MIN_CURRENT};

/// A charger input that passed every check, trimmed and with defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCharger {
    pub name: String,
    pub site: String,
    pub edge_device_id: String,
    pub evse_uuid: String,
    pub min_current: u32,
    pub max_current: u32,
    pub notes: Option<String>,
}

const LABEL_CHARS: u32 = 100;
const IDENTIFIER_BYTES: u32 = 200;
const NOTES_CHARS: u32 = 2000;
const TOKEN_BYTES: u32 = 1024;

pub fn charger(input: &ChargerInput) -> Result<ValidCharger, Invalid> {
    let name = label(Field::Name, &input.name)?;
    let site = label(Field::Site, &input.site)?;
    let edge_device_id = identifier(Field::EdgeDeviceId, &input.edge_device_id)?;
    let evse_uuid = identifier(Field::EvseUuid, &input.evse_uuid)?;
    let min_current = input.min_current.unwrap_or(DEFAULT_MIN_CURRENT);
    let max_current = input.max_current.unwrap_or(DEFAULT_MAX_CURRENT);
    for (field, value) in [
        (Field::MinCurrent, min_current),
        (Field::MaxCurrent, max_current),
    ] {
        if value > CURRENT_LIMIT {
            return Err(Invalid::new(
                field,
                Rule::OutOfRange {
                    got: value.into(),
                    min: 0,
                    max: CURRENT_LIMIT.into(),
                },
            ));
        }
    }
    if min_current > max_current {
        return Err(Invalid::new(
            Field::MinCurrent,
            Rule::MinAboveMax {
                min: min_current,
                max: max_current,
            },
        ));
    }
    let notes = input
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > NOTES_CHARS as usize)
    {
        return Err(Invalid::new(
            Field::Notes,
            Rule::TooLong { max: NOTES_CHARS },
        ));
    }
    Ok(ValidCharger {
        name,
        site,
        edge_device_id,
        evse_uuid,
        min_current,
        max_current,
        notes,
    })
}

/// A human label: trimmed, not empty, no control characters.
pub(crate) fn label(field: Field, value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    let rule = if value.is_empty() {
        Rule::Required
    } else if value.chars().any(char::is_control) {
        Rule::ControlCharacters
    } else if value.chars().count() > LABEL_CHARS as usize {
        Rule::TooLong { max: LABEL_CHARS }
    } else {
        return Ok(value.to_owned());
    };
    Err(Invalid::new(field, rule))
}

/// A CLEMAP id: no whitespace or control characters anywhere (a pasted
/// id with a trailing space would address nothing), and not `.` or `..`
/// (each id is one segment of CLEMAP's URL path, where those two would be
/// dropped or climb up: two chargers would share one address).
fn identifier(field: Field, value: &str) -> Result<String, Invalid> {
    let rule = if value.is_empty() {
        Rule::Required
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Rule::Whitespace
    } else if value == "." || value == ".." {
        Rule::DotSegment
    } else if value.len() > IDENTIFIER_BYTES as usize {
        Rule::TooLong {
            max: IDENTIFIER_BYTES,
        }
    } else {
        return Ok(value.to_owned());
    };
    Err(Invalid::new(field, rule))
}

/// An evsetoken must fit in an HTTP header: visible ASCII, no spaces.
pub fn token(value: &str) -> Result<(), Invalid> {
    let rule = if value.is_empty() {
        Rule::Required
    } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
        Rule::NotHeaderSafe
    } else if value.len() > TOKEN_BYTES as usize {
        Rule::TooLong { max: TOKEN_BYTES }
    } else {
        return Ok(());
    };
    Err(Invalid::new(Field::Token, rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ChargerInput {
        ChargerInput {
            name: " Bay 1 ".into(),
            site: "Depot".into(),
            edge_device_id: "edge-1".into(),
            evse_uuid: "6f1c2d3e".into(),
            min_current: None,
            max_current: None,
            notes: Some("  ".into()),
        }
    }

    #[test]
    fn defaults_and_trimming() {
        let v = charger(&input()).unwrap();
        assert_eq!(v.name, "Bay 1");
        assert_eq!((v.min_current, v.max_current), (6, 32));
        assert_eq!(v.notes, None);
    }

    #[test]
    fn each_rule_names_its_field() {
        let cases: Vec<(ChargerInput, Field, Rule)> = vec![
            (
                ChargerInput {
                    name: "  ".into(),
                    ..input()
                },
                Field::Name,
                Rule::Required,
            ),
            (
                ChargerInput {
                    name: "a\u{7}b".into(),
                    ..input()
                },
                Field::Name,
                Rule::ControlCharacters,
            ),
            (
                ChargerInput {
                    site: "".into(),
                    ..input()
                },
                Field::Site,
                Rule::Required,
            ),
            (
                ChargerInput {
                    edge_device_id: "edge 1".into(),
                    ..input()
                },
                Field::EdgeDeviceId,
                Rule::Whitespace,
            ),
            (
                ChargerInput {
                    evse_uuid: "abc\n".into(),
                    ..input()
                },
                Field::EvseUuid,
                Rule::Whitespace,
            ),
            (
                ChargerInput {
                    edge_device_id: ".".into(),
                    ..input()
                },
                Field::EdgeDeviceId,
                Rule::DotSegment,
            ),
            (
                ChargerInput {
                    evse_uuid: "..".into(),
                    ..input()
                },
                Field::EvseUuid,
                Rule::DotSegment,
            ),
            (
                ChargerInput {
                    min_current: Some(20),
                    max_current: Some(16),
                    ..input()
                },
                Field::MinCurrent,
                Rule::MinAboveMax { min: 20, max: 16 },
            ),
            (
                ChargerInput {
                    max_current: Some(81),
                    ..input()
                },
                Field::MaxCurrent,
                Rule::OutOfRange {
                    got: 81,
                    min: 0,
                    max: 80,
                },
            ),
        ];
        for (input, field, rule) in cases {
            assert_eq!(charger(&input).unwrap_err(), Invalid::new(field, rule));
        }
    }

    #[test]
    fn tokens_must_be_header_safe() {
        assert!(token("abc-DEF_123.~").is_ok());
        assert_eq!(token("").unwrap_err().rule, Rule::Required);
        assert!(token("has space").is_err());
        assert!(token("tab\there").is_err());
        assert_eq!(token("ünicode").unwrap_err().rule, Rule::NotHeaderSafe);
    }
}
