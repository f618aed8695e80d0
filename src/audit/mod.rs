//! The audit trail: one row per change or attempt. Simple events are
//! written complete; upstream calls write an intent row (`pending`) before
//! the call and complete it after, so a crash in between leaves a trace.

pub mod chain;
pub mod query;

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

/// The timestamp format of every audit column (UTC, milliseconds).
pub fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Appends one row to the chain. `BEGIN IMMEDIATE` takes the write lock
/// before reading the previous hash, so concurrent writers (even other
/// processes, such as the CLI) queue up instead of forking the chain.
async fn append(pool: &SqlitePool, row: chain::Inserted) -> Result<i64, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let result = async {
        let prev: Option<String> =
            sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?;
        let prev = prev.unwrap_or_else(|| chain::GENESIS.to_owned());
        let hash = chain::row_hash(&prev, &row);
        sqlx::query_scalar(
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
        .fetch_one(&mut *conn)
        .await
    }
    .await;
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    sqlx::query(end).execute(&mut *conn).await?;
    result
}

fn base_row(actor: &Actor, action: &str, outcome: &str) -> chain::Inserted {
    chain::Inserted {
        at: now_text(),
        actor_id: actor.user_id,
        actor: actor.username.clone(),
        action: action.to_owned(),
        outcome: outcome.to_owned(),
        request_id: actor.request_id.clone(),
        client_ip: actor.client_ip.clone(),
        ..Default::default()
    }
}

/// Writes a complete event.
pub async fn record(
    pool: &SqlitePool,
    actor: &Actor,
    event: Event<'_>,
) -> Result<i64, sqlx::Error> {
    let mut row = base_row(actor, event.action, event.outcome);
    row.subject = event.subject;
    row.charger_id = event.charger_id;
    row.charger_name = event.charger_name;
    row.error = event.error;
    row.completed_at = Some(row.at.clone());
    append(pool, row).await
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
    /// Shared by the rows of one bulk change.
    pub batch_id: Option<String>,
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
    let mut row = base_row(actor, intent.action, outcome);
    row.charger_id = Some(intent.charger_id);
    row.charger_name = Some(intent.charger_name.to_owned());
    row.requested_current = intent.requested_current.map(i64::from);
    row.requested_duration = intent.requested_duration.map(i64::from);
    row.error = error.map(str::to_owned);
    row.batch_id = intent.batch_id.clone();
    if outcome != "pending" {
        row.completed_at = Some(row.at.clone());
    }
    append(pool, row).await
}

/// Completes a pending row, once (the table's trigger refuses a second
/// completion or any other change).
pub async fn complete(pool: &SqlitePool, id: i64, done: &Completion) -> Result<(), sqlx::Error> {
    let hash: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_events WHERE id = ? AND outcome = 'pending'")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let Some(hash) = hash else {
        return Ok(());
    };
    let completed = chain::Completed {
        outcome: done.outcome.to_owned(),
        upstream_status: done.upstream_status.map(i64::from),
        upstream_answer: done.upstream_answer.clone(),
        previous_settings: done.previous_settings.clone(),
        error: done.error.clone(),
        completed_at: Some(now_text()),
    };
    sqlx::query(
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
    .await?;
    Ok(())
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
        outcome: "unknown",
        error: Some(
            "The server stopped before CLEMAP answered; check the charger's current target.".into(),
        ),
        ..Completion::default()
    };
    for id in &pending {
        complete(pool, *id, &done).await?;
    }
    Ok(pending.len() as u64)
}

#[derive(sqlx::FromRow)]
pub(crate) struct EntryRow {
    pub(crate) id: i64,
    pub(crate) at: String,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) charger_id: Option<i64>,
    pub(crate) charger_name: Option<String>,
    pub(crate) subject: Option<String>,
    pub(crate) requested_current: Option<i64>,
    pub(crate) requested_duration: Option<i64>,
    pub(crate) outcome: String,
    pub(crate) upstream_status: Option<i64>,
    pub(crate) upstream_answer: Option<String>,
    pub(crate) previous_settings: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) client_ip: Option<String>,
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
