//! The audit trail: one row per change or attempt. Simple events are
//! written complete; upstream calls write an intent row (`pending`) before
//! the call and complete it after, so a crash in between leaves a trace.
//! Every write goes through [`AuditLog`], which holds the chain's key.

pub mod chain;
mod event;
mod export;
pub mod key;
pub mod query;
mod read;
pub mod verify;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx, stamp};
use crate::{on_db, on_tx};

pub use event::{Actor, Completion, Event, Intent, json};
pub use export::{CSV_COLUMNS, csv};
pub use key::AuditKey;
pub use read::{batch, entry, recent_for_charger};

use crate::problem::Problem;
use crate::vocabulary::{AuditAction, Outcome};

/// The timestamp format of every audit column (UTC, milliseconds).
pub use crate::db::now_text;

/// Longer than any CLEMAP attempt can run (the read before it with its
/// retries, the queue and the call itself): a row pending for longer was
/// cut off, whichever instance wrote it.
pub const STALE_PENDING: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The audit trail's writer: the database and the chain's key.
#[derive(Clone, Debug)]
pub struct AuditLog {
    db: Db,
    key: Arc<AuditKey>,
}

impl AuditLog {
    pub fn new(db: Db, key: AuditKey) -> Self {
        Self {
            db,
            key: Arc::new(key),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn key(&self) -> &AuditKey {
        &self.key
    }

    /// Writes a complete event.
    pub async fn record(&self, actor: &Actor, event: Event) -> Result<i64, sqlx::Error> {
        let mut row = base_row(actor, event.action, event.outcome);
        row.subject = event.subject;
        row.charger_id = event.charger_id;
        row.charger_name = event.charger_name;
        row.error = event.problem.as_ref().map(Problem::to_json);
        row.completed_at = Some(String::new()); // stamped by `append`
        self.append(row).await
    }

    /// Records an event and logs, rather than fails, when the database
    /// cannot take it: used where the action itself already happened.
    /// Returns the row's id when it was written.
    pub async fn record_or_log(&self, actor: &Actor, event: Event) -> Option<i64> {
        let action = event.action;
        match self.record(actor, event).await {
            Ok(id) => Some(id),
            Err(e) => {
                tracing::error!(error = %e, %action, "could not write an audit event");
                None
            }
        }
    }

    /// Writes a `pending` row; the caller completes it after the call.
    pub async fn begin(&self, actor: &Actor, intent: Intent<'_>) -> Result<i64, sqlx::Error> {
        self.insert_attempt(actor, &intent, Outcome::Pending, None)
            .await
    }

    /// Writes an attempt refused before any upstream call (bad input).
    pub async fn refused(
        &self,
        actor: &Actor,
        intent: Intent<'_>,
        reason: &Problem,
    ) -> Result<i64, sqlx::Error> {
        self.insert_attempt(actor, &intent, Outcome::Refused, Some(reason))
            .await
    }

    async fn insert_attempt(
        &self,
        actor: &Actor,
        intent: &Intent<'_>,
        outcome: Outcome,
        problem: Option<&Problem>,
    ) -> Result<i64, sqlx::Error> {
        let mut row = base_row(actor, intent.action, outcome);
        fill_intent(&mut row, intent);
        row.error = problem.map(Problem::to_json);
        if outcome != Outcome::Pending {
            row.completed_at = Some(String::new()); // stamped by `append`
        }
        self.append(row).await
    }

    /// Appends one row to the chain. `BEGIN IMMEDIATE` takes the write
    /// lock before reading the previous hash, so concurrent writers (even
    /// other processes, such as the CLI) queue up instead of forking the
    /// chain. A real `Transaction` rolls back when dropped: a request
    /// abandoned halfway never leaves a pooled connection holding the lock.
    ///
    /// `at` is stamped here, under the lock, so it grows with `id` (the
    /// date filter relies on that); a row complete when written is
    /// completed then.
    async fn append(&self, row: chain::Inserted) -> Result<i64, sqlx::Error> {
        let mut tx = self.db.begin_serialised().await?;
        let id = self.append_in(&mut tx, row).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes a `pending` row inside the caller's `BEGIN IMMEDIATE`
    /// transaction, so it commits together with what the caller writes
    /// beside it (the schedule engine's claim on an occurrence).
    pub async fn begin_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        intent: Intent<'_>,
    ) -> Result<i64, sqlx::Error> {
        let mut row = base_row(actor, intent.action, Outcome::Pending);
        fill_intent(&mut row, &intent);
        self.append_in(tx, row).await
    }

    async fn append_in(&self, tx: &mut Tx, mut row: chain::Inserted) -> Result<i64, sqlx::Error> {
        row.at = now_text();
        if row.completed_at.is_some() {
            row.completed_at = Some(row.at.clone());
        }
        let prev: Option<String> = on_tx!(tx, conn => {
            checked_scalar!("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?
        });
        let prev = prev.unwrap_or_else(|| chain::GENESIS.to_owned());
        let hash = chain::row_hash(&self.key, &prev, &row);
        let id = on_tx!(tx, conn => checked_scalar!(
            "INSERT INTO audit_events (at, actor_id, actor, action, charger_id, charger_name, subject, \
             requested_current, requested_duration, outcome, upstream_status, upstream_answer, \
             previous_settings, error, request_id, client_ip, completed_at, batch_id, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
             RETURNING id AS \"id!\"",
            row.at,
            row.actor_id,
            row.actor,
            row.action,
            row.charger_id,
            row.charger_name,
            row.subject,
            row.requested_current,
            row.requested_duration,
            row.outcome,
            row.upstream_status,
            row.upstream_answer,
            row.previous_settings,
            row.error,
            row.request_id,
            row.client_ip,
            row.completed_at,
            row.batch_id,
            prev,
            hash,
        )
        .fetch_one(&mut *conn)
        .await?);
        crate::metrics::audit_row_written(&row.action);
        Ok(id)
    }

    /// Completes a pending row, once (the table's trigger refuses a second
    /// completion or any other change). Returns whether a row was completed.
    pub async fn complete(&self, id: i64, done: &Completion) -> Result<bool, sqlx::Error> {
        let hash: Option<String> = on_db!(&self.db, pool => checked_scalar!(
            "SELECT hash FROM audit_events WHERE id = $1 AND outcome = 'pending'",
            id,
        )
        .fetch_optional(pool)
        .await?);
        let Some(hash) = hash else {
            tracing::warn!(audit_id = id, "no pending audit row to complete");
            return Ok(false);
        };
        let completed = chain::Completed {
            outcome: done.outcome.to_string(),
            upstream_status: done.upstream_status.map(i64::from),
            upstream_answer: done.upstream_answer.clone(),
            previous_settings: done.previous_settings.clone(),
            error: done.problem.as_ref().map(Problem::to_json),
            completed_at: Some(now_text()),
        };
        let outcome_hash = chain::outcome_hash(&self.key, &hash, &completed);
        let changed = on_db!(&self.db, pool => checked!(
            "UPDATE audit_events SET outcome = $1, upstream_status = $2, upstream_answer = $3, \
             previous_settings = $4, error = $5, completed_at = $6, outcome_hash = $7 \
             WHERE id = $8 AND outcome = 'pending'",
            completed.outcome,
            completed.upstream_status,
            completed.upstream_answer,
            completed.previous_settings,
            completed.error,
            completed.completed_at,
            outcome_hash,
            id,
        )
        .execute(pool)
        .await?
        .rows_affected());
        if changed == 0 {
            tracing::warn!(
                audit_id = id,
                "the pending audit row was completed by someone else"
            );
        } else {
            crate::metrics::audit_completed(&completed.outcome);
        }
        Ok(changed == 1)
    }

    /// Attempts still `pending` that began before `cutoff` were cut off by
    /// a crash or a stop between the intent and the outcome; whether
    /// CLEMAP got them is unknown. Returns how many rows that was.
    ///
    /// One process (SQLite) passes its own start: every pending row is
    /// from a run that ended. Instances sharing PostgreSQL pass now minus
    /// [`STALE_PENDING`], so a row another live instance is still waiting
    /// on is left alone until no call can still be running.
    pub async fn resolve_pending(&self, cutoff: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let cutoff = stamp(cutoff);
        let pending: Vec<i64> = on_db!(&self.db, pool => checked_scalar!(
            r#"SELECT id AS "id!" FROM audit_events WHERE outcome = 'pending' AND at < $1 ORDER BY id"#,
            cutoff,
        )
        .fetch_all(pool)
        .await?);
        let done = Completion {
            outcome: Outcome::Unknown,
            ..Completion::failed(Problem::Interrupted)
        };
        for id in &pending {
            self.complete(*id, &done).await?;
        }
        Ok(pending.len() as u64)
    }

    /// Walks the chain (see [`verify::verify`]).
    pub async fn verify(
        &self,
        anchor: Option<&verify::Anchor>,
    ) -> Result<verify::Verified, sqlx::Error> {
        verify::verify(&self.db, &self.key, anchor).await
    }
}

fn fill_intent(row: &mut chain::Inserted, intent: &Intent<'_>) {
    row.charger_id = Some(intent.charger_id);
    row.charger_name = Some(intent.charger_name.to_owned());
    row.requested_current = intent.requested_current.map(i64::from);
    row.requested_duration = intent.requested_duration.map(i64::from);
    row.batch_id = intent.batch_id.clone();
}

fn base_row(actor: &Actor, action: AuditAction, outcome: Outcome) -> chain::Inserted {
    chain::Inserted {
        actor_id: actor.user_id,
        actor: actor.username.clone(),
        action: action.to_string(),
        outcome: outcome.to_string(),
        request_id: actor.request_id.clone(),
        client_ip: actor.client_ip.clone(),
        ..Default::default()
    }
}
