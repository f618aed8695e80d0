//! `Idempotency-Key` for the API's writes: the same key from the same
//! token within 24 h gets the first answer again, with no second CLEMAP
//! call and no second audit row. The claim is a row in the database (its
//! primary key decides who was first), so this holds across a restart and
//! across instances on one PostgreSQL.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::on_db;

/// How long a key is remembered.
pub const KEEP: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// A claim whose request never finished (the server stopped in between)
/// is left alone after this: what happened is in the audit trail, and
/// running the request again could set a target twice.
pub const UNFINISHED_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// The longest key accepted (Stripe's limit; a UUID is 36).
pub const MAX_KEY_CHARS: usize = 255;

/// What the request that carries a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First with this key: run it, then [`finish`].
    Fresh,
    /// Answered before: send this again.
    Replay(Answer),
    /// The key was used for a different request (another charger, body or
    /// method).
    Mismatch,
    /// The first request with this key is still running.
    Running,
    /// The first request with this key never finished.
    Unfinished,
}

/// An answer as it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// What makes two requests "the same": method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    for part in [method.as_bytes(), b"\n", path.as_bytes(), b"\n", body] {
        hash.update(part);
    }
    crate::audit::key::hex(hash.finalize())
}

/// The `idempotency_keys` table: each claimed key, and the answer kept.
#[derive(Clone, Debug)]
pub struct IdempotencyKeys {
    db: Db,
}

impl IdempotencyKeys {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// What became of an earlier request with `key`, read without writing
    /// anything: `None` when there was none within [`KEEP`]. A request asks
    /// this before its token's rate is checked, so a repeat costs no rate and
    /// a token over its rate costs one read, not a claim and its release.
    pub async fn earlier(
        &self,
        token_id: i64,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Claim>, sqlx::Error> {
        let (now_ms, expired_ms) = (now.timestamp_millis(), (now - KEEP).timestamp_millis());
        let row: Option<(String, i64, Option<i32>, Option<String>)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT fingerprint, created_ms, status, body FROM idempotency_keys \
             WHERE token_id = $1 AND idem_key = $2 AND created_ms >= $3",
        )
        .bind(token_id)
        .bind(key)
        .bind(expired_ms)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(|row| match row {
            (stored, ..) if stored != fingerprint => Claim::Mismatch,
            (_, _, Some(status), Some(body)) => Claim::Replay(Answer {
                status: u16::try_from(status).unwrap_or(500),
                body,
            }),
            (_, created_ms, ..) if now_ms - created_ms > UNFINISHED_AFTER.num_milliseconds() => {
                Claim::Unfinished
            }
            _ => Claim::Running,
        }))
    }

    /// Claims `key` for `token_id`'s request, or says what became of it.
    pub async fn claim(
        &self,
        token_id: i64,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim, sqlx::Error> {
        let (now_ms, expired_ms) = (now.timestamp_millis(), (now - KEEP).timestamp_millis());
        // An expired row gives its key up: the claim below can take it.
        on_db!(self.db.writes(), pool => sqlx::query("DELETE FROM idempotency_keys WHERE created_ms < $1")
            .bind(expired_ms)
            .execute(pool)
            .await?
            .rows_affected());
        let inserted = on_db!(self.db.writes(), pool => sqlx::query(
            "INSERT INTO idempotency_keys (token_id, idem_key, fingerprint, created_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(token_id)
        .bind(key)
        .bind(fingerprint)
        .bind(now_ms)
        .execute(pool)
        .await?
        .rows_affected());
        if inserted == 1 {
            return Ok(Claim::Fresh);
        }
        // Taken by a request in between; expired and deleted by another one
        // meanwhile is rare enough to ask for a retry rather than loop.
        Ok(self
            .earlier(token_id, key, fingerprint, now)
            .await?
            .unwrap_or(Claim::Running))
    }

    /// Keeps the answer of a [`Claim::Fresh`] request.
    pub async fn finish(
        &self,
        token_id: i64,
        key: &str,
        answer: &Answer,
    ) -> Result<(), sqlx::Error> {
        on_db!(self.db.writes(), pool => sqlx::query(
            "UPDATE idempotency_keys SET status = $1, body = $2 WHERE token_id = $3 AND idem_key = $4",
        )
        .bind(i32::from(answer.status))
        .bind(&answer.body)
        .bind(token_id)
        .bind(key)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Gives a claim up before its request changed anything, or when its
    /// answer is not one to repeat (the server failed before it could audit
    /// anything): the same key may then be sent again.
    pub async fn release(&self, token_id: i64, key: &str) -> Result<(), sqlx::Error> {
        on_db!(self.db.writes(), pool => sqlx::query(
            "DELETE FROM idempotency_keys WHERE token_id = $1 AND idem_key = $2 AND status IS NULL",
        )
        .bind(token_id)
        .bind(key)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }
}
