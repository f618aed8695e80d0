//! Reading single audit rows back, typed.

use crate::db::{Db, Stamp};
use crate::on_db;

use crate::problem::Problem;
use crate::types::AuditEntry;
use crate::vocabulary::{AuditAction, Outcome};

#[derive(sqlx::FromRow)]
pub(crate) struct EntryRow {
    pub(crate) id: i64,
    pub(crate) at: Stamp,
    pub(crate) actor: String,
    pub(crate) action: AuditAction,
    pub(crate) charger_id: Option<i64>,
    pub(crate) charger_name: Option<String>,
    pub(crate) subject: Option<String>,
    pub(crate) requested_current: Option<i64>,
    pub(crate) requested_duration: Option<i64>,
    pub(crate) outcome: Outcome,
    pub(crate) upstream_status: Option<i64>,
    pub(crate) upstream_answer: Option<String>,
    pub(crate) previous_settings: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) client_ip: Option<String>,
}

impl From<EntryRow> for AuditEntry {
    fn from(r: EntryRow) -> Self {
        Self {
            id: r.id,
            at: r.at.0,
            actor: r.actor,
            action: r.action,
            charger_id: r.charger_id,
            charger_name: r.charger_name,
            subject: r.subject,
            requested_current: r.requested_current.and_then(|v| u32::try_from(v).ok()),
            requested_duration: r.requested_duration.and_then(|v| u32::try_from(v).ok()),
            outcome: r.outcome,
            upstream_status: r.upstream_status.and_then(|v| u16::try_from(v).ok()),
            upstream_answer: r.upstream_answer,
            previous_settings: r.previous_settings,
            problem: r.error.as_deref().map(Problem::from_stored),
            request_id: r.request_id,
            client_ip: r.client_ip,
        }
    }
}

/// The columns of an [`EntryRow`] for the audit filter's query, which is
/// built at run time and read by name; the checked reads below name the
/// same columns with sqlx's type overrides instead.
pub(crate) const ENTRY_COLUMNS: &str = "id, at, actor, action, charger_id, charger_name, subject, \
     requested_current, requested_duration, outcome, upstream_status, upstream_answer, \
     previous_settings, error, request_id, client_ip";

/// Every checked read of [`EntryRow`]s, then `$rest` (`WHERE …`). Used
/// inside `on_db!`, where `checked_as!` is defined.
macro_rules! select_entries {
    ($rest:literal $(, $arg:expr)*) => {
        checked_as!(
            EntryRow,
            r#"SELECT id AS "id!", at AS "at: Stamp", actor, action AS "action: AuditAction",
               charger_id, charger_name, subject, requested_current, requested_duration,
               outcome AS "outcome: Outcome", upstream_status, upstream_answer, previous_settings,
               error, request_id, client_ip FROM audit_events "# + $rest $(, $arg)*
        )
    };
}

/// The latest `limit` events of one charger, newest first.
pub async fn recent_for_charger(
    db: &Db,
    charger_id: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows = on_db!(db, pool => select_entries!(
        "WHERE charger_id = $1 ORDER BY id DESC LIMIT $2", charger_id, limit
    )
    .fetch_all(pool)
    .await?);
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn entry(db: &Db, id: i64) -> Result<Option<AuditEntry>, sqlx::Error> {
    let row = on_db!(db, pool => select_entries!("WHERE id = $1", id)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(Into::into))
}

/// The rows of one bulk change, by charger name.
pub async fn batch(db: &Db, batch_id: &str) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows = on_db!(db, pool => select_entries!(
        "WHERE batch_id = $1 ORDER BY charger_name, id", batch_id
    )
    .fetch_all(pool)
    .await?);
    Ok(rows.into_iter().map(Into::into).collect())
}
