//! The banner after a plain form post that changed something locally (an
//! admin's change, one's own password): from its audit row.

use evse_dashboard::types::{AuditAction, AuditEntry, Outcome};

use super::problem::problem_sentence;

pub fn event_sentence(entry: &AuditEntry) -> String {
    if entry.outcome != Outcome::Ok {
        return entry.problem.as_ref().map_or_else(
            || format!("The change ended as {}.", entry.outcome),
            problem_sentence,
        );
    }
    let charger = entry.charger_name.clone().unwrap_or_default();
    let subject = entry.subject.clone().unwrap_or_default();
    use AuditAction::*;
    match entry.action {
        ChargerAdded => format!("Registered {charger}."),
        ChargerUpdated => format!("Saved {charger}."),
        ChargerDeleted => format!("Deleted {charger}; its history stays in the audit log."),
        ChargerTokenReplaced => format!("Replaced the token of {charger}."),
        UserCreated => format!("Created {subject}."),
        UserRoleChanged => format!("Role changed: {subject}."),
        UserDisabled => format!("Disabled {subject}: their sessions have ended."),
        UserEnabled => format!("Enabled {subject}."),
        PasswordReset => format!("Reset the password of {subject}."),
        PasswordChanged => "Your password was changed; your other sessions have ended.".into(),
        action => format!(
            "{} — done.",
            super::action_label(crate::language::locale(), action)
        ),
    }
}
