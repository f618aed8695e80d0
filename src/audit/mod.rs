//! The audit trail: one row per change or attempt. Simple events are
//! written complete; upstream calls write an intent row (`pending`) before
//! the call and complete it after, so a crash in between leaves a trace.

pub mod chain;
mod export;
pub mod query;
mod read;

use serde::Serialize;
use sqlx::SqlitePool;

pub use export::{CSV_COLUMNS, csv};
pub use read::{entry, recent_for_charger};

use crate::problem::Problem;
use crate::vocabulary::{AuditAction, Outcome};

/// Who did it and from where; copied into every row.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

/// What happened, for events that are complete when written.
#[derive(Debug, Clone)]
pub struct Event {
    pub action: AuditAction,
    pub outcome: Outcome,
    /// What the event is about when it is not a charger (e.g. a username).
    pub subject: Option<String>,
    pub charger_id: Option<i64>,
    pub charger_name: Option<String>,
    pub problem: Option<Problem>,
}

impl Event {
    /// A local change that succeeded (`ok`) or failed with `problem`.
    pub fn of<T>(action: AuditAction, result: &Result<T, Problem>) -> Self {
        Self {
            action,
            outcome: if result.is_ok() {
                Outcome::Ok
            } else {
                Outcome::Failed
            },
            subject: None,
            charger_id: None,
            charger_name: None,
            problem: result.as_ref().err().cloned(),
        }
    }

    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    pub fn on_charger(mut self, id: Option<i64>, name: impl Into<String>) -> Self {
        self.charger_id = id;
        self.charger_name = Some(name.into());
        self
    }
}

/// The timestamp format of every audit column (UTC, milliseconds).
pub fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Appends one row to the chain. `BEGIN IMMEDIATE` takes the write lock
/// before reading the previous hash, so concurrent writers (even other
/// processes, such as the CLI) queue up instead of forking the chain. A
/// real `Transaction` rolls back when dropped: a request abandoned halfway
/// never leaves a pooled connection holding the lock.
async fn append(pool: &SqlitePool, row: chain::Inserted) -> Result<i64, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let prev: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let prev = prev.unwrap_or_else(|| chain::GENESIS.to_owned());
    let hash = chain::row_hash(&prev, &row);
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
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn base_row(actor: &Actor, action: AuditAction, outcome: Outcome) -> chain::Inserted {
    chain::Inserted {
        at: now_text(),
        actor_id: actor.user_id,
        actor: actor.username.clone(),
        action: action.to_string(),
        outcome: outcome.to_string(),
        request_id: actor.request_id.clone(),
        client_ip: actor.client_ip.clone(),
        ..Default::default()
    }
}

/// Writes a complete event.
pub async fn record(pool: &SqlitePool, actor: &Actor, event: Event) -> Result<i64, sqlx::Error> {
    let mut row = base_row(actor, event.action, event.outcome);
    row.subject = event.subject;
    row.charger_id = event.charger_id;
    row.charger_name = event.charger_name;
    row.error = event.problem.as_ref().map(Problem::to_json);
    row.completed_at = Some(row.at.clone());
    append(pool, row).await
}

/// Records an event and logs, rather than fails, when the database cannot
/// take it: used where the action itself already happened.
pub async fn record_or_log(pool: &SqlitePool, actor: &Actor, event: Event) {
    let action = event.action;
    if let Err(e) = record(pool, actor, event).await {
        tracing::error!(error = %e, %action, "could not write an audit event");
    }
}

/// A JSON column value (CLEMAP answers, previous settings).
pub fn json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// The intent of an upstream call, written (and committed) before it.
#[derive(Debug, Clone)]
pub struct Intent<'a> {
    pub action: AuditAction,
    pub charger_id: i64,
    pub charger_name: &'a str,
    pub requested_current: Option<u32>,
    pub requested_duration: Option<u32>,
    /// Shared by the rows of one bulk change.
    pub batch_id: Option<String>,
}

/// How the call ended, written onto the intent row.
#[derive(Debug, Clone)]
pub struct Completion {
    pub outcome: Outcome,
    pub upstream_status: Option<u16>,
    pub upstream_answer: Option<String>,
    pub previous_settings: Option<String>,
    pub problem: Option<Problem>,
}

impl Completion {
    /// An attempt that failed for `problem`, with CLEMAP's status and
    /// (scrubbed) answer when it gave one.
    pub fn failed(problem: Problem) -> Self {
        Self {
            outcome: Outcome::Error,
            upstream_status: None,
            upstream_answer: None,
            previous_settings: None,
            problem: Some(problem),
        }
    }

    /// CLEMAP answered with a 2xx: `answer` is its body.
    pub fn answered(outcome: Outcome, status: u16, answer: &impl Serialize) -> Self {
        Self {
            outcome,
            upstream_status: Some(status),
            upstream_answer: json(answer),
            previous_settings: None,
            problem: None,
        }
    }
}

/// Writes a `pending` row; the caller completes it after the call.
pub async fn begin(
    pool: &SqlitePool,
    actor: &Actor,
    intent: Intent<'_>,
) -> Result<i64, sqlx::Error> {
    insert_attempt(pool, actor, &intent, Outcome::Pending, None).await
}

/// Writes an attempt refused before any upstream call (bad input).
pub async fn refused(
    pool: &SqlitePool,
    actor: &Actor,
    intent: Intent<'_>,
    reason: &Problem,
) -> Result<i64, sqlx::Error> {
    insert_attempt(pool, actor, &intent, Outcome::Refused, Some(reason)).await
}

async fn insert_attempt(
    pool: &SqlitePool,
    actor: &Actor,
    intent: &Intent<'_>,
    outcome: Outcome,
    problem: Option<&Problem>,
) -> Result<i64, sqlx::Error> {
    let mut row = base_row(actor, intent.action, outcome);
    row.charger_id = Some(intent.charger_id);
    row.charger_name = Some(intent.charger_name.to_owned());
    row.requested_current = intent.requested_current.map(i64::from);
    row.requested_duration = intent.requested_duration.map(i64::from);
    row.error = problem.map(Problem::to_json);
    row.batch_id = intent.batch_id.clone();
    if outcome != Outcome::Pending {
        row.completed_at = Some(row.at.clone());
    }
    append(pool, row).await
}

/// Completes a pending row, once (the table's trigger refuses a second
/// completion or any other change). Returns whether a row was completed.
pub async fn complete(pool: &SqlitePool, id: i64, done: &Completion) -> Result<bool, sqlx::Error> {
    let hash: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_events WHERE id = ? AND outcome = 'pending'")
            .bind(id)
            .fetch_optional(pool)
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
    .bind(chain::outcome_hash(&hash, &completed))
    .bind(id)
    .execute(pool)
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
pub async fn resolve_pending(pool: &SqlitePool) -> Result<u64, sqlx::Error> {
    let pending: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM audit_events WHERE outcome = 'pending' ORDER BY id")
            .fetch_all(pool)
            .await?;
    let done = Completion {
        outcome: Outcome::Unknown,
        ..Completion::failed(Problem::Interrupted)
    };
    for id in &pending {
        complete(pool, *id, &done).await?;
    }
    Ok(pending.len() as u64)
}
