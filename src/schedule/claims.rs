//! Claims make each scheduled call happen once: a claim row is written in
//! the same serialised transaction as the call's audit intent (SQLite's
//! `BEGIN IMMEDIATE`, PostgreSQL's write lock: `Db::begin_serialised`), so
//! of two engines (two instances, or one before and after a restart) only
//! one sends a
//! given target, and a claim whose attempt failed may be taken again.

use chrono::{DateTime, NaiveDate, Utc};

use crate::audit::{Actor, AuditLog, Intent};
use crate::db::{Stamp, stamp};
use crate::vocabulary::{AuditAction, Outcome};
use crate::{on_db, on_tx};

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

/// A claim's key as `schedule_claims`' unique key stores it.
struct Key {
    schedule_id: i64,
    charger_id: i64,
    occurrence: String,
    round: i64,
    manual_mark: i64,
    current: i64,
    ends: String,
}

impl Claim {
    fn key(&self) -> Key {
        Key {
            schedule_id: self.schedule_id,
            charger_id: self.charger_id,
            occurrence: self.occurrence.to_string(),
            round: self.round,
            manual_mark: self.manual_mark,
            current: i64::from(self.current),
            ends: stamp(self.ends),
        }
    }
}

/// `$query!` (a checked query macro) with `$sql`, whose `$1`…`$7` are the
/// [`Key`] `$k` in the order above, then `$rest` as `$8`….
macro_rules! with_key {
    ($query:ident, $sql:literal, $k:expr $(, $rest:expr)*) => {
        $query!(
            $sql,
            $k.schedule_id,
            $k.charger_id,
            $k.occurrence,
            $k.round,
            $k.manual_mark,
            $k.current,
            $k.ends
            $(, $rest)*
        )
    };
}

/// Whether `$claim` is held, read on `$executor`: by an attempt that
/// succeeded or still runs. (A macro: the executor is either backend's.)
macro_rules! held {
    ($executor:expr, $claim:expr) => {{
        let key = $claim.key();
        let outcome: Option<Outcome> = with_key!(
            checked_scalar,
            r#"SELECT outcome AS "outcome: Outcome" FROM audit_events WHERE id =
               (SELECT audit_id FROM schedule_claims
                WHERE (schedule_id, charger_id, occurrence, round, manual_mark, current, ends)
                = ($1, $2, $3, $4, $5, $6, $7))"#,
            key
        )
        .fetch_optional($executor)
        .await?;
        matches!(outcome, Some(Outcome::Pending | Outcome::Received))
    }};
}

/// Takes `claim` and writes the intent row; `None` when the claim is held
/// by an attempt that succeeded or still runs (nothing to send).
pub async fn take(
    audit: &AuditLog,
    actor: &Actor,
    intent: Intent<'_>,
    claim: &Claim,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = audit.db().begin_serialised().await?;
    if on_tx!(&mut tx, conn => held!(conn, claim)) {
        return Ok(None); // dropping `tx` rolls back
    }
    let audit_id = audit.begin_in(&mut tx, actor, intent).await?;
    let (key, until) = (claim.key(), stamp(claim.until));
    on_tx!(&mut tx, conn => with_key!(
        checked,
        "INSERT INTO schedule_claims (schedule_id, charger_id, occurrence, round, manual_mark, \
         current, ends, until, audit_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (schedule_id, charger_id, occurrence, round, manual_mark, current, ends) \
         DO UPDATE SET until = excluded.until, audit_id = excluded.audit_id",
        key,
        until,
        audit_id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected());
    tx.commit().await?;
    Ok(Some(audit_id))
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
    let now = stamp(now);
    on_db!(audit.db(), pool => checked_as!(
        Orphan,
        "SELECT k.schedule_id, s.name AS schedule_name, k.charger_id, k.audit_id, k.current \
         FROM schedule_claims k JOIN schedules s ON s.id = k.schedule_id \
         JOIN audit_events a ON a.id = k.audit_id \
         WHERE k.until > $1 AND NOT k.withdrawn AND a.outcome = 'received' \
         AND (NOT s.enabled OR s.deleted_at IS NOT NULL) ORDER BY k.audit_id",
        now,
    )
    .fetch_all(pool)
    .await)
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
    let mut tx = audit.db().begin_serialised().await?;
    let open: Option<i64> = on_tx!(&mut tx, conn => checked_scalar!(
        "SELECT audit_id FROM schedule_claims WHERE audit_id = $1 AND NOT withdrawn",
        orphan.audit_id,
    )
    .fetch_optional(&mut *conn)
    .await?);
    if open.is_none() {
        return Ok(None);
    }
    let reset_id = match intent {
        Some(intent) => Some(audit.begin_in(&mut tx, actor, intent).await?),
        None => None,
    };
    on_tx!(&mut tx, conn => checked!(
        "UPDATE schedule_claims SET withdrawn = TRUE, withdrawn_audit_id = $1 WHERE audit_id = $2",
        reset_id,
        orphan.audit_id,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected());
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

/// The last set or reset CLEMAP received on a charger.
#[derive(sqlx::FromRow)]
struct Received {
    actor: String,
    action: AuditAction,
    at: Stamp,
}

/// Reads [`Changes`] for a charger from the audit trail (both reads walk
/// the `(charger_id, id)` index from the newest row).
pub async fn changes(audit: &AuditLog, charger_id: i64) -> Result<Changes, sqlx::Error> {
    let (last, manual) = on_db!(audit.db(), pool => (
        checked_as!(
            Received,
            r#"SELECT actor, action AS "action: AuditAction", at AS "at: Stamp"
               FROM audit_events WHERE charger_id = $1
               AND action IN ('set_target', 'reset_target') AND outcome = 'received'
               ORDER BY id DESC LIMIT 1"#,
            charger_id
        )
        .fetch_optional(pool)
        .await?,
        checked_scalar!(
            r#"SELECT id AS "id!" FROM audit_events WHERE charger_id = $1
               AND action IN ('set_target', 'reset_target') AND outcome = 'received'
               AND substr(actor, 1, 9) <> 'schedule:' ORDER BY id DESC LIMIT 1"#,
            charger_id
        )
        .fetch_optional(pool)
        .await?,
    ));
    Ok(Changes {
        last: last.map(|r| {
            (
                r.actor.starts_with("schedule:"),
                r.action == AuditAction::ResetTarget,
                r.at.0,
            )
        }),
        manual_mark: manual.unwrap_or(0),
    })
}

/// Whether `claim` is held already (read outside a transaction, to spare
/// CLEMAP a reading when there is clearly nothing to do).
pub async fn is_held(audit: &AuditLog, claim: &Claim) -> Result<bool, sqlx::Error> {
    Ok(on_db!(audit.db(), pool => held!(pool, claim)))
}
