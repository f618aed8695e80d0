//! The audit trail: one row per change or attempt. Simple events are
//! written complete; upstream calls write an intent row (`pending`) before
//! the call and complete it after, so a crash in between leaves a trace.

use serde::Serialize;
use sqlx::SqlitePool;

/// Who did it and from where; copied into every row.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

/// What happened, for events that are complete when written.
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub action: &'a str,
    pub outcome: &'a str,
    /// What the event is about when it is not a charger (e.g. a username).
    pub subject: Option<String>,
    pub charger_id: Option<i64>,
    pub charger_name: Option<String>,
    pub error: Option<String>,
}

/// Writes a complete event.
pub async fn record(
    pool: &SqlitePool,
    actor: &Actor,
    event: Event<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO audit_events (actor_id, actor, action, subject, charger_id, charger_name, \
         outcome, error, request_id, client_ip, completed_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) RETURNING id",
    )
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(event.action)
    .bind(&event.subject)
    .bind(event.charger_id)
    .bind(&event.charger_name)
    .bind(event.outcome)
    .bind(&event.error)
    .bind(&actor.request_id)
    .bind(&actor.client_ip)
    .fetch_one(pool)
    .await
}

/// Records an event and logs, rather than fails, when the database cannot
/// take it: used where the action itself already happened.
pub async fn record_or_log(pool: &SqlitePool, actor: &Actor, event: Event<'_>) {
    let action = event.action.to_owned();
    if let Err(e) = record(pool, actor, event).await {
        tracing::error!(error = %e, action, "could not write an audit event");
    }
}

/// A JSON column value (CLEMAP answers, previous settings).
pub fn json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// The intent of an upstream call, written (and committed) before it.
#[derive(Debug, Clone)]
pub struct Intent<'a> {
    pub action: &'a str,
    pub charger_id: i64,
    pub charger_name: &'a str,
    pub requested_current: Option<u32>,
    pub requested_duration: Option<u32>,
}

/// How the call ended, written onto the intent row.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub outcome: &'static str,
    pub upstream_status: Option<u16>,
    pub upstream_answer: Option<String>,
    pub previous_settings: Option<String>,
    pub error: Option<String>,
}

/// Writes a `pending` row; the caller completes it after the call.
pub async fn begin(
    pool: &SqlitePool,
    actor: &Actor,
    intent: Intent<'_>,
) -> Result<i64, sqlx::Error> {
    insert_attempt(pool, actor, &intent, "pending", None).await
}

/// Writes an attempt refused before any upstream call (bad input).
pub async fn refused(
    pool: &SqlitePool,
    actor: &Actor,
    intent: Intent<'_>,
    reason: &str,
) -> Result<i64, sqlx::Error> {
    insert_attempt(pool, actor, &intent, "refused", Some(reason)).await
}

async fn insert_attempt(
    pool: &SqlitePool,
    actor: &Actor,
    intent: &Intent<'_>,
    outcome: &str,
    error: Option<&str>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO audit_events (actor_id, actor, action, charger_id, charger_name, \
         requested_current, requested_duration, outcome, error, request_id, client_ip, completed_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
         CASE WHEN ? = 'pending' THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END) RETURNING id",
    )
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(intent.action)
    .bind(intent.charger_id)
    .bind(intent.charger_name)
    .bind(intent.requested_current)
    .bind(intent.requested_duration)
    .bind(outcome)
    .bind(error)
    .bind(&actor.request_id)
    .bind(&actor.client_ip)
    .bind(outcome)
    .fetch_one(pool)
    .await
}

/// Completes a pending row, once.
pub async fn complete(pool: &SqlitePool, id: i64, done: &Completion) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE audit_events SET outcome = ?, upstream_status = ?, upstream_answer = ?, \
         previous_settings = ?, error = ?, completed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') \
         WHERE id = ? AND outcome = 'pending'",
    )
    .bind(done.outcome)
    .bind(done.upstream_status)
    .bind(&done.upstream_answer)
    .bind(&done.previous_settings)
    .bind(&done.error)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// At start-up: attempts still `pending` were cut off by a crash or a
/// stop between the intent and the outcome; whether CLEMAP got them is
/// unknown. Returns how many rows that was.
pub async fn resolve_pending(pool: &SqlitePool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE audit_events SET outcome = 'unknown', \
         error = 'The server stopped before CLEMAP answered; check the charger''s current target.', \
         completed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE outcome = 'pending'",
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(done)
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    at: String,
    actor: String,
    action: String,
    charger_id: Option<i64>,
    charger_name: Option<String>,
    subject: Option<String>,
    requested_current: Option<i64>,
    requested_duration: Option<i64>,
    outcome: String,
    upstream_status: Option<i64>,
    upstream_answer: Option<String>,
    previous_settings: Option<String>,
    error: Option<String>,
    request_id: Option<String>,
    client_ip: Option<String>,
}

impl From<EntryRow> for crate::types::AuditEntry {
    fn from(r: EntryRow) -> Self {
        Self {
            id: r.id,
            at: r.at,
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
            error: r.error,
            request_id: r.request_id,
            client_ip: r.client_ip,
        }
    }
}

pub(crate) const ENTRY_COLUMNS: &str = "id, at, actor, action, charger_id, charger_name, subject, \
     requested_current, requested_duration, outcome, upstream_status, upstream_answer, \
     previous_settings, error, request_id, client_ip";

/// The latest `limit` events of one charger, newest first.
pub async fn recent_for_charger(
    pool: &SqlitePool,
    charger_id: i64,
    limit: i64,
) -> Result<Vec<crate::types::AuditEntry>, sqlx::Error> {
    let rows: Vec<EntryRow> = sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_events WHERE charger_id = ? ORDER BY id DESC LIMIT ?"
    ))
    .bind(charger_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn entry(
    pool: &SqlitePool,
    id: i64,
) -> Result<Option<crate::types::AuditEntry>, sqlx::Error> {
    let row: Option<EntryRow> = sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_events WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Into::into))
}
