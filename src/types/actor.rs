//! Who acted, as the audit trail names them: one closed set, and the one
//! place that writes and reads the stored names (`schedule:7 (Night)`,
//! `cli:olga`).

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// A logged-in user.
    User { id: i64, name: String },
    /// Someone not known (a login attempt): the name tried, or for a name
    /// that is no user, its keyed pseudonym.
    Unknown { name: String },
    /// A schedule, with its name at the time.
    Schedule { id: i64, name: String },
    /// The command line, as the operating-system user who ran it.
    Cli { os_user: String },
    /// The dashboard's own status check (its verdicts on targets).
    Sampler,
    /// An integration calling `/api/v1` with the API token of this name.
    Token { name: String },
    /// Whoever holds a subscribed mailbox, following the confirmation or
    /// unsubscribe link mailed to it.
    Recipient,
    /// The load manager sharing this site's supply (#40).
    Load { site_id: i64 },
}

const SCHEDULE: &str = "schedule:";
const CLI: &str = "cli:";
const SAMPLER: &str = "system:status-check";
const TOKEN: &str = "token:";
const RECIPIENT: &str = "mail:recipient";
const LOAD: &str = "load:";

impl Who {
    /// The `actor` column. Usernames hold no `:`, so the prefixes cannot
    /// be forged by naming a user.
    pub fn stored_name(&self) -> String {
        match self {
            Self::User { name, .. } | Self::Unknown { name } => name.clone(),
            Self::Schedule { id, name } => format!("{} ({name})", schedule_key(*id)),
            Self::Cli { os_user } => format!("{CLI}{os_user}"),
            Self::Sampler => SAMPLER.to_owned(),
            Self::Token { name } => format!("{TOKEN}{name}"),
            Self::Recipient => RECIPIENT.to_owned(),
            Self::Load { site_id } => format!("{LOAD}{site_id}"),
        }
    }

    /// The `actor_id` column.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Self::User { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Reads the two columns back.
    pub fn from_stored(actor: &str, actor_id: Option<i64>) -> Self {
        if let Some(id) = actor_id {
            return Self::User {
                id,
                name: actor.to_owned(),
            };
        }
        if let Some(rest) = actor.strip_prefix(SCHEDULE) {
            let (id, name) = rest.split_once(' ').unwrap_or((rest, ""));
            if let Ok(id) = id.parse() {
                let name = name
                    .strip_prefix('(')
                    .and_then(|n| n.strip_suffix(')'))
                    .unwrap_or(name);
                return Self::Schedule {
                    id,
                    name: name.to_owned(),
                };
            }
        }
        if actor == SAMPLER {
            return Self::Sampler;
        }
        if actor == RECIPIENT {
            return Self::Recipient;
        }
        if let Some(site_id) = actor.strip_prefix(LOAD).and_then(|id| id.parse().ok()) {
            return Self::Load { site_id };
        }
        if let Some(name) = actor.strip_prefix(TOKEN) {
            return Self::Token {
                name: name.to_owned(),
            };
        }
        if let Some(os_user) = actor.strip_prefix(CLI) {
            return Self::Cli {
                os_user: os_user.to_owned(),
            };
        }
        Self::Unknown {
            name: actor.to_owned(),
        }
    }
}

/// `schedule:7`: what the audit page's user filter takes to find a
/// schedule's calls under every name it had.
pub fn schedule_key(id: i64) -> String {
    format!("{SCHEDULE}{id}")
}

/// The schedule a `schedule:7` filter names.
pub fn parse_schedule_key(text: &str) -> Option<i64> {
    let id = text.strip_prefix(SCHEDULE)?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_as_it_was_written() {
        for who in [
            Who::User {
                id: 3,
                name: "olga".into(),
            },
            Who::Unknown {
                name: "unknown user 0a1b2c".into(),
            },
            Who::Schedule {
                id: 7,
                name: "Night (weekdays)".into(),
            },
            Who::Cli {
                os_user: "root".into(),
            },
            Who::Sampler,
            Who::Token { name: "bms".into() },
            Who::Recipient,
            Who::Load { site_id: 2 },
        ] {
            assert_eq!(Who::from_stored(&who.stored_name(), who.user_id()), who);
        }
        assert_eq!(
            Who::Schedule {
                id: 7,
                name: "Night".into()
            }
            .stored_name(),
            "schedule:7 (Night)"
        );
        assert_eq!(Who::Token { name: "bms".into() }.stored_name(), "token:bms");
    }

    #[test]
    fn a_schedule_filter_names_one_schedule() {
        assert_eq!(parse_schedule_key(&schedule_key(12)), Some(12));
        assert_eq!(parse_schedule_key("schedule:"), None);
        assert_eq!(parse_schedule_key("schedule:1 OR 1=1"), None);
        assert_eq!(parse_schedule_key("olga"), None);
    }
}
