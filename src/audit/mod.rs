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

use sqlx::{Sqlite, SqlitePool, Transaction};

pub use event::{Actor, Completion, Event, Intent, json};
pub use export::{CSV_COLUMNS, csv};
pub use key::AuditKey;
pub use read::{batch, entry, recent_for_charger};

use crate::problem::Problem;
use crate::vocabulary::{AuditAction, Outcome};

/// The timestamp format of every audit column (UTC, milliseconds).
pub fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The audit trail's writer: the database and the chain's key.
#[derive(Clone, Debug)]
pub struct AuditLog {
    pool: SqlitePool,
    key: Arc<AuditKey>,
}

impl AuditLog {
    pub fn new(pool: SqlitePool, key: AuditKey) -> Self {
        Self {
            pool,
            key: Arc::new(key),
        }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let id = self.append_in(&mut tx, row).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes a `pending` row inside the caller's `BEGIN IMMEDIATE`
    /// transaction, so it commits together with what the caller writes
    /// beside it (the schedule engine's claim on an occurrence).
    pub async fn begin_in(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        actor: &Actor,
        intent: Intent<'_>,
    ) -> Result<i64, sqlx::Error> {
        let mut row = base_row(actor, intent.action, Outcome::Pending);
        fill_intent(&mut row, &intent);
        self.append_in(tx, row).await
    }

    async fn append_in(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        mut row: chain::Inserted,
    ) -> Result<i64, sqlx::Error> {
        row.at = now_text();
        if row.completed_at.is_some() {
            row.completed_at = Some(row.at.clone());
        }
        let prev: Option<String> =
            sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut **tx)
                .await?;
        let prev = prev.unwrap_or_else(|| chain::GENESIS.to_owned());
        let hash = chain::row_hash(&self.key, &prev, &row);
        let id = sqlx::query_scalar(
            "INSERT INTO audit_events (at, actor_id, actor, action, charger_id, charger_name, subject, \
             requested_current, requested_duration, outcome, upstream_status, upstream_answer, \
             previous_settings, error, request_id, client_ip, completed_at, batch_id, prev_hash, hash) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&row.at)
        .bind(row.actor_id)
        .bind(&row.actor)
        .bind(&row.action)
        .bind(row.charger_id)
        .bind(&row.charger_name)
        .bind(&row.subject)
        .bind(row.requested_current)
        .bind(row.requested_duration)
        .bind(&row.outcome)
        .bind(row.upstream_status)
        .bind(&row.upstream_answer)
        .bind(&row.previous_settings)
        .bind(&row.error)
        .bind(&row.request_id)
        .bind(&row.client_ip)
        .bind(&row.completed_at)
        .bind(&row.batch_id)
        .bind(&prev)
        .bind(&hash)
        .fetch_one(&mut **tx)
        .await?;
        Ok(id)
    }

    /// Completes a pending row, once (the table's trigger refuses a second
    /// completion or any other change). Returns whether a row was completed.
    pub async fn complete(&self, id: i64, done: &Completion) -> Result<bool, sqlx::Error> {
        let hash: Option<String> = sqlx::query_scalar(
            "SELECT hash FROM audit_events WHERE id = ? AND outcome = 'pending'",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
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
        let changed = sqlx::query(
            "UPDATE audit_events SET outcome = ?, upstream_status = ?, upstream_answer = ?, \
             previous_settings = ?, error = ?, completed_at = ?, outcome_hash = ? \
             WHERE id = ? AND outcome = 'pending'",
        )
        .bind(&completed.outcome)
        .bind(completed.upstream_status)
        .bind(&completed.upstream_answer)
        .bind(&completed.previous_settings)
        .bind(&completed.error)
        .bind(&completed.completed_at)
        .bind(chain::outcome_hash(&self.key, &hash, &completed))
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if changed == 0 {
            tracing::warn!(
                audit_id = id,
                "the pending audit row was completed by someone else"
            );
        }
        Ok(changed == 1)
    }

    /// At start-up: attempts still `pending` were cut off by a crash or a
    /// stop between the intent and the outcome; whether CLEMAP got them is
    /// unknown. Returns how many rows that was.
    pub async fn resolve_pending(&self) -> Result<u64, sqlx::Error> {
        let pending: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM audit_events WHERE outcome = 'pending' ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
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
        verify::verify(&self.pool, &self.key, anchor).await
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
