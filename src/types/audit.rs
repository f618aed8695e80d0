//! The audit trail as the UI reads it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::problem::Problem;
use crate::vocabulary::{AuditAction, Outcome};

/// One row of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The user who acted, when a user did: for the server's own checks
    /// of who may see what (never sent to the browser).
    #[serde(skip)]
    pub actor_id: Option<i64>,
    pub action: AuditAction,
    pub charger_id: Option<i64>,
    pub charger_name: Option<String>,
    /// What the event is about when it is not a charger (e.g. a username).
    pub subject: Option<String>,
    pub requested_current: Option<u32>,
    pub requested_duration: Option<u32>,
    pub outcome: Outcome,
    pub upstream_status: Option<u16>,
    /// CLEMAP's answer (JSON, never a token).
    pub upstream_answer: Option<String>,
    /// For a reset: the settings CLEMAP removed (JSON).
    pub previous_settings: Option<String>,
    pub problem: Option<Problem>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    /// A verdict row: the set it judges. A set: none.
    #[serde(default)]
    pub refers_to: Option<i64>,
    /// A verdict row's verdict, or on a set's row the latest verdict on it.
    #[serde(default)]
    pub verdict: Option<crate::types::Verdict>,
}

/// The audit page's filters; also its URL query, so a view can be shared.
/// Blank values (an "All" choice in a plain GET form) mean no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(
        default,
        deserialize_with = "blank_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub charger: Option<i64>,
    #[serde(
        default,
        deserialize_with = "blank_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub site: Option<i64>,
    #[serde(
        default,
        deserialize_with = "blank_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub user: Option<String>,
    #[serde(
        default,
        deserialize_with = "blank_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub action: Option<AuditAction>,
    #[serde(
        default,
        deserialize_with = "blank_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub outcome: Option<Outcome>,
    /// First day, `YYYY-MM-DD` (UTC), inclusive.
    #[serde(
        default,
        deserialize_with = "blank_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), inclusive.
    #[serde(
        default,
        deserialize_with = "blank_as_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub to: Option<String>,
}

impl AuditFilter {
    /// Builds a filter from URL query values, ignoring blanks and values
    /// that are not one of ours (a hand-edited URL shows everything
    /// rather than an error).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        fn value<T: std::str::FromStr>(text: Option<String>) -> Option<T> {
            text.and_then(|t| t.trim().parse().ok())
        }
        let text = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        Self {
            charger: value(text("charger")),
            site: value(text("site")),
            user: text("user").map(|u| u.trim().to_owned()),
            action: value(text("action")),
            outcome: value(text("outcome")),
            from: text("from"),
            to: text("to"),
        }
    }
}

impl AuditFilter {
    /// The filter as a URL query (`charger=3&action=set_target`), for links
    /// and the export; blanks left out.
    pub fn to_query(&self) -> String {
        let text = |v: Option<String>| v.filter(|t| !t.trim().is_empty());
        let pairs = [
            ("charger", self.charger.map(|v| v.to_string())),
            ("site", self.site.map(|v| v.to_string())),
            ("user", text(self.user.clone())),
            ("action", self.action.map(|v| v.to_string())),
            ("outcome", self.outcome.map(|v| v.to_string())),
            ("from", text(self.from.clone())),
            ("to", text(self.to.clone())),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", percent_encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `""` is `None`; anything else must parse.
fn blank_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text = Option::<String>::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// One page of audit events, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// How many events match the filter, at most `audit::query::COUNT_CAP`.
    pub total: i64,
    /// More than `total` match (the count stopped at its cap).
    #[serde(default)]
    pub more: bool,
    /// Pass as `before` to get the next (older) page.
    pub next_before: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_get_form_with_all_choices_is_no_filter() {
        let f: AuditFilter =
            serde_json::from_value(serde_json::json!({"charger": "", "action": "", "user": " "}))
                .unwrap();
        assert_eq!(f, AuditFilter::default());
        let f: AuditFilter =
            serde_json::from_value(serde_json::json!({"charger": "7", "action": "set_target"}))
                .unwrap();
        assert_eq!(f.charger, Some(7));
        assert_eq!(f.action, Some(AuditAction::SetTarget));
    }

    #[test]
    fn a_filter_becomes_a_query_and_back() {
        let f = AuditFilter {
            charger: Some(3),
            user: Some("olga & co".into()),
            action: Some(AuditAction::SetTarget),
            ..Default::default()
        };
        assert_eq!(
            f.to_query(),
            "charger=3&user=olga%20%26%20co&action=set_target"
        );
        let pairs: std::collections::HashMap<String, String> = [
            ("charger", "3"),
            ("user", "olga & co"),
            ("action", "set_target"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(AuditFilter::from_query(|k| pairs.get(k).cloned()), f);
    }

    #[test]
    fn unknown_query_values_are_ignored() {
        let f = AuditFilter::from_query(|k| match k {
            "action" => Some("drop_table".into()),
            "outcome" => Some("received".into()),
            "charger" => Some("x".into()),
            _ => None,
        });
        assert_eq!(f.action, None);
        assert_eq!(f.outcome, Some(Outcome::Received));
        assert_eq!(f.charger, None);
    }
}
