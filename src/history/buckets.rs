//! The 15-minute history as stored: written by the roll-up (replacing a
//! bucket it computed before), read by charts and the CSV export, pruned
//! after `keep_history`.

use super::rollup::Bucket;
use crate::db::Db;
use crate::on_db;

const PRUNE_BATCH: i64 = 2000;

/// The `history_buckets` table: each charger's 15-minute roll-ups.
#[derive(Clone, Copy)]
pub struct Buckets<'a> {
    db: &'a Db,
}

impl<'a> Buckets<'a> {
    pub fn of(db: &'a Db) -> Self {
        Self { db }
    }

    /// Stores `buckets`, each replacing the one computed before for its
    /// charger and start (a roll-up repeated gives the same row, never two).
    pub async fn upsert(&self, buckets: &[Bucket]) -> Result<(), sqlx::Error> {
        let db = self.db;
        let mut tx = db.begin().await?;
        for b in buckets {
            crate::on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO history_buckets (charger_id, start_s, samples, avg_l1_da, avg_l2_da, \
                 avg_l3_da, max_l1_da, max_l2_da, max_l3_da, avg_power_w, energy_wh, charging_s, \
                 target_a, limit_da, simulated) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                 ON CONFLICT (charger_id, start_s) DO UPDATE SET samples = excluded.samples, \
                 avg_l1_da = excluded.avg_l1_da, avg_l2_da = excluded.avg_l2_da, \
                 avg_l3_da = excluded.avg_l3_da, max_l1_da = excluded.max_l1_da, \
                 max_l2_da = excluded.max_l2_da, max_l3_da = excluded.max_l3_da, \
                 avg_power_w = excluded.avg_power_w, energy_wh = excluded.energy_wh, \
                 charging_s = excluded.charging_s, target_a = excluded.target_a, \
                 limit_da = excluded.limit_da, simulated = excluded.simulated",
            )
            .bind(b.charger_id)
            .bind(b.start_s)
            .bind(b.samples)
            .bind(b.avg_l1_da)
            .bind(b.avg_l2_da)
            .bind(b.avg_l3_da)
            .bind(b.max_l1_da)
            .bind(b.max_l2_da)
            .bind(b.max_l3_da)
            .bind(b.avg_power_w)
            .bind(b.energy_wh)
            .bind(b.charging_s)
            .bind(b.target_a)
            .bind(b.limit_da)
            .bind(b.simulated)
            .execute(&mut *conn)
            .await?
            .rows_affected());
        }
        tx.commit().await
    }

    /// A charger's buckets, every column as stored, from `from_s` up to, not
    /// including, `to_s`, by time.
    pub async fn between(
        &self,
        charger_id: i64,
        from_s: i64,
        to_s: i64,
    ) -> Result<Vec<Bucket>, sqlx::Error> {
        let db = self.db;
        Ok(on_db!(db, pool => sqlx::query_as(
            "SELECT charger_id, start_s, samples, avg_l1_da, avg_l2_da, avg_l3_da, max_l1_da, \
             max_l2_da, max_l3_da, avg_power_w, energy_wh, charging_s, target_a, limit_da, simulated \
             FROM history_buckets WHERE charger_id = $1 AND start_s >= $2 AND start_s < $3 \
             ORDER BY start_s",
        )
        .bind(charger_id)
        .bind(from_s)
        .bind(to_s)
        .fetch_all(pool)
        .await?))
    }

    /// A charger's newest measured (not simulated) bucket's start, if any:
    /// where its roll-up after a restart picks up.
    pub async fn newest_start(&self, charger_id: i64) -> Result<Option<i64>, sqlx::Error> {
        let db = self.db;
        Ok(on_db!(db, pool => sqlx::query_scalar(
            "SELECT MAX(start_s) FROM history_buckets WHERE charger_id = $1 AND simulated = 0",
        )
        .bind(charger_id)
        .fetch_one(pool)
        .await?))
    }

    /// Deletes buckets that start before `before_s`, a batch at a time.
    pub async fn prune(&self, before_s: i64) -> Result<u64, sqlx::Error> {
        let db = self.db;
        let mut deleted = 0;
        loop {
            let batch = on_db!(db.writes(), pool => sqlx::query(
                "DELETE FROM history_buckets WHERE (charger_id, start_s) IN \
                 (SELECT charger_id, start_s FROM history_buckets WHERE start_s < $1 LIMIT $2)",
            )
            .bind(before_s)
            .bind(PRUNE_BATCH)
            .execute(pool)
            .await?
            .rows_affected());
            deleted += batch;
            if batch < PRUNE_BATCH as u64 {
                return Ok(deleted);
            }
            tokio::task::yield_now().await;
        }
    }

    /// A charger's buckets from `from_s` up to, not including, `to_s`, for a
    /// chart, by time.
    pub async fn charger_chart(
        &self,
        charger_id: i64,
        from_s: i64,
        to_s: i64,
    ) -> Result<Vec<ChartBucket>, sqlx::Error> {
        let db = self.db;
        Ok(on_db!(db, pool => sqlx::query_as(
            "SELECT charger_id, start_s, avg_l1_da, avg_l2_da, avg_l3_da, target_a, limit_da, \
             simulated FROM history_buckets WHERE charger_id = $1 AND start_s >= $2 AND start_s < $3 \
             ORDER BY start_s",
        )
        .bind(charger_id)
        .bind(from_s)
        .bind(to_s)
        .fetch_all(pool)
        .await?))
    }

    /// A site's steps per phase from `from_s` up to, not including, `to_s`.
    pub async fn site_phases(
        &self,
        site_id: i64,
        from_s: i64,
        to_s: i64,
    ) -> Result<Vec<SitePhaseStep>, sqlx::Error> {
        let db = self.db;
        Ok(on_db!(db, pool => sqlx::query_as(
            "SELECT b.start_s, \
             CAST(SUM(b.avg_l1_da) AS BIGINT) AS l1_da, CAST(SUM(b.avg_l2_da) AS BIGINT) AS l2_da, \
             CAST(SUM(b.avg_l3_da) AS BIGINT) AS l3_da, CAST(SUM(b.target_a) AS BIGINT) AS targets_a \
             FROM chargers c JOIN history_buckets b ON b.charger_id = c.id \
             AND b.start_s >= $2 AND b.start_s < $3 \
             WHERE c.site_id = $1 GROUP BY b.start_s ORDER BY b.start_s",
        )
        .bind(site_id)
        .bind(from_s)
        .bind(to_s)
        .fetch_all(pool)
        .await?))
    }

    /// The steps of a site's chargers from `from_s` up to, not including,
    /// `to_s`, by charger and time (each charger's through its primary key,
    /// as in the site's energy). The highest phase is picked in SQL, so a
    /// 50-charger day is 4,800 narrow rows: `CASE` because SQLite's `max(a,
    /// b, c)` and PostgreSQL's `GREATEST` disagree on NULL (unknown stays
    /// unknown: NULL only when no phase is known).
    pub async fn site_chart(
        &self,
        site_id: i64,
        from_s: i64,
        to_s: i64,
    ) -> Result<Vec<SiteStep>, sqlx::Error> {
        let db = self.db;
        Ok(on_db!(db, pool => sqlx::query_as(
            "SELECT b.charger_id, b.start_s, \
             CASE WHEN COALESCE(b.avg_l1_da, -1) >= COALESCE(b.avg_l2_da, -1) \
                  AND COALESCE(b.avg_l1_da, -1) >= COALESCE(b.avg_l3_da, -1) THEN b.avg_l1_da \
                  WHEN COALESCE(b.avg_l2_da, -1) >= COALESCE(b.avg_l3_da, -1) THEN b.avg_l2_da \
                  ELSE b.avg_l3_da END AS highest_da, \
             b.simulated \
             FROM chargers c JOIN history_buckets b ON b.charger_id = c.id \
             AND b.start_s >= $2 AND b.start_s < $3 \
             WHERE c.site_id = $1 ORDER BY b.charger_id, b.start_s",
        )
        .bind(site_id)
        .bind(from_s)
        .bind(to_s)
        .fetch_all(pool)
        .await?))
    }

    /// A site's quarter hours in `[from_s, to_s)`, summed over its
    /// chargers: energy, energy under a target, draw per phase (a monthly
    /// report's peak and time at the limit).
    pub async fn site_quarters(
        &self,
        site_id: i64,
        from_s: i64,
        to_s: i64,
    ) -> Result<Vec<super::sessions::report::Quarter>, sqlx::Error> {
        let db = self.db;
        Ok(on_db!(db, pool => sqlx::query_as(
            "SELECT b.start_s, CAST(SUM(b.energy_wh) AS BIGINT) AS energy_wh, \
             CAST(SUM(CASE WHEN b.target_a IS NULL THEN 0 ELSE b.energy_wh END) AS BIGINT) \
             AS limited_wh, \
             CAST(SUM(b.avg_l1_da) AS BIGINT) AS l1_da, CAST(SUM(b.avg_l2_da) AS BIGINT) AS l2_da, \
             CAST(SUM(b.avg_l3_da) AS BIGINT) AS l3_da \
             FROM chargers c JOIN history_buckets b ON b.charger_id = c.id \
             AND b.start_s >= $2 AND b.start_s < $3 \
             WHERE c.site_id = $1 GROUP BY b.start_s ORDER BY b.start_s",
        )
        .bind(site_id)
        .bind(from_s)
        .bind(to_s)
        .fetch_all(pool)
        .await?))
    }

    /// Each of a site's chargers' energy in `[from_s, to_s)`, and how
    /// much of it was used under a target (every charger, 0 when idle).
    pub async fn site_charger_energy(
        &self,
        site_id: i64,
        from_s: i64,
        to_s: i64,
    ) -> Result<Vec<ChargerEnergy>, sqlx::Error> {
        let db = self.db;
        Ok(on_db!(db, pool => sqlx::query_as(
            "SELECT c.id AS charger_id, c.name, \
             CAST(COALESCE(SUM(b.energy_wh), 0) AS BIGINT) AS energy_wh, \
             CAST(COALESCE(SUM(CASE WHEN b.target_a IS NULL THEN 0 ELSE b.energy_wh END), 0) \
             AS BIGINT) AS limited_wh, COUNT(b.start_s) AS quarters \
             FROM chargers c LEFT JOIN history_buckets b ON b.charger_id = c.id \
             AND b.start_s >= $2 AND b.start_s < $3 \
             WHERE c.site_id = $1 GROUP BY c.id, c.name ORDER BY c.name, c.id",
        )
        .bind(site_id)
        .bind(from_s)
        .bind(to_s)
        .fetch_all(pool)
        .await?))
    }
}

