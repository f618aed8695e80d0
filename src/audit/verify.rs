//! Walking the chain: every row must link to the one before and match its
//! hash; a saved head (an [`Anchor`]) catches rows cut off the end.

use crate::db::Db;
use crate::on_db;
use futures::TryStreamExt;

use super::chain::{GENESIS, KEYED, expected_outcome_hash, expected_row_hash};
use super::key::AuditKey;
use super::row::AuditRow;
use crate::vocabulary::Outcome;

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

#[derive(sqlx::FromRow)]
struct Head {
    rows: i64,
    hash: String,
}

/// The head of the chain now.
pub async fn head(db: &Db) -> Result<Option<Anchor>, sqlx::Error> {
    let head: Option<Head> = on_db!(db, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM audit_events) AS rows, hash \
         FROM audit_events ORDER BY id DESC LIMIT 1",
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
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_events WHERE hash LIKE 'h2:%')")
            .fetch_one(pool)
            .await
    })
}

/// The row as it was inserted: a completed pending row was inserted as
/// pending, without what its completion set.
fn as_inserted(stored: &AuditRow) -> AuditRow {
    if stored.outcome_hash.is_none() {
        return stored.clone();
    }
    AuditRow {
        outcome: Outcome::Pending,
        upstream_status: None,
        upstream_answer: None,
        previous_settings: None,
        error: None,
        completed_at: None,
        ..stored.clone()
    }
}

/// Why `stored` does not continue a chain whose last hash is `prev`.
fn fault(key: &AuditKey, stored: &AuditRow, prev: &str, keyed_seen: bool) -> Option<&'static str> {
    if stored.prev_hash.as_deref() != Some(prev) {
        return Some(
            "its link to the previous row does not match (a row before it was removed or changed)",
        );
    }
    if keyed_seen && !stored.hash.starts_with(KEYED) {
        return Some("it is not keyed although earlier rows are (it was rewritten)");
    }
    if expected_row_hash(key, &stored.hash, prev, &as_inserted(stored)) != stored.hash {
        return Some("its content does not match its hash (the row was edited)");
    }
    match &stored.outcome_hash {
        Some(h) if expected_outcome_hash(key, h, &stored.hash, stored) != *h => {
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
        let mut rows =
            sqlx::query_as::<_, AuditRow>("SELECT * FROM audit_events ORDER BY id").fetch(pool);
        while let Some(stored) = rows.try_next().await? {
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
