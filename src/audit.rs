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
