//! Reads a target's JSON body into amperes and seconds, or into the same
//! `Invalid` a form's typo gets, so a refused API write is audited with
//! the same reason and sentence as a refused form.

use evse_dashboard::types::{Field, Invalid, Rule};
use serde_json::Value;

use super::model::SetTarget;
use super::problem::{ApiError, Unreadable};

/// `{"current": 6, "duration": 1800}`: `Err` (400, nothing audited: it is
/// not an attempt at any particular change) for a body that is no JSON
/// object or has a field besides those two (as the document says:
/// `additionalProperties: false`); `Ok(Err)` names the field that is missing or not a whole
/// number (a refusal to audit).
pub fn target_body(body: &[u8]) -> Result<Result<SetTarget, Invalid>, ApiError> {
    let not_an_object = ApiError::Unreadable(Unreadable::NotAnObject);
    let value: Value = serde_json::from_slice(body).map_err(|_| not_an_object.clone())?;
    let Some(object) = value.as_object() else {
        return Err(not_an_object);
    };
    if let Some(unknown) = object
        .keys()
        .find(|k| !matches!(k.as_str(), "current" | "duration"))
    {
        return Err(ApiError::Unreadable(Unreadable::UnknownField(
            unknown.clone(),
        )));
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
        let not_an_object = ApiError::Unreadable(Unreadable::NotAnObject);
        assert_eq!(target_body(b"not json").unwrap_err(), not_an_object);
        assert_eq!(
            target_body(br#"{"current": 6, "duration": 60, "curent": 8}"#).unwrap_err(),
            ApiError::Unreadable(Unreadable::UnknownField("curent".into()))
        );
        assert_eq!(target_body(b"[6, 60]").unwrap_err(), not_an_object);
        let rule = target_body(br#"{"current": "six", "duration": 60}"#)
            .unwrap()
            .unwrap_err()
            .rule;
        assert_eq!(rule, Rule::not_a_whole_number("six"));
    }
}
