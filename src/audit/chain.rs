//! Tamper evidence for the audit trail. Each row's `hash` is SHA-256 over
//! the previous row's hash and the row's content as inserted; completing a
//! pending row adds `outcome_hash` over the row's hash and the completion.
//! Editing, deleting or reordering a row behind the application's back
//! breaks the chain at that row, which [`verify`] reports.

use futures::TryStreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

/// What the first row's `prev_hash` is compared against.
pub const GENESIS: &str = "evse-dashboard audit chain v1";

/// The columns fixed at insert, in hashing order.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct Inserted {
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub charger_id: Option<i64>,
    pub charger_name: Option<String>,
    pub subject: Option<String>,
    pub requested_current: Option<i64>,
    pub requested_duration: Option<i64>,
    pub outcome: String,
    pub upstream_status: Option<i64>,
    pub upstream_answer: Option<String>,
    pub previous_settings: Option<String>,
    pub error: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub completed_at: Option<String>,
    pub batch_id: Option<String>,
}

/// The columns a completion sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completed {
    pub outcome: String,
    pub upstream_status: Option<i64>,
    pub upstream_answer: Option<String>,
    pub previous_settings: Option<String>,
    pub error: Option<String>,
    pub completed_at: Option<String>,
}

fn hex(digest: impl AsRef<[u8]>) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Canonical JSON (a fixed-order array) keeps the hash independent of
/// how any one tool prints a row.
pub fn row_hash(prev_hash: &str, row: &Inserted) -> String {
    let canonical = json!([
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
    ]);
    hex(Sha256::new()
        .chain_update(prev_hash.as_bytes())
        .chain_update([0])
        .chain_update(canonical.to_string().as_bytes())
        .finalize())
}

pub fn outcome_hash(row_hash: &str, done: &Completed) -> String {
    let canonical = json!([
        done.outcome,
        done.upstream_status,
        done.upstream_answer,
        done.previous_settings,
        done.error,
        done.completed_at,
    ]);
    hex(Sha256::new()
        .chain_update(row_hash.as_bytes())
        .chain_update([1])
        .chain_update(canonical.to_string().as_bytes())
        .finalize())
}

/// The first row where the chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub id: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub rows: u64,
    pub broken: Option<Broken>,
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    id: i64,
    prev_hash: Option<String>,
    hash: String,
    outcome_hash: Option<String>,
    #[sqlx(flatten)]
    row: Inserted,
}

/// Walks every row in order, streaming (constant memory).
pub async fn verify(pool: &SqlitePool) -> Result<Verified, sqlx::Error> {
    let mut rows = sqlx::query_as::<_, StoredRow>(
        "SELECT id, prev_hash, hash, outcome_hash, at, actor_id, actor, action, charger_id, \
         charger_name, subject, requested_current, requested_duration, outcome, upstream_status, \
         upstream_answer, previous_settings, error, request_id, client_ip, completed_at, batch_id \
         FROM audit_events ORDER BY id",
    )
    .fetch(pool);
    let mut expected_prev = GENESIS.to_owned();
    let mut count = 0;
    while let Some(stored) = rows.try_next().await? {
        count += 1;
        let broken = |reason: &str| {
            Some(Broken {
                id: stored.id,
                reason: reason.to_owned(),
            })
        };
        if stored.prev_hash.as_deref() != Some(expected_prev.as_str()) {
            return Ok(Verified {
                rows: count,
                broken: broken(
                    "its link to the previous row does not match (a row before it was removed or changed)",
                ),
            });
        }
        // A completed pending row was inserted as pending, without outcome.
        let (as_inserted, completion) = match &stored.outcome_hash {
            None => (stored.row.clone(), None),
            Some(h) => {
                let done = Completed {
                    outcome: stored.row.outcome.clone(),
                    upstream_status: stored.row.upstream_status,
                    upstream_answer: stored.row.upstream_answer.clone(),
                    previous_settings: stored.row.previous_settings.clone(),
                    error: stored.row.error.clone(),
                    completed_at: stored.row.completed_at.clone(),
                };
                let inserted = Inserted {
                    outcome: "pending".into(),
                    upstream_status: None,
                    upstream_answer: None,
                    previous_settings: None,
                    error: None,
                    completed_at: None,
                    ..stored.row.clone()
                };
                (inserted, Some((h.clone(), done)))
            }
        };
        if row_hash(&expected_prev, &as_inserted) != stored.hash {
            return Ok(Verified {
                rows: count,
                broken: broken("its content does not match its hash (the row was edited)"),
            });
        }
        if let Some((h, done)) = completion
            && outcome_hash(&stored.hash, &done) != h
        {
            return Ok(Verified {
                rows: count,
                broken: broken(
                    "its outcome does not match its outcome hash (the outcome was edited)",
                ),
            });
        }
        expected_prev = stored.hash;
    }
    Ok(Verified {
        rows: count,
        broken: None,
    })
}
