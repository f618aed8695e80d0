//! The closed sets the dashboard speaks in, each defined once. The audit
//! table's check (`db::vocabulary`), the audit page's filter lists, the
//! UI's labels and the CSV all iterate or parse these enums, so a value
//! that is written can always be filtered and labelled.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

/// What an audit row records.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
    Display,
    Default,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT", rename_all = "snake_case"))]
pub enum AuditAction {
    SetTarget,
    ResetTarget,
    /// The default only so that a blank audit row can name the CSV's
    /// columns (an empty export still has its header).
    #[default]
    Login,
    Logout,
    PasswordChanged,
    PasswordReset,
    UserCreated,
    UserRoleChanged,
    UserDisabled,
    UserEnabled,
    ChargerAdded,
    ChargerUpdated,
    ChargerDeleted,
    ChargerTokenReplaced,
    AuditExported,
    /// The token key was rotated (`evse-dashboard rotate-key`).
    KeyRotated,
    ScheduleCreated,
    ScheduleUpdated,
    ScheduleEnabled,
    ScheduleDisabled,
    ScheduleDeleted,
    /// A site's time zone or supply limit changed.
    SiteUpdated,
    /// A site's supply sharing switched on or off, or its minimum changed.
    SiteSharingChanged,
    /// A charger's priority when its site's supply is shared.
    ChargerPriorityChanged,
    /// The load manager renewed its unchanged targets on a site's
    /// chargers: one row for the lot, each charger's outcome in its answer.
    ShareRenewed,
    /// What a charger did with a target CLEMAP received: a verdict
    /// (`verdict`) on the set it `refers_to`, from a status sample.
    TargetChecked,
    /// An API token was made (`subject`: its name).
    ApiTokenCreated,
    /// An API token was revoked (`subject`: its name).
    ApiTokenRevoked,
    /// An alert subscription was added (`subject`: its address, or its
    /// webhook's host).
    AlertSubscriptionAdded,
    /// An alert subscription was removed.
    AlertSubscriptionRemoved,
    /// A test alert was sent to a subscription (`subject`: its receiver
    /// as shown).
    AlertTestSent,
    /// A user's own address was confirmed by the link mailed to it.
    AlertSubscriptionConfirmed,
}

impl AuditAction {
    /// Actions that talk to CLEMAP (an intent row, then the outcome).
    pub fn is_upstream_call(self) -> bool {
        matches!(self, Self::SetTarget | Self::ResetTarget)
    }
}

/// How an audited attempt ended.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
    Display,
    Default,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT", rename_all = "snake_case"))]
pub enum Outcome {
    /// Written before the CLEMAP call; completed after it. The default only
    /// for a blank audit row (the CSV header).
    #[default]
    Pending,
    /// CLEMAP took the request (requested, not necessarily applied).
    Received,
    /// CLEMAP answered, but refused (e.g. its device is disconnected).
    Rejected,
    /// The call failed (CLEMAP, network or the token could not be opened).
    Error,
    /// Refused by the dashboard before any call (bad input).
    Refused,
    /// The server stopped between the call and the answer.
    Unknown,
    /// A local change that succeeded (login, user or charger admin).
    Ok,
    /// A local change that failed.
    Failed,
}

impl Outcome {
    /// Whether the attempt did what was asked.
    pub fn succeeded(self) -> bool {
        matches!(self, Self::Received | Self::Ok)
    }
}

/// Who is served first when a site's supply is shared (#40).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
    Display,
    Default,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT", rename_all = "snake_case"))]
pub enum Priority {
    High,
    #[default]
    Normal,
    Low,
}

impl Priority {
    /// Sort key: the first served is the lowest.
    pub fn rank(self) -> u8 {
        match self {
            Self::High => 0,
            Self::Normal => 1,
            Self::Low => 2,
        }
    }
}

/// Quotes every value of a closed set for an SQL `IN (…)` list. The values
/// are our own snake_case identifiers, never user input.
#[cfg(feature = "ssr")]
pub fn sql_list<T>() -> String
where
    T: strum::IntoEnumIterator + Into<&'static str>,
{
    T::iter()
        .map(|v| format!("'{}'", v.into()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn wire_names_parse_back_and_match_serde() {
        for action in AuditAction::iter() {
            let name: &'static str = action.into();
            assert_eq!(AuditAction::from_str(name), Ok(action));
            assert_eq!(
                serde_json::to_string(&action).unwrap(),
                format!("\"{name}\"")
            );
        }
        for outcome in Outcome::iter() {
            let name: &'static str = outcome.into();
            assert_eq!(Outcome::from_str(name), Ok(outcome));
            assert_eq!(
                serde_json::to_string(&outcome).unwrap(),
                format!("\"{name}\"")
            );
        }
        assert_eq!(AuditAction::AuditExported.to_string(), "audit_exported");
        assert!(AuditAction::from_str("drop_table").is_err());
    }

    #[test]
    fn only_received_and_ok_count_as_success() {
        let good: Vec<Outcome> = Outcome::iter().filter(|o| o.succeeded()).collect();
        assert_eq!(good, [Outcome::Received, Outcome::Ok]);
    }
}
