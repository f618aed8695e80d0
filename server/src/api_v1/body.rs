//! Reads a target's JSON body into amperes and seconds, or into the same
//! `Invalid` a form's typo gets, so a refused API write is audited with
//! the same reason and sentence as a refused form.

use evse_dashboard::types::{Field, Invalid, Rule};
use serde_json::Value;

use super::model::SetTarget;

/// What a body that is not a JSON object gets (400, nothing audited: it
/// is not an attempt at any particular change).
pub const NOT_AN_OBJECT: &str = r#"send a JSON object such as {"current": 6, "duration": 1800}"#;

/// `{"current": 6, "duration": 1800}`: `Err` for a body that is no JSON
/// object; `Ok(Err)` names the field that is missing or not a whole
/// number (a refusal to audit).
pub fn target_body(body: &[u8]) -> Result<Result<SetTarget, Invalid>, &'static str> {
    let value: Value = serde_json::from_slice(body).map_err(|_| NOT_AN_OBJECT)?;
    if !value.is_object() {
        return Err(NOT_AN_OBJECT);
    }
    Ok(fields(&value))
}

fn fields(value: &Value) -> Result<SetTarget, Invalid> {
    let current = whole(value, "current", Field::Amps)?;
    let duration = whole(value, "duration", Field::Duration)?;
    Ok(SetTarget { current, duration })
}

fn whole(value: &Value, name: &str, field: Field) -> Result<i64, Invalid> {
    match value.get(name) {
        None | Some(Value::Null) => Err(Invalid::new(field, Rule::Required)),
        Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or_default()),
        Some(other) => {
            let text: String = match other {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Err(Invalid::new(field, Rule::not_a_whole_number(&text)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_pass_and_everything_else_names_its_field() {
        let ok = target_body(br#"{"current": 6, "duration": 1800}"#)
            .unwrap()
            .unwrap();
        assert_eq!((ok.current, ok.duration), (6, 1800));
        let field = |body: &[u8]| target_body(body).unwrap().unwrap_err().field;
        assert_eq!(field(br#"{"duration": 60}"#), Field::Amps);
        assert_eq!(field(br#"{"current": 6.5, "duration": 60}"#), Field::Amps);
        assert_eq!(field(br#"{"current": "6", "duration": 60}"#), Field::Amps);
        assert_eq!(field(br#"{"current": 6}"#), Field::Duration);
        assert_eq!(target_body(b"not json").unwrap_err(), NOT_AN_OBJECT);
        assert_eq!(target_body(b"[6, 60]").unwrap_err(), NOT_AN_OBJECT);
        let rule = target_body(br#"{"current": "six", "duration": 60}"#)
            .unwrap()
            .unwrap_err()
            .rule;
        assert_eq!(rule, Rule::not_a_whole_number("six"));
    }
}
