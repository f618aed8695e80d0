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

/// What came back from a set or reset, for the outcome banner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlOutcome {
    /// The audit row that records this attempt.
    pub audit_id: i64,
    pub charger_id: i64,
    pub charger_name: String,
    pub action: String,
    /// `received`, `rejected`, `error`, `refused`, `unknown`, `pending`.
    pub outcome: String,
    pub requested_current: Option<u32>,
    pub requested_duration: Option<u32>,
    /// The sentence to show.
    pub message: String,
    /// For a reset: what CLEMAP said was in force before.
    pub previous: Option<crate::clemap::model::CurrentSettings>,
    pub at: String,
}

impl ControlOutcome {
    pub fn succeeded(&self) -> bool {
        self.outcome == "received"
    }
}

/// One row of the audit trail as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub charger_id: Option<i64>,
    pub charger_name: Option<String>,
    pub subject: Option<String>,
    pub requested_current: Option<u32>,
    pub requested_duration: Option<u32>,
    pub outcome: String,
    pub upstream_status: Option<u16>,
    pub upstream_answer: Option<String>,
    pub previous_settings: Option<String>,
    pub error: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

/// A charger's live reading, as the charger page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargerLive {
    pub plugs: Vec<crate::clemap::model::PlugStatus>,
    pub settings: crate::clemap::model::CurrentSettings,
    /// When the server read it (UTC, RFC 3339).
    pub read_at: String,
}

/// Formats seconds as "2 h", "1 h 30 min", "15 min", "45 s".
pub fn human_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// Estimated power of a current on three phases at 230 V, in kW.
pub fn estimated_kw(amps: u32) -> f64 {
    230.0 * f64::from(amps) * 3.0 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(900), "15 min");
        assert_eq!(human_duration(7200), "2 h");
        assert_eq!(human_duration(5400), "1 h 30 min");
        assert_eq!(human_duration(90), "1 min 30 s");
    }

    #[test]
    fn power_estimate() {
        assert!((estimated_kw(10) - 6.9).abs() < 1e-9);
        assert!((estimated_kw(32) - 22.08).abs() < 1e-9);
    }

    #[test]
    fn roles_are_ordered_and_parse() {
        assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }
}

/// The audit page's filters; also its URL query, so a view can be shared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charger: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// First day, `YYYY-MM-DD` (UTC), inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// One page of audit events, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// How many events match the filter in all.
    pub total: i64,
    /// Pass as `before` to get the next (older) page.
    pub next_before: Option<i64>,
}

/// One charger on the fleet overview: its registration, and what CLEMAP
/// said (or why it could not be read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargerOverview {
    pub charger: Charger,
    pub plugs: Vec<crate::clemap::model::PlugStatus>,
    pub settings: Option<crate::clemap::model::CurrentSettings>,
    /// Why the reading failed, as a sentence; the row shows an error badge.
    pub error: Option<String>,
    /// When the reading was taken (UTC, RFC 3339).
    pub read_at: Option<String>,
}

/// The result of a bulk change for one charger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkItem {
    pub charger_id: i64,
    pub charger_name: String,
    /// What was asked for, before clamping to the charger's range.
    pub requested: i64,
    /// What was sent (the request clamped to [min, max]).
    pub sent: u32,
    pub outcome: ControlOutcome,
}

/// The result of a bulk change: one outcome per charger, one batch id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub batch_id: String,
    pub items: Vec<BulkItem>,
}

/// The current a bulk request sends to one charger: clamped to its range.
pub fn clamp_to_charger(amps: i64, charger: &Charger) -> u32 {
    amps.clamp(
        i64::from(charger.min_current),
        i64::from(charger.max_current),
    ) as u32
}
