//! Opening PostgreSQL, the store several instances share.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use super::{DatabaseUrl, DbError};

/// The advisory lock [`super::Db::begin_serialised`] takes: one per
/// database, like SQLite's single writer, so the audit chain's head, the
/// login throttle and the schedule claims are serialised across instances.
pub(super) const WRITE_LOCK: i64 = 0x4556_5345_0001; // "EVSE" 1
/// Held while the vocabulary trigger is replaced at start.
pub(super) const VOCABULARY_LOCK: i64 = 0x4556_5345_0002;

pub(super) async fn open(url: &DatabaseUrl) -> Result<PgPool, DbError> {
    let failed = |source| DbError::Open {
        place: url.to_string(),
        source,
    };
    let options: PgConnectOptions = url.expose().parse().map_err(failed)?;
    PgPoolOptions::new()
        .max_connections(16)
        .connect_with(options.application_name("evse-dashboard"))
        .await
        .map_err(failed)
}

/// Takes a transaction-scoped advisory lock, waiting for it.
pub(super) async fn lock(
    tx: &mut Transaction<'static, Postgres>,
    key: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
