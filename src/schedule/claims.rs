//! Claims make each scheduled call happen once: a claim row is written in
//! the same `BEGIN IMMEDIATE` transaction as the call's audit intent, so
//! of two engines (or one before and after a restart) only one sends a
//! given target, and a claim whose attempt failed may be taken again.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::SqliteArguments;
use sqlx::{Sqlite, SqliteConnection};

use crate::audit::{Actor, AuditLog, Intent};

/// One target a schedule sends to one charger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub schedule_id: i64,
    pub charger_id: i64,
    /// The local date the occurrence starts on.
    pub occurrence: NaiveDate,
    /// 0 at the window's start, then one per renewal.
    pub round: i64,
    /// The last hand-made change on the charger (audit id; 0: none).
    pub manual_mark: i64,
    pub current: u32,
    /// The occurrence's end.
    pub ends: DateTime<Utc>,
    /// When the target sent expires.
    pub until: DateTime<Utc>,
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The key columns, in the order `KEY` names them.
const KEY: &str = "schedule_id, charger_id, occurrence, round, manual_mark, current, ends";

impl Claim {
    /// Binds the key, in the order of [`KEY`].
    fn bind_key<'q, O>(
        &self,
        query: sqlx::query::QueryAs<'q, Sqlite, O, SqliteArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, Sqlite, O, SqliteArguments<'q>> {
        query
            .bind(self.schedule_id)
            .bind(self.charger_id)
            .bind(self.occurrence.to_string())
            .bind(self.round)
            .bind(self.manual_mark)
            .bind(i64::from(self.current))
            .bind(stamp(self.ends))
    }
}

/// Takes `claim` and writes the intent row; `None` when the claim is held
/// by an attempt that succeeded or still runs (nothing to send).
pub async fn take(
    audit: &AuditLog,
    actor: &Actor,
    intent: Intent<'_>,
    claim: &Claim,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = audit.pool().begin_with("BEGIN IMMEDIATE").await?;
    if held(&mut tx, claim).await? {
        return Ok(None); // dropping `tx` rolls back
    }
    let audit_id = audit.begin_in(&mut tx, actor, intent).await?;
    let insert = format!(
        "INSERT INTO schedule_claims ({KEY}, until, audit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT DO UPDATE SET until = excluded.until, audit_id = excluded.audit_id \
         RETURNING audit_id"
    );
    claim
        .bind_key(sqlx::query_as::<_, (i64,)>(&insert))
        .bind(stamp(claim.until))
        .bind(audit_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(audit_id))
}

async fn held(conn: &mut SqliteConnection, claim: &Claim) -> Result<bool, sqlx::Error> {
    let select = format!(
        "SELECT outcome FROM audit_events WHERE id = \
         (SELECT audit_id FROM schedule_claims WHERE ({KEY}) = (?, ?, ?, ?, ?, ?, ?))"
    );
    let outcome: Option<(String,)> = claim
        .bind_key(sqlx::query_as(&select))
        .fetch_optional(conn)
        .await?;
    Ok(matches!(
        outcome.as_ref().map(|(o,)| o.as_str()),
        Some("pending" | "received")
    ))
}

/// A target a schedule sent that is still in force although the schedule
/// was disabled or deleted since: the engine withdraws it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Orphan {
    pub schedule_id: i64,
    pub schedule_name: String,
    pub charger_id: i64,
    pub audit_id: i64,
    pub current: i64,
}

/// The orphans at `now`.
pub async fn orphans(audit: &AuditLog, now: DateTime<Utc>) -> Result<Vec<Orphan>, sqlx::Error> {
    sqlx::query_as(
        "SELECT k.schedule_id, s.name AS schedule_name, k.charger_id, k.audit_id, k.current \
         FROM schedule_claims k JOIN schedules s ON s.id = k.schedule_id \
         JOIN audit_events a ON a.id = k.audit_id \
         WHERE k.until > ? AND NOT k.withdrawn AND a.outcome = 'received' \
         AND (NOT s.enabled OR s.deleted_at IS NOT NULL) ORDER BY k.audit_id",
    )
    .bind(stamp(now))
    .fetch_all(audit.pool())
    .await
}

/// Marks an orphan as dealt with and, when a reset is to be sent (`intent`),
/// writes its intent row in the same transaction. `None`: another engine
/// dealt with it first.
pub async fn withdraw(
    audit: &AuditLog,
    actor: &Actor,
    orphan: &Orphan,
    intent: Option<Intent<'_>>,
) -> Result<Option<Option<i64>>, sqlx::Error> {
    let mut tx = audit.pool().begin_with("BEGIN IMMEDIATE").await?;
    let open: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM schedule_claims WHERE audit_id = ? AND NOT withdrawn")
            .bind(orphan.audit_id)
            .fetch_optional(&mut *tx)
            .await?;
    if open.is_none() {
        return Ok(None);
    }
    let reset_id = match intent {
        Some(intent) => Some(audit.begin_in(&mut tx, actor, intent).await?),
        None => None,
    };
    sqlx::query(
        "UPDATE schedule_claims SET withdrawn = 1, withdrawn_audit_id = ? WHERE audit_id = ?",
    )
    .bind(reset_id)
    .bind(orphan.audit_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(reset_id))
}

/// The hand-made changes that decide whether a schedule may act on a
/// charger now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// The last set or reset CLEMAP received on the charger, by anyone:
    /// whether a schedule made it, whether it was a reset, and when.
    pub last: Option<(bool, bool, DateTime<Utc>)>,
    /// The audit id of the last one a person made (0: none).
    pub manual_mark: i64,
}

/// Reads [`Changes`] for a charger from the audit trail (both reads walk
/// the `(charger_id, id)` index from the newest row).
pub async fn changes(audit: &AuditLog, charger_id: i64) -> Result<Changes, sqlx::Error> {
    const RECEIVED: &str = "FROM audit_events WHERE charger_id = ? \
         AND action IN ('set_target', 'reset_target') AND outcome = 'received'";
    let last: Option<(String, String, DateTime<Utc>)> = sqlx::query_as(&format!(
        "SELECT actor, action, at {RECEIVED} ORDER BY id DESC LIMIT 1"
    ))
    .bind(charger_id)
    .fetch_optional(audit.pool())
    .await?;
    let manual: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id {RECEIVED} AND substr(actor, 1, 9) <> 'schedule:' ORDER BY id DESC LIMIT 1"
    ))
    .bind(charger_id)
    .fetch_optional(audit.pool())
    .await?;
    Ok(Changes {
        last: last.map(|(actor, action, at)| {
            (actor.starts_with("schedule:"), action == "reset_target", at)
        }),
        manual_mark: manual.unwrap_or(0),
    })
}

/// Whether `claim` is held already (read outside a transaction, to spare
/// CLEMAP a reading when there is clearly nothing to do).
pub async fn is_held(audit: &AuditLog, claim: &Claim) -> Result<bool, sqlx::Error> {
    held(&mut *audit.pool().acquire().await?, claim).await
}
