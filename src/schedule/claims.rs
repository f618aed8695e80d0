//! Claims make each scheduled call happen once: a claim row is written in
//! the same serialised transaction as the call's audit intent (SQLite's
//! `BEGIN IMMEDIATE`, PostgreSQL's write lock: `Db::begin_serialised`), so
//! of two engines (two instances, or one before and after a restart) only
//! one sends a
//! given target, and a claim whose attempt failed may be taken again.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::query::QueryAs;
use sqlx::{Database, Encode, Type};

use crate::audit::{Actor, AuditLog, Intent};
use crate::db::{Stamp, stamp};
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

/// The key columns, in the order `KEY` names them.
const KEY: &str = "schedule_id, charger_id, occurrence, round, manual_mark, current, ends";

impl Claim {
    /// Binds the key, in the order of [`KEY`].
    fn bind_key<'q, DB, O>(
        &self,
        query: QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>,
    ) -> QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>
    where
        DB: Database,
        i64: Encode<'q, DB> + Type<DB>,
        String: Encode<'q, DB> + Type<DB>,
    {
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

/// Whether `$claim` is held, read on `$executor`: by an attempt that
/// succeeded or still runs. (A macro: the executor is either backend's.)
macro_rules! held {
    ($executor:expr, $claim:expr) => {{
        let sql = format!(
            "SELECT outcome FROM audit_events WHERE id = \
             (SELECT audit_id FROM schedule_claims WHERE ({KEY}) = ($1, $2, $3, $4, $5, $6, $7))"
        );
        let outcome: Option<(String,)> = $claim
            .bind_key(sqlx::query_as(&sql))
            .fetch_optional($executor)
            .await?;
        matches!(
            outcome.as_ref().map(|(o,)| o.as_str()),
            Some("pending" | "received")
        )
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
    let insert = format!(
        "INSERT INTO schedule_claims ({KEY}, until, audit_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT ({KEY}) DO UPDATE SET until = excluded.until, audit_id = excluded.audit_id \
         RETURNING audit_id"
    );
    on_tx!(&mut tx, conn => claim
        .bind_key(sqlx::query_as::<_, (i64,)>(&insert))
        .bind(stamp(claim.until))
        .bind(audit_id)
        .fetch_one(&mut *conn)
        .await?);
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
    on_db!(audit.db(), pool => sqlx::query_as(
        "SELECT k.schedule_id, s.name AS schedule_name, k.charger_id, k.audit_id, k.current \
         FROM schedule_claims k JOIN schedules s ON s.id = k.schedule_id \
         JOIN audit_events a ON a.id = k.audit_id \
         WHERE k.until > $1 AND NOT k.withdrawn AND a.outcome = 'received' \
         AND (NOT s.enabled OR s.deleted_at IS NOT NULL) ORDER BY k.audit_id",
    )
    .bind(stamp(now))
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
    const RECEIVED: &str = "FROM audit_events WHERE charger_id = $1 \
         AND action IN ('set_target', 'reset_target') AND outcome = 'received'";
    let last_sql = format!("SELECT actor, action, at {RECEIVED} ORDER BY id DESC LIMIT 1");
    let manual_sql = format!(
        "SELECT id {RECEIVED} AND substr(actor, 1, 9) <> 'schedule:' ORDER BY id DESC LIMIT 1"
    );
    let (last, manual): (Option<(String, String, Stamp)>, Option<i64>) = on_db!(audit.db(), pool => (
        sqlx::query_as(&last_sql).bind(charger_id).fetch_optional(pool).await?,
        sqlx::query_scalar(&manual_sql).bind(charger_id).fetch_optional(pool).await?,
    ));
    Ok(Changes {
        last: last.map(|(actor, action, at)| {
            (
                actor.starts_with("schedule:"),
                action == "reset_target",
                at.0,
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
