//! Chargers as the UI sees and edits them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The lowest current most vehicles can charge with (IEC 61851).
pub const DEFAULT_MIN_CURRENT: u32 = 6;
pub const DEFAULT_MAX_CURRENT: u32 = 32;
/// No charger the dashboard manages takes more than this per phase.
pub const CURRENT_LIMIT: u32 = 80;

/// A registered charger: never its token, only whether one is set.
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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Charger {
    /// What a bulk request sends to this charger: clamped to its range.
    pub fn clamp(&self, amps: i64) -> u32 {
        let clamped = amps.clamp(i64::from(self.min_current), i64::from(self.max_current));
        u32::try_from(clamped).unwrap_or(self.min_current)
    }
}

/// What an admin types to register or edit a charger (the token travels
/// separately, write-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargerInput {
    pub name: String,
    pub site: String,
    pub edge_device_id: String,
    pub evse_uuid: String,
    /// Ampere; `None` means [`DEFAULT_MIN_CURRENT`].
    pub min_current: Option<u32>,
    /// Ampere; `None` means [`DEFAULT_MAX_CURRENT`].
    pub max_current: Option<u32>,
    pub notes: Option<String>,
}
