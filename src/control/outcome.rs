//! The outcome of an attempt is whatever its audit row says, so a page
//! rendered after a plain form POST shows exactly what a script would.

use crate::clemap::model::CurrentSettings;
use crate::types::{AuditEntry, ControlOutcome};

/// The outcome of a set or reset, from its audit row.
pub fn outcome_of(entry: AuditEntry) -> ControlOutcome {
    let previous: Option<CurrentSettings> = entry
        .previous_settings
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok());
    ControlOutcome {
        audit_id: entry.id,
        charger_id: entry.charger_id.unwrap_or_default(),
        charger_name: entry.charger_name.unwrap_or_default(),
        action: entry.action,
        outcome: entry.outcome,
        requested_current: entry.requested_current,
        requested_duration: entry.requested_duration,
        previous,
        problem: entry.problem,
        at: entry.at,
    }
}
