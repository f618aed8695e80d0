//! Raw status samples: one row per plug and reading (kept two days), and a
//! row for a reading that failed (its gap is history too).

use super::Reading;
use crate::clemap::model::PlugStatus;
use crate::db::Db;
use crate::on_db;

/// The plug number of a reading that failed: no plug is known.
pub const UNREACHABLE_PLUG: i64 = -1;
/// Its status.
pub const UNREACHABLE: &str = "unreachable";
/// Rows deleted per statement when pruning (writers are never held up
/// for long).
const PRUNE_BATCH: i64 = 2000;

/// One stored sample. Currents are deciampere; `None` is unknown.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Sample {
    pub charger_id: i64,
    pub at_ms: i64,
    pub plug: i64,
    pub status: String,
    pub l1_da: Option<i64>,
    pub l2_da: Option<i64>,
    pub l3_da: Option<i64>,
    pub power_w: Option<i64>,
    pub limit_da: Option<i64>,
    pub target_a: Option<i64>,
    pub simulated: i64,
}

impl Sample {
    pub fn is_charging(&self) -> bool {
        matches!(
            self.status.as_str(),
            "charging" | "recently_started_charging"
        )
    }

    pub fn reached(&self) -> bool {
        self.plug != UNREACHABLE_PLUG
    }
}

fn deci(amps: Option<f64>) -> Option<i64> {
    amps.filter(|a| a.is_finite())
        .map(|a| (a * 10.0).round() as i64)
}

/// The rows of one reading.
pub fn of(reading: &Reading, simulated: bool) -> Vec<Sample> {
    let (charger_id, at_ms) = (reading.charger_id, reading.at.timestamp_millis());
    let target_a = reading.target().map(i64::from);
    let simulated = i64::from(simulated);
    match reading.plugs() {
        None => vec![Sample {
            charger_id,
            at_ms,
            plug: UNREACHABLE_PLUG,
            status: UNREACHABLE.to_owned(),
            l1_da: None,
            l2_da: None,
            l3_da: None,
            power_w: None,
            limit_da: None,
            target_a: None,
            simulated,
        }],
        Some(plugs) => plugs
            .iter()
            .enumerate()
            .map(|(i, p): (usize, &PlugStatus)| Sample {
                charger_id,
                at_ms,
                plug: i as i64,
                status: p.status.as_str().to_owned(),
                l1_da: deci(p.current_l1),
                l2_da: deci(p.current_l2),
                l3_da: deci(p.current_l3),
                power_w: p.power.filter(|w| w.is_finite()).map(|w| w.round() as i64),
                limit_da: deci(p.dyn_current_limit),
                target_a,
                simulated,
            })
            .collect(),
    }
}

/// The `status_samples` table: every plug's raw readings.
#[derive(Clone, Copy)]
pub struct Samples<'a> {
    db: &'a Db,
}

impl<'a> Samples<'a> {
    pub fn of(db: &'a Db) -> Self {
        Self { db }
    }

    /// Stores samples (one transaction: a round is written at once). A sample
    /// already stored (the same charger, time and plug) is kept as it was.
    pub async fn insert(&self, samples: &[Sample]) -> Result<(), sqlx::Error> {
        let db = self.db;
        let mut tx = db.begin().await?;
        for s in samples {
            crate::on_tx!(&mut tx, conn => sqlx::query(
                "INSERT INTO status_samples (charger_id, at_ms, plug, status, l1_da, l2_da, l3_da, \
                 power_w, limit_da, target_a, simulated) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (charger_id, at_ms, plug) DO NOTHING",
            )
            .bind(s.charger_id)
            .bind(s.at_ms)
            .bind(s.plug)
            .bind(&s.status)
            .bind(s.l1_da)
            .bind(s.l2_da)
            .bind(s.l3_da)
            .bind(s.power_w)
            .bind(s.limit_da)
            .bind(s.target_a)
            .bind(s.simulated)
            .execute(&mut *conn)
            .await?
            .rows_affected());
        }
        tx.commit().await
    }

    /// A charger's samples from `from_ms` up to, not including, `to_ms`, by
    /// time and plug. The plain `charger_id = $1` lets the primary key find
    /// them (an optional charger, `$1 IS NULL OR …`, made SQLite scan every
    /// charger's samples of the window instead: 5 s for a 24 h chart among
    /// 500 chargers).
    pub async fn between(
        &self,
        charger_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Sample>, sqlx::Error> {
        let db = self.db;
        Ok(on_db!(db, pool => sqlx::query_as(
            "SELECT charger_id, at_ms, plug, status, l1_da, l2_da, l3_da, power_w, limit_da, \
             target_a, simulated FROM status_samples \
             WHERE charger_id = $1 AND at_ms >= $2 AND at_ms < $3 \
             ORDER BY at_ms, plug",
        )
        .bind(charger_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(pool)
        .await?))
    }

    /// Deletes samples older than `before_ms`, a batch at a time (each its own
    /// short statement, so writers wait at most one batch). Returns how many.
    pub async fn prune(&self, before_ms: i64) -> Result<u64, sqlx::Error> {
        let db = self.db;
        let mut deleted = 0;
        loop {
            let batch = on_db!(db.writes(), pool => sqlx::query(
                "DELETE FROM status_samples WHERE (charger_id, at_ms, plug) IN \
                 (SELECT charger_id, at_ms, plug FROM status_samples WHERE at_ms < $1 LIMIT $2)",
            )
            .bind(before_ms)
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
}
