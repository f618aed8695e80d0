//! Moving an installation from SQLite to PostgreSQL: every row of every
//! table the dashboard keeps, with its id, in one PostgreSQL transaction.
//! The audit rows are copied byte for byte (their text timestamps
//! included), so the chain verifies with the same audit key; the tokens
//! stay sealed, so they open with the same token key.
//!
//! Left behind on purpose: sessions (everyone logs in again), the login
//! throttle's counters and known addresses (they expire or are relearnt),
//! the raw status samples and latest readings (the sampler makes new ones
//! within a minute; the 15-minute history is copied), the sampler's
//! lease, the API's idempotency keys (kept 24 h; an integration
//! retrying across the move sends new ones) and new tokens on their way
//! to the admin page, and the alerts' outbox and episodes (what is wrong
//! is found again within a round; subscriptions are copied).

use futures::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgPool, QueryBuilder, Row, SqlitePool};

/// How a column is read from SQLite and written to PostgreSQL.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Blob,
    /// 0/1 in SQLite, `boolean` in PostgreSQL.
    Bool,
}
use Kind::{Blob, Bool, Int, Text};

/// The tables in an order that satisfies their foreign keys.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "sites",
        &[
            ("id", Int),
            ("name", Text),
            ("created_at", Text),
            ("time_zone", Text),
            ("supply_limit", Int),
            ("sharing", Bool),
            ("share_minimum", Int),
        ],
    ),
    (
        "chargers",
        &[
            ("id", Int),
            ("name", Text),
            ("site_id", Int),
            ("edge_device_id", Text),
            ("evse_uuid", Text),
            ("min_current", Int),
            ("max_current", Int),
            ("notes", Text),
            ("token_ciphertext", Blob),
            ("token_nonce", Blob),
            ("token_key_id", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("deleted_at", Text),
            ("priority", Text),
        ],
    ),
    (
        "users",
        &[
            ("id", Int),
            ("username", Text),
            ("password_hash", Text),
            ("role", Text),
            ("disabled", Bool),
            ("created_at", Text),
            ("last_login_at", Text),
            ("session_epoch", Int),
            ("language", Text),
        ],
    ),
    (
        "api_tokens",
        &[
            ("id", Int),
            ("name", Text),
            ("role", Text),
            ("token_hash", Text),
            ("created_at", Text),
            ("created_by", Text),
            ("expires_at", Text),
            ("last_used_at", Text),
            ("revoked_at", Text),
        ],
    ),
    (
        "alert_subscriptions",
        &[
            ("id", Int),
            ("channel", Text),
            ("target", Text),
            ("events", Text),
            ("secret_ciphertext", Blob),
            ("secret_nonce", Blob),
            ("secret_key_id", Text),
            ("created_at", Text),
            ("created_by", Text),
            ("removed_at", Text),
        ],
    ),
    (
        "audit_events",
        &[
            ("id", Int),
            ("at", Text),
            ("actor_id", Int),
            ("actor", Text),
            ("action", Text),
            ("charger_id", Int),
            ("charger_name", Text),
            ("subject", Text),
            ("requested_current", Int),
            ("requested_duration", Int),
            ("outcome", Text),
            ("upstream_status", Int),
            ("upstream_answer", Text),
            ("previous_settings", Text),
            ("error", Text),
            ("request_id", Text),
            ("client_ip", Text),
            ("completed_at", Text),
            ("batch_id", Text),
            ("prev_hash", Text),
            ("hash", Text),
            ("outcome_hash", Text),
            ("refers_to", Int),
            ("verdict", Text),
        ],
    ),
    (
        "schedules",
        &[
            ("id", Int),
            ("name", Text),
            ("charger_id", Int),
            ("site_id", Int),
            ("days", Int),
            ("start_time", Text),
            ("end_time", Text),
            ("time_zone", Text),
            ("current", Int),
            ("valid_from", Text),
            ("valid_to", Text),
            ("enabled", Bool),
            ("last_error", Text),
            ("last_error_at", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("deleted_at", Text),
        ],
    ),
    (
        "schedule_claims",
        &[
            ("schedule_id", Int),
            ("charger_id", Int),
            ("occurrence", Text),
            ("round", Int),
            ("manual_mark", Int),
            ("current", Int),
            ("ends", Text),
            ("until", Text),
            ("audit_id", Int),
            ("withdrawn", Bool),
            ("withdrawn_audit_id", Int),
        ],
    ),
    (
        "history_buckets",
        &[
            ("charger_id", Int),
            ("start_s", Int),
            ("samples", Int),
            ("avg_l1_da", Int),
            ("avg_l2_da", Int),
            ("avg_l3_da", Int),
            ("max_l1_da", Int),
            ("max_l2_da", Int),
            ("max_l3_da", Int),
            ("avg_power_w", Int),
            ("energy_wh", Int),
            ("charging_s", Int),
            ("target_a", Int),
            ("limit_da", Int),
            ("simulated", Int),
        ],
    ),
];

/// Rows per INSERT (PostgreSQL takes at most 65535 parameters).
const BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(
        "the PostgreSQL database already holds {rows} rows in {table}; copy into an empty \
         database (create a new one, or drop this one's tables) so nothing is mixed"
    )]
    NotEmpty { table: &'static str, rows: i64 },
    #[error("{0}")]
    Db(#[from] sqlx::Error),
}

/// How many rows each table got.
pub type Copied = Vec<(&'static str, u64)>;

/// Copies every table of `from` into the migrated, empty `to`.
pub async fn sqlite_to_postgres(from: &SqlitePool, to: &PgPool) -> Result<Copied, CopyError> {
    let mut tx = to.begin().await?;
    for (table, _) in TABLES {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *tx)
            .await?;
        if rows > 0 {
            return Err(CopyError::NotEmpty { table, rows });
        }
    }
    let mut copied = Vec::new();
    for (table, columns) in TABLES {
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let names = names.join(", ");
        // In the first column's order: the audit chain's by id, stable for
        // the others (history_buckets has no rowid). Streamed in batches:
        // 400 days of history do not fit in memory at once.
        let first = columns[0].0;
        let select = format!("SELECT {names} FROM {table} ORDER BY {first}");
        let mut rows = sqlx::query(&select).fetch(from);
        let mut count = 0_u64;
        let mut chunk: Vec<SqliteRow> = Vec::with_capacity(BATCH);
        loop {
            let row = rows.try_next().await?;
            let done = row.is_none();
            chunk.extend(row);
            if chunk.len() < BATCH && !done {
                continue;
            }
            if chunk.is_empty() {
                break;
            }
            count += chunk.len() as u64;
            let mut insert = QueryBuilder::new(format!("INSERT INTO {table} ({names}) "));
            insert.push_values(&chunk, |mut values, row| {
                for (i, (_, kind)) in columns.iter().enumerate() {
                    match kind {
                        Int => values.push_bind(row.get::<Option<i64>, _>(i)),
                        Text => values.push_bind(row.get::<Option<String>, _>(i)),
                        Blob => values.push_bind(row.get::<Option<Vec<u8>>, _>(i)),
                        Bool => values.push_bind(row.get::<Option<bool>, _>(i)),
                    };
                }
            });
            insert.build().execute(&mut *tx).await?;
            chunk.clear();
            if done {
                break;
            }
        }
        if columns[0].0 == "id" {
            // The identity continues after the copied ids.
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 GREATEST((SELECT MAX(id) FROM {table}), 1), (SELECT MAX(id) FROM {table}) IS NOT NULL)"
            ))
            .execute(&mut *tx)
            .await?;
        }
        copied.push((*table, count));
    }
    tx.commit().await?;
    Ok(copied)
}
