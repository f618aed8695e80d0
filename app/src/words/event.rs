//! The banner after a plain form post that changed something locally (an
//! admin's change, one's own password): from its audit row.

use evse_dashboard::types::{AuditAction, AuditEntry, Outcome};

use super::labels::{action_label, outcome_label};
use super::problem::problem_sentence;
use crate::i18n::td_string;
use crate::language::Locale;

pub fn event_sentence(l: Locale, entry: &AuditEntry) -> String {
    if entry.outcome != Outcome::Ok {
        return entry.problem.as_ref().map_or_else(
            || td_string!(l, ev_ended_as, outcome = outcome_label(l, entry.outcome)).to_string(),
            |problem| problem_sentence(l, problem),
        );
    }
    let charger = entry.charger_name.as_deref().unwrap_or_default();
    let subject = entry.subject.as_deref().unwrap_or_default();
    use AuditAction::*;
    match entry.action {
        ChargerAdded => td_string!(l, ev_charger_added, charger = charger).to_string(),
        ChargerUpdated => td_string!(l, ev_charger_updated, charger = charger).to_string(),
        ChargerDeleted => td_string!(l, ev_charger_deleted, charger = charger).to_string(),
        ChargerTokenReplaced => td_string!(l, ev_token_replaced, charger = charger).to_string(),
        UserCreated => td_string!(l, ev_user_created, user = subject).to_string(),
        UserRoleChanged => td_string!(l, ev_role_changed, user = subject).to_string(),
        UserDisabled => td_string!(l, ev_user_disabled, user = subject).to_string(),
        UserEnabled => td_string!(l, ev_user_enabled, user = subject).to_string(),
        PasswordReset => td_string!(l, ev_password_reset, user = subject).to_string(),
        PasswordChanged => td_string!(l, ev_password_changed).to_owned(),
        ApiTokenCreated => td_string!(l, ev_api_token_created, name = subject).to_string(),
        ApiTokenRevoked => td_string!(l, ev_api_token_revoked, name = subject).to_string(),
        AlertTestSent => td_string!(l, ev_alert_test_sent, receiver = subject).to_string(),
        action => td_string!(l, ev_done, action = action_label(l, action)).to_string(),
    }
}
