//! Walking the chain: every row must link to the one before and match its
//! hash; a saved head (an [`Anchor`]) catches rows cut off the end.

use crate::db::Db;
use crate::on_db;
use futures::TryStreamExt;

use super::chain::{Completed, GENESIS, Inserted, KEYED, expected_outcome_hash, expected_row_hash};
use super::key::AuditKey;

/// The chain's head at some moment: how many rows, and the last hash. Kept
/// outside the database (printed by `audit head`), it proves later that no
/// row was removed from the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub rows: u64,
    pub hash: String,
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.rows, self.hash)
    }
}

impl std::str::FromStr for Anchor {
    type Err = String;

    /// `ROWS:HASH`, as `audit head` prints it.
    fn from_str(text: &str) -> Result<Self, String> {
        let (rows, hash) = text
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("expected ROWS:HASH as `audit head` prints it, got {text:?}"))?;
        let rows = rows
            .parse()
            .map_err(|_| format!("{rows:?} is not a row count"))?;
        Ok(Self {
            rows,
            hash: hash.to_owned(),
        })
    }
}

/// The first row where the chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The row's id, or `None` when rows are missing from the end.
    pub id: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub rows: u64,
    /// Rows from before the chain was keyed (plain SHA-256).
    pub legacy_rows: u64,
    pub head: Option<Anchor>,
    pub broken: Option<Broken>,
}

struct StoredRow {
    id: i64,
    prev_hash: Option<String>,
    hash: String,
    outcome_hash: Option<String>,
    row: Inserted,
}

/// A stored row as the checked query reads it, flat (`query_as!` fills
/// one struct, field by field).
#[derive(sqlx::FromRow)]
struct FlatRow {
    id: i64,
    prev_hash: Option<String>,
    hash: String,
    outcome_hash: Option<String>,
    at: String,
    actor_id: Option<i64>,
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
    completed_at: Option<String>,
    batch_id: Option<String>,
}

impl From<FlatRow> for StoredRow {
    fn from(r: FlatRow) -> Self {
        StoredRow {
            id: r.id,
            prev_hash: r.prev_hash,
            hash: r.hash,
            outcome_hash: r.outcome_hash,
            row: Inserted {
                at: r.at,
                actor_id: r.actor_id,
                actor: r.actor,
                action: r.action,
                charger_id: r.charger_id,
                charger_name: r.charger_name,
                subject: r.subject,
                requested_current: r.requested_current,
                requested_duration: r.requested_duration,
                outcome: r.outcome,
                upstream_status: r.upstream_status,
                upstream_answer: r.upstream_answer,
                previous_settings: r.previous_settings,
                error: r.error,
                request_id: r.request_id,
                client_ip: r.client_ip,
                completed_at: r.completed_at,
                batch_id: r.batch_id,
            },
        }
    }
}

#[derive(sqlx::FromRow)]
struct Head {
    rows: i64,
    hash: String,
}

/// The head of the chain now.
pub async fn head(db: &Db) -> Result<Option<Anchor>, sqlx::Error> {
    let head = on_db!(db, pool => checked_as!(
        Head,
        r#"SELECT (SELECT COUNT(*) FROM audit_events) AS "rows!", hash
           FROM audit_events ORDER BY id DESC LIMIT 1"#,
    )
    .fetch_optional(pool)
    .await?);
    Ok(head.map(|h| Anchor {
        rows: u64::try_from(h.rows).unwrap_or_default(),
        hash: h.hash,
    }))
}

/// Whether any row is keyed, i.e. the audit key is needed to verify.
pub async fn has_keyed_rows(db: &Db) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        checked_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM audit_events WHERE hash LIKE 'h2:%') AS "keyed!: bool""#
        )
        .fetch_one(pool)
        .await
    })
}

/// The row as it was inserted (a completed pending row was inserted as
/// pending, without an outcome), and its completion if any.
fn split(stored: &StoredRow) -> (Inserted, Option<(String, Completed)>) {
    match &stored.outcome_hash {
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
    }
}

/// Why `stored` does not continue a chain whose last hash is `prev`.
fn fault(key: &AuditKey, stored: &StoredRow, prev: &str, keyed_seen: bool) -> Option<&'static str> {
    if stored.prev_hash.as_deref() != Some(prev) {
        return Some(
            "its link to the previous row does not match (a row before it was removed or changed)",
        );
    }
    if keyed_seen && !stored.hash.starts_with(KEYED) {
        return Some("it is not keyed although earlier rows are (it was rewritten)");
    }
    let (as_inserted, completion) = split(stored);
    if expected_row_hash(key, &stored.hash, prev, &as_inserted) != stored.hash {
        return Some("its content does not match its hash (the row was edited)");
    }
    match completion {
        Some((h, done)) if expected_outcome_hash(key, &h, &stored.hash, &done) != h => {
            Some("its outcome does not match its outcome hash (the outcome was edited)")
        }
        _ => None,
    }
}

/// Walks every row in order, streaming (constant memory); with an anchor,
/// also checks that the chain still holds that head.
pub async fn verify(
    db: &Db,
    key: &AuditKey,
    anchor: Option<&Anchor>,
) -> Result<Verified, sqlx::Error> {
    let mut result = Verified {
        rows: 0,
        legacy_rows: 0,
        head: None,
        broken: None,
    };
    let mut prev = GENESIS.to_owned();
    on_db!(db, pool => {
        let mut rows = checked_as!(
            FlatRow,
            r#"SELECT id AS "id!", prev_hash, hash, outcome_hash, at, actor_id, actor, action,
               charger_id, charger_name, subject, requested_current, requested_duration, outcome,
               upstream_status, upstream_answer, previous_settings, error, request_id, client_ip,
               completed_at, batch_id FROM audit_events ORDER BY id"#
        )
        .fetch(pool);
        while let Some(stored) = rows.try_next().await? {
            let stored = StoredRow::from(stored);
            result.rows += 1;
            if let Some(reason) = fault(key, &stored, &prev, result.rows > result.legacy_rows + 1) {
                result.broken = Some(Broken {
                    id: Some(stored.id),
                    reason: reason.to_owned(),
                });
                return Ok(result);
            }
            if !stored.hash.starts_with(KEYED) {
                result.legacy_rows += 1;
            }
            if let Some(a) = anchor
                && a.rows == result.rows
                && a.hash != stored.hash
            {
                result.broken = Some(Broken {
                    id: Some(stored.id),
                    reason: format!("it is not the saved head {a} (the trail was rewritten)"),
                });
                return Ok(result);
            }
            prev = stored.hash;
        }
    });
    if let Some(a) = anchor.filter(|a| a.rows > result.rows) {
        result.broken = Some(Broken {
            id: None,
            reason: format!(
                "the trail has {} rows but the saved head {a} has {}: rows were cut off the end",
                result.rows, a.rows
            ),
        });
    }
    result.head = (result.rows > 0).then_some(Anchor {
        rows: result.rows,
        hash: prev,
    });
    Ok(result)
}
