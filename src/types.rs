//! Data transfer types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// What the server says about itself: the round trip that proves the
/// browser can reach the server functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The server's crate version.
    pub version: String,
    /// The SQLite library version the server's database answered with.
    pub sqlite_version: String,
    /// How many schema migrations are applied.
    pub migrations_applied: i64,
    /// When the server process started (UTC, RFC 3339).
    pub started_at: String,
}

/// A registered charger as the UI sees it: never its token, only whether
/// one is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charger {
    pub id: i64,
    pub name: String,
    pub site_id: i64,
    pub site_name: String,
    pub edge_device_id: String,
    pub evse_uuid: String,
    pub min_current: u32,
    pub max_current: u32,
    pub notes: Option<String>,
    pub token_set: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// What an admin types to register or edit a charger (the token travels
/// separately, write-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargerInput {
    pub name: String,
    pub site: String,
    pub edge_device_id: String,
    pub evse_uuid: String,
    /// Ampere; `None` means the default (6 A).
    pub min_current: Option<u32>,
    /// Ampere; `None` means the default (32 A).
    pub max_current: Option<u32>,
    pub notes: Option<String>,
}

/// The lowest current most vehicles can charge with (IEC 61851).
pub const DEFAULT_MIN_CURRENT: u32 = 6;
pub const DEFAULT_MAX_CURRENT: u32 = 32;
/// No charger the dashboard manages takes more than this per phase.
pub const CURRENT_LIMIT: u32 = 80;

/// What a user may do. Ordered: each role can do everything the ones
/// before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees status and history; changes nothing.
    Viewer,
    /// Also sets and resets current targets.
    Operator,
    /// Also registers chargers and manages users.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user as anyone may see it: no password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
    pub last_login_at: Option<String>,
}
