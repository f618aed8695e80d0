//! Claims make each scheduled call happen once: a claim row is written in
//! the same serialised transaction as the call's audit intent (SQLite's
//! `BEGIN IMMEDIATE`, PostgreSQL's write lock: `Db::begin_serialised`), so
//! of two engines (two instances, or one before and after a restart) only
//! one sends a
//! given target, and a claim whose attempt failed may be taken again.

use chrono::{DateTime, NaiveDate, Utc};

use crate::audit::{Actor, AuditLog, Intent, Who};
use crate::db::{Stamp, Tx, stamp};
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
    /// The last hand-made change on the charger when the claim was made.
    pub manual_mark: ManualMark,
    pub current: u32,
    /// The occurrence's end.
    pub ends: DateTime<Utc>,
    /// When the target sent expires.
    pub until: DateTime<Utc>,
}

/// The last hand-made change on a charger, as the audit id of its row: a
/// new one starts the schedule's claims afresh. Stored as 0 for none (the
/// column is part of a unique key, where NULLs would never be equal).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ManualMark(Option<i64>);

impl ManualMark {
    pub const NONE: Self = Self(None);

    pub fn audit_id(id: i64) -> Self {
        Self(Some(id))
    }

    fn stored(self) -> i64 {
        self.0.unwrap_or(0)
    }
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
            manual_mark: self.manual_mark.stored(),
            current: i64::from(self.current),
            ends: stamp(self.ends),
        }
    }
}

/// Whether `claim` is held: by an attempt that succeeded or still runs.
async fn held_in(tx: &mut Tx, claim: &Claim) -> Result<bool, sqlx::Error> {
    let k = claim.key();
    let outcome: Option<Outcome> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT outcome FROM audit_events WHERE id = \
         (SELECT audit_id FROM schedule_claims \
          WHERE (schedule_id, charger_id, occurrence, round, manual_mark, current, ends) \
          = ($1, $2, $3, $4, $5, $6, $7))",
    )
    .bind(k.schedule_id)
    .bind(k.charger_id)
    .bind(&k.occurrence)
    .bind(k.round)
    .bind(k.manual_mark)
    .bind(k.current)
    .bind(&k.ends)
    .fetch_optional(&mut *conn)
    .await?);
    Ok(matches!(
        outcome,
        Some(Outcome::Pending | Outcome::Received)
    ))
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
    if held_in(&mut tx, claim).await? {
        return Ok(None); // dropping `tx` rolls back
    }
    let audit_id = audit.begin_in(&mut tx, actor, intent).await?;
    let (k, until) = (claim.key(), stamp(claim.until));
    on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO schedule_claims (schedule_id, charger_id, occurrence, round, manual_mark, \
         current, ends, until, audit_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (schedule_id, charger_id, occurrence, round, manual_mark, current, ends) \
         DO UPDATE SET until = excluded.until, audit_id = excluded.audit_id",
    )
    .bind(k.schedule_id)
    .bind(k.charger_id)
    .bind(&k.occurrence)
    .bind(k.round)
    .bind(k.manual_mark)
    .bind(k.current)
    .bind(&k.ends)
    .bind(&until)
    .bind(audit_id)
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
    on_db!(audit.db(), pool => sqlx::query_as(
        "SELECT k.schedule_id, s.name AS schedule_name, k.charger_id, k.audit_id, k.current \
         FROM schedule_claims k JOIN schedules s ON s.id = k.schedule_id \
         JOIN audit_events a ON a.id = k.audit_id \
         WHERE k.until > $1 AND NOT k.withdrawn AND a.outcome = 'received' \
         AND (NOT s.enabled OR s.deleted_at IS NOT NULL) ORDER BY k.audit_id",
    )
    .bind(&now)
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
    let open: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "SELECT audit_id FROM schedule_claims WHERE audit_id = $1 AND NOT withdrawn",
    )
    .bind(orphan.audit_id)
    .fetch_optional(&mut *conn)
    .await?);
    if open.is_none() {
        return Ok(None);
    }
    let reset_id = match intent {
        Some(intent) => Some(audit.begin_in(&mut tx, actor, intent).await?),
        None => None,
    };
    on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE schedule_claims SET withdrawn = TRUE, withdrawn_audit_id = $1 WHERE audit_id = $2",
    )
    .bind(reset_id)
    .bind(orphan.audit_id)
    .execute(&mut *conn)
    .await?
    .rows_affected());
    tx.commit().await?;
    Ok(Some(reset_id))
}

/// The last set or reset CLEMAP received on a charger, by anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastChange {
    /// A schedule made it (not a person, nor the command line).
    pub by_schedule: bool,
    /// It was a reset, not a target.
    pub reset: bool,
    pub at: DateTime<Utc>,
}

/// The hand-made changes that decide whether a schedule may act on a
/// charger now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    pub last: Option<LastChange>,
    /// The last one a person made.
    pub manual_mark: ManualMark,
}

/// One set or reset CLEMAP received, as the trail has it.
#[derive(sqlx::FromRow)]
struct Received {
    id: i64,
    actor: String,
    actor_id: Option<i64>,
    action: AuditAction,
    at: Stamp,
}

impl Received {
    fn by_schedule(&self) -> bool {
        matches!(
            Who::from_stored(&self.actor, self.actor_id),
            Who::Schedule { .. }
        )
    }
}

/// Reads [`Changes`] for a charger from the audit trail: its sets and
/// resets CLEMAP received, newest first, until the first a person made
/// (the `(charger_id, id)` index serves it from the newest row). The load
/// manager's are not a person's: it works under the schedule's target.
pub async fn changes(audit: &AuditLog, charger_id: i64) -> Result<Changes, sqlx::Error> {
    let received: Vec<Received> = on_db!(audit.db(), pool => {
        use futures::TryStreamExt;
        let mut rows = sqlx::query_as::<_, Received>(
            "SELECT id, actor, actor_id, action, at FROM audit_events WHERE charger_id = $1 \
             AND action IN ('set_target', 'reset_target') AND outcome = 'received' \
             AND actor NOT LIKE 'load:%' ORDER BY id DESC",
        )
        .bind(charger_id)
        .fetch(pool);
        let mut seen = Vec::new();
        while let Some(row) = rows.try_next().await? {
            let by_person = !row.by_schedule();
            seen.push(row);
            if by_person {
                break; // older rows cannot change the answer
            }
        }
        seen
    });
    let last = received.first().map(|r| LastChange {
        by_schedule: r.by_schedule(),
        reset: r.action == AuditAction::ResetTarget,
        at: r.at.0,
    });
    let manual_mark = received
        .iter()
        .find(|r| !r.by_schedule())
        .map_or(ManualMark::NONE, |r| ManualMark::audit_id(r.id));
    Ok(Changes { last, manual_mark })
}

/// Whether `claim` is held already (read outside a transaction, to spare
/// CLEMAP a reading when there is clearly nothing to do).
pub async fn is_held(audit: &AuditLog, claim: &Claim) -> Result<bool, sqlx::Error> {
    let mut tx = audit.db().begin().await?;
    let held = held_in(&mut tx, claim).await?;
    tx.commit().await?;
    Ok(held)
}
