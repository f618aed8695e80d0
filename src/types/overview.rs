//! The fleet overview: one row per charger, and the rule that sums its
//! plugs up into one status.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

use super::Charger;
use crate::clemap::model::{CurrentSettings, PlugState, PlugStatus, highest_phase_current};
use crate::problem::Problem;

/// One charger with what CLEMAP said, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargerOverview {
    pub charger: Charger,
    pub plugs: Vec<PlugStatus>,
    pub settings: Option<CurrentSettings>,
    /// Why the reading failed; the row shows an error badge.
    pub problem: Option<Problem>,
    pub read_at: Option<DateTime<Utc>>,
    /// The verdict on the target in force, when one was judged.
    pub finding: Option<crate::types::Finding>,
    /// The supply limit of the charger's site, ampere per phase.
    #[serde(default)]
    pub site_supply_limit: Option<u32>,
    /// The load manager shares the site's supply (#40).
    #[serde(default)]
    pub site_shared: bool,
    /// What the load manager allocated to this charger, in force now.
    #[serde(default)]
    pub shared: Option<u32>,
}

/// A charger's status in one word, for badges and the overview's filter.
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
#[strum(serialize_all = "snake_case")]
pub enum ChargerStatus {
    Charging,
    /// Idle or connected: reachable and not charging.
    Idle,
    /// A plug (or CLEMAP's device) cannot be reached, or is in error.
    Offline,
    /// CLEMAP could not be read at all.
    Unreadable,
}

impl ChargerOverview {
    /// Any charging plug makes the charger charging; else any unreachable
    /// or failed plug makes it offline.
    pub fn status(&self) -> ChargerStatus {
        use PlugState::*;
        if self.problem.is_some() {
            ChargerStatus::Unreadable
        } else if self.plugs.iter().any(|p| p.status.is_charging()) {
            ChargerStatus::Charging
        } else if self
            .plugs
            .iter()
            .any(|p| matches!(p.status, Offline | CloudOffline | Unknown | Error))
        {
            ChargerStatus::Offline
        } else {
            ChargerStatus::Idle
        }
    }

    /// Power of all plugs, kW.
    pub fn power_kw(&self) -> f64 {
        // A fold from +0.0: an empty float sum is -0.0, which prints as "-0.0".
        self.plugs
            .iter()
            .filter_map(|p| p.power)
            .fold(0.0, |a, b| a + b)
            / 1000.0
    }

    /// The highest phase current of any plug, ampere; `None` when CLEMAP
    /// could not be read or no plug reports a current.
    pub fn measured(&self) -> Option<f64> {
        if self.problem.is_some() {
            return None;
        }
        highest_phase_current(&self.plugs)
    }
}
