//! The session store, on the write lane of the same database as
//! everything else, with its expired records deleted in the background.

use evse_dashboard::db::{Db, Pool};
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// Held while the PostgreSQL session store creates its schema.
const SESSIONS_SCHEMA_LOCK: i64 = 0x4556_5345_0003;

/// The session store, in the same database as everything else: a session
/// made on one instance is good on every other.
pub(crate) enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// Creates the store's table if needed and deletes expired sessions
    /// once a minute in the background.
    pub(crate) async fn open(db: &Db) -> Result<Self, sqlx::Error> {
        let every = tokio::time::Duration::from_secs(60);
        // Session records are writes like any other: the write lane.
        Ok(match db.writes() {
            Pool::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone())
                    .with_table_name("sessions")
                    .expect("a valid table name");
                store.migrate().await?;
                tokio::spawn(store.clone().continuously_delete_expired(every));
                Sessions::Sqlite(store)
            }
            Pool::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone())
                    .with_table_name("sessions")
                    .expect("a valid table name");
                // Instances starting together would race to create the
                // store's schema: they take turns under an advisory lock
                // (released with the connection if this process dies).
                let mut turn = pool.acquire().await?;
                sqlx::query("SELECT pg_advisory_lock($1)")
                    .bind(SESSIONS_SCHEMA_LOCK)
                    .execute(&mut *turn)
                    .await?;
                let migrated = store.migrate().await;
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(SESSIONS_SCHEMA_LOCK)
                    .execute(&mut *turn)
                    .await?;
                migrated?;
                tokio::spawn(store.clone().continuously_delete_expired(every));
                Sessions::Postgres(store)
            }
        })
    }
}
