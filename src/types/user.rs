//! People who log in, and what they may do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

/// What a user may do. Ordered: each role can do everything the ones
/// before it can.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    EnumIter,
    EnumString,
    IntoStaticStr,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT", rename_all = "snake_case"))]
pub enum Role {
    /// Sees status and history; changes nothing.
    Viewer,
    /// Also sets and resets current targets.
    Operator,
    /// Also registers chargers and manages users.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Parses a role name, ignoring case and surrounding space.
    pub fn parse(s: &str) -> Option<Role> {
        s.trim().parse().ok()
    }
}

/// The languages the dashboard speaks. A user's choice is kept with the
/// user; the UI maps it to its translations.
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
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "TEXT", rename_all = "snake_case"))]
pub enum Language {
    En,
    De,
    Fr,
}

impl Language {
    /// The BCP 47 tag (`en`, `de`, `fr`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A user as anyone may see it: no password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// The language chosen in the header; none follows the browser.
    #[serde(default)]
    pub language: Option<Language>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parse() {
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::Operator.to_string(), "operator");
    }
}
