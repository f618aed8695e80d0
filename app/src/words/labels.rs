//! Labels for the closed sets. Each match is exhaustive, so a new variant
//! does not compile until it has a label.

use crate::i18n::td_string;
use evse_dashboard::clemap::model::PlugState;
use evse_dashboard::types::{AuditAction, ChargerStatus, Outcome, Role};

use crate::language::Locale;

pub fn action_label(l: Locale, action: AuditAction) -> &'static str {
    use AuditAction::*;
    match action {
        SetTarget => td_string!(l, action_set_target),
        ResetTarget => td_string!(l, action_reset_target),
        Login => td_string!(l, action_login),
        Logout => td_string!(l, action_logout),
        PasswordChanged => td_string!(l, action_password_changed),
        PasswordReset => td_string!(l, action_password_reset),
        UserCreated => td_string!(l, action_user_created),
        UserRoleChanged => td_string!(l, action_user_role_changed),
        UserDisabled => td_string!(l, action_user_disabled),
        UserEnabled => td_string!(l, action_user_enabled),
        ChargerAdded => td_string!(l, action_charger_added),
        ChargerUpdated => td_string!(l, action_charger_updated),
        ChargerDeleted => td_string!(l, action_charger_deleted),
        ChargerTokenReplaced => td_string!(l, action_charger_token_replaced),
        AuditExported => td_string!(l, action_audit_exported),
        KeyRotated => td_string!(l, action_key_rotated),
        ScheduleCreated => td_string!(l, action_schedule_created),
        ScheduleUpdated => td_string!(l, action_schedule_updated),
        ScheduleEnabled => td_string!(l, action_schedule_enabled),
        ScheduleDisabled => td_string!(l, action_schedule_disabled),
        ScheduleDeleted => td_string!(l, action_schedule_deleted),
        SiteUpdated => td_string!(l, action_site_updated),
        SiteSharingChanged => td_string!(l, action_site_sharing_changed),
        ChargerPriorityChanged => td_string!(l, action_charger_priority_changed),
        ShareRenewed => td_string!(l, action_share_renewed),
        ApiTokenCreated => td_string!(l, action_api_token_created),
        ApiTokenRevoked => td_string!(l, action_api_token_revoked),
        AlertSubscriptionAdded => td_string!(l, action_alert_added),
        AlertSubscriptionRemoved => td_string!(l, action_alert_removed),
        AlertTestSent => td_string!(l, action_alert_test_sent),
        AlertSubscriptionConfirmed => td_string!(l, action_alert_confirmed),
        TargetChecked => td_string!(l, action_target_checked),
    }
}

pub fn outcome_label(l: Locale, outcome: Outcome) -> &'static str {
    use Outcome::*;
    match outcome {
        Pending => td_string!(l, outcome_pending),
        Received => td_string!(l, outcome_received),
        Rejected => td_string!(l, outcome_rejected),
        Error => td_string!(l, outcome_error),
        Refused => td_string!(l, outcome_refused),
        Unknown => td_string!(l, outcome_unknown),
        Ok => td_string!(l, outcome_ok),
        Failed => td_string!(l, outcome_failed),
    }
}

pub fn plug_label(l: Locale, state: PlugState) -> &'static str {
    use PlugState::*;
    match state {
        Charging => td_string!(l, plug_charging),
        RecentlyStartedCharging => td_string!(l, plug_recently_started_charging),
        Idle => td_string!(l, plug_idle),
        Connected => td_string!(l, plug_connected),
        Discharging => td_string!(l, plug_discharging),
        Error => td_string!(l, plug_error),
        Offline => td_string!(l, plug_offline),
        CloudOffline => td_string!(l, plug_cloud_offline),
        Init => td_string!(l, plug_init),
        Stopped => td_string!(l, plug_stopped),
        Starting => td_string!(l, plug_starting),
        Producing => td_string!(l, plug_producing),
        Unknown => td_string!(l, plug_unknown),
    }
}

pub fn charger_status_label(l: Locale, status: ChargerStatus) -> &'static str {
    match status {
        ChargerStatus::Charging => td_string!(l, status_charging),
        ChargerStatus::Idle => td_string!(l, status_idle),
        ChargerStatus::Offline => td_string!(l, status_offline),
        ChargerStatus::Unreadable => td_string!(l, status_unreadable),
    }
}

pub fn role_label(l: Locale, role: Role) -> &'static str {
    match role {
        Role::Viewer => td_string!(l, role_viewer),
        Role::Operator => td_string!(l, role_operator),
        Role::Admin => td_string!(l, role_admin),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use strum::IntoEnumIterator;

    use leptos_i18n::Locale as _;

    use super::*;

    fn distinct<T: IntoEnumIterator>(label: fn(Locale, T) -> &'static str) -> bool {
        Locale::get_all().iter().all(|&l| distinct_in(l, label))
    }

    fn distinct_in<T: IntoEnumIterator>(l: Locale, label: fn(Locale, T) -> &'static str) -> bool {
        let labels: Vec<&str> = T::iter().map(|v| label(l, v)).collect();
        labels.iter().all(|l| !l.trim().is_empty())
            && labels.iter().collect::<HashSet<_>>().len() == labels.len()
    }

    #[test]
    fn every_value_of_every_closed_set_has_its_own_label_in_every_language() {
        assert!(distinct(action_label));
        assert!(distinct(outcome_label));
        assert!(distinct(plug_label));
        assert!(distinct(charger_status_label));
        assert!(distinct(role_label));
    }
}
