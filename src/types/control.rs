//! Setting and resetting targets: what the UI sends back and shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::clemap::model::{CurrentSettings, PlugStatus};
use crate::problem::Problem;
use crate::vocabulary::{AuditAction, Outcome};

/// The duration choice meaning "use the custom minutes field".
pub const CUSTOM_DURATION: &str = "custom";

/// Bounds on the duration of a temporary target, seconds. The server's
/// configuration sets the maximum; the form offers what fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetLimits {
    pub min_duration: u32,
    pub max_duration: u32,
}

impl Default for TargetLimits {
    fn default() -> Self {
        Self {
            min_duration: 60,
            max_duration: 24 * 3600,
        }
    }
}

/// Estimated power of a current on three phases at 230 V, in kW.
pub fn estimated_kw(amps: u32) -> f64 {
    230.0 * f64::from(amps) * 3.0 / 1000.0
}

/// How a set or reset ended, rebuilt from its audit row. The UI turns it
/// into a sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlOutcome {
    /// The audit row that records this attempt.
    pub audit_id: i64,
    pub charger_id: i64,
    pub charger_name: String,
    pub action: AuditAction,
    pub outcome: Outcome,
    pub requested_current: Option<u32>,
    pub requested_duration: Option<u32>,
    /// For a reset: what CLEMAP said was in force before.
    pub previous: Option<CurrentSettings>,
    /// Why it was refused or failed.
    pub problem: Option<Problem>,
    pub at: DateTime<Utc>,
}

impl ControlOutcome {
    pub fn succeeded(&self) -> bool {
        self.outcome.succeeded()
    }

    /// When a target CLEMAP received ends (the one place it is computed:
    /// the pages, `/api/v1` and the latest reading all show this).
    pub fn valid_until(&self) -> Option<DateTime<Utc>> {
        if self.outcome != Outcome::Received || self.action != AuditAction::SetTarget {
            return None;
        }
        let seconds = chrono::TimeDelta::try_seconds(self.requested_duration?.into())?;
        self.at.checked_add_signed(seconds)
    }

    /// The target a received change leaves in force: the one set, or none
    /// after a reset. `None` when CLEMAP did not receive it.
    pub fn in_force(&self) -> Option<CurrentSettings> {
        if self.outcome != Outcome::Received {
            return None;
        }
        Some(match self.action {
            AuditAction::SetTarget => CurrentSettings {
                current: self.requested_current,
                valid_until: self.valid_until(),
            },
            _ => CurrentSettings::default(),
        })
    }
}

/// A charger's live reading, as the charger page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargerLive {
    pub plugs: Vec<PlugStatus>,
    pub settings: CurrentSettings,
    pub read_at: DateTime<Utc>,
    /// The verdict on the target in force, when one was judged.
    pub finding: Option<crate::types::Finding>,
}

impl ChargerLive {
    /// The dynamic limit CLEMAP reports for the charger, if any plug has one.
    pub fn dynamic_limit(&self) -> Option<f64> {
        self.plugs.iter().find_map(|p| p.dyn_current_limit)
    }
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
    /// The audited outcome, or why there is none (the database failed).
    pub result: Result<ControlOutcome, Problem>,
}

impl BulkItem {
    pub fn succeeded(&self) -> bool {
        self.result.as_ref().is_ok_and(ControlOutcome::succeeded)
    }
}

/// The result of a bulk change: one outcome per charger, one batch id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub batch_id: String,
    pub items: Vec<BulkItem>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn power_estimate() {
        assert!((super::estimated_kw(10) - 6.9).abs() < 1e-9);
        assert!((super::estimated_kw(32) - 22.08).abs() < 1e-9);
    }
}

/// One charger's part of the load manager's renewal (#40), as the
/// `share_renewed` row's answer lists it: written by the renewal, read by
/// the verdicts (a renewal received keeps the set it renews in force).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewed {
    pub charger_id: i64,
    pub charger: String,
    pub current: u32,
    pub outcome: Outcome,
}
