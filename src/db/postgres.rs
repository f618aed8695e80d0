//! Opening PostgreSQL, the store several instances share.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use super::{DatabaseUrl, DbError, Pool};

/// The advisory lock [`super::Db::begin_serialised`] takes: one per
/// database, like SQLite's single writer, so the audit chain's head, the
/// login throttle and the schedule claims are serialised across instances.
pub(super) const WRITE_LOCK: i64 = 0x4556_5345_0001; // "EVSE" 1
/// Held while the vocabulary trigger is replaced at start.
pub(super) const VOCABULARY_LOCK: i64 = 0x4556_5345_0002;

/// Connections for pages and reads, and those reserved for writes (#38):
/// a change's statements never queue behind page queries for one.
const READERS: u32 = 16;
const WRITERS: u32 = 4;

/// The read pool and the write lane (see [`super::Db`]).
pub(super) async fn open_lanes(url: &DatabaseUrl) -> Result<(Pool, Pool), DbError> {
    let failed = |source| DbError::Open {
        place: url.to_string(),
        source,
    };
    let options: PgConnectOptions = url.expose().parse().map_err(failed)?;
    let options = options.application_name("evse-dashboard");
    let open = |connections| {
        PgPoolOptions::new()
            .max_connections(connections)
            .connect_with(options.clone())
    };
    let writes = open(WRITERS).await.map_err(failed)?;
    let reads = open(READERS).await.map_err(failed)?;
    Ok((Pool::Postgres(reads), Pool::Postgres(writes)))
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