/// One charger's energy over a report's month.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChargerEnergy {
    pub charger_id: i64,
    pub name: String,
    pub energy_wh: i64,
    pub limited_wh: i64,
    /// Quarter hours with a reading (0: nothing is known of the month,
    /// which is not 0 kWh used).
    pub quarters: i64,
}

/// What a chart draws of a bucket: only these columns are read, because
/// a chart reads thousands of rows and each column of each row costs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChartBucket {
    pub charger_id: i64,
    pub start_s: i64,
    pub avg_l1_da: Option<i64>,
    pub avg_l2_da: Option<i64>,
    pub avg_l3_da: Option<i64>,
    pub target_a: Option<i64>,
    pub limit_da: Option<i64>,
    pub simulated: i64,
}

/// One charger's step on a site's chart: its highest phase (the average
/// over the bucket), the one a site's supply limit is about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteStep {
    pub charger_id: i64,
    pub start_s: i64,
    pub highest_da: Option<i64>,
    pub simulated: i64,
}

/// A site's draw per phase in one 15-minute step, summed over its
/// chargers (a charger not known adds nothing), with the sum of the
/// targets in force: on a shared site, what the load manager allocated.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SitePhaseStep {
    pub start_s: i64,
    pub l1_da: Option<i64>,
    pub l2_da: Option<i64>,
    pub l3_da: Option<i64>,
    pub targets_a: Option<i64>,
}
