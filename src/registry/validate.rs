//! Checks on what an admin typed, with messages that say what to fix.

use crate::types::{CURRENT_LIMIT, ChargerInput, DEFAULT_MAX_CURRENT, DEFAULT_MIN_CURRENT};

/// One field that is not acceptable, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        field,
        message: message.into(),
    }
}

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

pub fn charger(input: &ChargerInput) -> Result<ValidCharger, Invalid> {
    let name = label("name", "Name", &input.name)?;
    let site = label("site", "Site", &input.site)?;
    let edge_device_id = identifier("edge_device_id", "Edge device id", &input.edge_device_id)?;
    let evse_uuid = identifier("evse_uuid", "EVSE uuid", &input.evse_uuid)?;
    let min_current = input.min_current.unwrap_or(DEFAULT_MIN_CURRENT);
    let max_current = input.max_current.unwrap_or(DEFAULT_MAX_CURRENT);
    for (field, what, value) in [
        ("min_current", "Minimum current", min_current),
        ("max_current", "Maximum current", max_current),
    ] {
        if value > CURRENT_LIMIT {
            return Err(invalid(
                field,
                format!("{what} must be between 0 and {CURRENT_LIMIT} A (got {value} A)."),
            ));
        }
    }
    if min_current > max_current {
        return Err(invalid(
            "min_current",
            format!(
                "Minimum current ({min_current} A) must not be above the maximum ({max_current} A)."
            ),
        ));
    }
    let notes = input
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if notes.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(invalid("notes", "Notes must be at most 2000 characters."));
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
fn label(field: &'static str, what: &str, value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(field, format!("{what} must not be empty.")));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("{what} must not contain control characters."),
        ));
    }
    if value.chars().count() > 100 {
        return Err(invalid(
            field,
            format!("{what} must be at most 100 characters."),
        ));
    }
    Ok(value.to_owned())
}

/// A CLEMAP id: no whitespace or control characters anywhere (a pasted
/// id with a trailing space would address nothing).
fn identifier(field: &'static str, what: &str, value: &str) -> Result<String, Invalid> {
    if value.is_empty() {
        return Err(invalid(field, format!("{what} must not be empty.")));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            field,
            format!(
                "{what} must not contain spaces or control characters (check for a stray space when pasting)."
            ),
        ));
    }
    if value.len() > 200 {
        return Err(invalid(
            field,
            format!("{what} must be at most 200 characters."),
        ));
    }
    Ok(value.to_owned())
}

/// An evsetoken must fit in an HTTP header: visible ASCII, no spaces.
pub fn token(value: &str) -> Result<(), Invalid> {
    if value.is_empty() {
        return Err(invalid("token", "The evsetoken must not be empty."));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "token",
            "The evsetoken may only contain visible ASCII characters, without spaces.",
        ));
    }
    if value.len() > 1024 {
        return Err(invalid(
            "token",
            "The evsetoken must be at most 1024 characters.",
        ));
    }
    Ok(())
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
        let cases: Vec<(ChargerInput, &str, &str)> = vec![
            (
                ChargerInput {
                    name: "  ".into(),
                    ..input()
                },
                "name",
                "must not be empty",
            ),
            (
                ChargerInput {
                    name: "a\u{7}b".into(),
                    ..input()
                },
                "name",
                "control characters",
            ),
            (
                ChargerInput {
                    site: "".into(),
                    ..input()
                },
                "site",
                "must not be empty",
            ),
            (
                ChargerInput {
                    edge_device_id: "edge 1".into(),
                    ..input()
                },
                "edge_device_id",
                "spaces",
            ),
            (
                ChargerInput {
                    evse_uuid: "abc\n".into(),
                    ..input()
                },
                "evse_uuid",
                "spaces",
            ),
            (
                ChargerInput {
                    min_current: Some(20),
                    max_current: Some(16),
                    ..input()
                },
                "min_current",
                "must not be above the maximum",
            ),
            (
                ChargerInput {
                    max_current: Some(81),
                    ..input()
                },
                "max_current",
                "between 0 and 80",
            ),
        ];
        for (input, field, text) in cases {
            let err = charger(&input).unwrap_err();
            assert_eq!(err.field, field, "{err}");
            assert!(err.message.contains(text), "{err}");
        }
    }

    #[test]
    fn tokens_must_be_header_safe() {
        assert!(token("abc-DEF_123.~").is_ok());
        assert_eq!(token("").unwrap_err().field, "token");
        assert!(token("has space").is_err());
        assert!(token("tab\there").is_err());
        assert!(token("ünicode").is_err());
    }
}
