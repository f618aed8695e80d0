//! What a reader of the trail may see of other people (#37). An alert
//! subscription's row names an e-mail address (or what was typed in its
//! place); that is a person's, shown whole to admins and to whoever made
//! the row, and masked to everyone else, on the page, in the API and in
//! the CSV. The stored row is unchanged (the chain hashes it).

use crate::types::{AuditEntry, Role};
use crate::vocabulary::AuditAction;

use super::row::AuditRow;

/// Who reads the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    /// The signed-in user; `None` for an API token.
    pub user_id: Option<i64>,
    pub role: Role,
}

impl Reader {
    /// Sees every row whole (the CLI, tests, the verifier).
    pub const ALL: Reader = Reader {
        user_id: None,
        role: Role::Admin,
    };

    fn sees(&self, actor_id: Option<i64>) -> bool {
        self.role == Role::Admin || (self.user_id.is_some() && self.user_id == actor_id)
    }
}

/// The actions whose subject is a subscription's receiver.
fn names_a_receiver(action: AuditAction) -> bool {
    matches!(
        action,
        AuditAction::AlertSubscriptionAdded
            | AuditAction::AlertSubscriptionRemoved
            | AuditAction::AlertTestSent
    )
}

/// `o…@example.com` for an address; a webhook's host stays (the trail
/// keeps only that of a URL); anything else typed becomes `…`.
pub fn masked(subject: &str) -> String {
    if subject.starts_with("https://") || subject.starts_with("http://") {
        return subject.to_owned();
    }
    match subject.rsplit_once('@') {
        Some((local, domain)) if !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        _ => "…".to_owned(),
    }
}

fn shown(
    reader: &Reader,
    action: AuditAction,
    actor_id: Option<i64>,
    subject: &mut Option<String>,
) {
    if names_a_receiver(action)
        && !reader.sees(actor_id)
        && let Some(text) = subject.as_mut()
    {
        *text = masked(text);
    }
}

/// Masks what `reader` may not see in a page's entries.
pub fn shown_to(reader: &Reader, entries: &mut [AuditEntry]) {
    for e in entries {
        shown(reader, e.action, e.actor_id, &mut e.subject);
    }
}

/// Masks what `reader` may not see in a row (the CSV's).
pub(super) fn row_shown_to(reader: &Reader, row: &mut AuditRow) {
    shown(reader, row.action, row.actor_id, &mut row.subject);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(actor_id: Option<i64>, subject: &str) -> AuditRow {
        AuditRow {
            action: AuditAction::AlertSubscriptionAdded,
            actor_id,
            subject: Some(subject.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn addresses_are_whole_only_for_admins_and_their_owner() {
        let viewer = Reader {
            user_id: Some(2),
            role: Role::Viewer,
        };
        let mut theirs = added(Some(3), "olga@example.com");
        row_shown_to(&viewer, &mut theirs);
        assert_eq!(theirs.subject.as_deref(), Some("o…@example.com"));
        let mut own = added(Some(2), "vera@example.com");
        row_shown_to(&viewer, &mut own);
        assert_eq!(own.subject.as_deref(), Some("vera@example.com"));
        let mut typed = added(Some(3), "not an address at all");
        row_shown_to(&viewer, &mut typed);
        assert_eq!(typed.subject.as_deref(), Some("…"));
        let token = Reader {
            user_id: None,
            role: Role::Operator,
        };
        let mut by_cli = added(None, "team@example.com");
        row_shown_to(&token, &mut by_cli);
        assert_eq!(by_cli.subject.as_deref(), Some("t…@example.com"));
        let mut for_admin = added(Some(3), "olga@example.com");
        row_shown_to(&Reader::ALL, &mut for_admin);
        assert_eq!(for_admin.subject.as_deref(), Some("olga@example.com"));
        let mut hook = added(Some(3), "https://hooks.example.com/…");
        row_shown_to(&viewer, &mut hook);
        assert_eq!(hook.subject.as_deref(), Some("https://hooks.example.com/…"));
    }
}
