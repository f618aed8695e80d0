//! `share_allocations`: what each managed charger was last given, so the
//! next round (on this instance or the one that takes the lease over)
//! renews rather than restarts, and knows when each car arrived.

use std::collections::HashMap;

use super::allocate::Share;
use crate::db::Db;
use crate::on_db;

/// A managed charger's last allocation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Stored {
    pub charger_id: i64,
    /// The target CLEMAP last received from the manager, and until when.
    pub amps: Option<i64>,
    pub sent_until_ms: Option<i64>,
    /// When the car charging now was first seen charging.
    pub arrived_ms: Option<i64>,
    /// The last allocation, as the page explains it (JSON of [`Share`]).
    pub share: String,
    /// A charging car the supply could not give its minimum.
    pub unserved: bool,
}

impl Stored {
    /// The target still in force at `now_ms`.
    pub fn in_force(&self, now_ms: i64) -> Option<u32> {
        match (self.amps, self.sent_until_ms) {
            (Some(amps), Some(until)) if until > now_ms => u32::try_from(amps).ok(),
            _ => None,
        }
    }

    pub fn share(&self) -> Option<Share> {
        serde_json::from_str(&self.share).ok()
    }
}

/// The `share_allocations` table: what each managed charger was last given.
#[derive(Clone, Copy)]
pub struct Allocations<'a> {
    db: &'a Db,
}

impl<'a> Allocations<'a> {
    pub fn of(db: &'a Db) -> Self {
        Self { db }
    }

    pub async fn for_site(&self, site_id: i64) -> Result<HashMap<i64, Stored>, sqlx::Error> {
        let db = self.db;
        let rows: Vec<Stored> = on_db!(db, pool => sqlx::query_as(
            "SELECT charger_id, amps, sent_until_ms, arrived_ms, share, unserved \
             FROM share_allocations \
             WHERE site_id = $1",
        )
        .bind(site_id)
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(|r| (r.charger_id, r)).collect())
    }

    /// Every managed charger's allocation still in force at `now`, for the
    /// overview's bars.
    pub async fn in_force(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<HashMap<i64, u32>, sqlx::Error> {
        let db = self.db;
        let rows: Vec<(i64, i64)> = on_db!(db, pool => sqlx::query_as(
            "SELECT charger_id, amps FROM share_allocations \
             WHERE amps IS NOT NULL AND sent_until_ms > $1",
        )
        .bind(now.timestamp_millis())
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .filter_map(|(id, amps)| Some((id, u32::try_from(amps).ok()?)))
            .collect())
    }

    /// Writes a round's allocation of one site, in one transaction.
    pub async fn save(
        &self,
        site_id: i64,
        rows: &[Stored],
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let db = self.db;
        let mut tx = db.begin_serialised().await?;
        for row in rows {
            crate::on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO share_allocations \
                 (charger_id, site_id, amps, sent_until_ms, arrived_ms, share, unserved, updated_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (charger_id) DO UPDATE SET site_id = excluded.site_id, \
                 amps = excluded.amps, sent_until_ms = excluded.sent_until_ms, \
                 arrived_ms = excluded.arrived_ms, share = excluded.share, \
                 unserved = excluded.unserved, updated_ms = excluded.updated_ms",
            )
            .bind(row.charger_id)
            .bind(site_id)
            .bind(row.amps)
            .bind(row.sent_until_ms)
            .bind(row.arrived_ms)
            .bind(&row.share)
            .bind(row.unserved)
            .bind(now_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets a site's allocations (sharing switched off: its targets end
    /// by themselves).
    pub async fn forget_site(&self, site_id: i64) -> Result<(), sqlx::Error> {
        let db = self.db;
        on_db!(db.writes(), pool => sqlx::query("DELETE FROM share_allocations WHERE site_id = $1")
            .bind(site_id)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }
}
