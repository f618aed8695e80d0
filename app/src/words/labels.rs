//! Labels for the closed sets. Each match is exhaustive, so a new variant
//! does not compile until it has a label.

use evse_dashboard::clemap::model::PlugState;
use evse_dashboard::types::{AuditAction, ChargerStatus, Outcome, Role};

pub fn action_label(action: AuditAction) -> &'static str {
    use AuditAction::*;
    match action {
        SetTarget => "Set target",
        ResetTarget => "Reset target",
        Login => "Logged in",
        Logout => "Logged out",
        PasswordChanged => "Password changed",
        PasswordReset => "Password reset",
        UserCreated => "User created",
        UserRoleChanged => "Role changed",
        UserDisabled => "User disabled",
        UserEnabled => "User enabled",
        ChargerAdded => "Charger added",
        ChargerUpdated => "Charger edited",
        ChargerDeleted => "Charger deleted",
        ChargerTokenReplaced => "Token replaced",
        AuditExported => "Audit exported",
        KeyRotated => "Token key rotated",
    }
}

pub fn outcome_label(outcome: Outcome) -> &'static str {
    use Outcome::*;
    match outcome {
        Pending => "pending",
        Received => "received",
        Rejected => "rejected",
        Error => "error",
        Refused => "refused",
        Unknown => "unknown",
        Ok => "ok",
        Failed => "failed",
    }
}

pub fn plug_label(state: PlugState) -> &'static str {
    use PlugState::*;
    match state {
        Charging => "Charging",
        RecentlyStartedCharging => "Started charging",
        Idle => "Idle",
        Connected => "Connected",
        Discharging => "Discharging",
        Error => "Error",
        Offline => "Offline",
        CloudOffline => "CLEMAP offline",
        Init => "Initialising",
        Stopped => "Stopped",
        Starting => "Starting",
        Producing => "Producing",
        Unknown => "Unknown",
    }
}

pub fn charger_status_label(status: ChargerStatus) -> &'static str {
    match status {
        ChargerStatus::Charging => "Charging",
        ChargerStatus::Idle => "Idle / connected",
        ChargerStatus::Offline => "Offline",
        ChargerStatus::Unreadable => "Cannot read",
    }
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Viewer => "viewer",
        Role::Operator => "operator",
        Role::Admin => "admin",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use strum::IntoEnumIterator;

    use super::*;

    fn distinct<T: IntoEnumIterator>(label: fn(T) -> &'static str) -> bool {
        let labels: Vec<&str> = T::iter().map(label).collect();
        labels.iter().all(|l| !l.trim().is_empty())
            && labels.iter().collect::<HashSet<_>>().len() == labels.len()
    }

    #[test]
    fn every_value_of_every_closed_set_has_its_own_label() {
        assert!(distinct(action_label));
        assert!(distinct(outcome_label));
        assert!(distinct(plug_label));
        assert!(distinct(charger_status_label));
        assert!(distinct(role_label));
    }
}
