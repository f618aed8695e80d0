//! A lease in the database, so that of several instances on one
//! PostgreSQL only one does a shared job (sampling). The holder renews it
//! on every round; when it dies, the lease runs out and another instance
//! takes it.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::on_db;

/// The `leases` table: which instance does work that happens once.
#[derive(Clone, Copy)]
pub struct Leases<'a> {
    db: &'a Db,
}

impl<'a> Leases<'a> {
    pub fn of(db: &'a Db) -> Self {
        Self { db }
    }

    /// Takes or renews the lease `name` for `holder` until `until`. Returns
    /// whether `holder` holds it now.
    pub async fn take(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let db = self.db;
        let (now, until) = (now.timestamp_millis(), until.timestamp_millis());
        let taken = on_db!(db.writes(), pool => sqlx::query(
            "INSERT INTO leases (name, holder, expires_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms \
             WHERE leases.holder = excluded.holder OR leases.expires_ms < $4",
        )
        .bind(name)
        .bind(holder)
        .bind(until)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(taken == 1)
    }

    /// Gives the lease up (a clean stop), so another instance need not wait
    /// for it to run out.
    pub async fn release(&self, name: &str, holder: &str) -> Result<(), sqlx::Error> {
        let db = self.db;
        on_db!(db.writes(), pool => sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }
}
