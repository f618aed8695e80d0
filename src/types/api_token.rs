//! An API token as everyone but the server's hash check sees it: its name,
//! role and dates. Never the token, never its hash.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    /// Unique for good: the audit trail names the token's calls
    /// `token:NAME`, so a name is never given to a second token.
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// The audit actor who created it (`olga`, `cli:root`).
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    /// Updated at most once a minute (a write per call would cost more
    /// than the call).
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Whether a token is accepted, and if not, why not.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl ApiToken {
    pub fn state(&self, now: DateTime<Utc>) -> TokenState {
        if self.revoked_at.is_some() {
            TokenState::Revoked
        } else if self.expires_at.is_some_and(|at| at <= now) {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }
}

/// The longest lifetime a token may be given, in days (ten years: a
/// building-management system is configured once; revocation is the
/// normal end).
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// The longest token name.
pub const MAX_TOKEN_NAME_CHARS: u32 = 40;
